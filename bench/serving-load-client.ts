/**
 * Load generator of bench/serving-http.ts, run in its own process so the server under test keeps its core:
 *   node bench/serving-load-client.ts <config.json: {url, paths[], method, bodies[], connections, duration}>
 * Prints one JSON line: requests/s, latency percentiles (ms), errors, non-2xx responses.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';

interface Config { url: string; paths: string[]; method: 'GET' | 'POST'; bodies?: string[]; connections: number; duration: number }

const cfg = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as Config;
let i = 0;
const result = await autocannon({
  url: cfg.url,
  connections: cfg.connections,
  duration: cfg.duration,
  requests: [{
    method: cfg.method,
    setupRequest: (req: Record<string, unknown>) => {
      const k = i++;
      req['path'] = cfg.paths[k % cfg.paths.length];
      if (cfg.bodies) { req['body'] = cfg.bodies[k % cfg.bodies.length]; req['headers'] = { 'content-type': 'application/json' }; }
      return req;
    },
  }],
});
const l = result.latency as unknown as Record<string, number>;
process.stdout.write(JSON.stringify({
  rps: result.requests.average, total: result.requests.total, p50: l['p50'], p90: l['p90'], p99: l['p99'], p999: l['p99_9'], max: l['max'],
  errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx,
}) + '\n');
