/**
 * Freshet's embedded durable partitioned log: the zero-setup message source, shaped like a Kafka topic. Topics have
 * a fixed number of partitions; each partition is a sequence of append-only segment files of JSON lines (see
 * log-format.ts). `append` resolves only after the records are on disk (fdatasync); appends that arrive while a
 * sync is running are written and synced together by the next one (group commit), so throughput does not pay one
 * fsync per message.
 *
 * One process writes a log directory at a time (`LOCK` holds its pid; a lock left by a dead process is taken over).
 * Within a process, `EmbeddedLog.open` of the same directory returns the same instance (reference counted).
 * On open, every partition's last segment is recovered: a torn last record (no newline, or a line that is not a
 * complete record) is truncated away, so the log ends at the last acknowledged-or-complete record.
 */
import { mkdir, open, readFile, rename, writeFile, type FileHandle } from 'node:fs/promises';
import { openSync, closeSync, fsyncSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import path from 'node:path';
import { FreshetError, diag } from '../../common/diagnostics.js';
import { ConnectorErrors } from '../connector-error-codes.js';
import { encodeRecord, partitionDir, segmentName, topicDir, validLine, readHead, validTopicName } from './log-format.js';
import { lastGoodLine, listSegments } from './partition-reader.js';

export interface AppendMessage {
  /** The message: JSON text, or a value serialized with JSON.stringify. */
  value: unknown;
  key?: string | null;
  headers?: Record<string, string>;
  /** Explicit partition (default: hash of the key, or round-robin without a key). */
  partition?: number;
}

export interface AppendResult { partition: number; offset: number }

export interface EmbeddedLogOptions {
  /** Roll to a new segment file past this size (default 64 MiB). */
  segmentBytes?: number;
  /** Skip fdatasync (tests of throughput only; never for real data). */
  unsafeNoSync?: boolean;
}

export interface TopicMeta { partitions: number }

const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

/** Reads `<root>/<topic>/topic.json`, or undefined when the topic does not exist. */
export async function readTopicMeta(root: string, topic: string): Promise<TopicMeta | undefined> {
  try {
    const m = JSON.parse(await readFile(path.join(topicDir(root, topic), 'topic.json'), 'utf8')) as TopicMeta;
    return Number.isInteger(m.partitions) && m.partitions > 0 ? m : undefined;
  } catch {
    return undefined;
  }
}

function logError(message: string, hint?: string): FreshetError {
  return new FreshetError(diag(ConnectorErrors.IoError, message, undefined, hint), 'external');
}

/** Normalizes a message value to single-line JSON text; throws a user error naming the message when it is not JSON. */
export function messageText(value: unknown, index: number): string {
  if (typeof value === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch (e) {
      throw new FreshetError(diag(ConnectorErrors.BadRecord, `message ${index + 1} is not valid JSON: ${(e as Error).message}`));
    }
    // Records are lines: JSON text spread over several lines is re-serialized on one.
    return /[\n\r]/.test(value) ? JSON.stringify(parsed) : value.trim();
  }
  if (value === undefined) throw new FreshetError(diag(ConnectorErrors.BadRecord, `message ${index + 1} has no value`));
  return JSON.stringify(value);
}

/** FNV-1a of a key: stable across processes and versions, so a key always lands on the same partition. */
export function keyHash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

class PartitionWriter {
  private fh: FileHandle | undefined;
  private size = 0;
  next = 0;
  private pending: string[] = [];
  private pendingFirst = 0;
  private waiters: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  private running = false;
  private failed: unknown;

  constructor(readonly dir: string, private readonly opts: Required<EmbeddedLogOptions>) {}

  /** Recovers the partition: truncates a torn tail of the last segment and finds the next offset. */
  async recover(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const segs = await listSegments(this.dir);
    if (segs.length === 0) { await this.openSegment(0); return; }
    const last = segs[segs.length - 1]!;
    const file = path.join(this.dir, segmentName(last));
    const fh = await open(file, 'r+');
    const size = (await fh.stat()).size;
    const good = await lastGoodLine(fh, size, (l) => validLine(l) !== undefined);
    const end = good ? good.end : 0;
    if (end < size) {
      await fh.truncate(end);
      await fh.datasync();
    }
    await fh.close();
    this.size = end;
    this.next = good ? readHead(good.line)!.offset + 1 : last;
    this.fh = await open(file, 'a');
  }

  append(lines: string[]): Promise<void> {
    if (this.failed) return Promise.reject(this.failed);
    if (this.pending.length === 0) this.pendingFirst = this.next - lines.length;
    for (const l of lines) this.pending.push(l);
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      if (!this.running) { this.running = true; void this.loop(); }
    });
  }

  private async loop(): Promise<void> {
    while (this.pending.length > 0) {
      const lines = this.pending;
      const waiters = this.waiters;
      const first = this.pendingFirst;
      this.pending = [];
      this.waiters = [];
      try {
        const buf = Buffer.from(lines.join(''), 'utf8');
        if (this.size > 0 && this.size + buf.length > this.opts.segmentBytes) await this.roll(first);
        let off = 0;
        while (off < buf.length) {
          const { bytesWritten } = await this.fh!.write(buf, off, buf.length - off);
          off += bytesWritten;
        }
        this.size += buf.length;
        if (!this.opts.unsafeNoSync) await this.fh!.datasync();
        for (const w of waiters) w.resolve();
      } catch (e) {
        // The file's state is unknown now: fail this batch and every later append.
        this.failed = logError(`embedded log: cannot write ${this.dir}: ${(e as Error).message}`);
        for (const w of waiters) w.reject(this.failed);
        for (const w of this.waiters) w.reject(this.failed);
        this.waiters = [];
        this.pending = [];
      }
    }
    this.running = false;
  }

  private async roll(base: number): Promise<void> {
    await this.fh!.datasync();
    await this.fh!.close();
    await this.openSegment(base);
  }

  private async openSegment(base: number): Promise<void> {
    this.fh = await open(path.join(this.dir, segmentName(base)), 'a');
    this.size = 0;
    syncDir(this.dir);
  }

  async close(): Promise<void> {
    while (this.running) await new Promise((r) => setTimeout(r, 1));
    const f = this.fh;
    this.fh = undefined;
    if (f) await f.close();
  }
}

