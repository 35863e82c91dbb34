/**
 * Builds and starts Freshet's HTTP server with the data dictionary API. `createDictionaryServer` returns the
 * Fastify instance without listening (tests use `inject`); `startDictionaryServer` listens.
 * Bodies: JSON (`application/json`), JSON lines (`application/x-ndjson`, `text/plain`, or `application/json` that
 * is not one document) for event ingestion.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { Dictionary } from '../catalog/dictionary/dictionary.js';
import { dataDir, logDirOf } from '../catalog/dictionary/data-dir.js';
import { openDictionaryStore } from '../catalog/dictionary/open-store.js';
import { EmbeddedLog } from '../connectors/embedded-log/embedded-log.js';
import { JsonLinesBody, registerDictionaryRoutes } from './dictionary-routes.js';

export interface DictionaryServerOptions {
  dictionary: Dictionary;
  logDir: string;
  bodyLimit?: number;
  logger?: boolean;
}

export function createDictionaryServer(o: DictionaryServerOptions): FastifyInstance {
  const app = Fastify({ logger: o.logger ?? false, bodyLimit: o.bodyLimit ?? 16 * 1024 * 1024 });
  let log: Promise<EmbeddedLog> | undefined;
  const openLog = (): Promise<EmbeddedLog> => {
    log ??= EmbeddedLog.open(o.logDir);
    log.catch(() => { log = undefined; });
    return log;
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    if (text.trim() === '') { done(null, undefined); return; }
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      if (req.url.split('?')[0]!.endsWith('/events')) { done(null, new JsonLinesBody(text)); return; }
      const err = new Error(`body: invalid JSON: ${(e as Error).message}`) as Error & { statusCode: number };
      err.statusCode = 400;
      done(err, undefined);
    }
  });
  app.addContentTypeParser(['application/x-ndjson', 'application/jsonl', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => {
    done(null, new JsonLinesBody(body as string));
  });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    void reply.code(status).send({ error: { code: err.code ?? (status === 500 ? 'INTERNAL' : 'BAD_REQUEST'), message: status === 500 ? `internal error: ${err.message}` : err.message } });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
  registerDictionaryRoutes(app, { dictionary: o.dictionary, logDir: o.logDir, openLog });
  app.addHook('onClose', async () => {
    if (log) await (await log.catch(() => undefined))?.close();
  });
  return app;
}

/** Starts the server with the dictionary store and log chosen from the environment; resolves to its address. */
export async function startDictionaryServer(opts: { port?: number; host?: string; logger?: boolean } = {}): Promise<{ app: FastifyInstance; address: string }> {
  const store = openDictionaryStore();
  const app = createDictionaryServer({ dictionary: new Dictionary(store), logDir: logDirOf(dataDir()), logger: opts.logger ?? false });
  app.addHook('onClose', async () => { await store.close(); });
  const address = await app.listen({ port: opts.port ?? 8080, host: opts.host ?? '127.0.0.1' });
  return { app, address };
}
