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
 * The producer itself (connect, backpressure, transactions) is producer.ts, shared with the stores' changed-keys topic.
 */
import type { Batch, Row } from '../../common/row.js';
import { createEncoder, type RowEncoder } from '../../formats/index.js';
import type { SinkContext, SinkWriter } from '../connector.js';
import type { KafkaTableConfig } from './kafka-options.js';
import { TopicProducer } from './producer.js';

export interface KafkaSinkState { transactionalId?: string }

export class KafkaSink implements SinkWriter {
  private readonly producer: TopicProducer;
  private readonly valueEncoder: RowEncoder;
  private readonly keyEncoder: RowEncoder | undefined;
  private readonly valueRow: Row;
  private readonly keyRow: Row;
  private readonly transactionalId: string | undefined;
  private partitionCount = 1;
  private rr = 0;
  private readonly partitioner: string;

  constructor(ctx: SinkContext, private readonly cfg: KafkaTableConfig, private readonly upsert: boolean) {
    const fields = ctx.physicalFields;
    this.valueEncoder = createEncoder(cfg.valueFormat, cfg.valueFields.map((i) => fields[i]!), cfg.valueOptions);
    this.keyEncoder = cfg.keyFormat && cfg.keyFields.length > 0 ? createEncoder(cfg.keyFormat, cfg.keyFormatFields, cfg.keyOptions) : undefined;
    // Projection buffers reused for every row (encoders do not keep the row).
    this.valueRow = new Array(cfg.valueFields.length).fill(null);
    this.keyRow = new Array(cfg.keyFields.length).fill(null);
    this.transactionalId = cfg.delivery === 'exactly-once' ? `${cfg.transactionalIdPrefix}-0` : undefined;
    this.partitioner = ctx.options['sink.partitioner'] ?? 'default';
    this.producer = new TopicProducer({
      what: `table '${ctx.tableName}'`, topic: cfg.topic, client: cfg.client, clientId: `freshet-${ctx.tableName}`,
      ...(this.transactionalId ? { transactionalId: this.transactionalId, transactionalIdOption: 'sink.transactional-id-prefix' } : {}),
    });
  }

  async restore(_state: unknown): Promise<void> {
    // Nothing to undo here: open() runs initTransactions under the same transactional id, which aborts whatever
    // the previous run left open after its last committed checkpoint.
  }

  async open(): Promise<void> {
    await this.producer.open();
    if (this.partitioner === 'round-robin') {
      try {
        this.partitionCount = Math.max(1, (await this.producer.partitions()).length);
      } catch (e) {
        await this.close().catch(() => undefined);
        throw e;
      }
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
    const producer = this.producer;
    await producer.beginIfNeeded();
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
      if (!producer.tryProduce(partition, value, key)) await producer.produce(partition, value, key);
    }
  }

  async flush(): Promise<void> {
    try {
      await this.producer.commit();
    } catch (e) {
      await this.close().catch(() => undefined);
      throw e;
    }
  }

  snapshot(): KafkaSinkState {
    return this.transactionalId ? { transactionalId: this.transactionalId } : {};
  }

  async close(): Promise<void> {
    await this.producer.close();
  }
}
