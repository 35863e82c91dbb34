/**
 * The changed-keys topic of an online store sink: after the sink's writes reach the store, the key (and optionally
 * the row) of every change the store now holds is announced on a Kafka topic, so caches and downstream services
 * learn which entities changed without scanning the store.
 *
 * Options (on the `redis`, `embedded-kv` and `aerospike` connectors; parsed and validated here):
 *   'changed-keys.topic', 'changed-keys.bootstrap-servers', 'changed-keys.properties.*' (librdkafka settings),
 *   'changed-keys.values' = 'true' (include the row), 'changed-keys.delivery-guarantee' = 'at-least-once' |
 *   'exactly-once', 'changed-keys.transactional-id-prefix' (required by exactly-once).
 *
 * Message: key = the entity key (so all changes of a key go to one partition, in order); header `freshet-dedup-id`
 * = `<key>@<version>`; value = JSON `{"key":..,"version":n,"op":"upsert"|"delete","row":{..}?,"table":..}` (row
 * as the store holds it, only with changed-keys.values).
 *
 * Which changes: a write is announced when the store holds its version afterwards — applied now, or applied by an
 * earlier run that crashed before announcing it. A write the store rejected because it holds a newer version from
 * elsewhere is not announced.
 *
 * at-least-once: produced right after each store write; commit() (the sink's flush, at checkpoints and the end)
 * waits for the acknowledgements. A replay after a crash announces its changes again with the same dedup id.
 * exactly-once: produced into one Kafka transaction per checkpoint interval, committed in commit() after the store
 * writes of the interval are durable. The snapshot keeps, per partition, the offset after this run's last committed
 * message. On restore, open() first aborts the crashed run's open transaction (initTransactions), then reads the
 * topic from those offsets to its end with read_committed: whatever is there was committed after the checkpoint
 * (the crash fell between a commit and the checkpoint file). Replayed changes whose version is not above the highest
 * such version of their key are not announced again, so every key/version is announced once, versions rising per key.
 * A checkpoint taken before the replay has passed all of them (its offsets lie after that tail, so a later restore
 * would not read it back) carries the versions still to skip (`skip`); a key leaves that set once the replay reaches
 * its version.
 */
import type { Diagnostic } from '../../common/diagnostics.js';
import type { VersionedWrite } from '../../engine/kv-store-api.js';
import type { TableContext } from '../connector.js';
import { ConnectorErrors } from '../connector-error-codes.js';
import { call, loadKafkaClient, type RdConsumer, type RdMessage } from '../kafka/kafka-client.js';
import { PRODUCER_TIMEOUT_MS, TopicProducer } from '../kafka/producer.js';
import { optionDiag } from '../option-validation.js';

export type ChangedKeysDelivery = 'at-least-once' | 'exactly-once';

export interface ChangedKeysConfig {
  topic: string;
  /** librdkafka configuration: bootstrap.servers and the changed-keys.properties.* settings. */
  client: Record<string, string>;
  values: boolean;
  delivery: ChangedKeysDelivery;
  transactionalIdPrefix?: string;
}

/**
 * Checkpointed state: per partition, the offset after the last committed announcement; exactly-once after a restore,
 * also the changes committed by a crashed run that the replay has not reached yet (key → highest such version).
 */
export interface ChangedKeysState { offsets: [number, number][]; skip?: [string, number][] }

export const CHANGED_KEYS_PROPERTIES = 'changed-keys.properties.';

export const CHANGED_KEYS_OPTIONS: Record<string, { description: string; default?: string }> = {
  'changed-keys.topic': { description: 'Kafka topic on which the key of every inserted, updated or deleted row is announced (off when unset).' },
  'changed-keys.bootstrap-servers': { description: 'Kafka brokers of the changed-keys topic, host:port,...' },
  'changed-keys.values': { default: 'false', description: "'true' includes the row in each announcement." },
  'changed-keys.delivery-guarantee': { default: 'at-least-once', description: "'at-least-once' (announced after each store write, with a key@version dedup id) or 'exactly-once' (one Kafka transaction per checkpoint)." },
  'changed-keys.transactional-id-prefix': { description: 'Transactional id prefix of the exactly-once announcements; unique per output table (two writers with one id fence each other).' },
};

const DEDUP_HEADER = 'freshet-dedup-id';

