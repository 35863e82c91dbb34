/**
 * A Kafka producer for one topic, shared by the kafka/upsert-kafka sinks (kafka-sink.ts) and the changed-keys
 * announcements of the online stores (stores/changed-keys.ts): connect, produce with backpressure when the client's
 * local queue is full, wait for acknowledgements, and optionally one transaction at a time.
 *
 * Transactions (when a transactional id is given): open() runs initTransactions, which aborts whatever a previous
 * producer with the same id (a crashed run, a zombie) left open and fences it; the first produce after open() or
 * after a commit begins a transaction (beginIfNeeded); commit() waits for every acknowledgement and commits;
 * close() aborts an open transaction, so rows written after the last commit never become visible to
 * read_committed readers.
 *
 * Delivery reports record, per partition, the offset after the last acknowledged message (`nextOffsets`), so a
 * caller can remember where its committed output ends.
 */
import { FreshetError, diag } from '../../common/diagnostics.js';
import { call, kafkaError, loadKafkaClient, type RdError, type RdMetadata, type RdProducer } from './kafka-client.js';
import { KafkaErrors } from './kafka-errors.js';

export const PRODUCER_TIMEOUT_MS = 30_000;
/** librdkafka's RD_KAFKA_RESP_ERR__QUEUE_FULL: the local queue is full, wait for deliveries and retry. */
const QUEUE_FULL = -184;

/** Message headers as the client takes them: one object per header. */
export type MessageHeaders = { [name: string]: string }[];

/** produce() with the headers parameter, which the restated client type in kafka-client.ts leaves out. */
type ProduceWithHeaders = (topic: string, partition: number | null, value: Buffer | null, key: Buffer | null,
  timestamp: number | null, opaque: unknown, headers: MessageHeaders) => void;

export interface TopicProducerOptions {
  /** Context of every error message, e.g. "table 'clicks'". */
  what: string;
  topic: string;
  /** librdkafka configuration (must hold bootstrap.servers); applied over Freshet's defaults. */
  client: Record<string, string>;
  clientId: string;
  transactionalId?: string;
  /** The option that sets the transactional id prefix, named in the hint of transaction errors. */
  transactionalIdOption?: string;
}

export class TopicProducer {
  private producer: RdProducer | undefined;
  private deliveryError: RdError | undefined;
  private txOpen = false;
  readonly transactional: boolean;
  /** Per partition, the offset after the last acknowledged message of this producer. */
  readonly nextOffsets = new Map<number, number>();

  constructor(private readonly opts: TopicProducerOptions) {
    this.transactional = opts.transactionalId !== undefined;
  }

  get topic(): string { return this.opts.topic; }
  get bootstrapServers(): string { return this.opts.client['bootstrap.servers'] ?? ''; }

  /** Connects (and initializes transactions); on failure the client is closed again. */
  async open(): Promise<void> {
    try {
      await this.connect();
    } catch (e) {
      await this.close().catch(() => undefined); // a connected client would keep the process alive
      throw e;
    }
  }

  private async connect(): Promise<void> {
    const kafka = await loadKafkaClient();
    const conf: Record<string, unknown> = {
      'client.id': this.opts.clientId,
      'linger.ms': 5,
      ...this.opts.client,
      dr_cb: true,
    };
    if (this.opts.transactionalId !== undefined) conf['transactional.id'] = this.opts.transactionalId;
    // Same key -> partition mapping as the Java client's default partitioner (murmur2), so keyed topics written by
    // Freshet and by Flink or other Java clients agree. `partitioner` is a topic property: in the global config it
    // would be overridden by the (default) topic config passed here.
    const producer = new kafka.Producer(conf, { partitioner: 'murmur2_random' });
    producer.on('delivery-report', ((err: RdError | null, report?: { partition: number; offset: number }) => {
      if (err) { this.deliveryError ??= err; return; }
      if (report && typeof report.offset === 'number' && report.offset >= 0) {
        const next = report.offset + 1;
        if (next > (this.nextOffsets.get(report.partition) ?? 0)) this.nextOffsets.set(report.partition, next);
      }
    }) as never);
    producer.on('event.error', (() => undefined) as never);
    this.producer = producer;
    await call(`${this.opts.what}: cannot connect to Kafka at '${this.bootstrapServers}'`, (cb) => producer.connect({ timeout: PRODUCER_TIMEOUT_MS }, cb));
    producer.setPollInterval(50);
    if (this.transactional) {
      await call(`${this.opts.what}: initializing Kafka transactions (id '${this.opts.transactionalId}') failed`,
        (cb) => producer.initTransactions(PRODUCER_TIMEOUT_MS, cb)).catch((e: unknown) => { throw txError(e, this.opts.transactionalIdOption); });
    }
  }

