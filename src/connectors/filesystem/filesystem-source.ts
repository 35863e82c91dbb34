/**
 * Bounded source over the files of a filesystem table (see file-listing.ts for which files, in which order), one
 * record per line (a CSV record continues over line breaks inside quotes), decoded by the table's format.
 *
 * Position: `{ file, fileIndex, byteOffset, lineNumber }`, taken after the last record consumed, so `open(position)`
 * resumes exactly after the last returned row and a restored run replays the same rows in the same batches.
 *
 * Bad records: with the format's ignore-parse-errors on, a record that cannot be read is skipped and a value that
 * cannot be converted becomes NULL; both are reported (`reporter.badRecord(reason, raw, 'path:line')`). Otherwise
 * the job fails with CONN201 naming the file and line, as Flink fails.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { FreshetError, diag } from '../../common/diagnostics.js';
import type { Row } from '../../common/row.js';
import { DecodeError, createDecoder, type FormatName, type RowDecoder } from '../../formats/index.js';
import type { ScanSource, SourcePosition, TableContext } from '../connector.js';
import { ConnectorErrors } from '../connector-error-codes.js';
import { listDataFiles, type DataFile } from './file-listing.js';
import { LineReader } from './line-reader.js';

export interface FilesystemPosition {
  /** Relative path of the file being read ('' when the table's path is a file). */
  file: string;
  fileIndex: number;
  /** Byte offset in that file just after the last consumed record. */
  byteOffset: number;
  /** Lines of that file consumed so far. */
  lineNumber: number;
  /** True once every file has been read. */
  finished?: boolean;
}

export interface FilesystemSourceOptions {
  /** Bytes read per chunk (default 64 KiB); tests use tiny chunks to cut lines and characters. */
  chunkSize?: number;
}

export function resolveTablePath(ctx: TableContext): string {
  const p = ctx.options['path'] ?? '';
  const local = p.startsWith('file://') ? p.slice('file://'.length) : p;
  return path.resolve(ctx.baseDir, local);
}

export class FilesystemSource implements ScanSource {
  readonly bounded = true;
  private readonly decoder: RowDecoder;
  private readonly root: string;
  private readonly chunkSize: number;
  private files: DataFile[] = [];
  private fileIndex = 0;
  private handle: FileHandle | undefined;
  private reader: LineReader | undefined;
  private lineNumber = 0;
  private done = false;
  /** The record being decoded and its first line, for error reports (`where` is built only when needed). */
  private currentRaw = '';
  private currentLine = 0;

  constructor(private readonly ctx: TableContext, format: FormatName, opts: FilesystemSourceOptions = {}) {
    this.root = resolveTablePath(ctx);
    this.chunkSize = opts.chunkSize ?? 64 * 1024;
    this.decoder = createDecoder(format, ctx.physicalFields, ctx.options, {
      onFieldError: (e: DecodeError) => {
        ctx.reporter.badRecord(`${e.path === undefined ? 'value' : `field '${e.path}'`} set to NULL: ${e.reason}`, this.currentRaw, this.where());
      },
    });
  }

  async open(position?: SourcePosition): Promise<void> {
    try {
      this.files = await listDataFiles(this.root);
    } catch (e) {
      throw ioError(this.ctx, `cannot read path '${this.ctx.options['path']}' (${this.root})`, e);
    }
    this.done = false;
    this.fileIndex = 0;
    this.lineNumber = 0;
    if (position === undefined || position === null) return;
    const p = position as FilesystemPosition;
    if (p.finished) {
      this.fileIndex = this.files.length;
      this.done = true;
      return;
    }
    const idx = this.files[p.fileIndex]?.relative === p.file ? p.fileIndex : this.files.findIndex((f) => f.relative === p.file);
    if (idx === -1) {
      throw new FreshetError(diag(ConnectorErrors.BadPosition,
        `table '${this.ctx.tableName}': cannot restore: file '${p.file}' of the checkpoint is no longer under '${this.ctx.options['path']}'`,
        undefined, 'restore from a checkpoint taken with the current files, or start without restoring'));
    }
    this.fileIndex = idx;
    const size = (await stat(this.files[idx]!.absolute)).size;
    if (p.byteOffset > size) {
      throw new FreshetError(diag(ConnectorErrors.BadPosition,
        `table '${this.ctx.tableName}': cannot restore: file '${this.display(this.files[idx]!)}' is shorter (${size} bytes) than the checkpointed offset ${p.byteOffset}`));
    }
    await this.openFile(p.byteOffset, p.lineNumber);
  }