/** Validates the changed-keys options into `out`; the config when the topic is set and the options are valid. */
export function parseChangedKeysOptions(ctx: TableContext, out: Diagnostic[]): ChangedKeysConfig | undefined {
  const o = ctx.options;
  const errorsBefore = out.length;
  const topic = o['changed-keys.topic'];
  const others = Object.keys(o).filter((k) => k.startsWith('changed-keys.') && k !== 'changed-keys.topic');
  if (topic === undefined) {
    if (others.length > 0) {
      out.push(optionDiag(ctx, ConnectorErrors.MissingOption, others[0]!, `option '${others[0]}' needs 'changed-keys.topic'`,
        "add 'changed-keys.topic' = '<topic>' or remove the changed-keys options"));
    }
    return undefined;
  }
  const t = topic.trim();
  if (t === '' || /[\s,;]/.test(t)) {
    out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'changed-keys.topic', t === '' ? "option 'changed-keys.topic' must not be empty"
      : `option 'changed-keys.topic' must name one topic, got '${topic}'`));
  }
  const client: Record<string, string> = {};
  for (const [k, v] of Object.entries(o)) if (k.startsWith(CHANGED_KEYS_PROPERTIES)) client[k.slice(CHANGED_KEYS_PROPERTIES.length)] = v;
  const servers = o['changed-keys.bootstrap-servers'];
  if (servers !== undefined && servers.trim() !== '') client['bootstrap.servers'] = servers.trim();
  else if (servers !== undefined) out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'changed-keys.bootstrap-servers', "option 'changed-keys.bootstrap-servers' must not be empty"));
  else if (client['bootstrap.servers'] === undefined) {
    out.push(optionDiag(ctx, ConnectorErrors.MissingOption, 'changed-keys.topic', "'changed-keys.topic' needs 'changed-keys.bootstrap-servers'",
      "add 'changed-keys.bootstrap-servers' = 'host:9092'"));
  }
  let values = false;
  const v = o['changed-keys.values'];
  if (v !== undefined) {
    const l = v.trim().toLowerCase();
    if (l === 'true' || l === 'false') values = l === 'true';
    else out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'changed-keys.values', `option 'changed-keys.values' must be 'true' or 'false', got '${v}'`));
  }
  let delivery: ChangedKeysDelivery = 'at-least-once';
  const d = o['changed-keys.delivery-guarantee'];
  if (d !== undefined) {
    const l = d.trim().toLowerCase();
    if (l === 'at-least-once' || l === 'exactly-once') delivery = l;
    else {
      out.push(optionDiag(ctx, ConnectorErrors.BadOptionValue, 'changed-keys.delivery-guarantee', `unsupported value '${d}' for option 'changed-keys.delivery-guarantee'`,
        "supported values are 'at-least-once', 'exactly-once'"));
    }
  }
  const prefix = o['changed-keys.transactional-id-prefix']?.trim();
  if (delivery === 'exactly-once' && (prefix === undefined || prefix === '')) {
    out.push(optionDiag(ctx, ConnectorErrors.MissingOption, 'changed-keys.delivery-guarantee',
      "'changed-keys.delivery-guarantee' = 'exactly-once' requires 'changed-keys.transactional-id-prefix'", 'choose a prefix unique to this job, e.g. the job name'));
  }
  if (out.slice(errorsBefore).some((x) => x.severity === 'error')) return undefined;
  return { topic: t, client, values, delivery, ...(delivery === 'exactly-once' ? { transactionalIdPrefix: prefix! } : {}) };
}

/** Announces a store sink's changes on the changed-keys topic (see the file comment). */
export class ChangedKeysPublisher {
  private readonly producer: TopicProducer;
  private readonly exactlyOnce: boolean;
  /** The end of every message value: `,"table":"<table>"}`. */
  private readonly tail: string;
  /** Offsets where this run's announcements start, per partition (the restored ones, or the topic's end at open). */
  private readonly startOffsets = new Map<number, number>();
  private restoredOffsets: Map<number, number> | undefined;
  /**
   * Exactly-once after a restore: per key, the highest version already committed after the checkpoint (read back, or
   * carried by the checkpoint) that the replay has not reached yet.
   */
  private announced = new Map<string, number>();
  /** Messages announced / replayed changes not announced again (committed after the checkpoint already). */
  produced = 0;
  skipped = 0;

  constructor(private readonly cfg: ChangedKeysConfig, private readonly what: string, private readonly table: string) {
    this.exactlyOnce = cfg.delivery === 'exactly-once';
    this.tail = `,"table":${JSON.stringify(table)}}`;
    this.producer = new TopicProducer({
      what: `${what}, changed-keys topic '${cfg.topic}'`, topic: cfg.topic, client: cfg.client,
      clientId: `freshet-changed-keys-${table}`,
      ...(this.exactlyOnce ? { transactionalId: `${cfg.transactionalIdPrefix}-0`, transactionalIdOption: 'changed-keys.transactional-id-prefix' } : {}),
    });
  }

  restore(state: ChangedKeysState | undefined): void {
    if (!state) return;
    this.restoredOffsets = new Map(state.offsets);
    this.announced = new Map(state.skip ?? []);
  }

  async open(): Promise<void> {
    await this.producer.open(); // exactly-once: aborts the transaction a crashed run left open
    try {
      const partitions = await this.producer.partitions();
      if (partitions.length === 0) throw new Error(`topic '${this.cfg.topic}' does not exist`);
      if (this.exactlyOnce && this.restoredOffsets) await this.readCommittedTail(partitions, this.restoredOffsets);
      else await this.readEnds(partitions);
    } catch (e) {
      await this.producer.close().catch(() => undefined);
      throw e;
    }
  }

