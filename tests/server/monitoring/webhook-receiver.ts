// A local HTTP server that records the webhook requests it receives (tests of alert notifications). `failFirst`
// answers 503 to that many requests first (retries).
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received { at: number; headers: http.IncomingHttpHeaders; body: Record<string, unknown> }

export interface Receiver { url: string; received: Received[]; close(): Promise<void> }

export async function startReceiver(opts: { failFirst?: number } = {}): Promise<Receiver> {
  let failures = opts.failFirst ?? 0;
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (failures > 0) { failures--; res.statusCode = 503; res.end('busy'); return; }
      received.push({ at: Date.now(), headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
      res.statusCode = 200;
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`, received,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Polls `fn` until it returns a value other than undefined, or fails after `ms`. */
export { until } from '../../support/until.js';

