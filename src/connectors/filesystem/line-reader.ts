/**
 * Reads a file line by line in fixed-size chunks, never holding the whole file. Lines end at `\n`; a `\r` before it
 * is dropped; the last line may lack a newline. Lines are split on bytes before UTF-8 decoding, so a multi-byte
 * character cut by a chunk boundary is reassembled (a `\n` byte never occurs inside a multi-byte character).
 * A UTF-8 byte order mark at the start of the file is skipped.
 *
 * Usage: call `next()` until it returns undefined, then `await fill()`; when fill returns false the file is done.
 * `offset` is always the byte offset just after the last line returned, which is where a restored reader starts.
 */
import type { FileHandle } from 'node:fs/promises';

const NL = 10;
const CR = 13;

export class LineReader {
  private buf: Buffer;
  /** Index in buf of the first unread byte. */
  private start = 0;
  /** Number of valid bytes in buf. */
  private end = 0;
  /** File offset of buf[0]. */
  private bufOffset: number;
  private eof = false;
  /** Byte offset just after the last line returned. */
  offset: number;

  constructor(private readonly handle: FileHandle, startOffset: number, chunkSize: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1, chunkSize));
    this.bufOffset = startOffset;
    this.offset = startOffset;
  }

  /** The next complete line in the buffer, or undefined when the buffer holds none (call fill). */
  next(): string | undefined {
    if (this.start >= this.end) return undefined;
    let nl = this.buf.indexOf(NL, this.start);
    if (nl >= this.end) nl = -1;
    if (nl === -1 && !this.eof) return undefined;
    const lineEnd = nl === -1 ? this.end : nl;
    let s = this.start;
    if (this.bufOffset + s === 0 && lineEnd - s >= 3 && this.buf[s] === 0xef && this.buf[s + 1] === 0xbb && this.buf[s + 2] === 0xbf) s += 3;
    let e = lineEnd;
    if (nl !== -1 && e > s && this.buf[e - 1] === CR) e--;
    const text = this.buf.toString('utf8', s, e);
    this.start = nl === -1 ? this.end : nl + 1;
    this.offset = this.bufOffset + this.start;
    return text;
  }

  /** Reads the next chunk. Returns false when the file has no more bytes and every line has been returned. */
  async fill(): Promise<boolean> {
    if (this.eof) return this.start < this.end;
    // Keep the unread tail (a partial line) at the front; grow when one line is longer than the buffer.
    const rest = this.end - this.start;
    if (rest > 0 && this.start > 0) this.buf.copyWithin(0, this.start, this.end);
    this.bufOffset += this.start;
    this.start = 0;
    this.end = rest;
    if (this.end === this.buf.length) {
      const bigger = Buffer.allocUnsafe(this.buf.length * 2);
      this.buf.copy(bigger, 0, 0, this.end);
      this.buf = bigger;
    }
    const { bytesRead } = await this.handle.read(this.buf, this.end, this.buf.length - this.end, this.bufOffset + this.end);
    if (bytesRead === 0) {
      this.eof = true;
      return this.start < this.end;
    }
    this.end += bytesRead;
    return true;
  }
}