  /** Fresh start: this run's announcements begin at the topic's current end. */
  private async readEnds(partitions: number[]): Promise<void> {
    await this.withConsumer(async (c) => {
      for (const p of partitions) {
        const w = await call<{ highOffset: number }>(`${this.what}: reading the end of topic '${this.cfg.topic}'`,
          (cb) => c.queryWatermarkOffsets(this.cfg.topic, p, PRODUCER_TIMEOUT_MS, cb));
        this.startOffsets.set(p, w.highOffset);
      }
    });
  }

  /** Restore: reads what was committed after the checkpoint (announcements not to repeat). */
  private async readCommittedTail(partitions: number[], from: Map<number, number>): Promise<void> {
    await this.withConsumer(async (c) => {
      const eof = new Map<number, number>();
      c.on('partition.eof', ((e: { partition: number; offset: number }) => { eof.set(e.partition, e.offset); }) as never);
      c.assign(partitions.map((p) => ({ topic: this.cfg.topic, partition: p, offset: from.get(p) ?? 0 })));
      c.setDefaultConsumeTimeout(200);
      const deadline = Date.now() + PRODUCER_TIMEOUT_MS;
      while (eof.size < partitions.length) {
        if (Date.now() > deadline) throw new Error(`${this.what}: timed out reading back topic '${this.cfg.topic}'`);
        const msgs = await call<RdMessage[]>(`${this.what}: reading back topic '${this.cfg.topic}'`, (cb) => c.consume(1000, cb));
        for (const m of msgs) {
          if (m.value === null) continue;
          let a: { key?: unknown; version?: unknown; table?: unknown };
          try { a = JSON.parse(m.value.toString('utf8')) as typeof a; } catch { continue; }
          if (a.table !== this.table || typeof a.key !== 'string' || typeof a.version !== 'number') continue;
          if (a.version > (this.announced.get(a.key) ?? -1)) this.announced.set(a.key, a.version);
        }
      }
      for (const p of partitions) this.startOffsets.set(p, Math.max(eof.get(p) ?? 0, from.get(p) ?? 0));
    });
  }

  private async withConsumer(f: (c: RdConsumer) => Promise<void>): Promise<void> {
    const kafka = await loadKafkaClient();
    const c = new kafka.KafkaConsumer({
      ...this.cfg.client, 'group.id': `freshet-changed-keys-${this.table}`, 'enable.auto.commit': false,
      'enable.partition.eof': true, 'isolation.level': 'read_committed',
    }, {});
    c.on('event.error', (() => undefined) as never);
    await call(`${this.what}: cannot connect to Kafka at '${this.producer.bootstrapServers}'`, (cb) => c.connect({ timeout: PRODUCER_TIMEOUT_MS }, cb));
    try {
      await f(c);
    } finally {
      await call('disconnect', (cb) => c.disconnect(cb)).catch(() => undefined);
    }
  }

  /** Announces the writes the store holds (`held[i]` false: the store kept a newer version from elsewhere). */
  async announce(writes: readonly VersionedWrite[], held: readonly boolean[] | undefined): Promise<void> {
    const producer = this.producer;
    let begun = false;
    for (let i = 0; i < writes.length; i++) {
      if (held !== undefined && !held[i]) continue;
      const w = writes[i]!;
      if (this.exactlyOnce && this.announced.size > 0) {
        const last = this.announced.get(w.key);
        if (last !== undefined) {
          // Versions of a key only rise: from here on the replay is past what the crashed run committed for it.
          if (w.version >= last) this.announced.delete(w.key);
          if (w.version <= last) { this.skipped++; continue; }
        }
      }
      if (!begun) { await producer.beginIfNeeded(); begun = true; }
      const k = JSON.stringify(w.key);
      const text = w.value === null ? `{"key":${k},"version":${w.version},"op":"delete"${this.tail}`
        : this.cfg.values ? `{"key":${k},"version":${w.version},"op":"upsert","row":${w.value}${this.tail}`
          : `{"key":${k},"version":${w.version},"op":"upsert"${this.tail}`;
      const value = Buffer.from(text, 'utf8'), key = Buffer.from(w.key, 'utf8');
      const headers = [{ [DEDUP_HEADER]: `${w.key}@${w.version}` }];
      if (!producer.tryProduce(null, value, key, headers)) await producer.produce(null, value, key, headers);
      this.produced++;
    }
  }

  /** Waits for the acknowledgements and (exactly-once) commits the interval's transaction. */
  async commit(): Promise<void> {
    await this.producer.commit();
  }

  snapshot(): ChangedKeysState {
    const offsets = new Map(this.startOffsets);
    for (const [p, o] of this.producer.nextOffsets) if (o > (offsets.get(p) ?? 0)) offsets.set(p, o);
    return { offsets: [...offsets], ...(this.announced.size > 0 ? { skip: [...this.announced] } : {}) };
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
