/**
 * A feature job's JSON configuration (the job spec): what the four-step editor produces and the platform stores,
 * one file per version. `sql` is one Flink SQL SELECT over dictionary sources; the platform runs it unbounded and
 * keeps its output table (`outputs`) materialized by `entityKey`. `options` are Flink configuration keys applied
 * as if SET before the query (e.g. `execution.checkpointing.interval`). Secret output options live only in
 * `outputs[].secrets` and are masked in everything the API returns.
 */
import { REDACTED } from '../../catalog/dictionary/source-model.js';

export interface OutputSpec {
  /** The feature table name (an identifier). */
  table: string;
  /**
   * Where rows go: `embedded` keeps the latest row per entity key in the platform (served by the jobs API);
   * `store` also writes the table into an online store (feature-tables.ts), where serving and other jobs' lookup
   * joins read it.
   */
  kind: 'embedded' | 'store';
  /** The online store of a `store` output. */
  store?: StoreKind;
  options?: Record<string, string>;
  secrets?: Record<string, string>;
}

/** Online stores a job can publish a feature table to (the SQL connector of the table). */
export type StoreKind = 'embedded-kv' | 'redis';
export const STORE_KINDS: readonly StoreKind[] = ['embedded-kv', 'redis'];

/** What a client sends (POST /api/jobs, PUT /api/jobs/{name}). */
export interface JobSpecInput {
  name: string;
  owner: string;
  description?: string;
  tags?: string[];
  entityKey: string[];
  sources: string[];
  sql: string;
  outputs?: OutputSpec[];
  options?: Record<string, string>;
}

/** A stored version. */
export interface JobSpec extends Required<Omit<JobSpecInput, 'outputs' | 'options'>> {
  outputs: OutputSpec[];
  options: Record<string, string>;
  /** Result columns of the SQL as validated at save time (the published feature tables' schema). */
  columns?: { name: string; type: string }[];
  version: number;
  createdAt: string;
  updatedAt: string;
}

const IDENT = '^[A-Za-z_][A-Za-z0-9_]*$';
const stringMap = { type: 'object', additionalProperties: { type: 'string', maxLength: 4096 } } as const;

/** JSON schema of an output (OpenAPI component `Output`). */
export const outputSchema = {
  type: 'object',
  required: ['table', 'kind'],
  additionalProperties: false,
  properties: {
    table: { type: 'string', pattern: IDENT, maxLength: 128, description: 'Feature table name' },
    kind: { type: 'string', enum: ['embedded', 'store'], description: 'Output kind; embedded = kept by the platform, latest row per entity key; store = also written to an online store and registered for lookups' },
    store: { type: 'string', enum: STORE_KINDS, description: "Online store of a 'store' output" },
    options: { ...stringMap, description: "Output options (redis: host, port, database, username, connect-timeout; embedded-kv: path; both: tile.granularities, tile.retention, tile.exact, tile.edge-entries, and the changed-keys topic: changed-keys.topic, changed-keys.bootstrap-servers, changed-keys.values, changed-keys.delivery-guarantee (at-least-once | exactly-once), changed-keys.transactional-id-prefix)" },
    secrets: { ...stringMap, description: 'Secret output options (e.g. redis password, host, port); stored, never returned' },
  },
} as const;

/** JSON schema of a job spec body (OpenAPI component `JobSpecInput`). */
export const jobSpecInputSchema = {
  type: 'object',
  required: ['name', 'owner', 'entityKey', 'sources', 'sql'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: IDENT, minLength: 1, maxLength: 128, description: 'Job (feature) name, an identifier' },
    owner: { type: 'string', minLength: 1, maxLength: 256 },
    description: { type: 'string', maxLength: 10_000 },
    tags: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 64 }, maxItems: 50 },
    entityKey: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 128 }, minItems: 1, maxItems: 16, description: 'Output columns identifying the entity' },
    sources: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 256 }, minItems: 1, maxItems: 32, description: 'Dictionary sources (or source.type tables) the SQL reads' },
    sql: { type: 'string', minLength: 1, maxLength: 100_000, description: 'One Flink SQL SELECT' },
    outputs: { type: 'array', items: outputSchema, maxItems: 8 },
    options: { ...stringMap, description: "Flink configuration, e.g. {'execution.checkpointing.interval': '10s'}" },
  },
} as const;

/** The stored spec as returned (secrets masked). */
export const jobSpecSchema = {
  type: 'object',
  properties: {
    ...jobSpecInputSchema.properties,
    version: { type: 'integer' }, createdAt: { type: 'string' }, updatedAt: { type: 'string' },
  },
} as const;

/** A copy safe to return: every output secret value replaced by REDACTED. */
export function redactJob(s: JobSpec): JobSpec {
  if (!s.outputs.some((o) => o.secrets && Object.keys(o.secrets).length > 0)) return s;
  return {
    ...s,
    outputs: s.outputs.map((o) => (o.secrets ? { ...o, secrets: Object.fromEntries(Object.keys(o.secrets).map((k) => [k, REDACTED])) } : o)),
  };
}

/** Fills defaults: tags [], description '', one embedded output named after the job, checkpoint interval 10s. */
export function normalizeJob(i: JobSpecInput, version: number, createdAt: string, now: string, previous?: JobSpec): JobSpec {
  const outputs = (i.outputs && i.outputs.length > 0 ? i.outputs : [{ table: i.name, kind: 'embedded' as const }]).map((o, k) => {
    // Secrets sent back masked keep their stored value.
    if (!o.secrets) return o;
    const prev = previous?.outputs[k]?.secrets ?? {};
    return { ...o, secrets: Object.fromEntries(Object.entries(o.secrets).map(([key, v]) => [key, v === REDACTED && prev[key] !== undefined ? prev[key] : v])) };
  });
  return {
    name: i.name, owner: i.owner, description: i.description ?? '', tags: i.tags ?? [], entityKey: i.entityKey,
    sources: i.sources, sql: i.sql, outputs, options: { 'execution.checkpointing.interval': '10s', ...(i.options ?? {}) },
    version, createdAt, updatedAt: now,
  };
}
