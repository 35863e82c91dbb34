/**
 * Request-body handling shared by the dictionary server and the platform server: JSON bodies (an invalid one is a
 * 400 `BAD_JSON` naming the body, except on `/events` where the text is taken as JSON lines), and JSON-lines content
 * types; plus the embedded log opened once, on first use, and retried after a failed open.
 */
import type { FastifyInstance } from 'fastify';
import { EmbeddedLog } from '../connectors/embedded-log/embedded-log.js';
import { JsonLinesBody } from './dictionary-routes.js';

export function installBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    const text = body as string;
    if (text.trim() === '') { done(null, undefined); return; }
    try {
      done(null, JSON.parse(text));
    } catch (e) {
      if (req.url.split('?')[0]!.endsWith('/events')) { done(null, new JsonLinesBody(text)); return; }
      const err = new Error(`body: invalid JSON: ${(e as Error).message}`) as Error & { statusCode: number; code: string };
      err.statusCode = 400;
      err.code = 'BAD_JSON';
      done(err, undefined);
    }
  });
  app.addContentTypeParser(['application/x-ndjson', 'application/jsonl', 'text/plain'], { parseAs: 'string' }, (_req, body, done) => {
    done(null, new JsonLinesBody(body as string));
  });
}

/** Opens the embedded log in `dir` on first call; a failed open is retried by the next call. */
export function lazyLog(dir: string): { open: () => Promise<EmbeddedLog>; opened: () => Promise<EmbeddedLog> | undefined } {
  let log: Promise<EmbeddedLog> | undefined;
  const open = (): Promise<EmbeddedLog> => {
    log ??= EmbeddedLog.open(dir);
    log.catch(() => { log = undefined; });
    return log;
  };
  return { open, opened: () => log };
}
