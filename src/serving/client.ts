/**
 * A small client of the feature-serving HTTP API (serving-routes.ts) for model servers written in TypeScript:
 *   const c = new FeatureClient('http://localhost:8080');
 *   const a = await c.get('user_features', 'user42');          // now
 *   const b = await c.getMany('user_features', ['u1', 'u2'], Date.parse('2024-05-01T12:00:00Z'));
 * Errors of the server come back as FeatureClientError with the server's code (SERVE001 unknown table, ...).
 */
import type { FeatureAnswer, KeyFeatures } from './read-features.js';

export interface FeatureClientOptions {
  /** fetch implementation (default: the global fetch of Node 20+). */
  fetch?: typeof fetch;
  /** Extra request headers (auth). */
  headers?: Record<string, string>;
  /** Request timeout in ms (default 5000). */
  timeoutMs?: number;
}

export class FeatureClientError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly field?: string) {
    super(message);
    this.name = 'FeatureClientError';
  }
}

export class FeatureClient {
  private readonly base: string;
  private readonly fetchFn: typeof fetch;

  constructor(baseUrl: string, private readonly opts: FeatureClientOptions = {}) {
    this.base = baseUrl.replace(/\/+$/, '');
    this.fetchFn = opts.fetch ?? fetch;
  }

  /** Features of one key at `at` (epoch ms; default now at the server). */
  async get(table: string, key: string, at?: number): Promise<KeyFeatures & Omit<FeatureAnswer, 'results'>> {
    const q = new URLSearchParams({ key });
    if (at !== undefined) q.set('at', String(at));
    const a = await this.send('GET', `/api/features/${encodeURIComponent(table)}?${q.toString()}`);
    const { results, ...meta } = a;
    return { ...meta, ...results[0]! };
  }

  /** Features of several keys in one request. */
  async getMany(table: string, keys: readonly string[], at?: number): Promise<FeatureAnswer> {
    return this.send('POST', `/api/features/${encodeURIComponent(table)}`, at === undefined ? { keys } : { keys, at });
  }

  private async send(method: string, path: string, body?: unknown): Promise<FeatureAnswer> {
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), this.opts.timeoutMs ?? 5000);
    try {
      const init: RequestInit = { method, headers: { accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...this.opts.headers }, signal: ctl.signal };
      if (body !== undefined) init.body = JSON.stringify(body);
      const res = await this.fetchFn(`${this.base}${path}`, init);
      const data = await res.json() as unknown;
      if (!res.ok) {
        const e = (data as { error?: { code?: string; message?: string; field?: string } }).error ?? {};
        throw new FeatureClientError(res.status, e.code ?? 'HTTP', e.message ?? `HTTP ${res.status}`, e.field);
      }
      return data as FeatureAnswer;
    } finally {
      clearTimeout(timer);
    }
  }
}
