/**
 * What `freshet apply` would change in a job: the difference between the platform's current spec and the spec in
 * a file, both normalized the way the platform stores them (normalizeJob: default output, tags, description and
 * checkpoint interval), so that applying a file twice finds nothing to change. Secret values are masked by the API
 * and cannot be compared: only which secret keys exist is compared.
 */
import { REDACTED } from '../catalog/dictionary/source-model.js';
import { normalizeJob, type JobSpec, type JobSpecInput, type OutputSpec } from '../server/platform/job-spec.js';

/** One changed field: `path` such as `sql`, `options.execution.checkpointing.interval`, `outputs`. */
export interface FieldChange {
  path: string;
  /** Absent when the field is new. */
  from?: unknown;
  /** Absent when the field is removed. */
  to?: unknown;
  /** For `sql`: the line diff (`' '`, `'-'`, `'+'` + line). */
  lines?: string[];
}

/** The fields a client sets (everything of JobSpecInput), in the order they are shown. */
const FIELDS = ['owner', 'description', 'tags', 'entityKey', 'sources', 'sql', 'outputs', 'options'] as const;

/** The comparable form of a stored or desired spec: secrets reduced to their keys (values masked). */
function comparable(s: JobSpec): Record<string, unknown> {
  const outputs = s.outputs.map((o: OutputSpec) => ({
    table: o.table, kind: o.kind, options: o.options ?? {},
    ...(o.secrets && Object.keys(o.secrets).length > 0 ? { secrets: Object.fromEntries(Object.keys(o.secrets).sort().map((k) => [k, REDACTED])) } : {}),
  }));
  return { owner: s.owner, description: s.description, tags: s.tags, entityKey: s.entityKey, sources: s.sources, sql: s.sql, outputs, options: s.options };
}

/** Stable JSON (object keys sorted) for equality. */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => (x !== null && typeof x === 'object' && !Array.isArray(x)
    ? Object.fromEntries(Object.entries(x as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    : x));
}

/** The spec as the platform would store it (without version and times). */
export function normalizeInput(input: JobSpecInput): JobSpec {
  return normalizeJob(input, 0, '', '');
}

/**
 * Changes from `current` (as the API returns it) to `desired` (a file's spec). Empty when applying would change
 * nothing. A new job is the difference from nothing (every field added).
 */
export function diffSpecs(current: JobSpec | undefined, desired: JobSpecInput): FieldChange[] {
  const want = comparable(normalizeInput(desired));
  const have = current ? comparable(current) : undefined;
  const out: FieldChange[] = [];
  for (const f of FIELDS) {
    const a = have?.[f];
    const b = want[f];
    if (have !== undefined && stableJson(a) === stableJson(b)) continue;
    if (f === 'sql') {
      out.push({ path: 'sql', ...(a !== undefined ? { from: a } : {}), to: b, lines: lineDiff(typeof a === 'string' ? a : '', String(b)) });
    } else if (f === 'options' && have !== undefined) {
      const ao = a as Record<string, string>, bo = b as Record<string, string>;
      for (const k of [...new Set([...Object.keys(ao), ...Object.keys(bo)])].sort()) {
        if (ao[k] === bo[k]) continue;
        out.push({ path: `options.${k}`, ...(k in ao ? { from: ao[k] } : {}), ...(k in bo ? { to: bo[k] } : {}) });
      }
    } else {
      out.push({ path: f, ...(have !== undefined ? { from: a } : {}), to: b });
    }
  }
  return out;
}

/** Whether `desired` carries secret values (they cannot be compared with the masked current ones). */
export function hasSecrets(desired: JobSpecInput): boolean {
  return (desired.outputs ?? []).some((o) => o.secrets && Object.values(o.secrets).some((v) => v !== REDACTED));
}

/**
 * A line diff of two texts (longest common subsequence): each output line is `' '`, `'-'` or `'+'` followed by
 * the line. Texts too large for the quadratic table are shown as all removed then all added.
 */
export function lineDiff(a: string, b: string): string[] {
  const x = a === '' ? [] : a.split('\n');
  const y = b === '' ? [] : b.split('\n');
  // Common head and tail first: edits are usually local, and this keeps the table small.
  let head = 0;
  while (head < x.length && head < y.length && x[head] === y[head]) head++;
  let tail = 0;
  while (tail < x.length - head && tail < y.length - head && x[x.length - 1 - tail] === y[y.length - 1 - tail]) tail++;
  const xs = x.slice(head, x.length - tail), ys = y.slice(head, y.length - tail);
  const out: string[] = x.slice(0, head).map((l) => ` ${l}`);
  const n = xs.length, m = ys.length;
  if (n * m > 4_000_000) {
    for (const l of xs) out.push(`-${l}`);
    for (const l of ys) out.push(`+${l}`);
  } else {
    // lcs[i][j] = length of the LCS of xs[i..] and ys[j..], in one flat array.
    const w = m + 1;
    const lcs = new Uint32Array((n + 1) * w);
    for (let i = n - 1; i >= 0; i--) {
      for (let j = m - 1; j >= 0; j--) {
        lcs[i * w + j] = xs[i] === ys[j] ? lcs[(i + 1) * w + j + 1]! + 1 : Math.max(lcs[(i + 1) * w + j]!, lcs[i * w + j + 1]!);
      }
    }
    let i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && xs[i] === ys[j]) { out.push(` ${xs[i]}`); i++; j++; } else if (i < n && (j === m || lcs[(i + 1) * w + j]! >= lcs[i * w + j + 1]!)) { out.push(`-${xs[i]}`); i++; } else { out.push(`+${ys[j]}`); j++; }
    }
  }
  for (const l of x.slice(x.length - tail)) out.push(` ${l}`);
  return out;
}
