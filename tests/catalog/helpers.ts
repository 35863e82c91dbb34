// Shared helpers of the dictionary tests: temp dirs, a connector lookup with the embedded log, running SQL over a
// catalog through compileScript + JobRunner.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Row } from '../../src/common/row.js';
import { Catalog } from '../../src/catalog/catalog.js';
import type { SourceDefinition, TypeSchema } from '../../src/catalog/dictionary/source-model.js';
import { compileScript } from '../../src/program/script-compiler.js';
import { JobRunner, type ConnectorLookup, type RunSummary } from '../../src/engine/job-runner.js';
import { getConnector } from '../../src/connectors/registry.js';
import { embeddedLogConnector } from '../../src/connectors/embedded-log/embedded-log-connector.js';
import { validateTable } from '../../src/runtime/sql-session.js';

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-dict-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export const connectors: ConnectorLookup = {
  get: (id) => (id === 'embedded-log' ? embeddedLogConnector : getConnector(id)),
};

export interface SqlRun { rows: Row[][]; summary: RunSummary; diagnostics: string[] }

/** Compiles `sql` against `catalog` (validating connector options) and runs it to the end. */
export async function runOnCatalog(sql: string, catalog: Catalog, baseDir: string): Promise<SqlRun> {
  const c = compileScript(sql, { baseDir, catalog, validateTable: (d, r, u) => validateTable(d, r, u, connectors) });
  const errors = c.diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.code}: ${d.message}`);
  if (errors.length > 0 || !c.program) throw new Error(`compile failed: ${errors.join('; ')}`);
  const summary = await new JobRunner(c.program, { connectors, timeZone: 'UTC' }).run();
  return { rows: c.queries.map((q) => summary.results.get(q.name)?.rows ?? []), summary, diagnostics: errors };
}

export function sourceDef(name: string, parts: Partial<SourceDefinition> & { schema?: TypeSchema }): SourceDefinition {
  const now = new Date(0).toISOString();
  return {
    name, kind: 'embedded-log', connection: {}, format: { kind: 'json' }, tags: [], samples: [],
    createdAt: now, updatedAt: now, version: 1, ...parts,
  };
}
