/**
 * Serves the built web UI (`web/dist`, made by `npm run build:web`) at `/`: files by path, `index.html` for `/`,
 * long-lived caching for hashed assets. When the UI is not built, `/` answers 503 with the command that builds it.
 * Paths are resolved inside the dist directory only (no `..` escapes).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.map': 'application/json',
  '.woff2': 'font/woff2', '.txt': 'text/plain; charset=utf-8',
};

/** The repository (package) root: the nearest ancestor of this file holding package.json and web/. */
export function packageRoot(from = path.dirname(fileURLToPath(import.meta.url))): string {
  let d = from;
  for (;;) {
    if (existsSync(path.join(d, 'package.json')) && existsSync(path.join(d, 'web'))) return d;
    const up = path.dirname(d);
    if (up === d) return process.cwd();
    d = up;
  }
}

export const defaultUiDir = (): string => path.join(packageRoot(), 'web', 'dist');

export function registerStaticUi(app: FastifyInstance, uiDir: string): void {
  const root = path.resolve(uiDir);
  const notBuilt = `<!doctype html><meta charset="utf-8"><title>Freshet</title><body style="font-family:sans-serif;padding:2em">
<h1>Freshet</h1><p>The web UI is not built. Run <code>npm run build:web</code> (writes <code>web/dist</code>) and reload.</p>
<p>The REST API is up: <a href="/api/docs">/api/docs</a>.</p></body>`;
  app.get('/*', { schema: { hide: true } }, async (req, reply) => {
    const urlPath = decodeURIComponent(req.url.split('?')[0]!);
    if (urlPath.startsWith('/api/')) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${urlPath}` } });
    const rel = urlPath === '/' || urlPath === '' ? 'index.html' : urlPath.slice(1);
    let file = path.resolve(root, rel);
    if (file !== root && !file.startsWith(root + path.sep)) return reply.code(404).send({ error: { code: 'NOT_FOUND', message: 'not found' } });
    if (!existsSync(file) || !path.extname(file)) file = path.join(root, 'index.html');
    if (!existsSync(file)) return reply.code(503).type('text/html; charset=utf-8').send(notBuilt);
    const body = await readFile(file);
    const ext = path.extname(file);
    void reply.type(TYPES[ext] ?? 'application/octet-stream');
    void reply.header('cache-control', rel.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    return reply.send(body);
  });
}
