/**
 * Helpers of the Kafka integration tests: where the broker is (FRESHET_KAFKA_BOOTSTRAP, or 127.0.0.1 and
 * FRESHET_KAFKA_PORT as scripts/kafka.sh uses), why tests must skip (no client, no broker), and small admin,
 * produce and read-back functions written directly against the client library.
 */
import { connect } from 'node:net';
import { kafkaClientAvailable, loadKafkaClient, type RdMessage } from '../../../src/connectors/kafka/kafka-client.js';

export const BOOTSTRAP = process.env['FRESHET_KAFKA_BOOTSTRAP'] ?? `127.0.0.1:${process.env['FRESHET_KAFKA_PORT'] ?? '19092'}`;

function reachable(hostPort: string, timeoutMs = 1500): Promise<boolean> {
  const i = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, i), port = Number(hostPort.slice(i + 1));
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const done = (ok: boolean): void => { s.destroy(); resolve(ok); };
    s.setTimeout(timeoutMs, () => done(false));
    s.once('connect', () => done(true));
    s.once('error', () => done(false));
  });
}

/**
 * Why the Kafka tests cannot run here, or undefined when they can. With FRESHET_REQUIRE_KAFKA=1 (set by CI, which
 * builds the client and starts the broker) a reason is an error instead, so a broken setup cannot pass as skipped.
 */
export async function kafkaSkipReason(): Promise<string | undefined> {
  const reason = await findSkipReason();
  if (reason !== undefined && process.env['FRESHET_REQUIRE_KAFKA'] === '1') throw new Error(`FRESHET_REQUIRE_KAFKA=1 but ${reason}`);
  return reason;
}

async function findSkipReason(): Promise<string | undefined> {
  if (!(await kafkaClientAvailable())) {
    return 'Kafka client @confluentinc/kafka-javascript is not installed or not built (see README, Development: Kafka)';
  }
  const first = BOOTSTRAP.split(',')[0]!;
  if (!(await reachable(first))) return `no Kafka broker at ${first} (start one with scripts/kafka.sh start, or run the tests with FRESHET_SERVICES=1)`;
  return undefined;
}

let seq = 0;
/** A topic name no earlier run used. */
export function freshTopic(base: string): string {
  return `freshet-test-${base}-${process.pid}-${Date.now().toString(36)}-${seq++}`;
}

export async function createTopic(topic: string, partitions: number, config?: Record<string, string>): Promise<void> {
  const k = await loadKafkaClient();
  const admin = k.AdminClient.create({ 'bootstrap.servers': BOOTSTRAP, 'client.id': 'freshet-test-admin' });
  try {
    await new Promise<void>((resolve, reject) => admin.createTopic(
      { topic, num_partitions: partitions, replication_factor: 1, ...(config ? { config } : {}) }, 15_000,
      (err) => (err ? reject(new Error(`createTopic ${topic}: ${err.message}`)) : resolve())));
  } finally {
    admin.disconnect();
  }
}

export interface OutMessage { value: string | null; key?: string; partition?: number; headers?: Record<string, string> }

/** Produces the messages (in order) and waits until all are acknowledged. */
export async function produce(topic: string, messages: readonly OutMessage[]): Promise<void> {
  const k = await loadKafkaClient();
  const p = new k.Producer({ 'bootstrap.servers': BOOTSTRAP, dr_cb: true, 'linger.ms': 5 }, { partitioner: 'murmur2_random' });
  let failed: Error | undefined;
  p.on('delivery-report', ((err: { message: string } | null) => { if (err) failed ??= new Error(err.message); }) as never);
  await new Promise<void>((resolve, reject) => p.connect({ timeout: 15_000 }, (err) => (err ? reject(new Error(err.message)) : resolve())));
  p.setPollInterval(20);
  for (const m of messages) {
    for (;;) {
      try {
        const value = m.value === null ? null : Buffer.from(m.value), key = m.key === undefined ? null : Buffer.from(m.key);
        // The client takes headers as a 7th argument (one object per header) that its restated type leaves out.
        if (m.headers) (p.produce as (...a: unknown[]) => void).call(p, topic, m.partition ?? null, value, key, null, null, Object.entries(m.headers).map(([h, v]) => ({ [h]: Buffer.from(v) })));
        else p.produce(topic, m.partition ?? null, value, key, null);
        break;
      } catch (e) {
        if ((e as { code?: number }).code !== -184) throw e;
        await new Promise<void>((r) => p.flush(200, () => r()));
      }
    }
  }
  await new Promise<void>((resolve, reject) => p.flush(30_000, (err) => (err ? reject(new Error(err.message)) : resolve())));
  await new Promise<void>((resolve) => p.disconnect(() => resolve()));
  if (failed) throw failed;
}

