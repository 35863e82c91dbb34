/**
 * Scan source over every partition of an embedded-log topic, decoding each message with the table's format.
 *
 * Position: `{ partitions: [{ offset, segment, byte }] }`, the next record of each partition, so a restored job
 * resumes exactly after the last returned row. Batches take records partition by partition in index order, which
 * is deterministic given the position and the log. `lastPartitions()` gives each returned row's partition, for
 * per-partition watermarks.
 *
 * Startup: `scan.startup.mode` earliest-offset (default) or latest-offset (the ends at open). Bounded mode
 * `scan.bounded.mode` = latest-offset stops at the ends taken at open; otherwise the source never ends.
 * Multi-type topics: with `freshet.discriminator` (`$.a.b` or `header:<name>`) only messages whose value there
 * equals `freshet.discriminator.value` become rows; the others are skipped (they belong to other tables).
 */
import { FreshetError, diag } from '../../common/diagnostics.js';
import type { Row } from '../../common/row.js';
import { DecodeError, createDecoder, type RowDecoder } from '../../formats/index.js';
import { discriminatorValue, parseDiscriminator, type DiscriminatorPath } from '../../catalog/dictionary/discriminator.js';
import type { ScanSource, SourcePosition, TableContext } from '../connector.js';
import { ConnectorErrors } from '../connector-error-codes.js';
import { readTopicMeta } from './embedded-log.js';
import { keyAndHeaders, partitionDir, readHead, valueOf } from './log-format.js';
import { PartitionReader, partitionEndOffset, type PartitionPosition } from './partition-reader.js';

export interface EmbeddedLogPosition { partitions: PartitionPosition[] }

export class EmbeddedLogSource implements ScanSource {
  readonly bounded: boolean;
  private readonly decoder: RowDecoder;
  private readonly topic: string;
  private readonly latest: boolean;
  private readonly disc: DiscriminatorPath | undefined;
  private readonly discValue: string | undefined;
  private readers: PartitionReader[] = [];
  private ends: number[] | undefined;
  private partitions: number[] = [];
  /** Partitions with records at open that have not delivered any yet (they hold the source's watermark back). */
  private readonly backlog = new Set<number>();
  private pendingPosition: EmbeddedLogPosition | undefined;
  private opened = false;
  private currentRaw = '';
  private currentWhere = '';

  constructor(private readonly ctx: TableContext, private readonly root: string) {
    const o = ctx.options;
    this.topic = o['topic']!;
    this.bounded = o['scan.bounded.mode'] === 'latest-offset';
    this.latest = o['scan.startup.mode'] === 'latest-offset';
    const d = o['freshet.discriminator'];
    const parsed = d === undefined ? undefined : parseDiscriminator(d);
    this.disc = typeof parsed === 'string' ? undefined : parsed;
    this.discValue = o['freshet.discriminator.value'];
    this.decoder = createDecoder('json', ctx.physicalFields, o, {
      onFieldError: (e: DecodeError) => {
        ctx.reporter.badRecord(`${e.path === undefined ? 'value' : `field '${e.path}'`} set to NULL: ${e.reason}`, this.currentRaw, this.currentWhere);
      },
    });
  }

  async open(position?: SourcePosition): Promise<void> {
    this.pendingPosition = position === undefined || position === null ? undefined : position as EmbeddedLogPosition;
    this.opened = false;
    await this.attach();
  }

  /** Opens readers once the topic exists (a topic created after the job started is picked up by poll). */
  private async attach(): Promise<boolean> {
    if (this.opened) return true;
    const meta = await readTopicMeta(this.root, this.topic);
    const saved = this.pendingPosition?.partitions;
    if (!meta) {
      if (saved && saved.some((p) => p.offset > 0)) {
        throw new FreshetError(diag(ConnectorErrors.BadPosition,
          `table '${this.ctx.tableName}': cannot restore: topic '${this.topic}' no longer exists in ${this.root}`));
      }
      if (this.bounded) { this.ends = []; this.opened = true; }
      return this.opened;
    }
    if (saved && saved.length > meta.partitions) {
      throw new FreshetError(diag(ConnectorErrors.BadPosition,
        `table '${this.ctx.tableName}': cannot restore: the checkpoint has ${saved.length} partitions, topic '${this.topic}' has ${meta.partitions}`));
    }
    this.readers = [];
    const ends: number[] = [];
    for (let p = 0; p < meta.partitions; p++) {
      const dir = partitionDir(this.root, this.topic, p);
      const r = new PartitionReader(dir, p);
      const end = await partitionEndOffset(dir);
      ends.push(end);
      const s = saved?.[p];
      if (s) await r.seek(s.offset, s);
      else await r.seek(this.latest ? end : 0);
      if (r.position().offset < end) this.backlog.add(p);
      this.readers.push(r);
    }
    if (this.bounded) this.ends = ends;
    this.opened = true;
    return true;
  }

  async poll(max: number): Promise<Row[] | null> {
    this.partitions.length = 0;
    if (!(await this.attach())) return [];
    const rows: Row[] = [];
    let allDone = this.bounded;
    for (let p = 0; p < this.readers.length && rows.length < max; p++) {
      const r = this.readers[p]!;
      const end = this.ends?.[p];
      let pos = r.position().offset;
      if (end !== undefined && pos >= end) continue;
      // Read at most what the batch still takes (and not past the bounded end).
      const want = Math.min(max - rows.length, end === undefined ? Number.MAX_SAFE_INTEGER : end - pos);
      const lines = await r.read(want);
      if (lines.length > 0) this.backlog.delete(p);
      for (const line of lines) {
        const h = readHead(line);
        if (!h) continue; // not a record line (cannot happen in a healthy log)
        pos = h.offset + 1;
        const text = valueOf(line, h);
        if (this.disc) {
          let v: string | undefined;
          if (this.disc.kind === 'header') v = discriminatorValue(undefined, this.disc, keyAndHeaders(line, h).headers);
          else {
            try { v = discriminatorValue(JSON.parse(text), this.disc); } catch { v = undefined; }
          }
          if (v !== this.discValue) continue;
        }
        this.currentRaw = text;
        this.currentWhere = `topic ${this.topic} partition ${p} offset ${h.offset}`;
        let row: Row | null;
        try {
          row = this.decoder(text);
        } catch (e) {
          if (!(e instanceof DecodeError)) throw e;
          if (this.decoder.ignoreParseErrors) { this.ctx.reporter.badRecord(e.message, text, this.currentWhere); continue; }
          throw new FreshetError(diag(ConnectorErrors.BadRecord,
            `table '${this.ctx.tableName}': bad record at ${this.currentWhere}: ${e.message}`, undefined,
            "fix the producer, or set 'json.ignore-parse-errors' = 'true' to skip bad records (they are counted and reported)"));
        }
        if (row === null) continue;
        rows.push(row);
        this.partitions.push(p);
      }
      if (end !== undefined && pos < end) allDone = false;
    }
    if (this.bounded && allDone && rows.length === 0) return null;
    return rows;
  }

  lastPartitions(): readonly number[] | undefined {
    return this.partitions;
  }

  /** Partitions that had records at open and have delivered none yet: the watermark waits for them (see ScanSource). */
  heldPartitions(): readonly number[] {
    return this.backlog.size === 0 ? [] : [...this.backlog];
  }

  position(): SourcePosition {
    return { partitions: this.readers.map((r) => r.position()) } satisfies EmbeddedLogPosition;
  }

  async close(): Promise<void> {
    for (const r of this.readers) await r.close();
    this.readers = [];
    this.opened = false;
  }
}