  /** The topic's partition ids. */
  async partitions(): Promise<number[]> {
    const producer = this.producer!;
    const meta = await call<RdMetadata>(`${this.opts.what}: cannot read the metadata of topic '${this.opts.topic}'`,
      (cb) => producer.getMetadata({ topic: this.opts.topic, timeout: PRODUCER_TIMEOUT_MS }, cb));
    return (meta.topics.find((t) => t.name === this.opts.topic)?.partitions ?? []).map((p) => p.id);
  }

  /** Transactional producers: begins a transaction unless one is open. Call before producing. */
  async beginIfNeeded(): Promise<void> {
    if (!this.transactional || this.txOpen) return;
    const producer = this.producer!;
    await call(`${this.opts.what}: beginning a Kafka transaction failed`, (cb) => producer.beginTransaction(cb))
      .catch((e: unknown) => { throw txError(e, this.opts.transactionalIdOption); });
    this.txOpen = true;
  }

  /** Queues one message; false when the client's local queue is full (nothing was queued). Synchronous. */
  tryProduce(partition: number | null, value: Buffer | null, key: Buffer | null, headers?: MessageHeaders): boolean {
    const producer = this.producer!;
    try {
      if (headers) (producer.produce as unknown as ProduceWithHeaders).call(producer, this.opts.topic, partition, value, key, null, null, headers);
      else producer.produce(this.opts.topic, partition, value, key, null);
      return true;
    } catch (e) {
      if ((e as { code?: number }).code === QUEUE_FULL) return false;
      throw kafkaError(`${this.opts.what}: producing to topic '${this.opts.topic}' failed`, e, KafkaErrors.Delivery);
    }
  }

  /** Queues one message, waiting for deliveries to drain while the local queue is full. */
  async produce(partition: number | null, value: Buffer | null, key: Buffer | null, headers?: MessageHeaders): Promise<void> {
    if (this.tryProduce(partition, value, key, headers)) return;
    const producer = this.producer!;
    do {
      await call('flush', (cb) => producer.flush(100, cb)).catch(() => undefined);
    } while (!this.tryProduce(partition, value, key, headers));
  }

  /**
   * Waits until the broker acknowledged every queued message (failing on any delivery error), then commits the
   * open transaction, if any. A failed commit aborts the transaction and throws.
   */
  async commit(): Promise<void> {
    const producer = this.producer;
    if (!producer) return;
    await call(`${this.opts.what}: waiting for Kafka to acknowledge messages failed`, (cb) => producer.flush(PRODUCER_TIMEOUT_MS, cb));
    if (this.deliveryError) {
      const e = this.deliveryError;
      this.deliveryError = undefined;
      throw kafkaError(`${this.opts.what}: a message could not be delivered to topic '${this.opts.topic}'`, e, KafkaErrors.Delivery);
    }
    if (this.transactional && this.txOpen) {
      try {
        await call(`${this.opts.what}: committing the Kafka transaction failed`, (cb) => producer.commitTransaction(PRODUCER_TIMEOUT_MS, cb));
      } catch (e) {
        this.txOpen = false;
        await call('abort', (cb) => producer.abortTransaction(PRODUCER_TIMEOUT_MS, cb)).catch(() => undefined);
        throw txError(e, this.opts.transactionalIdOption);
      }
      this.txOpen = false;
    }
  }

  /** Aborts an open transaction (or, without transactions, waits for acknowledgements) and disconnects. */
  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    if (!producer) return;
    if (this.txOpen) {
      // Stopped between commits: what was produced since the last one must not become visible.
      this.txOpen = false;
      await call('abort', (cb) => producer.abortTransaction(PRODUCER_TIMEOUT_MS, cb)).catch(() => undefined);
    } else if (!this.transactional) {
      await call('flush', (cb) => producer.flush(PRODUCER_TIMEOUT_MS, cb)).catch(() => undefined);
    }
    await call('disconnect', (cb) => producer.disconnect(cb)).catch(() => undefined);
  }
}

export function txError(e: unknown, prefixOption = 'transactional-id-prefix'): FreshetError {
  const inner = e instanceof FreshetError ? e.diagnostics[0]!.message : String((e as { message?: string })?.message ?? e);
  return new FreshetError(diag(KafkaErrors.Transaction, inner, undefined,
    `another producer with the same transactional id may be running (use a unique ${prefixOption} per job), or the transaction timed out`), 'external');
}
