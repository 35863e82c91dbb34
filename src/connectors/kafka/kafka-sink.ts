/**
 * Sink of the `kafka` (append) and `upsert-kafka` connectors: encodes each row's value (and key) with the table's
 * formats and produces it to one topic.
 *
 * kafka: append-only (validation rejects updating queries); every row is a message.
 * upsert-kafka: the key is the PRIMARY KEY columns in the key format; +I and +U produce the row as value, -D
 * produces a tombstone (null value) for its key, -U is skipped (the +U that follows replaces it), as Flink does.
 *
 * Delivery (`sink.delivery-guarantee`):
 *   at-least-once (default) / none: messages are sent as rows arrive; flush() (each checkpoint and the end) waits
 *     until the broker acknowledged all of them and fails the job on any delivery error.
 *   exactly-once: one Kafka transaction per checkpoint interval with the transactional id
 *     `<sink.transactional-id-prefix>-0`. open() calls initTransactions, which aborts any transaction a previous
 *     run (a crashed or halted job, a zombie) left open under that id and fences that producer; flush() commits the
 *     transaction and the next write begins a new one; close() without a final flush aborts it. Readers with
 *     isolation.level=read_committed see each checkpoint's rows once.
 *     Known gap: the commit happens in flush(), before the engine has written its checkpoint; a crash between the
 *     two would replay that interval on restore (Flink commits after the checkpoint completes; that needs a
 *     checkpoint-complete hook on SinkWriter).
 */
import { FreshetError, diag } from '../../common/diagnostics.js';
import type { Batch, Row } from '../../common/row.js';
import { createEncoder, type RowEncoder } from '../../formats/index.js';
import type { SinkContext, SinkWriter } from '../connector.js';
import { call, kafkaError, loadKafkaClient, type RdError, type RdMetadata, type RdProducer } from './kafka-client.js';
import { KafkaErrors } from './kafka-errors.js';
import type { KafkaTableConfig } from './kafka-options.js';

const TIMEOUT_MS = 30_000;
/** librdkafka's RD_KAFKA_RESP_ERR__QUEUE_FULL: the local queue is full, wait for deliveries and retry. */
const QUEUE_FULL = -184;

export interface KafkaSinkState { transactionalId?: string }

export class KafkaSink implements SinkWriter {
  private producer: RdProducer | undefined;
  private readonly valueEncoder: RowEncoder;
  private readonly keyEncoder: RowEncoder | undefined;
  private readonly valueRow: Row;
  private readonly keyRow: Row;
  private readonly transactional: boolean;
  private readonly transactionalId: string | undefined;
  private txOpen = false;
  private deliveryError: RdError | undefined;
  private partitionCount = 1;
  private rr = 0;
  private readonly partitioner: string;

  constructor(private readonly ctx: SinkContext, private readonly cfg: KafkaTableConfig, private readonly upsert: boolean) {
    const fields = ctx.physicalFields;
    this.valueEncoder = createEncoder(cfg.valueFormat, cfg.valueFields.map((i) => fields[i]!), cfg.valueOptions);
    this.keyEncoder = cfg.keyFormat && cfg.keyFields.length > 0 ? createEncoder(cfg.keyFormat, cfg.keyFormatFields, cfg.keyOptions) : undefined;
    // Projection buffers reused for every row (encoders do not keep the row).
    this.valueRow = new Array(cfg.valueFields.length).fill(null);
    this.keyRow = new Array(cfg.keyFields.length).fill(null);
    this.transactional = cfg.delivery === 'exactly-once';
    this.transactionalId = this.transactional ? `${cfg.transactionalIdPrefix}-0` : undefined;
    this.partitioner = ctx.options['sink.partitioner'] ?? 'default';
  }

  async restore(_state: unknown): Promise<void> {
    // Nothing to undo here: open() runs initTransactions under the same transactional id, which aborts whatever
    // the previous run left open after its last committed checkpoint.
  }

  async open(): Promise<void> {
    try {
      await this.openProducer();
    } catch (e) {
      await this.close().catch(() => undefined); // a connected client would keep the process alive
      throw e;
    }
  }

  private async openProducer(): Promise<void> {
    const kafka = await loadKafkaClient();
    const conf: Record<string, unknown> = {
      'client.id': `freshet-${this.ctx.tableName}`,
      // Same key -> partition mapping as the Java client's default partitioner (murmur2), so keyed topics written
      // by Freshet and by Flink agree.
      partitioner: 'murmur2_random',
      'linger.ms': 5,
      ...this.cfg.client,
      dr_cb: true,
    };
    if (this.transactionalId) conf['transactional.id'] = this.transactionalId;
    const producer = new kafka.Producer(conf, {});
    producer.on('delivery-report', ((err: RdError | null) => { if (err && !this.deliveryError) this.deliveryError = err; }) as never);
    producer.on('event.error', (() => undefined) as never);
    this.producer = producer;
    const where = `table '${this.ctx.tableName}': cannot connect to Kafka at '${this.cfg.client['bootstrap.servers']}'`;
    await call(where, (cb) => producer.connect({ timeout: TIMEOUT_MS }, cb));
    producer.setPollInterval(50);
    if (this.partitioner === 'round-robin') {
      const meta = await call<RdMetadata>(`table '${this.ctx.tableName}': cannot read the metadata of topic '${this.cfg.topic}'`,
        (cb) => producer.getMetadata({ topic: this.cfg.topic, timeout: TIMEOUT_MS }, cb));
      this.partitionCount = Math.max(1, meta.topics.find((t) => t.name === this.cfg.topic)?.partitions.length ?? 1);
    }
    if (this.transactional) {
      await call(`table '${this.ctx.tableName}': initializing Kafka transactions (id '${this.transactionalId}') failed`,
        (cb) => producer.initTransactions(TIMEOUT_MS, cb)).catch((e: unknown) => { throw txError(e); });
    }
  }

