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
import { registerDictionaryRoutes } from './dictionary-routes.js';
import { installBodyParsers, lazyLog } from './body-parsers.js';

export interface DictionaryServerOptions {
  dictionary: Dictionary;
  logDir: string;
  bodyLimit?: number;
  logger?: boolean;
}

export function createDictionaryServer(o: DictionaryServerOptions): FastifyInstance {
  const app = Fastify({ logger: o.logger ?? false, bodyLimit: o.bodyLimit ?? 16 * 1024 * 1024 });
  const logs = lazyLog(o.logDir);
  const openLog = logs.open;
  installBodyParsers(app);
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _req, reply) => {
    const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    void reply.code(status).send({ error: { code: err.code ?? (status === 500 ? 'INTERNAL' : 'BAD_REQUEST'), message: status === 500 ? `internal error: ${err.message}` : err.message } });
  });
  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } });
  });
  registerDictionaryRoutes(app, { dictionary: o.dictionary, logDir: o.logDir, openLog });
  app.addHook('onClose', async () => {
    const log = logs.opened();
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
