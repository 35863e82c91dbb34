/**
 * Reads one partition of an embedded-log topic: complete lines from the segment files in offset order, from an
 * exact position. Readers take no lock and may run in other processes than the writer: they only ever return
 * lines that end with a newline, and move to the next segment only once it exists (the writer seals a segment
 * before creating the next one).
 *
 * Position invariant: `offset` is the next offset to return and (`segment`, `byte`) the file position of its line.
 */
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { readHead, segmentBase, segmentName } from './log-format.js';

export interface PartitionPosition { offset: number; segment: number; byte: number }

const CHUNK = 256 * 1024;
const NEWLINE = 0x0a;

/** Segment base offsets of a partition directory, ascending ([] when it does not exist). */
export async function listSegments(dir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const out: number[] = [];
  for (const n of names) { const b = segmentBase(n); if (b !== undefined) out.push(b); }
  return out.sort((a, b) => a - b);
}

/**
 * The last complete line of a file and the byte just after it, reading backwards from the end in growing chunks.
 * `accept` rejects corrupt lines (recovery passes full validation); rejected lines are skipped backwards.
 */
export async function lastGoodLine(fh: FileHandle, size: number, accept: (line: string) => boolean): Promise<{ line: string; end: number } | undefined> {
  let end = size; // exclusive end of the region still to inspect
  // Drop a torn tail: everything after the last newline.
  let chunk = Math.min(CHUNK, size);
  for (;;) {
    if (end === 0) return undefined;
    const from = Math.max(0, end - chunk);
    const buf = Buffer.alloc(end - from);
    await fh.read(buf, 0, buf.length, from);
    const lastNl = buf.lastIndexOf(NEWLINE);
    if (lastNl < 0) {
      if (from === 0) return undefined;
      chunk *= 2;
      continue;
    }
    const lineEnd = from + lastNl + 1;
    const prevNl = buf.lastIndexOf(NEWLINE, lastNl - 1);
    if (prevNl < 0 && from > 0) { end = lineEnd; chunk *= 2; continue; } // the line starts before this chunk
    const lineStart = from + prevNl + 1;
    const line = buf.subarray(lineStart - from, lastNl).toString('utf8');
    if (accept(line)) return { line, end: lineEnd };
    end = lineStart; // corrupt line: look further back
  }
}

/** The next offset a partition will get (its end), from its last segment; 0 for an empty partition. */
export async function partitionEndOffset(dir: string): Promise<number> {
  const segs = await listSegments(dir);
  for (let i = segs.length - 1; i >= 0; i--) {
    const file = path.join(dir, segmentName(segs[i]!));
    const fh = await open(file, 'r');
    try {
      const size = (await fh.stat()).size;
      const last = await lastGoodLine(fh, size, (l) => readHead(l) !== undefined);
      if (last) return readHead(last.line)!.offset + 1;
      if (i === segs.length - 1 || size === 0) return segs[i]!;
    } finally {
      await fh.close();
    }
  }
  return 0;
}

export class PartitionReader {
  private fh: FileHandle | undefined;
  private segment = 0;
  private byte = 0;
  private offset = 0;
  private fhSegment = -1;
  private nextAfter: { from: number; next: number } | undefined;
  private lastListing = 0;
  private chunk = CHUNK;

  constructor(readonly dir: string, readonly partition: number) {}

  position(): PartitionPosition {
    return { offset: this.offset, segment: this.segment, byte: this.byte };
  }

  /** Positions the reader at `offset` (using the byte hint of a checkpointed position when it still matches). */
  async seek(offset: number, hint?: { segment: number; byte: number }): Promise<void> {
    await this.closeFile();
    const segs = await listSegments(this.dir);
    this.offset = offset;
    if (segs.length === 0) { this.segment = 0; this.byte = 0; return; }
    if (hint && segs.includes(hint.segment) && await this.lineOffsetAt(hint.segment, hint.byte) === offset) {
      this.segment = hint.segment;
      this.byte = hint.byte;
      return;
    }
    let seg = segs[0]!;
    for (const s of segs) if (s <= offset) seg = s;
    this.segment = seg;
    this.byte = 0;
    // Scan forward to the first line at or after the offset.
    for (;;) {
      const lines = await this.readRaw(1024);
      if (lines.length === 0) break;
      let consumed = 0;
      for (const l of lines) {
        const h = readHead(l.text);
        if (h && h.offset >= offset) { this.offset = h.offset; return; }
        this.segment = l.segment;
        this.byte = l.end;
        consumed++;
      }
      if (consumed === 0) break;
    }
  }