  async poll(max: number): Promise<Row[] | null> {
    if (this.done) return null;
    try {
      return await this.read(max);
    } catch (e) {
      await this.closeFile();
      throw e;
    }
  }

  private async read(max: number): Promise<Row[] | null> {
    const rows: Row[] = [];
    while (rows.length < max) {
      if (this.reader === undefined) {
        if (this.fileIndex >= this.files.length) { this.done = true; break; }
        await this.openFile(0, 0);
      }
      const firstLine = this.lineNumber + 1;
      let text = await this.nextLine();
      if (text === undefined) {
        await this.closeFile();
        this.fileIndex++;
        continue;
      }
      while (this.decoder.continuesOnNextLine(text)) {
        const more = await this.nextLine();
        if (more === undefined) break; // the decoder reports the unterminated quote
        text += '\n' + more;
      }
      let row: Row | null;
      this.currentRaw = text;
      this.currentLine = firstLine;
      try {
        row = this.decoder(text);
      } catch (e) {
        if (!(e instanceof DecodeError)) throw e;
        if (this.decoder.ignoreParseErrors) {
          this.ctx.reporter.badRecord(e.message, text, this.where());
          continue;
        }
        const option = `${this.ctx.options['format']}.ignore-parse-errors`;
        throw new FreshetError(diag(ConnectorErrors.BadRecord,
          `table '${this.ctx.tableName}': bad record at ${this.where()}: ${e.message}`, undefined,
          `fix the record, or set '${option}' = 'true' to skip bad records (they are counted and reported)`));
      }
      if (row !== null) rows.push(row);
    }
    return rows.length === 0 && this.done ? null : rows;
  }

  position(): SourcePosition {
    const f = this.files[this.fileIndex];
    if (f === undefined) return { file: '', fileIndex: this.files.length, byteOffset: 0, lineNumber: 0, finished: true } satisfies FilesystemPosition;
    return {
      file: f.relative,
      fileIndex: this.fileIndex,
      byteOffset: this.reader?.offset ?? 0,
      lineNumber: this.reader ? this.lineNumber : 0,
    } satisfies FilesystemPosition;
  }

  async close(): Promise<void> {
    await this.closeFile();
  }

  /** `data/orders/part-0.json:17`: the table's path as written, the file, and the record's first line. */
  private where(): string {
    return `${this.display(this.files[this.fileIndex]!)}:${this.currentLine}`;
  }

  private display(f: DataFile): string {
    const p = this.ctx.options['path'] ?? '';
    return f.relative === '' ? p : `${p.replace(/\/+$/, '')}/${f.relative}`;
  }

  private async openFile(offset: number, lineNumber: number): Promise<void> {
    const f = this.files[this.fileIndex]!;
    try {
      this.handle = await open(f.absolute, 'r');
    } catch (e) {
      throw ioError(this.ctx, `cannot open '${this.display(f)}'`, e);
    }
    this.reader = new LineReader(this.handle, offset, this.chunkSize);
    this.lineNumber = lineNumber;
  }

  private async closeFile(): Promise<void> {
    const h = this.handle;
    this.handle = undefined;
    this.reader = undefined;
    if (h) await h.close();
  }

  /** The next line of the current file, or undefined at its end. */
  private async nextLine(): Promise<string | undefined> {
    const r = this.reader!;
    while (true) {
      const line = r.next();
      if (line !== undefined) { this.lineNumber++; return line; }
      let more: boolean;
      try {
        more = await r.fill();
      } catch (e) {
        throw ioError(this.ctx, `cannot read '${this.display(this.files[this.fileIndex]!)}'`, e);
      }
      if (!more) return undefined;
    }
  }
}

export function ioError(ctx: TableContext, what: string, e: unknown): FreshetError {
  const reason = e instanceof Error ? e.message : String(e);
  return new FreshetError(diag(ConnectorErrors.IoError, `table '${ctx.tableName}': ${what}: ${reason}`), 'external');
}
