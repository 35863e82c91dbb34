/**
 * Source of the `kafka` connector: reads every partition of one topic, assigned manually (no group rebalancing), and
 * decodes each message value (and key, with `key.fields`) with the table's format.
 *
 * Position: `{ topic, next: { [partition]: offset }, end?: { [partition]: offset } }`: for each partition the offset
 * of the next message to read, and for a bounded read its end offset (exclusive), fixed when the job first starts so
 * that a restored run ends where the uninterrupted one would. `open(position)` seeks every partition exactly there.
 * Batch boundaries depend on what the broker returns per fetch and may differ between runs; what holds is that the
 * rows returned so far are exactly the messages before `next`, so state restored with a position is consistent.
 *
 * A bounded read (`scan.bounded.mode` other than unbounded) ends when every partition has reached its end offset:
 * poll then returns null. Transaction markers occupy offsets without being messages, so a partition also counts as
 * done when the client reports its end of partition at or past the end offset.
 *
 * Bad records (not decodable, larger than `freshet.max-record-bytes`): with the format's ignore-parse-errors on they
 * are skipped and reported (`reporter.badRecord(reason, raw, 'topic/partition@offset')`), and values that cannot be
 * converted become NULL (reported too); otherwise the job fails with CONN201 naming topic, partition and offset.
 * Messages with a null value (tombstones) hold no row and are skipped.
 *
 * Group offsets are committed for monitoring only, when a checkpoint takes the position and when a bounded read
 * finishes, and only with an explicit `properties.group.id`; positions never come from them after a start.
 */
import { FreshetError, diag } from '../../common/diagnostics.js';
import type { Row, Value } from '../../common/row.js';
import { DecodeError, createDecoder, type RowDecoder } from '../../formats/index.js';
import type { ScanSource, SourcePosition, TableContext } from '../connector.js';
import { ConnectorErrors } from '../connector-error-codes.js';
import {
  call, kafkaError, loadKafkaClient, type RdConsumer, type RdEof, type RdMessage, type RdMetadata, type RdTopicPartitionOffset,
} from './kafka-client.js';
import { KafkaErrors } from './kafka-errors.js';
import type { KafkaTableConfig, OffsetSpec } from './kafka-options.js';

export interface KafkaPosition {
  topic: string;
  /** partition -> offset of the next message to read. */
  next: Record<string, number>;
  /** partition -> end offset (exclusive) of a bounded read; absent when unbounded. */
  end?: Record<string, number>;
}

const META_TIMEOUT_MS = 15_000;
const CONSUME_TIMEOUT_MS = 100;

export class KafkaSource implements ScanSource {
  readonly bounded: boolean;
  /** Messages skipped because their discriminator named another type (multi-type topics). */
  unknownTypes = 0;
  /** Per discriminator value seen (up to 100 distinct values), how many messages were skipped. */
  readonly unknownTypeCounts = new Map<string, number>();

  private consumer: RdConsumer | undefined;
  private partitions: number[] = [];
  /**
   * Partitions that had records to read when the source opened and have not delivered one yet. Until they do, the
   * source's watermark (the minimum over partitions) must not advance on the others' rows alone: the first batches
   * may come from some partitions only, and the rest would then be late (Flink knows all its splits up front).
   */
  private readonly backlog = new Set<number>();
  private readonly next = new Map<number, number>();
  private readonly end = new Map<number, number>();
  private readonly done = new Set<number>();
  private lastParts: number[] = [];
  private readonly pendingEof: RdEof[] = [];
  private readonly valueDecoder: RowDecoder;
  private readonly keyDecoder: RowDecoder | undefined;
  private readonly width: number;
  private readonly identity: boolean;
  /** The message being decoded, for reports (`where` is built only when needed). */
  private currentRaw = '';
  private currentMsg: RdMessage | undefined;

  constructor(private readonly ctx: TableContext, private readonly cfg: KafkaTableConfig) {
    this.bounded = cfg.bounded.mode !== 'unbounded';
    const fields = ctx.physicalFields;
    this.width = fields.length;
    const onFieldError = (e: DecodeError): void => {
      ctx.reporter.badRecord(`${e.path === undefined ? 'value' : `field '${e.path}'`} set to NULL: ${e.reason}`, this.currentRaw, this.where());
    };
    this.valueDecoder = createDecoder(cfg.valueFormat, cfg.valueFields.map((i) => fields[i]!), cfg.valueOptions, { onFieldError });
    this.keyDecoder = cfg.keyFormat && cfg.keyFields.length > 0
      ? createDecoder(cfg.keyFormat, cfg.keyFormatFields, cfg.keyOptions, { onFieldError }) : undefined;
    this.identity = this.keyDecoder === undefined && cfg.valueFields.length === this.width;
  }

