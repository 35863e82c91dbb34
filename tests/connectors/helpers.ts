// Shared helpers of the connector tests: contexts, a recording bad-record reporter, temp dirs, draining sources.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Row } from '../../src/common/row.js';
import type { RowField } from '../../src/common/types.js';
import type { ScanSource, SinkContext, TableContext } from '../../src/connectors/connector.js';

export interface Reported { reason: string; raw: string; where: string }

export function tableContext(fields: readonly RowField[], options: Record<string, string>, baseDir = '/nonexistent'): TableContext & { reported: Reported[] } {
  const reported: Reported[] = [];
  return {
    tableName: 't', physicalFields: fields, options, baseDir,
    reporter: { badRecord: (reason, raw, where) => reported.push({ reason, raw, where }) },
    reported,
  };
}

export function sinkContext(fields: readonly RowField[], options: Record<string, string>, baseDir: string, updating = false): SinkContext {
  return { ...tableContext(fields, options, baseDir), primaryKey: [], updating };
}

export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-conn-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Polls until the source ends; returns the batches. */
export async function drain(source: ScanSource, max: number): Promise<Row[][]> {
  const batches: Row[][] = [];
  for (let guard = 0; guard < 1_000_000; guard++) {
    const b = await source.poll(max);
    if (b === null) return batches;
    if (b.length > 0) batches.push(b);
  }
  throw new Error('source did not end');
}
