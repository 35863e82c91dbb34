/**
 * `node --import tsx bench/kafka-group-by.ts`: the kafka-group-by benchmark. Produces BENCH_KAFKA_EVENTS JSON events
 * (default 500 000, 10 000 keys) to a fresh 3-partition topic of the local broker (scripts/kafka.sh start), then
 * times a bounded read (`scan.bounded.mode` = 'latest-offset') into an unbounded GROUP BY written to blackhole, and
 * prints one table row in the format of bench/run.ts. Skips, saying why, when the client or the broker is missing.
 * Not a test: nothing is asserted.
 */
import { runSql } from '../src/runtime/sql-session.js';
import { BOOTSTRAP, createTopic, freshTopic, kafkaSkipReason, produce, type OutMessage } from '../tests/integration/kafka/kafka-helpers.js';

const N = Number(process.env['BENCH_KAFKA_EVENTS'] ?? 500_000);
const KEYS = 10_000;

async function main(): Promise<void> {
  const reason = await kafkaSkipReason();
  if (reason) { process.stdout.write(`kafka-group-by skipped: ${reason}\n`); return; }
  const topic = freshTopic('bench');
  await createTopic(topic, 3);
  const t0 = process.hrtime.bigint();
  const chunk = 50_000;
  for (let start = 0; start < N; start += chunk) {
    const msgs: OutMessage[] = [];
    for (let i = start; i < Math.min(N, start + chunk); i++) {
      const k = `k${(i * 7919) % KEYS}`;
      msgs.push({ key: k, value: `{"k":"${k}","v":${i % 1000},"ts":"2024-01-01 00:00:${String(i % 60).padStart(2, '0')}"}` });
    }
    await produce(topic, msgs);
  }
  const produceSecs = Number(process.hrtime.bigint() - t0) / 1e9;

  const sql = `
CREATE TABLE ev (k STRING, v INT, ts TIMESTAMP(3)) WITH ('connector' = 'kafka', 'topic' = '${topic}',
  'properties.bootstrap.servers' = '${BOOTSTRAP}', 'scan.startup.mode' = 'earliest-offset',
  'scan.bounded.mode' = 'latest-offset', 'format' = 'json');
CREATE TABLE out_bh (k STRING, c BIGINT, s BIGINT) WITH ('connector' = 'blackhole');
INSERT INTO out_bh SELECT k, COUNT(*), SUM(v) FROM ev GROUP BY k;`;
  const t1 = process.hrtime.bigint();
  const cpu0 = process.cpuUsage();
  const res = await runSql(sql);
  const secs = Number(process.hrtime.bigint() - t1) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  const errs = res.diagnostics.filter((d) => d.severity === 'error');
  if (errs.length) throw new Error(errs.map((d) => `${d.code} ${d.message}`).join('\n'));
  const rows = [['kafka-group-by', `bounded Kafka read (3 partitions, JSON) into GROUP BY, ${KEYS / 1000} K keys`, String(N),
    (N / secs).toFixed(0), secs.toFixed(2), (process.resourceUsage().maxRSS / 1024).toFixed(0), '0']];
  const head = ['benchmark', 'what', 'events', 'events/s/core', 'seconds', 'peak RSS MB', 'late rows'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]): string => `| ${r.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  process.stdout.write(`${line(head)}\n|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|\n${rows.map(line).join('\n')}\n`);
  process.stdout.write(`produce ${produceSecs.toFixed(2)} s (not timed above); job CPU ${((cpu.user + cpu.system) / 1e6).toFixed(2)} s; ${res.summary?.batches} batches\n`);
}

await main();