  async open(position?: SourcePosition): Promise<void> {
    try {
      await this.openConsumer(position);
    } catch (e) {
      await this.close().catch(() => undefined); // a connected client would keep the process alive
      throw e;
    }
  }

  private async openConsumer(position?: SourcePosition): Promise<void> {
    const kafka = await loadKafkaClient();
    const client = this.cfg.client;
    const consumer = new kafka.KafkaConsumer({
      'client.id': `freshet-${this.ctx.tableName}`,
      'fetch.wait.max.ms': 100,
      // The Java client's default, which Flink keeps: set 'properties.isolation.level' = 'read_committed' to skip
      // aborted transactions (librdkafka's own default is read_committed).
      'isolation.level': 'read_uncommitted',
      ...client,
      'group.id': client['group.id'] ?? `freshet-${this.ctx.tableName}`,
      'enable.auto.commit': false,
      'enable.auto.offset.store': false,
      'enable.partition.eof': true,
    }, {});
    consumer.on('partition.eof', ((e: RdEof) => this.onEof(e)) as never);
    consumer.on('event.error', (() => undefined) as never); // surfaced by the failing call instead
    this.consumer = consumer;
    await call(`table '${this.ctx.tableName}': cannot connect to Kafka at '${client['bootstrap.servers']}'`,
      (cb) => consumer.connect({ timeout: META_TIMEOUT_MS }, cb));
    consumer.setDefaultConsumeTimeout(CONSUME_TIMEOUT_MS);
    consumer.setDefaultIsTimeoutOnlyForFirstMessage?.(true);

    const topic = this.cfg.topic;
    const meta = await call<RdMetadata>(`table '${this.ctx.tableName}': cannot read the metadata of topic '${topic}'`,
      (cb) => consumer.getMetadata({ topic, timeout: META_TIMEOUT_MS }, cb));
    const t = meta.topics.find((x) => x.name === topic);
    if (!t || t.partitions.length === 0) {
      throw new FreshetError(diag(KafkaErrors.Broker, `table '${this.ctx.tableName}': topic '${topic}' does not exist`, undefined,
        'create the topic first (Freshet does not create topics it reads)'), 'external');
    }
    this.partitions = t.partitions.map((p) => p.id).sort((a, b) => a - b);
    this.next.clear(); this.end.clear(); this.done.clear(); this.pendingEof.length = 0;

    const saved = position as KafkaPosition | undefined | null;
    if (saved && saved.topic !== topic) {
      throw new FreshetError(diag(ConnectorErrors.BadPosition,
        `table '${this.ctx.tableName}': cannot restore: the checkpoint read topic '${saved.topic}', the table now reads '${topic}'`));
    }
    const marks = new Map<number, { low: number; high: number }>();
    for (const p of this.partitions) {
      const w = await call<{ lowOffset: number; highOffset: number }>(`table '${this.ctx.tableName}': cannot read the offsets of ${topic}/${p}`,
        (cb) => consumer.queryWatermarkOffsets(topic, p, META_TIMEOUT_MS, cb));
      marks.set(p, { low: w.lowOffset, high: w.highOffset });
    }
    if (saved) {
      for (const p of this.partitions) {
        const n = saved.next[String(p)];
        // A partition added since the checkpoint starts at its beginning, as Flink starts newly discovered splits.
        this.next.set(p, Math.max(n ?? marks.get(p)!.low, marks.get(p)!.low));
        const e = saved.end?.[String(p)];
        if (this.bounded) this.end.set(p, e ?? marks.get(p)!.high);
      }
    } else {
      const starts = await this.resolve(consumer, this.cfg.startup, marks, 'start');
      for (const p of this.partitions) this.next.set(p, starts.get(p)!);
      if (this.bounded) {
        const ends = await this.resolve(consumer, this.cfg.bounded as OffsetSpec<string>, marks, 'end');
        for (const p of this.partitions) this.end.set(p, ends.get(p)!);
      }
    }
    const assign: { topic: string; partition: number; offset: number }[] = [];
    for (const p of this.partitions) {
      if (this.bounded && this.next.get(p)! >= this.end.get(p)!) { this.done.add(p); continue; }
      if (this.next.get(p)! < marks.get(p)!.high) this.backlog.add(p);
      assign.push({ topic, partition: p, offset: this.next.get(p)! });
    }
    if (assign.length > 0) consumer.assign(assign);
  }