function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on directories; the file data itself is still synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function pidAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

function takeLock(root: string): string {
  const lock = path.join(root, 'LOCK');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lock, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return lock;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let holder = NaN;
      try { holder = Number(readFileSync(lock, 'utf8').trim()); } catch { /* vanished: retry */ }
      if (Number.isInteger(holder) && holder !== process.pid && pidAlive(holder)) {
        throw logError(`embedded log ${root} is in use by process ${holder}`,
          'stop that process (a running Freshet server?) or send events through its REST API (freshet produce --server URL)');
      }
      try { unlinkSync(lock); } catch { /* raced with another taker */ }
    }
  }
  throw logError(`embedded log ${root}: cannot take the lock ${lock}`);
}

const openLogs = new Map<string, { log: EmbeddedLog; refs: number }>();

export class EmbeddedLog {
  private readonly topics = new Map<string, { meta: TopicMeta; writers: PartitionWriter[]; rr: number }>();
  private closed = false;

  private constructor(readonly root: string, private readonly lock: string, private readonly opts: Required<EmbeddedLogOptions>) {}

  /** Opens (creating) the log at `root` for writing; the same instance is shared within a process. */
  static async open(root: string, options: EmbeddedLogOptions = {}): Promise<EmbeddedLog> {
    const abs = path.resolve(root);
    const shared = openLogs.get(abs);
    if (shared) { shared.refs++; return shared.log; }
    await mkdir(abs, { recursive: true });
    const lock = takeLock(abs);
    const log = new EmbeddedLog(abs, lock, {
      segmentBytes: options.segmentBytes ?? DEFAULT_SEGMENT_BYTES,
      unsafeNoSync: options.unsafeNoSync ?? false,
    });
    openLogs.set(abs, { log, refs: 1 });
    return log;
  }

