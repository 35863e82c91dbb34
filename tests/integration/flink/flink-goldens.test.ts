/**
 * Freshet's SQL golden tests (tests/slt/*.slt) on the local Flink cluster: every `query rowsort|ordered` record is
 * run on Flink (streaming, as the goldens run; one job per query, the file's statements before it) into a Kafka topic
 * in the debezium-json format, whose changelog is materialised into the final result and compared with the golden's
 * expected rows after normalising number precision and timestamp text (Flink's JSON writes `2024-01-01 00:00:10.25`,
 * the goldens `2024-01-01 00:00:10.250`). The queries Flink cannot run, or where the engines differ by design, are
 * listed in EXCLUDED with the reason (docs/flink.md repeats the list); every other query must agree.
 * FRESHET_FLINK_GOLDENS_DISCOVER=1 runs the listed ones too and prints what fails and why.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildJobSpecFromScript } from '../../../src/flink/build-job-spec.js';
import { runSql } from '../../../src/runtime/sql-session.js';
import { typeToString, type RowField } from '../../../src/common/types.js';
import { parseSlt, type SltRecord } from '../../support/slt.js';
import { flinkTestFile } from './flink-helpers.js';
import { BOOTSTRAP, createTopic, freshTopic, readAll } from '../kafka/kafka-helpers.js';

const SLT_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'slt');

/** `<file>:<line of the query record>` -> why it is not run on Flink (or not compared). */
export const EXCLUDED: Readonly<Record<string, string>> = {
  'datagen_sinks.slt:31': "random values: Freshet's seeded datagen ('freshet.seed') draws other values than Flink's datagen (the file's other query checks generator-independent properties and runs)",
  'joins_ranks.slt:61': 'a processing-time temporal join against a scanned (filesystem) table: Flink joins by processing time only against lookup sources and refuses the plan; the embedded engine runs it',
  'windows.slt:40': 'TUMBLE with an offset: Flink 2.2 loses rows (FLINK-36664: its window aggregation flushes buffered rows at watermarks aligned to windows without the offset, and rows of a window whose end the watermark passed before such a flush are dropped), so it emits 12 and 7 rows where the correct result (the golden, the embedded engine) is 2, 17, 14, 7; the input is in time order with a 5 s watermark delay, so no row is late',
  'windows.slt:133': "count-triggered early firing ('freshet.exec.emit.early-fire.count') is Freshet-only (FLINK702)",
};


const flink = flinkTestFile({ kafka: true });
const { deployer } = flink;

const TS = /^(-?\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z)?$/;

/** A value with engine-specific text made comparable: numbers to 12 significant digits, timestamps to epoch ms. */
function normalise(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? v : Number(v.toPrecision(12));
  if (typeof v === 'string') {
    const m = TS.exec(v);
    if (m) return `ts:${Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), Math.round(Number(`0${m[7] ?? ''}`) * 1000))}`;
    return v;
  }
  if (Array.isArray(v)) return v.map(normalise);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
  return v;
}

