/**
 * Reads the newest N messages of a live Kafka topic (spread over its partitions) for schema inference and the data
 * dictionary's live samples. Never joins a consumer group and commits nothing: partitions are assigned by hand at
 * `high - share` and read up to the high watermark seen at the start. Each sample keeps its key and headers (a
 * `header:<name>` discriminator types messages by a header).
 */
import { FreshetError, diag } from '../../common/diagnostics.js';
import { call, kafkaError, loadKafkaClient, type RdMessage, type RdMetadata } from './kafka-client.js';
import { KafkaErrors } from './kafka-errors.js';

export interface TopicSampleOptions {
  bootstrapServers: string;
  topic: string;
  /** Messages wanted (default 100). */
  count?: number;
  /** Extra librdkafka properties (security options, ...). */
  properties?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * One sampled message. `key` and header values are UTF-8 text; a header repeated in a message keeps its first
 * value, as the Kafka source's header discriminator reads it, so inference groups a sample by the same type the
 * running source gives it.
 */
export interface TopicSample {
  partition: number; offset: number; timestamp?: number; value: string;
  key: string | null;
  headers: Record<string, string>;
}

/** The message's headers as a name → UTF-8 text map (first value of a repeated name; {} when it has none). */
export function sampleHeaders(m: Pick<RdMessage, 'headers'>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const h of m.headers ?? []) {
    for (const [name, v] of Object.entries(h)) {
      if (!Object.hasOwn(out, name)) out[name] = typeof v === 'string' ? v : v.toString('utf8');
    }
  }
  return out;
}

function keyText(k: RdMessage['key']): string | null {
  return k === null || k === undefined ? null : typeof k === 'string' ? k : k.toString('utf8');
}

export async function sampleKafkaTopic(o: TopicSampleOptions): Promise<TopicSample[]> {
  const want = Math.max(1, o.count ?? 100);
  const timeout = o.timeoutMs ?? 10_000;
  const kafka = await loadKafkaClient();
  const consumer = new kafka.KafkaConsumer({
    'client.id': 'freshet-sampler', 'group.id': 'freshet-sampler', 'enable.auto.commit': false,
    'bootstrap.servers': o.bootstrapServers, 'enable.partition.eof': true, ...(o.properties ?? {}),
  }, {});
  consumer.on('event.error', (() => undefined) as never);
  try {
    await call(`cannot connect to Kafka at '${o.bootstrapServers}'`, (cb) => consumer.connect({ timeout }, cb));
    const meta = await call<RdMetadata>(`cannot read the metadata of topic '${o.topic}'`, (cb) => consumer.getMetadata({ topic: o.topic, timeout }, cb));
    const t = meta.topics.find((x) => x.name === o.topic);
    if (!t || t.partitions.length === 0) throw new FreshetError(diag(KafkaErrors.Broker, `topic '${o.topic}' does not exist`), 'external');
    const share = Math.ceil(want / t.partitions.length);
    const ends = new Map<number, number>();
    const assign: { topic: string; partition: number; offset: number }[] = [];
    for (const { id } of t.partitions) {
      const w = await call<{ lowOffset: number; highOffset: number }>(`cannot read the offsets of ${o.topic}/${id}`,
        (cb) => consumer.queryWatermarkOffsets(o.topic, id, timeout, cb));
      if (w.highOffset <= w.lowOffset) continue;
      ends.set(id, w.highOffset);
      assign.push({ topic: o.topic, partition: id, offset: Math.max(w.lowOffset, w.highOffset - share) });
    }
    const out: TopicSample[] = [];
    if (assign.length === 0) return out;
    consumer.assign(assign);
    consumer.setDefaultConsumeTimeout(200);
    const deadline = Date.now() + timeout;
    const open = new Set(ends.keys());
    while (open.size > 0 && Date.now() < deadline) {
      const batch = await call<RdMessage[]>(`reading topic '${o.topic}' failed`, (cb) => consumer.consume(500, cb));
      for (const m of batch) {
        const end = ends.get(m.partition);
        if (end === undefined || m.offset >= end) { open.delete(m.partition); continue; }
        out.push({
          partition: m.partition, offset: m.offset, ...(m.timestamp !== undefined ? { timestamp: m.timestamp } : {}),
          value: m.value?.toString('utf8') ?? '', key: keyText(m.key), headers: sampleHeaders(m),
        });
        if (m.offset + 1 >= end) open.delete(m.partition);
      }
    }
    return out.sort((a, b) => (a.timestamp ?? 0) - (b.timestamp ?? 0) || a.partition - b.partition || a.offset - b.offset).slice(-want);
  } catch (e) {
    if (e instanceof FreshetError) throw e;
    throw kafkaError(`sampling topic '${o.topic}'`, e);
  } finally {
    await call('disconnect', (cb) => consumer.disconnect(cb)).catch(() => undefined);
  }
}
