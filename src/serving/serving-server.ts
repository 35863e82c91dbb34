/**
 * The feature-serving HTTP API on a bare `node:http` server, for the serving tier (`freshet serve`): the same routes,
 * parameters, answers and errors as the Fastify plugin of serving-routes.ts (which the platform server mounts), without
 * a framework's per-request work (routing tables, hooks, reply objects, content-type parsers). A read costs tens of
 * microseconds, so that work was a large share of each request.
 *   GET  /api/features/{table}?key=K[&key=K2...][&at=T]
 *   POST /api/features/{table}   {"keys": [...], "at": T}   (Content-Type application/json, at most bodyLimit bytes)
 *   GET  /healthz                {"ok": true}
 * Other paths answer 404 in Fastify's shape (`{message, error, statusCode}`), so clients see one API.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { FreshetError, type Diagnostic } from '../common/diagnostics.js';
import type { KvStore } from '../engine/kv-store-api.js';
import { ServingErrors } from './read-features.js';
import { errorBody, featureReader, renderAnswer, type ServingRoutesOptions } from './serving-routes.js';

export interface ServingServerOptions extends ServingRoutesOptions {
  /** Largest POST body in bytes (default 1 MiB, as Fastify's default). */
  bodyLimit?: number;
}

const PREFIX = '/api/features/';
const JSON_TYPE = 'application/json; charset=utf-8';
const HEALTH = '{"ok":true}';

/** An http.Server answering the serving routes from `store` (not listening yet: call `listen`). */
export function createServingServer(store: KvStore, opts: ServingServerOptions = {}): Server {
  const bodyLimit = opts.bodyLimit ?? 1024 * 1024;
  const read = featureReader(store, opts);
  const answer = async (res: ServerResponse, table: string, keys: unknown, at: unknown): Promise<void> => {
    try {
      const a = await read(table, keys, at);
      send(res, 200, renderAnswer(a));
    } catch (e) {
      fail(res, e);
    }
  };

  return createServer({ keepAlive: true }, (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const method = req.method;
    if (path.startsWith(PREFIX) && path.length > PREFIX.length && path.indexOf('/', PREFIX.length) < 0) {
      const table = decodePath(path.slice(PREFIX.length));
      if (method === 'GET' || method === 'HEAD') {
        let keys: unknown, at: unknown;
        if (q >= 0) {
          const query = parseQuery(url, q + 1);
          keys = query.key;
          at = query.at;
        }
        void answer(res, table, keys, at);
        return;
      }
      if (method === 'POST') { readBody(req, res, bodyLimit, table, answer); return; }
    } else if (path === '/healthz' && (method === 'GET' || method === 'HEAD')) {
      send(res, 200, HEALTH);
      return;
    }
    send(res, 404, JSON.stringify({ message: `Route ${method ?? ''}:${url} not found`, error: 'Not Found', statusCode: 404 }));
  });
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function fail(res: ServerResponse, e: unknown): void {
  if (e instanceof FreshetError) {
    const code = e.diagnostics[0]?.code;
    const status = code === ServingErrors.UnknownTable ? 404 : e.origin === 'user' ? 400 : e.origin === 'external' ? 503 : 500;
    send(res, status, JSON.stringify(errorBody(e.diagnostics[0]!)));
    return;
  }
  send(res, 500, JSON.stringify({ statusCode: 500, error: 'Internal Server Error', message: e instanceof Error ? e.message : String(e) }));
}

function badBody(message: string): Diagnostic {
  return { code: ServingErrors.BadRequest, severity: 'error', message, source: 'body' };
}

/** Reads a POST body (JSON object) and answers it; 413 past `limit`, 415 for another content type, 400 for bad JSON. */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number, table: string,
  answer: (res: ServerResponse, table: string, keys: unknown, at: unknown) => Promise<void>): void {
  const type = req.headers['content-type'];
  if (type === undefined || !/^application\/json\s*(;|$)/i.test(type)) {
    req.resume();
    send(res, 415, JSON.stringify(errorBody(badBody(`unsupported content type '${type ?? ''}': send application/json`))));
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0, over = false;
  req.on('data', (c: Buffer) => {
    size += c.length;
    if (size > limit) { over = true; chunks.length = 0; return; }
    if (!over) chunks.push(c);
  });
  req.on('end', () => {
    if (over) { send(res, 413, JSON.stringify(errorBody(badBody(`the body is larger than ${limit} bytes`)))); return; }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks, size).toString('utf8'));
    } catch {
      send(res, 400, JSON.stringify(errorBody(badBody('the body is not valid JSON'))));
      return;
    }
    if (body === null || typeof body !== 'object' || Array.isArray(body)) {
      send(res, 400, JSON.stringify(errorBody(badBody('the body must be a JSON object {"keys": [...], "at": ...}'))));
      return;
    }
    const b = body as Record<string, unknown>;
    void answer(res, table, b['keys'], b['at']);
  });
  req.on('error', () => { res.destroy(); });
}

/** The `key` and `at` parameters of a query string (a repeated parameter becomes an array, as Fastify's parser does). */
function parseQuery(url: string, from: number): { key?: string | string[]; at?: string | string[] } {
  const out: { key?: string | string[]; at?: string | string[] } = {};
  let i = from;
  while (i <= url.length) {
    let amp = url.indexOf('&', i);
    if (amp < 0) amp = url.length;
    const eq = url.indexOf('=', i);
    const nameEnd = eq >= 0 && eq < amp ? eq : amp;
    const name = decode(url.slice(i, nameEnd));
    if (name === 'key' || name === 'at') {
      const value = nameEnd < amp ? decode(url.slice(nameEnd + 1, amp)) : '';
      const cur = out[name];
      out[name] = cur === undefined ? value : Array.isArray(cur) ? [...cur, value] : [cur, value];
    }
    i = amp + 1;
  }
  return out;
}

/** Decodes one URL component (`+` is a space in query strings); text that is not valid percent-encoding stays as sent. */
function decode(s: string): string {
  if (s.indexOf('%') < 0 && s.indexOf('+') < 0) return s;
  const t = s.replace(/\+/g, ' ');
  try { return decodeURIComponent(t); } catch { return t; }
}

/** Decodes a path segment (`+` stays: it means a space only in query strings). */
function decodePath(s: string): string {
  if (s.indexOf('%') < 0) return s;
  try { return decodeURIComponent(s); } catch { return s; }
}
