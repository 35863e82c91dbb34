/**
 * Kafka access with message headers for the Flink integration tests (the shared Kafka helpers read and write bodies
 * and keys only): produce messages that carry headers, and read a topic to its end with each message's headers.
 */
import { loadKafkaClient, type RdMessage } from '../../../src/connectors/kafka/kafka-client.js';
import { BOOTSTRAP } from '../kafka/kafka-helpers.js';

export interface HeaderMessage { key?: string; value: string | null; headers?: Record<string, string> }
export interface ReadMessage { partition: number; offset: number; key: string | null; value: string | null; headers: Record<string, string> }

let seq = 0;

/** Produces the messages in order (the key's murmur2 partition) and waits for every acknowledgement. */
export async function produceWithHeaders(topic: string, messages: readonly HeaderMessage[]): Promise<void> {
  const k = await loadKafkaClient();
  const p = new k.Producer({ 'bootstrap.servers': BOOTSTRAP, dr_cb: true, partitioner: 'murmur2_random', 'linger.ms': 5 }, {});
  let failed: Error | undefined;
  p.on('delivery-report', ((err: { message: string } | null) => { if (err) failed ??= new Error(err.message); }) as never);
  await new Promise<void>((resolve, reject) => p.connect({ timeout: 15_000 }, (err) => (err ? reject(new Error(err.message)) : resolve())));
  p.setPollInterval(20);
  const produce = p.produce.bind(p) as unknown as (topic: string, partition: number | null, value: Buffer | null, key: Buffer | null,
    timestamp: number | null, opaque: unknown, headers: Record<string, Buffer>[]) => void;
  for (const m of messages) {
    const headers = Object.entries(m.headers ?? {}).map(([h, v]) => ({ [h]: Buffer.from(v) }));
    produce(topic, null, m.value === null ? null : Buffer.from(m.value), m.key === undefined ? null : Buffer.from(m.key), null, null, headers);
  }
  await new Promise<void>((resolve, reject) => p.flush(30_000, (err) => (err ? reject(new Error(err.message)) : resolve())));
  await new Promise<void>((resolve) => p.disconnect(() => resolve()));
  if (failed) throw failed;
}

/** Every message of the topic up to its current end, with headers, in offset order per partition. */
export async function readWithHeaders(topic: string, isolation: 'read_committed' | 'read_uncommitted' = 'read_committed'): Promise<ReadMessage[]> {
  const k = await loadKafkaClient();
  const c = new k.KafkaConsumer({
    'bootstrap.servers': BOOTSTRAP, 'group.id': `freshet-flink-test-reader-${process.pid}-${seq++}`, 'enable.auto.commit': false,
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
    const out: ReadMessage[] = [];
    const deadline = Date.now() + 60_000;
    while (eof.size < parts.length) {
      if (Date.now() > deadline) throw new Error(`readWithHeaders ${topic}: timed out`);
      const msgs = await new Promise<RdMessage[]>((resolve, reject) => c.consume(1000, (err, m) => (err ? reject(new Error(err.message)) : resolve(m))));
      for (const m of msgs as (RdMessage & { headers?: Record<string, Buffer | string>[] })[]) {
        const headers: Record<string, string> = {};
        for (const h of m.headers ?? []) for (const [name, v] of Object.entries(h)) headers[name] = v.toString();
        out.push({
          partition: m.partition, offset: m.offset,
          key: m.key === null || m.key === undefined ? null : m.key.toString(),
          value: m.value === null ? null : m.value.toString('utf8'), headers,
        });
      }
    }
    return out;
  } finally {
    await new Promise<void>((resolve) => c.disconnect(() => resolve()));
  }
}