export interface InMessage { partition: number; offset: number; key: string | null; value: string | null }
/** A message read with its headers (name -> value as UTF-8 text; the last one of a repeated name). */
export interface HeaderedMessage extends InMessage { headers: Record<string, string> }
/** What readAll reads besides keys and values, and how long it may take (default 30 s). */
export interface ReadOptions { headers?: boolean; timeoutMs?: number }

/** Every message of the topic up to its current end, read with the given isolation level, in offset order per partition. */
export function readAll(topic: string, isolation?: 'read_committed' | 'read_uncommitted'): Promise<InMessage[]>;
export function readAll(topic: string, isolation: 'read_committed' | 'read_uncommitted', opts: ReadOptions & { headers: true }): Promise<HeaderedMessage[]>;
export function readAll(topic: string, isolation?: 'read_committed' | 'read_uncommitted', opts?: ReadOptions): Promise<InMessage[]>;
export async function readAll(topic: string, isolation: 'read_committed' | 'read_uncommitted' = 'read_committed', opts: ReadOptions = {}): Promise<InMessage[]> {
  const k = await loadKafkaClient();
  const c = new k.KafkaConsumer({
    'bootstrap.servers': BOOTSTRAP, 'group.id': `freshet-test-reader-${seq++}`, 'enable.auto.commit': false,
    'enable.partition.eof': true, 'isolation.level': isolation,
  }, {});
  const eof = new Set<number>();
  c.on('partition.eof', ((e: { partition: number }) => { eof.add(e.partition); }) as never);
  await new Promise<void>((resolve, reject) => c.connect({ timeout: 15_000 }, (err) => (err ? reject(new Error(err.message)) : resolve())));
  try {
    const meta = await new Promise<{ topics: { name: string; partitions: { id: number }[] }[] }>((resolve, reject) =>
      c.getMetadata({ topic, timeout: 15_000 }, (err, m) => (err ? reject(new Error(err.message)) : resolve(m))));
    const parts = meta.topics.find((t) => t.name === topic)!.partitions.map((p) => p.id);
    c.assign(parts.map((p) => ({ topic, partition: p, offset: 0 })));
    c.setDefaultConsumeTimeout(200);
    const out: InMessage[] = [];
    const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
    while (eof.size < parts.length) {
      if (Date.now() > deadline) throw new Error(`readAll ${topic}: timed out`);
      const msgs = await new Promise<RdMessage[]>((resolve, reject) => c.consume(1000, (err, m) => (err ? reject(new Error(err.message)) : resolve(m))));
      // The client delivers headers (one object per header) in a field its restated message type leaves out.
      for (const m of msgs as (RdMessage & { headers?: Record<string, Buffer | string>[] })[]) {
        const msg: InMessage = {
          partition: m.partition, offset: m.offset,
          key: m.key === null || m.key === undefined ? null : m.key.toString(),
          value: m.value === null ? null : m.value.toString('utf8'),
        };
        if (opts.headers) {
          const headers: Record<string, string> = {};
          for (const h of m.headers ?? []) for (const [name, v] of Object.entries(h)) headers[name] = v.toString();
          (msg as HeaderedMessage).headers = headers;
        }
        out.push(msg);
      }
    }
    return out;
  } finally {
    await new Promise<void>((resolve) => c.disconnect(() => resolve()));
  }
}