  /** Creates the topic when missing (idempotent); returns its partition count (an existing topic keeps its own). */
  async ensureTopic(topic: string, partitions = 1): Promise<number> {
    return (await this.topic(topic, partitions)).meta.partitions;
  }

  private async topic(topic: string, partitions = 1): Promise<{ meta: TopicMeta; writers: PartitionWriter[]; rr: number }> {
    const t = this.topics.get(topic);
    if (t) return t;
    if (!validTopicName(topic)) throw new FreshetError(diag(ConnectorErrors.BadOptionValue, `invalid topic name '${topic}'`, undefined, 'use letters, digits, ., _ and -'));
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024) {
      throw new FreshetError(diag(ConnectorErrors.BadOptionValue, `topic '${topic}': partitions must be an integer from 1 to 1024, got ${partitions}`));
    }
    let meta = await readTopicMeta(this.root, topic);
    if (!meta) {
      meta = { partitions };
      const dir = topicDir(this.root, topic);
      await mkdir(dir, { recursive: true });
      for (let p = 0; p < partitions; p++) await mkdir(partitionDir(this.root, topic, p), { recursive: true });
      const tmp = path.join(dir, 'topic.json.tmp');
      await writeFile(tmp, JSON.stringify(meta));
      const fh = await open(tmp, 'r');
      await fh.sync();
      await fh.close();
      await rename(tmp, path.join(dir, 'topic.json'));
      syncDir(dir);
      syncDir(this.root);
    }
    const writers: PartitionWriter[] = [];
    for (let p = 0; p < meta.partitions; p++) {
      const w = new PartitionWriter(partitionDir(this.root, topic, p), this.opts);
      await w.recover();
      writers.push(w);
    }
    const entry = { meta, writers, rr: 0 };
    this.topics.set(topic, entry);
    return entry;
  }

  /**
   * Appends messages; resolves with each message's partition and offset once all of them are durable. Every
   * message is validated first: if one is not JSON, nothing is appended.
   */
  async append(topic: string, messages: readonly (string | AppendMessage)[], key?: string | null): Promise<AppendResult[]> {
    if (this.closed) throw logError(`embedded log ${this.root} is closed`);
    const t = await this.topic(topic);
    const n = t.meta.partitions;
    const texts = messages.map((m, i) => messageText(typeof m === 'string' ? m : m.value, i));
    const now = Date.now();
    const byPartition = new Map<number, string[]>();
    const results: AppendResult[] = [];
    messages.forEach((m, i) => {
      const msg = typeof m === 'string' ? undefined : m;
      const k = msg?.key !== undefined ? msg.key : (key ?? null);
      let p: number;
      if (msg?.partition !== undefined) {
        if (!Number.isInteger(msg.partition) || msg.partition < 0 || msg.partition >= n) {
          throw new FreshetError(diag(ConnectorErrors.BadOptionValue, `message ${i + 1}: partition ${msg.partition} does not exist (topic '${topic}' has ${n})`));
        }
        p = msg.partition;
      } else {
        p = k !== null ? keyHash(k) % n : (t.rr++ % n);
      }
      const w = t.writers[p]!;
      const offset = w.next++;
      let lines = byPartition.get(p);
      if (!lines) { lines = []; byPartition.set(p, lines); }
      lines.push(encodeRecord(offset, now, k, msg?.headers ?? null, texts[i]!));
      results.push({ partition: p, offset });
    });
    await Promise.all([...byPartition].map(([p, lines]) => t.writers[p]!.append(lines)));
    return results;
  }

  /** Next offsets (ends) of a topic's partitions as this writer knows them. */
  async endOffsets(topic: string): Promise<number[]> {
    const t = await this.topic(topic);
    return t.writers.map((w) => w.next);
  }

  async close(): Promise<void> {
    const shared = openLogs.get(this.root);
    if (shared && --shared.refs > 0) return;
    openLogs.delete(this.root);
    this.closed = true;
    for (const t of this.topics.values()) for (const w of t.writers) await w.close();
    this.topics.clear();
    try { unlinkSync(this.lock); } catch { /* already gone */ }
  }
}