  /**
   * Up to `max` complete lines from the position, advancing it. An empty array means nothing more right now.
   */
  async read(max: number): Promise<string[]> {
    const raw = await this.readRaw(max);
    const out: string[] = new Array<string>(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const l = raw[i]!;
      out[i] = l.text;
      this.segment = l.segment;
      this.byte = l.end;
      const h = readHead(l.text);
      if (h) this.offset = h.offset + 1;
    }
    return out;
  }

  async close(): Promise<void> {
    await this.closeFile();
  }

  private async closeFile(): Promise<void> {
    const f = this.fh;
    this.fh = undefined;
    if (f) await f.close();
  }

  private async lineOffsetAt(segment: number, byte: number): Promise<number | undefined> {
    let fh: FileHandle;
    try {
      fh = await open(path.join(this.dir, segmentName(segment)), 'r');
    } catch {
      return undefined;
    }
    try {
      const buf = Buffer.alloc(4096);
      const { bytesRead } = await fh.read(buf, 0, buf.length, byte);
      const s = buf.subarray(0, bytesRead).toString('utf8');
      if (byte === (await fh.stat()).size) return await this.endAfter(segment, byte);
      const m = /^\{"o":(\d+),/.exec(s);
      return m ? Number(m[1]) : undefined;
    } finally {
      await fh.close();
    }
  }

  /** At the very end of a segment the next offset is the end of that segment's last line. */
  private async endAfter(segment: number, byte: number): Promise<number | undefined> {
    const fh = await open(path.join(this.dir, segmentName(segment)), 'r');
    try {
      const last = await lastGoodLine(fh, byte, (l) => readHead(l) !== undefined);
      return last ? readHead(last.line)!.offset + 1 : segment;
    } finally {
      await fh.close();
    }
  }

  /**
   * Complete lines from (segment, byte) without moving the position, each with the segment and end byte it was
   * read from; crosses into a later segment only once it exists (the earlier one is then sealed).
   */
  private async readRaw(max: number): Promise<RawLine[]> {
    const out: RawLine[] = [];
    let seg = this.segment;
    let pos = this.byte;
    for (;;) {
      if (!this.fh || this.fhSegment !== seg) {
        await this.closeFile();
        try {
          this.fh = await open(path.join(this.dir, segmentName(seg)), 'r');
          this.fhSegment = seg;
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
          // No such segment yet (an empty partition): wait for the writer to create one.
          const first = (await listSegments(this.dir)).find((s) => s > seg);
          if (first === undefined) return out;
          seg = first;
          pos = 0;
          continue;
        }
      }
      const buf = Buffer.allocUnsafe(this.chunk);
      const { bytesRead } = await this.fh.read(buf, 0, buf.length, pos);
      let start = 0;
      for (;;) {
        const nl = buf.indexOf(NEWLINE, start);
        if (nl < 0 || nl >= bytesRead) break;
        out.push({ text: buf.toString('utf8', start, nl), end: pos + nl + 1, segment: seg });
        start = nl + 1;
        if (out.length >= max) return out;
      }
      if (start > 0) { pos += start; continue; }
      if (bytesRead === this.chunk) { this.chunk *= 2; continue; } // a line longer than the chunk
      const next = await this.findNextSegment(seg);
      if (next === undefined) return out;
      seg = next;
      pos = 0;
    }
  }

  private async findNextSegment(seg: number): Promise<number | undefined> {
    if (this.nextAfter?.from === seg) return this.nextAfter.next;
    const now = Date.now();
    if (now - this.lastListing < 50) return undefined; // bound directory listings while idle
    this.lastListing = now;
    const next = (await listSegments(this.dir)).find((s) => s > seg);
    if (next !== undefined) this.nextAfter = { from: seg, next };
    return next;
  }
}

interface RawLine { text: string; end: number; segment: number }

/** True when the path exists. */
export async function exists(p: string): Promise<boolean> {
  try { await stat(p); return true; } catch { return false; }
}
