/**
 * Append-only sink writing a filesystem table's directory as Flink does: rows go to a hidden in-progress file
 * (`.part-<run>-0-<n>.inprogress`) and become visible (renamed to `part-<run>-0-<n>`) only when flushed at a
 * checkpoint or at the end, so readers never see rows a restored run will write again.
 *
 * Exactly-once: the checkpointed state is `{ run, nextFile }`. Restoring deletes this run's files numbered at or
 * after `nextFile` (committed after the checkpoint, or still in progress) and continues the same numbering.
 *
 * Rolling: a new part file starts after `sink.rolling-policy.file-size` bytes or `sink.rolling-policy.rollover-interval`
 * (checked when rows arrive); rolled files stay in progress until the next flush.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { FreshetError, diag } from '../../common/diagnostics.js';
import { RowKind, type Batch } from '../../common/row.js';
import { createEncoder, type FormatName, type RowEncoder } from '../../formats/index.js';
import type { SinkContext, SinkWriter } from '../connector.js';
import { ConnectorErrors } from '../connector-error-codes.js';
import { ioError, resolveTablePath } from './filesystem-source.js';

export interface FilesystemSinkState {
  run: string;
  nextFile: number;
}

export interface FilesystemSinkOptions {
  /** Roll to a new part file after this many bytes (default 128 MiB). */
  fileSize?: number;
  /** Roll to a new part file when the current one is older than this (default 30 min). */
  rolloverMs?: number;
  now?: () => number;
}

/** Buffered text is written to the file once it reaches this many characters. */
const WRITE_THRESHOLD = 1 << 20;

export class FilesystemSink implements SinkWriter {
  private readonly dir: string;
  private readonly encode: RowEncoder;
  private run: string = randomUUID();
  private nextFile = 0;
  /** The file being written (in progress), if any. */
  private current: { index: number; handle: FileHandle | undefined; bytes: number; openedAt: number } | undefined;
  /** Closed in-progress files waiting for the next flush to be committed. */
  private pending: number[] = [];
  private buffer = '';
  private readonly fileSize: number;
  private readonly rolloverMs: number;
  private readonly now: () => number;
  /** Rows written (after encoding) since open, for tests and metrics. */
  rowsWritten = 0;

  constructor(private readonly ctx: SinkContext, format: FormatName, opts: FilesystemSinkOptions = {}) {
    this.dir = resolveTablePath(ctx);
    this.encode = createEncoder(format, ctx.physicalFields, ctx.options);
    this.fileSize = opts.fileSize ?? 128 * 1024 * 1024;
    this.rolloverMs = opts.rolloverMs ?? 30 * 60 * 1000;
    this.now = opts.now ?? Date.now;
  }

  private finalName(i: number): string { return `part-${this.run}-0-${i}`; }
  private progressName(i: number): string { return `.part-${this.run}-0-${i}.inprogress`; }

  async restore(state: unknown): Promise<void> {
    if (state === undefined || state === null) return;
    const s = state as FilesystemSinkState;
    this.run = s.run;
    this.nextFile = s.nextFile;
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch {
      return; // nothing was written
    }
    const re = new RegExp(`^\\.?part-${s.run.replace(/[^0-9a-zA-Z-]/g, '')}-0-(\\d+)(\\.inprogress)?$`);
    for (const name of names) {
      const m = re.exec(name);
      if (m && Number(m[1]) >= s.nextFile) await rm(path.join(this.dir, name), { force: true });
    }
  }

  async open(): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true });
    } catch (e) {
      throw ioError(this.ctx, `cannot create directory '${this.ctx.options['path']}'`, e);
    }
  }

  async write(batch: Batch): Promise<void> {
    const { rows, kinds } = batch;
    for (let i = 0; i < rows.length; i++) {
      if (kinds[i] !== RowKind.Insert) {
        throw new FreshetError(diag(ConnectorErrors.UpdatingInput,
          `table '${this.ctx.tableName}': the filesystem connector is append-only but received an update or delete`));
      }
      this.buffer += this.encode(rows[i]!) + '\n';
    }
    this.rowsWritten += rows.length;
    if (rows.length === 0) return;
    if (this.current === undefined) this.current = { index: this.nextFile++, handle: undefined, bytes: 0, openedAt: this.now() };
    // Characters approximate bytes here; the exact count is kept once written.
    const size = this.current.bytes + this.buffer.length;
    if (size >= this.fileSize || this.now() - this.current.openedAt >= this.rolloverMs) {
      await this.writeBuffer();
      await this.roll();
    } else if (this.buffer.length >= WRITE_THRESHOLD) {
      await this.writeBuffer();
    }
  }

  /** Commits every in-progress file: durable (fsync) and then visible (rename). */
  async flush(): Promise<void> {
    await this.writeBuffer();
    await this.roll();
    if (this.pending.length === 0) return;
    try {
      for (const i of this.pending) await rename(path.join(this.dir, this.progressName(i)), path.join(this.dir, this.finalName(i)));
      await syncDir(this.dir);
    } catch (e) {
      throw ioError(this.ctx, `cannot commit part files in '${this.ctx.options['path']}'`, e);
    }
    this.pending = [];
  }

  snapshot(): FilesystemSinkState {
    return { run: this.run, nextFile: this.nextFile };
  }

  /** Writes buffered rows and closes the file without committing it (a flush commits it later). */
  async close(): Promise<void> {
    await this.writeBuffer();
    const c = this.current;
    if (c?.handle) {
      await c.handle.close();
      c.handle = undefined;
    }
  }

  private async writeBuffer(): Promise<void> {
    if (this.buffer.length === 0) return;
    const text = this.buffer;
    this.buffer = '';
    try {
      if (this.current === undefined) {
        this.current = { index: this.nextFile++, handle: undefined, bytes: 0, openedAt: this.now() };
      }
      if (this.current.handle === undefined) {
        this.current.handle = await open(path.join(this.dir, this.progressName(this.current.index)), 'a');
      }
      const bytes = Buffer.from(text, 'utf8');
      await this.current.handle.write(bytes, 0, bytes.length);
      this.current.bytes += bytes.length;
    } catch (e) {
      throw ioError(this.ctx, `cannot write to '${this.ctx.options['path']}'`, e);
    }
  }

  /** Makes the current file durable and queues it for commit. */
  private async roll(): Promise<void> {
    const c = this.current;
    if (c === undefined) return;
    this.current = undefined;
    try {
      const h = c.handle ?? (await open(path.join(this.dir, this.progressName(c.index)), 'a'));
      await h.sync();
      await h.close();
    } catch (e) {
      throw ioError(this.ctx, `cannot write to '${this.ctx.options['path']}'`, e);
    }
    this.pending.push(c.index);
  }
}

async function syncDir(dir: string): Promise<void> {
  let h: FileHandle | undefined;
  try {
    h = await open(dir, 'r');
    await h.sync();
  } catch {
    // Some platforms cannot fsync a directory; the renames are still atomic.
  } finally {
    await h?.close();
  }
}
