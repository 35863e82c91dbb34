/**
 * A small HTTP client of the Freshet platform API for the command line (`freshet apply|jobs|get`): bearer-token
 * auth, JSON bodies, and the API's error body (`{ error: { code, message, field?, hint?, details? } }`) turned into
 * an ApiError that the commands print. A platform that cannot be reached is an ApiError with status 0.
 */

/** One entry of an API error's `details` (a diagnostic as the API renders it). */
export interface ApiErrorDetail {
  code?: string;
  message?: string;
  field?: string;
  hint?: string;
  span?: { line: number; column: number; start: number; end: number };
}

/** A failed API call: HTTP status (0 = no answer), the API's error code, message and the field it names. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly hint?: string,
    readonly details: readonly ApiErrorDetail[] = [],
    /** `METHOD /path` of the failed request. */
    readonly request = '',
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface PlatformClientOptions {
  url: string;
  token?: string;
  /** Per-request timeout (default 120 s: deploying a job compiles it first). */
  timeoutMs?: number;
}

/** The default platform URL: `http://127.0.0.1:${FRESHET_PORT:-7070}`. */
export function defaultPlatformUrl(env: Record<string, string | undefined> = process.env): string {
  const port = env['FRESHET_PORT'] && /^\d+$/.test(env['FRESHET_PORT']) ? env['FRESHET_PORT'] : '7070';
  return `http://127.0.0.1:${port}`;
}

export class PlatformClient {
  readonly url: string;
  private readonly token: string | undefined;
  private readonly timeoutMs: number;

  constructor(o: PlatformClientOptions) {
    this.url = o.url.replace(/\/+$/, '');
    this.token = o.token;
    this.timeoutMs = o.timeoutMs ?? 120_000;
  }

  /** Calls the API; resolves with the parsed JSON body of a 2xx answer (undefined for 204), throws ApiError otherwise. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const what = `${method} ${path}`;
    let res: Response;
    try {
      res = await fetch(this.url + path, {
        method, headers, signal: AbortSignal.timeout(this.timeoutMs),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new ApiError(0, 'UNREACHABLE', `cannot reach the platform at ${this.url}: ${reason}`, undefined,
        'start it with `freshet start`, or pass --url', [], what);
    }
    const text = await res.text();
    let parsed: unknown;
    if (text !== '') {
      try { parsed = JSON.parse(text); } catch { parsed = undefined; }
    }
    if (res.ok) return parsed as T;
    const err = (parsed as { error?: unknown } | undefined)?.error;
    if (err !== null && typeof err === 'object') {
      const e = err as { code?: string; message?: string; field?: string; hint?: string; details?: ApiErrorDetail[] };
      let hint = e.hint;
      if (res.status === 401 && !hint) hint = this.token ? 'check the token (--token or FRESHET_API_TOKEN)' : 'pass --token or set FRESHET_API_TOKEN';
      throw new ApiError(res.status, e.code ?? `HTTP${res.status}`, e.message ?? res.statusText, e.field, hint, e.details ?? [], what);
    }
    // Fastify's own answers (an unknown route) carry `{ message, error, statusCode }`.
    const msg = (parsed as { message?: string } | undefined)?.message ?? (text.slice(0, 200) || res.statusText);
    throw new ApiError(res.status, res.status === 404 ? 'NOT_FOUND' : `HTTP${res.status}`, msg, undefined, undefined, [], what);
  }

  get<T>(path: string): Promise<T> { return this.request<T>('GET', path); }
  post<T>(path: string, body?: unknown): Promise<T> { return this.request<T>('POST', path, body); }
  put<T>(path: string, body: unknown): Promise<T> { return this.request<T>('PUT', path, body); }
}
