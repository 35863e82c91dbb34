/**
 * Loads the Kafka client (`@confluentinc/kafka-javascript`, librdkafka bindings) lazily and wraps the few calls the
 * kafka connectors use in promises. The client is an optional dependency with a native build: Freshet must install,
 * type-check and run without it, so nothing here imports it statically and its types are restated below (only the
 * members used). When it is missing or not built, the connectors fail with KAFKA_ERRORS.ClientMissing at open().
 */
import { FreshetError, diag } from '../../common/diagnostics.js';
import { KafkaErrors } from './kafka-errors.js';

export interface RdError { message: string; code: number; isFatal?: boolean; isRetriable?: boolean; isTxnRequiresAbort?: boolean }
export interface RdMessage {
  value: Buffer | null; key?: Buffer | string | null; topic: string; partition: number; offset: number; timestamp?: number; size: number;
  /** One object per header, in message order (the client's shape); absent when the message has none. */
  headers?: Record<string, Buffer | string>[];
}
export interface RdTopicPartitionOffset { topic: string; partition: number; offset: number; error?: RdError }
export interface RdMetadata { topics: { name: string; partitions: { id: number }[] }[] }
export interface RdEof { topic: string; partition: number; offset: number }

type Cb<T = void> = (err: RdError | null | undefined, v: T) => void;

export interface RdClient {
  connect(opts: { timeout?: number }, cb: Cb<unknown>): void;
  disconnect(cb: Cb<unknown>): void;
  on(event: string, listener: (...args: never[]) => void): void;
  getMetadata(opts: { topic?: string; timeout?: number }, cb: Cb<RdMetadata>): void;
  queryWatermarkOffsets(topic: string, partition: number, timeout: number, cb: Cb<{ lowOffset: number; highOffset: number }>): void;
}

export interface RdConsumer extends RdClient {
  assign(a: { topic: string; partition: number; offset?: number }[]): void;
  unassign(): void;
  consume(n: number, cb: Cb<RdMessage[]>): void;
  setDefaultConsumeTimeout(ms: number): void;
  setDefaultIsTimeoutOnlyForFirstMessage?(v: boolean): void;
  committed(toppars: { topic: string; partition: number }[], timeout: number, cb: Cb<RdTopicPartitionOffset[]>): void;
  commitSync(tpo: RdTopicPartitionOffset[]): void;
  commit(tpo: RdTopicPartitionOffset[]): void;
  offsetsForTimes(tpo: RdTopicPartitionOffset[], timeout: number, cb: Cb<RdTopicPartitionOffset[]>): void;
  position(toppars?: { topic: string; partition: number }[]): RdTopicPartitionOffset[];
}

export interface RdProducer extends RdClient {
  produce(topic: string, partition: number | null, value: Buffer | null, key?: Buffer | null, timestamp?: number | null): void;
  flush(timeout: number, cb: Cb<unknown>): void;
  poll(): void;
  setPollInterval(ms: number): void;
  initTransactions(timeout: number, cb: Cb<unknown>): void;
  beginTransaction(cb: Cb<unknown>): void;
  commitTransaction(timeout: number, cb: Cb<unknown>): void;
  abortTransaction(timeout: number, cb: Cb<unknown>): void;
}

export interface RdAdmin {
  createTopic(t: { topic: string; num_partitions: number; replication_factor: number; config?: Record<string, string> }, timeout: number, cb: (err: RdError | null | undefined) => void): void;
  deleteTopic(topic: string, timeout: number, cb: (err: RdError | null | undefined) => void): void;
  disconnect(): void;
}

export interface KafkaModule {
  KafkaConsumer: new (conf: Record<string, unknown>, topicConf?: Record<string, unknown>) => RdConsumer;
  Producer: new (conf: Record<string, unknown>, topicConf?: Record<string, unknown>) => RdProducer;
  AdminClient: { create(conf: Record<string, unknown>): RdAdmin };
  librdkafkaVersion: string;
}

/** The package name, held in a variable so the TypeScript compiler does not try to resolve the optional module. */
const CLIENT_PACKAGE = '@confluentinc/kafka-javascript';
const NEEDS = '(builds librdkafka: needs g++, make, python3 and the OpenSSL/zlib development packages)';
/** When the package is in node_modules but its native part was not built (e.g. after `npm ci --ignore-scripts`). */
export const CLIENT_REBUILD_HINT = `run \`CKJS_LINKING=dynamic npm rebuild @confluentinc/kafka-javascript\` ${NEEDS}`;
/** When npm dropped the optional package because its default install step (a binary download) failed. */
export const CLIENT_INSTALL_HINT = `run \`CKJS_LINKING=dynamic npm install\` ${NEEDS}`;

let loaded: Promise<KafkaModule> | undefined;

/** The client module; rejects with a FreshetError (ClientMissing) when it is not installed or its native part is not built. */
export function loadKafkaClient(): Promise<KafkaModule> {
  loaded ??= (async () => {
    try {
      const m = (await import(CLIENT_PACKAGE)) as { default?: KafkaModule } & Partial<KafkaModule>;
      const mod = (m.default ?? m) as KafkaModule;
      if (typeof mod.KafkaConsumer !== 'function') throw new Error('the module has no KafkaConsumer export');
      return mod;
    } catch (e) {
      loaded = undefined; // a later rebuild in the same process may succeed
      const why = e instanceof Error ? e.message.split('\n')[0]! : String(e);
      const absent = (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || why.includes('Cannot find package');
      throw new FreshetError(diag(KafkaErrors.ClientMissing, `Kafka client not installed: ${why}`, undefined,
        absent ? CLIENT_INSTALL_HINT : CLIENT_REBUILD_HINT), 'external');
    }
  })();
  return loaded;
}

/** True when the client loads (tests and benchmarks use it to skip with a reason). */
export async function kafkaClientAvailable(): Promise<boolean> {
  try { await loadKafkaClient(); return true; } catch { return false; }
}

/** Calls a callback-style method and resolves with its value; an error becomes a FreshetError with `what` as context. */
export function call<T>(what: string, f: (cb: Cb<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    f((err, v) => (err ? reject(kafkaError(what, err)) : resolve(v)));
  });
}

/** A client error as a diagnostic (origin external: the broker or the network, not the user's SQL). */
export function kafkaError(what: string, err: unknown, code: string = KafkaErrors.Broker): FreshetError {
  if (err instanceof FreshetError) return err;
  const e = err as Partial<RdError> | undefined;
  const msg = e?.message ?? String(err);
  return new FreshetError(diag(code, `${what}: ${msg}${e?.code !== undefined ? ` (code ${e.code})` : ''}`), 'external');
}