const canon = (lines: readonly string[]): string[] => lines.map((l) => JSON.stringify(normalise(JSON.parse(l)))).sort();
const quote = (s: string): string => '`' + s.replace(/`/g, '``') + '`';

interface Query { key: string; record: SltRecord; context: string; fields: readonly RowField[]; sink: string }

/** The rowsort/ordered queries of a file with the statements before each and the result columns (from Freshet). */
async function queriesOf(file: string): Promise<Query[]> {
  const records = parseSlt(readFileSync(join(SLT_DIR, file), 'utf8'));
  let context = '';
  const out: Query[] = [];
  for (const r of records) {
    if (r.kind === 'statement') {
      if (r.mode === 'ok') context += `\n${r.sql};\n`;
      continue;
    }
    if (r.kind !== 'query' || !(r.mode.includes('rowsort') || r.mode.includes('ordered')) || r.mode.includes('changelog')) continue;
    const res = await runSql(`${context}\n${r.sql};\n`, { baseDir: SLT_DIR });
    const q = res.results[res.results.length - 1];
    if (!q || res.diagnostics.some((d) => d.severity === 'error')) continue; // the golden itself expects an error
    out.push({ key: `${file}:${r.line}`, record: r, context, fields: q.fields, sink: `__golden_${r.line}` });
  }
  return out;
}

/**
 * The Flink script of one query: the statements before it, a Kafka sink with the `debezium-json` format (it takes
 * updating results: +I/+U as "c" with `after`, -U/-D as "d" with `before`) and the INSERT. Streaming mode, as the
 * goldens run; bounded file inputs make the job finish.
 */
function flinkScript(q: Query, topic: string): string {
  const cols = q.fields.map((f) => `${quote(f.name)} ${typeToString({ ...f.type, nullable: true }, false)}`).join(', ');
  return [
    q.context,
    `CREATE TABLE ${q.sink} (${cols}) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}', 'format' = 'debezium-json');`,
    `INSERT INTO ${q.sink} ${q.record.sql};`,
  ].join('\n');
}

/** The final result of a debezium-json changelog: rows added by "c", removed by "d". */
function materialise(messages: readonly (string | null)[]): string[] {
  const rows = new Map<string, { line: string; n: number }>();
  for (const m of messages) {
    if (m === null) continue;
    const e = JSON.parse(m) as { before: unknown; after: unknown; op: string };
    const row = e.op === 'd' ? e.before : e.after;
    const line = JSON.stringify(row), key = JSON.stringify(normalise(row));
    const x = rows.get(key) ?? { line, n: 0 };
    x.n += e.op === 'd' ? -1 : 1;
    rows.set(key, x);
  }
  const out: string[] = [];
  for (const { line, n } of rows.values()) for (let i = 0; i < n; i++) out.push(line);
  return out;
}

/** Runs one query on Flink; returns why it cannot run or differs, or undefined when it agrees with the golden. */
async function runOnFlink(q: Query): Promise<string | undefined> {
  const topic = freshTopic('golden');
  const r = buildJobSpecFromScript(flinkScript(q, topic), { name: `golden ${q.key}`, baseDir: SLT_DIR });
  const errs = r.diagnostics.filter((d) => d.severity === 'error');
  if (errs.length > 0) return `not supported by the Flink spec builder: ${errs.map((d) => `${d.code} ${d.message}`).join('; ')}`;
  await createTopic(topic, 1);
  let id: string;
  try {
    id = await deployer.deploy(r.spec!);
  } catch (e) {
    return `Flink rejects the query: ${firstLine((e as Error).message)}`;
  }
  try {
    await deployer.waitForState(id, ['FINISHED'], 30_000);
  } catch (e) {
    await deployer.cancel(id).catch(() => undefined);
    return `the Flink job does not finish: ${firstLine((e as Error).message)}`;
  }
  const got = canon(materialise((await readAll(topic, 'read_uncommitted')).map((m) => m.value))), want = canon(q.record.expected);
  if (JSON.stringify(got) === JSON.stringify(want)) return undefined;
  return `results differ: expected ${want.join(' ')} | Flink ${got.join(' ')}`;
}

function firstLine(s: string): string {
  const l = s.replace(/^error FLINK75\d: /, '').split('\n')[0]!;
  return l.length > 300 ? l.slice(0, 297) + '...' : l;
}

const discover = process.env['FRESHET_FLINK_GOLDENS_DISCOVER'] === '1';

for (const file of readdirSync(SLT_DIR).filter((f) => f.endsWith('.slt')).sort()) {
  test(`goldens of ${file} on Flink`, async (t) => {
    if (flink.skip) return t.skip(flink.skip);
    const all = await queriesOf(file);
    const failures: string[] = [];
    let agreed = 0, excluded = 0;
    for (const q of all) {
      const listed = EXCLUDED[q.key] ?? EXCLUDED[file];
      if (listed !== undefined && !discover) { excluded++; continue; }
      const why = await runOnFlink(q);
      if (why === undefined) agreed++;
      else if (discover) process.stderr.write(`#   '${q.key}': ${JSON.stringify(why)},\n`);
      else failures.push(`${q.key}: ${why}`);
    }
    process.stderr.write(`# ${file}: ${agreed} of ${all.length} queries agree on Flink, ${excluded} excluded\n`);
    assert.deepEqual(failures, [], 'Flink results differ from the goldens');
  });
}