  /** Offsets per partition for a startup (`start`) or bounded (`end`) spec. */
  private async resolve(consumer: RdConsumer, spec: OffsetSpec<string>, marks: Map<number, { low: number; high: number }>, which: 'start' | 'end'): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    const topic = this.cfg.topic;
    const clamp = (p: number, o: number): number => Math.min(Math.max(o, marks.get(p)!.low), marks.get(p)!.high);
    switch (spec.mode) {
      case 'earliest-offset':
        for (const p of this.partitions) out.set(p, marks.get(p)!.low);
        return out;
      case 'latest-offset':
        for (const p of this.partitions) out.set(p, marks.get(p)!.high);
        return out;
      case 'timestamp': {
        const res = await call<RdTopicPartitionOffset[]>(`table '${this.ctx.tableName}': cannot look up offsets by timestamp`,
          (cb) => consumer.offsetsForTimes(this.partitions.map((p) => ({ topic, partition: p, offset: spec.timestampMs! })), META_TIMEOUT_MS, cb));
        for (const p of this.partitions) {
          const r = res.find((x) => x.partition === p);
          out.set(p, r && r.offset >= 0 ? clamp(p, r.offset) : marks.get(p)!.high);
        }
        return out;
      }
      case 'specific-offsets':
      case 'group-offsets': {
        const committed = await this.committed(consumer);
        const reset = this.cfg.client['auto.offset.reset']?.toLowerCase();
        for (const p of this.partitions) {
          const specific = spec.mode === 'specific-offsets' ? spec.offsets?.get(p) : undefined;
          if (specific !== undefined) { out.set(p, clamp(p, specific)); continue; }
          const c = committed.get(p);
          if (c !== undefined) { out.set(p, clamp(p, c)); continue; }
          if (spec.mode === 'specific-offsets') { out.set(p, which === 'start' ? marks.get(p)!.low : marks.get(p)!.high); continue; }
          if (reset === 'earliest' || reset === 'smallest' || reset === 'beginning') { out.set(p, marks.get(p)!.low); continue; }
          if (reset === 'latest' || reset === 'largest' || reset === 'end') { out.set(p, marks.get(p)!.high); continue; }
          throw new FreshetError(diag(KafkaErrors.NoCommittedOffset,
            `table '${this.ctx.tableName}': group '${this.cfg.client['group.id'] ?? `freshet-${this.ctx.tableName}`}' has no committed offset for ${topic}/${p}, so '${which === 'start' ? 'scan.startup.mode' : 'scan.bounded.mode'}' = 'group-offsets' has no ${which}`,
            undefined, "set 'scan.startup.mode' = 'earliest-offset' (or 'latest-offset'), or 'properties.auto.offset.reset' = 'earliest'"));
        }
        return out;
      }
      default:
        throw new Error(`unexpected offset mode ${spec.mode}`);
    }
  }

  private async committed(consumer: RdConsumer): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    if (this.cfg.client['group.id'] === undefined) return out;
    const res = await call<RdTopicPartitionOffset[]>(`table '${this.ctx.tableName}': cannot read the committed offsets of group '${this.cfg.client['group.id']}'`,
      (cb) => consumer.committed(this.partitions.map((p) => ({ topic: this.cfg.topic, partition: p })), META_TIMEOUT_MS, cb));
    for (const r of res) if (r.offset >= 0) out.set(r.partition, r.offset);
    return out;
  }

  /**
   * The client emits a batch's end-of-partition events before handing over the batch's messages, so they are
   * queued here and applied after those messages (applyEof): an end at offset X means every message before X has
   * been delivered, in this batch or an earlier one.
   */
  private onEof(e: RdEof): void {
    if (e.topic === this.cfg.topic) this.pendingEof.push(e);
  }

  private applyEof(e: RdEof): void {
    // Past control records (transaction markers) the end of partition is beyond the last message read.
    if (e.offset > (this.next.get(e.partition) ?? 0)) {
      const stop = this.bounded ? Math.min(e.offset, this.end.get(e.partition)!) : e.offset;
      if (stop > this.next.get(e.partition)!) this.next.set(e.partition, stop);
    }
    if (this.bounded && e.offset >= this.end.get(e.partition)!) this.done.add(e.partition);
  }

  async poll(max: number): Promise<Row[] | null> {
    try {
      return await this.read(max);
    } catch (e) {
      await this.close().catch(() => undefined);
      throw e;
    }
  }

  private async read(max: number): Promise<Row[] | null> {
    const consumer = this.consumer;
    if (!consumer) throw new Error('KafkaSource.poll before open');
    if (this.bounded && this.done.size === this.partitions.length) { this.lastParts = []; return null; }
    const messages = await call<RdMessage[]>(`table '${this.ctx.tableName}': reading topic '${this.cfg.topic}' failed`, (cb) => consumer.consume(max, cb));
    const rows: Row[] = [];
    const parts: number[] = [];
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const p = m.partition;
      if (m.topic !== this.cfg.topic) continue;
      if (this.bounded) {
        if (this.done.has(p) || m.offset >= this.end.get(p)!) { this.done.add(p); continue; }
      }
      if (m.offset < this.next.get(p)!) continue; // already delivered (never expected; guards a replayed fetch)
      this.next.set(p, m.offset + 1);
      this.backlog.delete(p);
      if (this.bounded && m.offset + 1 >= this.end.get(p)!) this.done.add(p);
      const row = this.decode(m);
      if (row !== null) { rows.push(row); parts.push(p); }
    }
    for (const e of this.pendingEof) this.applyEof(e);
    this.pendingEof.length = 0;
    this.lastParts = parts;
    if (rows.length === 0 && this.bounded && this.done.size === this.partitions.length) {
      this.commitGroup();
      return null;
    }
    return rows;
  }

  /** One message to a row, or null when it holds none (tombstone, other type, skipped bad record). */
  private decode(m: RdMessage): Row | null {
    if (m.value === null) return null;
    this.currentMsg = m;
    if (m.size > this.cfg.maxRecordBytes) {
      this.currentRaw = m.value.subarray(0, 256).toString('utf8');
      return this.bad(`record of ${m.size} bytes is larger than 'freshet.max-record-bytes' (${this.cfg.maxRecordBytes})`);
    }
    const text = m.value.toString('utf8');
    this.currentRaw = text;
    const d = this.cfg.discriminator;
    if (d !== undefined) {
      const t = d.kind === 'header' ? headerText(m, d.name) : discriminatorOf(text, d.path);
      // NOT_JSON: the decoder below reports the malformed record; a message without the field is another type.
      if (t !== NOT_JSON && t !== d.value) {
        this.unknownTypes++;
        const name = t ?? '<missing>';
        const n = this.unknownTypeCounts.get(name);
        if (n !== undefined) this.unknownTypeCounts.set(name, n + 1);
        else if (this.unknownTypeCounts.size < 100) this.unknownTypeCounts.set(name, 1);
        return null;
      }
    }
    return this.decodeValue(text);
  }

  private decodeValue(text: string): Row | null {
    let value: Row | null;
    try {
      value = this.valueDecoder(text);
    } catch (e) {
      if (!(e instanceof DecodeError)) throw e;
      return this.bad(e.message);
    }
    if (value === null || this.identity) return value;
    const row: Value[] = new Array<Value>(this.width).fill(null);
    if (this.keyDecoder) {
      const k = this.currentMsg!.key;
      if (k !== null && k !== undefined) {
        const ktext = typeof k === 'string' ? k : k.toString('utf8');
        let key: Row | null;
        try {
          key = this.keyDecoder(ktext);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          this.currentRaw = ktext;
          return this.bad(`key: ${e.message}`);
        }
        if (key !== null) for (let j = 0; j < this.cfg.keyFields.length; j++) row[this.cfg.keyFields[j]!] = key[j]!;
      }
    }
    // Value after key: with value.fields-include ALL the value's copy of a key column wins, as in Flink.
    const vf = this.cfg.valueFields;
    for (let j = 0; j < vf.length; j++) row[vf[j]!] = value[j]!;
    return row;
  }

  private bad(reason: string): null {
    if (this.valueDecoder.ignoreParseErrors) {
      this.ctx.reporter.badRecord(reason, this.currentRaw, this.where());
      return null;
    }
    const option = `${this.ctx.options['format'] !== undefined ? '' : 'value.'}${this.cfg.valueFormat}.ignore-parse-errors`;
    throw new FreshetError(diag(ConnectorErrors.BadRecord,
      `table '${this.ctx.tableName}': bad record at ${this.where()} (topic ${this.cfg.topic}, partition ${this.currentMsg?.partition}, offset ${this.currentMsg?.offset}): ${reason}`,
      undefined, `fix the producer, or set '${option}' = 'true' to skip bad records (they are counted and reported)`));
  }

  private where(): string {
    const m = this.currentMsg;
    return m ? `${m.topic}/${m.partition}@${m.offset}` : this.cfg.topic;
  }

  position(): SourcePosition {
    const pos: KafkaPosition = { topic: this.cfg.topic, next: {} };
    for (const [p, o] of this.next) pos.next[String(p)] = o;
    if (this.bounded) {
      pos.end = {};
      for (const [p, o] of this.end) pos.end[String(p)] = o;
    }
    this.commitGroup();
    return pos;
  }

  lastPartitions(): readonly number[] | undefined {
    return this.lastParts;
  }

  heldPartitions(): readonly number[] {
    if (this.backlog.size === 0) return [];
    const out: number[] = [];
    for (const p of this.backlog) if (!this.done.has(p)) out.push(p);
    return out;
  }

  /**
   * Consumer lag per assigned partition: the broker's high watermark minus the offset of the next message to read
   * (what is in the topic and not yet read). One metadata round trip per partition; monitoring calls it every few
   * seconds, never per batch.
   */
  async consumerLag(): Promise<{ topic: string; partition: number; lag: number }[]> {
    const c = this.consumer;
    if (!c) return [];
    const out: { topic: string; partition: number; lag: number }[] = [];
    for (const p of this.partitions) {
      const w = await call<{ lowOffset: number; highOffset: number }>(`table '${this.ctx.tableName}': cannot read the offsets of ${this.cfg.topic}/${p}`,
        (cb) => c.queryWatermarkOffsets(this.cfg.topic, p, 2000, cb));
      out.push({ topic: this.cfg.topic, partition: p, lag: Math.max(0, w.highOffset - (this.next.get(p) ?? w.lowOffset)) });
    }
    return out;
  }

  /** Best-effort, asynchronous commit of the read position to the consumer group, for lag monitoring. */
  private commitGroup(): void {
    const c = this.consumer;
    if (!c || this.cfg.client['group.id'] === undefined || this.next.size === 0) return;
    try {
      c.commit([...this.next].map(([partition, offset]) => ({ topic: this.cfg.topic, partition, offset })));
    } catch { /* monitoring only */ }
  }

  async close(): Promise<void> {
    const c = this.consumer;
    this.consumer = undefined;
    if (!c) return;
    try {
      await call('disconnect', (cb) => c.disconnect(cb));
    } catch (e) {
      throw kafkaError(`table '${this.ctx.tableName}': closing the Kafka consumer failed`, e);
    }
  }
}

/** The UTF-8 text of a message's header (the first with that name), or undefined when it has none. */
export function headerText(m: RdMessage, name: string): string | undefined {
  const hs = m.headers;
  if (hs === undefined) return undefined;
  for (const h of hs) {
    const v = h[name];
    if (v !== undefined) return typeof v === 'string' ? v : v.toString('utf8');
  }
  return undefined;
}

/** Returned by discriminatorOf for a message that is not a JSON object. */
export const NOT_JSON: unique symbol = Symbol('not json');

/**
 * The text of the value at `path` in a JSON object message; undefined when the field is absent or null; NOT_JSON
 * when the message is not a JSON object.
 */
export function discriminatorOf(text: string, path: readonly string[]): string | undefined | typeof NOT_JSON {
  let v: unknown;
  try { v = JSON.parse(text); } catch { return NOT_JSON; }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return NOT_JSON;
  for (const seg of path) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[seg];
  }
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}