  async write(batch: Batch): Promise<void> {
    try {
      await this.writeRows(batch);
    } catch (e) {
      await this.close().catch(() => undefined);
      throw e;
    }
  }

  private async writeRows(batch: Batch): Promise<void> {
    const producer = this.producer!;
    if (this.transactional && !this.txOpen) {
      await call(`table '${this.ctx.tableName}': beginning a Kafka transaction failed`, (cb) => producer.beginTransaction(cb))
        .catch((e: unknown) => { throw txError(e); });
      this.txOpen = true;
    }
    const { rows, kinds } = batch;
    const vf = this.cfg.valueFields, kf = this.cfg.keyFields;
    for (let i = 0; i < rows.length; i++) {
      const kind = kinds[i]!;
      if (this.upsert && kind === 1) continue; // -U: the following +U carries the new value
      const row = rows[i]!;
      let key: Buffer | null = null;
      if (this.keyEncoder) {
        for (let j = 0; j < kf.length; j++) this.keyRow[j] = row[kf[j]!]!;
        key = Buffer.from(this.keyEncoder(this.keyRow), 'utf8');
      }
      let value: Buffer | null = null;
      if (!(this.upsert && kind === 3)) {
        for (let j = 0; j < vf.length; j++) this.valueRow[j] = row[vf[j]!]!;
        value = Buffer.from(this.valueEncoder(this.valueRow), 'utf8');
      }
      const partition = this.partitioner === 'fixed' ? 0 : this.partitioner === 'round-robin' ? (this.rr++ % this.partitionCount) : null;
      if (!this.tryProduce(producer, partition, value, key)) await this.produceWhenRoom(producer, partition, value, key);
    }
  }

  /** Produces one message; false when the client's local queue is full (nothing was queued). */
  private tryProduce(producer: RdProducer, partition: number | null, value: Buffer | null, key: Buffer | null): boolean {
    try {
      producer.produce(this.cfg.topic, partition, value, key, null);
      return true;
    } catch (e) {
      if ((e as { code?: number }).code === QUEUE_FULL) return false;
      throw kafkaError(`table '${this.ctx.tableName}': producing to topic '${this.cfg.topic}' failed`, e, KafkaErrors.Delivery);
    }
  }

  /** Lets deliveries drain, then retries the same message until the queue takes it. */
  private async produceWhenRoom(producer: RdProducer, partition: number | null, value: Buffer | null, key: Buffer | null): Promise<void> {
    do {
      await call('flush', (cb) => producer.flush(100, cb)).catch(() => undefined);
    } while (!this.tryProduce(producer, partition, value, key));
  }

  async flush(): Promise<void> {
    try {
      await this.flushProducer();
    } catch (e) {
      await this.close().catch(() => undefined);
      throw e;
    }
  }

  private async flushProducer(): Promise<void> {
    const producer = this.producer;
    if (!producer) return;
    await call(`table '${this.ctx.tableName}': waiting for Kafka to acknowledge messages failed`, (cb) => producer.flush(TIMEOUT_MS, cb));
    if (this.deliveryError) {
      const e = this.deliveryError;
      this.deliveryError = undefined;
      throw kafkaError(`table '${this.ctx.tableName}': a message could not be delivered to topic '${this.cfg.topic}'`, e, KafkaErrors.Delivery);
    }
    if (this.transactional && this.txOpen) {
      try {
        await call(`table '${this.ctx.tableName}': committing the Kafka transaction failed`, (cb) => producer.commitTransaction(TIMEOUT_MS, cb));
      } catch (e) {
        this.txOpen = false;
        await call('abort', (cb) => producer.abortTransaction(TIMEOUT_MS, cb)).catch(() => undefined);
        throw txError(e);
      }
      this.txOpen = false;
    }
  }

  snapshot(): KafkaSinkState {
    return this.transactionalId ? { transactionalId: this.transactionalId } : {};
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (!producer) return;
    if (this.txOpen) {
      // Stopped between checkpoints: what was written since the last one must not become visible.
      this.txOpen = false;
      await call('abort', (cb) => producer.abortTransaction(TIMEOUT_MS, cb)).catch(() => undefined);
    } else if (!this.transactional) {
      await call('flush', (cb) => producer.flush(TIMEOUT_MS, cb)).catch(() => undefined);
    }
    await call('disconnect', (cb) => producer.disconnect(cb)).catch(() => undefined);
  }
}

function txError(e: unknown): FreshetError {
  const inner = e instanceof FreshetError ? e.diagnostics[0]!.message : String((e as { message?: string })?.message ?? e);
  return new FreshetError(diag(KafkaErrors.Transaction, inner, undefined,
    'another producer with the same transactional id may be running (use a unique sink.transactional-id-prefix per job), or the transaction timed out'), 'external');
}
