/**
 * The data dictionary service over a DictionaryStore: creating sources (inferring the schema from samples when
 * none is given), editing them (each save a new version, history kept, optimistic concurrency), statistics and
 * lineage, and registering every source as tables of a session catalog. The REST API and the CLI call this; it
 * never returns secrets unless asked for the runtime (`getForRuntime`).
 *
 * Errors are FreshetError with DictionaryErrors codes: InvalidSource/BadType (the diagnostic's `source` is the
 * field path), UnknownSource, VersionConflict.
 */
import { FreshetError, diag, type Diagnostic } from '../../common/diagnostics.js';
import type { Catalog } from '../catalog.js';
import { DictionaryErrors as E } from './dictionary-error-codes.js';
import type { DictionaryStore } from './dictionary-store.js';
import { inferSchema, type InferOptions } from './infer-schema.js';
import { registerDictionary, parseCreateTable, type RegisterOptions } from './register-dictionary.js';
import { sourceTablesDdl } from './source-ddl.js';
import {
  REDACTED, redactSource, type SourceDefinition, type SourceStats, type StatsDelta, emptyStats,
} from './source-model.js';
import { fieldError, normalizeFields, validateSource } from './source-validation.js';

export interface SaveResult { source: SourceDefinition; warnings: Diagnostic[] }

/** Keys a create/update body may set. */
const EDITABLE = ['kind', 'connection', 'format', 'schema', 'types', 'discriminator', 'owner', 'description', 'tags', 'samples', 'offline'] as const;

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export function unknownSource(name: string): FreshetError {
  return new FreshetError(diag(E.UnknownSource, `unknown source '${name}'`, undefined, 'list sources with GET /api/sources or freshet source list'));
}

function invalid(ds: Diagnostic[]): FreshetError {
  return new FreshetError(ds);
}

export class Dictionary {
  constructor(readonly store: DictionaryStore, private readonly now: () => number = Date.now) {}

  /** Creates a source from a request body; infers the schema from `samples` when no schema/types are given. */
  async create(body: unknown): Promise<SaveResult> {
    if (!isObj(body)) throw invalid([fieldError('body', 'must be a JSON object')]);
    const at = new Date(this.now()).toISOString();
    const cand: Record<string, unknown> = {
      kind: 'embedded-log', connection: {}, format: { kind: 'json' }, tags: [], samples: [],
    };
    for (const k of EDITABLE) if (body[k] !== undefined) cand[k] = body[k];
    cand['name'] = body['name'];
    cand['samples'] = normalizeSamples(cand['samples']);
    const warnings = this.inferIfNeeded(cand, body['infer']);
    const def = { ...cand, createdAt: at, updatedAt: at, version: 1 } as unknown as SourceDefinition;
    const checked = this.check(def);
    await this.store.put(checked, 0);
    return { source: redactSource(checked), warnings };
  }

  /**
   * Applies an edit (any of the editable keys) as a new version. `expectedVersion` (or `version` in the body)
   * guards against lost updates. Secret values sent back as REDACTED keep their stored value.
   */
  async update(name: string, body: unknown, expectedVersion?: number): Promise<SaveResult> {
    if (!isObj(body)) throw invalid([fieldError('body', 'must be a JSON object')]);
    const cur = await this.store.get(name);
    if (!cur) throw unknownSource(name);
    if (body['name'] !== undefined && body['name'] !== name) throw invalid([fieldError('name', `cannot rename source '${name}' (create a new source instead)`)]);
    const bodyVersion = body['version'];
    if (bodyVersion !== undefined && (typeof bodyVersion !== 'number' || !Number.isInteger(bodyVersion))) throw invalid([fieldError('version', 'must be the integer version being edited')]);
    const expected = expectedVersion ?? (bodyVersion as number | undefined) ?? cur.version;
    const next: Record<string, unknown> = { ...cur };
    for (const k of EDITABLE) if (body[k] !== undefined) next[k] = body[k];
    if (body['types'] !== undefined && body['schema'] === undefined) delete next['schema'];
    if (body['schema'] !== undefined && body['types'] === undefined) { delete next['types']; delete next['discriminator']; }
    next['samples'] = normalizeSamples(next['samples']);
    // Keep stored secrets that come back masked.
    const conn = next['connection'];
    if (isObj(conn) && isObj(conn['secrets'])) {
      const secrets: Record<string, unknown> = { ...conn['secrets'] };
      for (const [k, v] of Object.entries(secrets)) if (v === REDACTED && cur.connection.secrets?.[k] !== undefined) secrets[k] = cur.connection.secrets[k];
      next['connection'] = { ...conn, secrets };
    }
    const warnings = body['schema'] === undefined && body['types'] === undefined && body['reinfer'] === true
      ? (delete next['schema'], delete next['types'], this.inferIfNeeded(next, body['infer']))
      : [];
    const def = { ...next, name, createdAt: cur.createdAt, updatedAt: new Date(this.now()).toISOString(), version: expected + 1 } as unknown as SourceDefinition;
    const checked = this.check(def);
    await this.store.put(checked, expected);
    return { source: redactSource(checked), warnings };
  }

