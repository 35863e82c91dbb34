/**
 * Splits a program's operators between the main thread and the P parallel workers (Flink's model of keyed stages).
 *
 * An operator runs in the workers (one instance per worker) when it is keyed with non-empty keys on every input
 * (rows reach it by key hash), or when it keeps no keyed state and every one of its inputs runs in the workers (it is
 * chained after them in the same worker). Everything else runs on the main thread: sources and VALUES (one reader each,
 * keeping the deterministic round-robin), sinks and collects (outputs are merged there in worker order), lookup joins
 * (their connector lives on the main thread), operators keyed on nothing (one instance, like Flink's global
 * operators) and stateless operators fed by the main thread. Invariant: the program order is topological, and an
 * operator's placement depends only on the program (never on P), so a checkpoint's layout is fixed by the program and P.
 */
import type { Program, ProgramOp } from '../../program/program.js';
import { routingKeys } from './key-hash.js';

const STATELESS = new Set<ProgramOp['kind']>(['calc', 'union', 'windowTvf', 'unnest']);

export interface StagePlan {
  /** Ids of the operators that run in every worker. */
  parallel: Set<string>;
  /** Why keyed operators stay on the main thread (one line each), for the run summary. */
  notes: string[];
}

export function planStages(program: Program): StagePlan {
  const parallel = new Set<string>();
  const notes: string[] = [];
  for (const p of program.operators) {
    const keys = routingKeys(p);
    if (keys) {
      if (keys.every((k) => k.length > 0)) parallel.add(p.id);
      else notes.push(`${p.id} has no key columns and runs as one instance on the main thread`);
    } else if (STATELESS.has(p.kind) && p.inputs.length > 0 && p.inputs.every((i) => parallel.has(i))) {
      parallel.add(p.id);
    } else if (p.kind === 'lookupJoin' && p.inputs.some((i) => parallel.has(i))) {
      notes.push(`${p.id} (lookup join) runs on the main thread`);
    }
  }
  return { parallel, notes };
}
