// The UI's REST client: bearer token from the URL (#token=...) or localStorage, JSON in and out, API errors as
// ApiError carrying the server's { code, message, field, details }.
export interface ApiErrorBody { code: string; message: string; field?: string; hint?: string; details?: { code: string; message: string; field?: string; span?: Span }[] }
export interface Span { start: number; end: number; line: number; column: number }
export interface DiagnosticJson { code: string; severity: string; message: string; hint?: string; span?: Span }
export interface Column { name: string; type: string }

export class ApiError extends Error {
  constructor(readonly status: number, readonly body: ApiErrorBody) { super(body.message); }
}

const KEY = 'freshet.token';

export function takeTokenFromUrl(): void {
  const m = /[#&]token=([^&]+)/.exec(location.hash);
  if (m) {
    localStorage.setItem(KEY, decodeURIComponent(m[1]!));
    history.replaceState(null, '', `${location.pathname}#/sources`);
  }
}
export const getToken = (): string | null => localStorage.getItem(KEY);
export const setToken = (t: string): void => localStorage.setItem(KEY, t);
export const clearToken = (): void => localStorage.removeItem(KEY);

export async function api<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${getToken() ?? ''}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const r = await fetch(url, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  const text = await r.text();
  const data = text ? JSON.parse(text) as unknown : undefined;
  if (!r.ok) {
    const e = (data as { error?: ApiErrorBody } | undefined)?.error ?? { code: String(r.status), message: r.statusText };
    throw new ApiError(r.status, e);
  }
  return data as T;
}

export const errorText = (e: unknown): string =>
  e instanceof ApiError ? `${e.body.field ? `${e.body.field}: ` : ''}${e.body.message}${e.body.hint ? ` (${e.body.hint})` : ''}` : String(e);

// --- shapes served by the API --------------------------------------------------------------------------------------
export interface FieldSpec { name: string; type: string; nullable: boolean; timestampFormat?: string; timeColumn?: string; timestampPattern?: string; observedNonNull?: boolean; description?: string }
export interface TypeSchema { fields: FieldSpec[]; eventTimeColumn?: string; watermarkDelayMs?: number; timestampStandard?: string }
export interface SourceDef {
  name: string; kind: string; version: number; owner?: string; description?: string; tags: string[];
  schema?: TypeSchema; types?: Record<string, TypeSchema>; discriminator?: { path: string }; samples: string[];
  connection: Record<string, unknown>;
}
export interface SourceStats { messages: number; messageRate: number; parseErrors: number; deadLetters: number; unknownFields: Record<string, number>; unknownTypes: Record<string, number>; deadLetterSamples: { at: string; reason: string; raw: string }[]; lastMessageAt?: string }
export interface CatalogTable { table: string; source: string; type?: string; columns: (Column & { computed?: boolean; eventTime?: boolean })[]; eventTimeColumn?: string; watermarkDelayMs?: number }
export interface JobSpec { name: string; owner: string; description: string; tags: string[]; entityKey: string[]; sources: string[]; sql: string; outputs: { table: string; kind: string; options?: Record<string, string> }[]; options: Record<string, string>; version: number; createdAt: string; updatedAt: string }
export interface JobStatus { name: string; version: number; state: string; startedAt?: string; stoppedAt?: string; rowsIn: number; changes: number; rowsPerSec: number; changesPerSec: number; watermark: string | null; checkpoints: number; lastCheckpointAt?: string; restoredFrom?: string; errors: DiagnosticJson[]; results: number }
export interface PreviewResult { ok: boolean; diagnostics: DiagnosticJson[]; columns: Column[]; rows: unknown[][]; truncated: boolean; timedOut: boolean; elapsedMs: number }
