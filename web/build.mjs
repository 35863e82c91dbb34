// Builds Freshet's web UI into web/dist with esbuild: one JS bundle (React, CodeMirror, uPlot and Freshet's own SQL
// parser from src/sql, so the editor reports the same positioned parse errors as the server) and one CSS file.
// Usage: node web/build.mjs [--watch]   (npm run build:web)
import { build, context } from 'esbuild';
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
const options = {
  entryPoints: [path.join(here, 'src', 'main.tsx')],
  bundle: true,
  minify: true,
  sourcemap: false,
  format: 'esm',
  target: ['es2022'],
  outdir: path.join(dist, 'assets'),
  entryNames: 'app',
  jsx: 'automatic',
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
};

await rm(dist, { recursive: true, force: true });
await mkdir(dist, { recursive: true });
await cp(path.join(here, 'index.html'), path.join(dist, 'index.html'));
if (process.argv.includes('--watch')) {
  const ctx = await context(options);
  await ctx.watch();
  console.log('watching web/src');
} else {
  const t0 = Date.now();
  await build(options);
  console.log(`web UI built into web/dist in ${Date.now() - t0} ms`);
}