  private inferIfNeeded(cand: Record<string, unknown>, inferOpts: unknown): Diagnostic[] {
    if (cand['schema'] !== undefined || cand['types'] !== undefined) return [];
    const samples = cand['samples'] as string[];
    if (!Array.isArray(samples) || samples.length === 0) return [];
    const o: InferOptions = isObj(inferOpts) ? { ...(inferOpts as InferOptions) } : {};
    const disc = cand['discriminator'];
    if (isObj(disc) && typeof disc['path'] === 'string') o.discriminator = disc['path'];
    if (typeof cand['name'] === 'string') o.name = cand['name'];
    const r = inferSchema(samples, o);
    const errors = r.warnings.filter((w) => w.severity === 'error');
    // Errors about an inference option name it (`infer.procTimeColumn`); the others are about the samples.
    if (errors.length > 0) throw invalid(errors.map((e) => (e.source ? { ...e, message: `infer.${e.message}`, source: `infer.${e.source}` } : { ...e, message: `samples: ${e.message}`, source: 'samples' })));
    if (r.types) { cand['types'] = r.types; cand['discriminator'] = r.discriminator; } else cand['schema'] = r.schema;
    return r.warnings;
  }

  /** Validates, applies defaults, and makes sure the generated DDL parses. */
  private check(def: SourceDefinition): SourceDefinition {
    const errors = validateSource(def);
    if (errors.length > 0) throw invalid(errors);
    const d: SourceDefinition = { ...def };
    if (d.schema) d.schema = normalizeFields(d.schema);
    if (d.types) d.types = Object.fromEntries(Object.entries(d.types).map(([k, s]) => [k, normalizeFields(s)]));
    for (const t of sourceTablesDdl(d, { logDir: '.' })) {
      const p = parseCreateTable(t.ddl);
      if (!p.ddl) throw invalid(p.diagnostics.map((x) => fieldError(d.types ? 'types' : 'schema', `table ${t.table}: ${x.message}`)));
    }
    return d;
  }

  /** A source as the APIs show it (secrets masked), or undefined. */
  async get(name: string): Promise<SourceDefinition | undefined> {
    const d = await this.store.get(name);
    return d ? redactSource(d) : undefined;
  }

  /** A source with its secrets, for building runtime connector options only. */
  async getForRuntime(name: string): Promise<SourceDefinition | undefined> {
    return this.store.get(name);
  }

  async list(): Promise<SourceDefinition[]> {
    return (await this.store.list()).map(redactSource);
  }

  async history(name: string): Promise<SourceDefinition[]> {
    return (await this.store.history(name)).map(redactSource);
  }

  async delete(name: string): Promise<boolean> {
    return this.store.delete(name);
  }

  async stats(name: string): Promise<SourceStats> {
    return (await this.store.getStats(name)) ?? emptyStats();
  }

  /** Adds to a source's live statistics (the runtime and the ingest path call this). */
  async recordStats(name: string, delta: StatsDelta): Promise<SourceStats> {
    return this.store.updateStats(name, delta, this.now());
  }

  async lineage(name: string): Promise<string[]> {
    return this.store.getLineage(name);
  }

  async setLineage(name: string, features: readonly string[]): Promise<void> {
    if (!(await this.store.get(name))) throw unknownSource(name);
    await this.store.setLineage(name, [...new Set(features)].sort());
  }

  /** Registers every source as tables of `catalog` (see registerDictionary). */
  async toCatalog(catalog: Catalog, opts: RegisterOptions = {}): Promise<{ tables: string[]; diagnostics: Diagnostic[] }> {
    return registerDictionary(catalog, await this.store.list(), opts);
  }
}

function normalizeSamples(v: unknown): unknown {
  if (!Array.isArray(v)) return v;
  return v.map((s) => (typeof s === 'string' ? s : JSON.stringify(s)));
}
