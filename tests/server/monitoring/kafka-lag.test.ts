// Kafka consumer lag of a real engine job on a real broker: a job whose sink is slow falls behind a topic with
// thousands of messages; the lag per partition (high watermark − next offset) is exported, the built-in lag rule
// fires, and once the sink is fast again the job catches up and the alert resolves (one firing, one resolved
// notification at a webhook receiver). Skips when no broker answers (see tests/integration/kafka/kafka-helpers.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Batch } from '../../../src/common/row.js';
import { getConnector } from '../../../src/connectors/registry.js';
import type { ConnectorFactory, SinkContext } from '../../../src/engine/connector-api.js';
import { runSql } from '../../../src/runtime/sql-session.js';
import { meteredConnectors, SourceMeter } from '../../../src/server/platform/instrumented-connectors.js';
import { Monitoring } from '../../../src/server/monitoring/monitoring.js';
import { BOOTSTRAP, createTopic, freshTopic, kafkaSkipReason, produce } from '../../integration/kafka/kafka-helpers.js';
import { startReceiver, until } from './webhook-receiver.js';

let skip: string | undefined;
before(async () => { skip = await kafkaSkipReason(); });

test('a job falling behind its Kafka topic: lag per partition, the lag rule fires and resolves', async (t) => {
  if (skip) { t.skip(skip); return; }
  const topic = freshTopic('lag');
  await createTopic(topic, 2);
  const N = 4000;
  await produce(topic, Array.from({ length: N }, (_, i) => ({ key: `k${i % 50}`, value: JSON.stringify({ id: i, k: `k${i % 50}` }) })));
  let slow = true;
  const blackhole = getConnector('blackhole')!;
  const slowSink: ConnectorFactory = Object.assign(Object.create(blackhole) as ConnectorFactory, {
    createSink: (ctx: SinkContext) => {
      const inner = blackhole.createSink!(ctx);
      return { ...inner, open: () => inner.open(), flush: () => inner.flush(), close: () => inner.close(),
        write: async (b: Batch) => { if (slow) await new Promise((r) => setTimeout(r, 100)); return inner.write(b); } };
    },
  });
  const meter = new SourceMeter();
  const connectors = meteredConnectors({ get: (id) => (id === 'blackhole' ? slowSink : getConnector(id)) }, meter, new Map());
  const dir = await mkdtemp(path.join(os.tmpdir(), 'freshet-lag-'));
  const rx = await startReceiver();
  const controller = new AbortController();
  const startedAt = Date.now();
  const mon = new Monitoring({ jobs: { runMeters: () => [{ name: 'lagjob', version: 1, state: 'running', meter, changes: 0, startedAt }] }, dir, intervalMs: 200, lagRefreshMs: 200, retry: { attempts: 3, initialMs: 20, maxMs: 100, timeoutMs: 2000 } });
  const run = runSql(`
CREATE TABLE ev (id INT, k STRING) WITH ('connector' = 'kafka', 'topic' = '${topic}', 'properties.bootstrap.servers' = '${BOOTSTRAP}',
  'scan.startup.mode' = 'earliest-offset', 'format' = 'json');
CREATE TABLE out (id INT, k STRING) WITH ('connector' = 'blackhole');
INSERT INTO out SELECT id, k FROM ev;`, { connectors, batchSize: 50, signal: controller.signal });
  try {
    await mon.alerts.putWebhook({ id: 'rx', url: rx.url });
    await mon.alerts.updateRule('kafka-lag', { ...mon.alerts.getRule('kafka-lag')!, threshold: 1000, forSec: 0.3 });
    const alert = await until('lag alert', () => mon.alerts.alerts().find((a) => a.ruleId === 'kafka-lag' && a.state === 'firing'));
    assert.deepEqual(alert.labels, { job: 'lagjob', source: 'ev' });
    assert.ok(alert.value > 1000 && alert.value <= N, `lag ${alert.value}`);
    // Per partition, summing to the source's lag.
    const parts = mon.series.latest('freshet_kafka_consumer_lag', { job: 'lagjob' });
    assert.deepEqual(parts.map((p) => p.labels['partition']).sort(), ['0', '1']);
    assert.ok(parts.every((p) => p.labels['topic'] === topic));
    // The partition series and the source series are sampled on the same tick: once both hold that tick's samples
    // the partition lags sum to the source's lag (a read between their updates may see one tick apart).
    await until('partition lags summing to the source lag', () => {
      const ps = mon.series.latest('freshet_kafka_consumer_lag', { job: 'lagjob' });
      const total = mon.series.latest('freshet_source_lag', { job: 'lagjob' })[0];
      return total !== undefined && ps.reduce((s, p) => s + p.value, 0) === total.value ? true : undefined;
    });
    const text = await mon.scrape();
    assert.match(text, new RegExp(`freshet_kafka_consumer_lag\\{job="lagjob",source="ev",topic="${topic}",partition="0"\\} \\d+`));
    slow = false;
    await until('caught up', () => (meter.rowsIn === N ? true : undefined), 30_000);
    await until('resolved', () => (rx.received.length === 2 ? true : undefined), 30_000);
    assert.deepEqual(rx.received.map((x) => (x.body as { status: string }).status), ['firing', 'resolved']);
    assert.equal(mon.series.latest('freshet_source_lag', { job: 'lagjob' })[0]!.value, 0);
  } finally {
    controller.abort();
    await run;
    await mon.close();
    await rx.close();
    await rm(dir, { recursive: true, force: true });
  }
});
