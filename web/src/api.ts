// The UI's REST client: openapi-fetch typed by the types generated from the platform's OpenAPI document
// (web/src/generated/api-types.ts, `npm run gen:api`), so a path, parameter or field the server does not have is a
// type error here. The bearer token comes from the URL (#token=...) or localStorage; API errors become ApiError
// carrying the server's { code, message, field, details }.
import createClient from 'openapi-fetch';
import type { components, paths } from './generated/api-types.js';

export type Schemas = components['schemas'];
export type ApiErrorBody = Schemas['Error']['error'];
export type Span = Schemas['Span'];
export type DiagnosticJson = Schemas['Diagnostic'];
export type Column = Schemas['Column'];
export type FieldSpec = Schemas['FieldSpec'];
export type TypeSchema = Schemas['TypeSchema'];
export type SourceDef = Schemas['SourceDefinition'];
export type SourceStats = Schemas['SourceStats'];
export type CatalogTable = Schemas['CatalogTable'];
export type JobSpec = Schemas['JobSpec'];
export type JobSpecInput = paths['/api/jobs']['post']['requestBody']['content']['application/json'];
export type OutputSpec = Schemas['Output'];
export type JobStatus = Schemas['JobStatus'];
export type JobEvent = Schemas['JobEvent'];
export type UpgradeCheck = Schemas['UpgradeCheck'];
export type FeatureTable = Schemas['FeatureTable'];
export type FeatureAnswer = Schemas['FeatureAnswer'];
export type PreviewResult = Schemas['PreviewResult'];
export type InferResult = Schemas['InferResult'];
export type JobResults = Schemas['JobResults'];
export type JobMetrics = Schemas['JobMetrics'];
export type FlinkJob = Schemas['FlinkJob'];
export type FlinkJobList = Schemas['FlinkJobList'];

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

/** The typed client: `client.GET('/api/jobs/{name}', { params: { path: { name } } })`. */
export const client = createClient<paths>({ baseUrl: location.origin });
client.use({
  onRequest({ request }) {
    request.headers.set('authorization', `Bearer ${getToken() ?? ''}`);
    return request;
  },
});

/**
 * The data of an openapi-fetch answer, or an ApiError with the server's error body (a status without one, e.g. a
 * proxy's 502, gets a body made from the status line).
 */
export async function ok<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const r = await p;
  if (r.response.ok) return r.data as T;
  const e = (r.error as { error?: ApiErrorBody } | undefined)?.error ?? { code: String(r.response.status), message: r.response.statusText || `HTTP ${r.response.status}` };
  throw new ApiError(r.response.status, e);
}

export const errorText = (e: unknown): string =>
  e instanceof ApiError ? `${e.body.field ? `${e.body.field}: ` : ''}${e.body.message}${e.body.hint ? ` (${e.body.hint})` : ''}` : String(e);

/** The details of an ApiError (one per diagnostic) as one line, or ''. */
export const errorDetails = (e: unknown): string =>
  e instanceof ApiError && e.body.details && e.body.details.length > 0 ? ' — ' + e.body.details.map((d) => d.message ?? d.reason ?? '').join('; ') : '';

/**
 * A request body for the data dictionary routes, whose bodies the dictionary validates itself (JSON, JSON lines or
 * arrays; its messages name the field) and OpenAPI therefore leaves undescribed.
 */
export const dictionaryBody = (b: unknown): never => b as never;
