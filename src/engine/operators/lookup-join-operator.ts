/**
 * Lookup join `JOIN t FOR SYSTEM_TIME AS OF s.proctime ON s.k = t.k`: each input row is joined with the rows of
 * table `t` whose lookup key columns equal the row's key at the time it is processed (Flink's LookupJoinRunner /
 * AsyncLookupJoinRunner, ordered output).
 *
 * Runner contract (lookups are asynchronous, operators are not):
 *  - `process` only buffers rows;
 *  - after each batch (and before a checkpoint and before `finish`) the runner awaits `flushAsync()`, which looks up
 *    the buffered rows' keys and emits the joined rows in input order with their input row kinds; flush lookup joins
 *    in topological order, so that a lookup join fed by another sees its rows in the same round;
 *  - `close()` closes the LookupSource at the end of the job.
 * Watermarks received while rows are buffered or being looked up are held back and forwarded after those rows are
 * emitted, so a watermark never overtakes rows. Rows still buffered at `finish()` (a runner bug) are dead-lettered.
 *
 * Keys: the values of `leftKeys`, passed to the LookupSource in that order (table columns `lookupKeys`). A NULL in
 * the key never matches. Identical keys within one flush are looked up once. With `options.async` up to `capacity`
 * (default 100, Flink's table.exec.async-lookup.buffer-capacity) distinct keys are looked up concurrently, otherwise
 * one after another.
 *
 * Cache (Flink's PARTIAL lookup cache; on when `cacheMaxRows` or `cacheTtlMs` is set): LRU over keys, at most
 * `cacheMaxRows` keys, entries expire `cacheTtlMs` after they were loaded; keys without rows are cached too. The cache
 * is not checkpointed.
 *
 * Failures: a lookup that throws is retried `maxRetries` times (default 3) `retryDelayMs` apart (default 100 ms);
 * after that every row with that key is dead-lettered with the error — never silently lost.
 *
 * Output = left row ++ table row. The table part is the table's full row (computed columns evaluated, metadata
 * columns NULL) when the op's fields have room for it, else the physical row. The residual `condition` is evaluated
 * over the joined row; INNER drops rows without a match, LEFT pads them with NULLs.
 */
import type { Batch, Row } from '../../common/row.js';
import { RowKind } from '../../common/row.js';
import type { RowField } from '../../common/types.js';
import type { EvalContext } from '../../functions/index.js';
import type { ProgramOp } from '../../program/program.js';
import { compileExpr, type RowFn } from '../codegen.js';
import type { LookupSource } from '../connector-api.js';
import { makeKeyFn, type KeyFn } from '../keys.js';
import { BatchBuilder, Operator, type OperatorContext } from '../operator.js';

export type LookupJoinOp = Extract<ProgramOp, { kind: 'lookupJoin' }> & {
  options: { capacity?: number };
};

interface CacheEntry { rows: Row[]; t: number }

/** One distinct key of a flush: its lookup outcome. */
interface Pending { key: Row; rows?: Row[]; error?: string }

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export class LookupJoinOperator extends Operator {
  private buf: Row[] = [];
  private bufKinds: RowKind[] = [];
  /** Highest watermark received while rows were pending, not yet forwarded. */
  private heldWm: number | undefined;
  private flushing: Promise<void> | undefined;
  private opened = false;
  private readonly cache = new Map<unknown, CacheEntry>();
  private readonly cacheOn: boolean;
  private readonly cacheMax: number;
  private readonly cacheTtl: number;
  private readonly maxRetries: number;
  private readonly retryDelay: number;
  private readonly capacity: number;
  private readonly async: boolean;
  private readonly leftKeys: number[];
  private readonly keyFn: KeyFn;
  private readonly cond: RowFn | undefined;
  private readonly leftWidth: number;
  private readonly tableWidth: number;
  private readonly isLeft: boolean;
  /** Full-row conversion of looked-up physical rows (undefined: use physical rows as they are). */
  private readonly placements: [number, number][] | undefined;
  private readonly computed: [number, RowFn][] = [];
  /** Lookups issued to the source (for tests and metrics). */
  lookups = 0;

  constructor(p: LookupJoinOp, ctx: OperatorContext, evalCtx: EvalContext, inputFields: RowField[][], private readonly source: LookupSource) {
    super(p.id, p.fields, ctx);
    const left = inputFields[0] ?? [];
    this.leftWidth = left.length;
    this.tableWidth = p.fields.length - left.length;
    this.leftKeys = p.leftKeys;
    this.keyFn = makeKeyFn(p.leftKeys.map((_, i) => i), p.leftKeys.map((i) => left[i]!));
    this.cond = p.condition ? compileExpr(p.condition, evalCtx) : undefined;
    this.isLeft = p.joinType === 'LEFT';
    const o = p.options;
    this.async = o.async;
    this.cacheOn = o.cacheMaxRows !== undefined || o.cacheTtlMs !== undefined;
    this.cacheMax = o.cacheMaxRows ?? Infinity;
    this.cacheTtl = o.cacheTtlMs ?? Infinity;
    this.maxRetries = o.maxRetries ?? 3;
    this.retryDelay = o.retryDelayMs ?? 100;
    this.capacity = Math.max(1, o.capacity ?? 100);
    const t = p.table;
    const full = this.tableWidth === t.fields.length && t.columns.some((c) => c.kind !== 'physical');
    if (full) {
      this.placements = [];
      t.columns.forEach((c, i) => {
        if (c.kind === 'physical') this.placements!.push([i, c.physicalIndex]);
        else if (c.kind === 'computed') this.computed.push([i, compileExpr(c.expr, evalCtx)]);
      });
    }
  }

  process(batch: Batch): void {
    const { rows, kinds } = batch;
    const n = rows.length;
    this.rowsIn += n;
    for (let i = 0; i < n; i++) { this.buf.push(rows[i]!); this.bufKinds.push(kinds[i]!); }
  }

  /** Holds the watermark back while rows are buffered or being looked up. */
  override watermark(wm: number, input: number): void {
    if (this.buf.length > 0 || this.flushing !== undefined) {
      if (this.heldWm === undefined || wm > this.heldWm) this.heldWm = wm;
      return;
    }
    super.watermark(wm, input);
  }

  /** True when rows are waiting for `flushAsync`. */
  get pending(): boolean { return this.buf.length > 0; }

  /** Looks up and emits every buffered row (runner contract in the module comment). */
  async flushAsync(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
    if (this.buf.length > 0) {
      const run = this.flushBuffered();
      this.flushing = run;
      try { await run; } finally { this.flushing = undefined; }
    }
    if (this.buf.length === 0 && this.heldWm !== undefined) {
      const wm = this.heldWm;
      this.heldWm = undefined;
      super.watermark(wm, 0);
    }
  }

  private async flushBuffered(): Promise<void> {
    if (!this.opened) { await this.source.open(); this.opened = true; }
    const rows = this.buf, kinds = this.bufKinds;
    this.buf = [];
    this.bufKinds = [];
    const n = rows.length;
    const nk = this.leftKeys.length;
    // Distinct keys of this flush, in first-seen order; `null` for rows whose key has a NULL.
    const rowKey = new Array<unknown>(n);
    const byKey = new Map<unknown, Pending>();
    const toFetch: Pending[] = [];
    const now = this.ctx.now();
    for (let i = 0; i < n; i++) {
      const row = rows[i]!;
      const key = new Array<unknown>(nk);
      let hasNull = false;
      for (let j = 0; j < nk; j++) { const v = row[this.leftKeys[j]!]; if (v === null || v === undefined) hasNull = true; key[j] = v; }
      if (hasNull) { rowKey[i] = null; continue; }
      const enc = this.keyFn(key);
      rowKey[i] = enc;
      if (byKey.has(enc)) continue;
      const pend: Pending = { key };
      byKey.set(enc, pend);
      const hit = this.cacheOn ? this.cached(enc, now) : undefined;
      if (hit !== undefined) pend.rows = hit;
      else toFetch.push(pend);
    }
    if (this.async) {
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < toFetch.length) await this.fetch(toFetch[next++]!);
      };
      const workers: Promise<void>[] = [];
      for (let w = 0; w < Math.min(this.capacity, toFetch.length); w++) workers.push(worker());
      await Promise.all(workers);
    } else {
      for (const pend of toFetch) await this.fetch(pend);
    }
    if (this.cacheOn) {
      const loaded = this.ctx.now();
      for (const pend of toFetch) if (pend.rows !== undefined) this.remember(this.keyFn(pend.key), pend.rows, loaded);
    }
    this.emitJoined(rows, kinds, rowKey, byKey);
  }

  /** Looks one key up with retries; records rows (converted to table rows) or the final error. */
  private async fetch(pend: Pending): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        this.lookups++;
        const found = await this.source.lookup(pend.key);
        pend.rows = this.placements === undefined ? found : found.map((r) => this.toTableRow(r));
        return;
      } catch (err) {
        this.ctx.metrics.inc('lookupErrors');
        if (attempt >= this.maxRetries) {
          pend.error = `lookup failed after ${attempt + 1} attempt(s): ${err instanceof Error ? err.message : String(err)}`;
          return;
        }
        if (this.retryDelay > 0) await sleep(this.retryDelay);
      }
    }
  }

  private toTableRow(p: Row): Row {
    const row = new Array<unknown>(this.tableWidth).fill(null);
    const pl = this.placements!;
    for (let j = 0; j < pl.length; j++) row[pl[j]![0]] = p[pl[j]![1]] ?? null;
    for (let j = 0; j < this.computed.length; j++) row[this.computed[j]![0]] = this.computed[j]![1](row);
    return row;
  }

  private cached(enc: unknown, now: number): Row[] | undefined {
    const e = this.cache.get(enc);
    if (e === undefined) return undefined;
    this.cache.delete(enc);
    if (now - e.t >= this.cacheTtl) return undefined;
    this.cache.set(enc, e); // most recently used last
    this.ctx.metrics.inc('lookupCacheHits');
    return e.rows;
  }

  private remember(enc: unknown, rows: Row[], now: number): void {
    this.cache.delete(enc);
    this.cache.set(enc, { rows, t: now });
    while (this.cache.size > this.cacheMax) this.cache.delete(this.cache.keys().next().value);
  }

  private emitJoined(rows: Row[], kinds: RowKind[], rowKey: unknown[], byKey: Map<unknown, Pending>): void {
    const out = new BatchBuilder();
    const lw = this.leftWidth, tw = this.tableWidth;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const kind = kinds[i]!;
      const enc = rowKey[i];
      let matches: Row[] | undefined;
      if (enc !== null) {
        const pend = byKey.get(enc)!;
        if (pend.error !== undefined) { this.ctx.badRow(this.id, row, pend.error); continue; }
        matches = pend.rows;
      }
      let produced = 0;
      if (matches !== undefined) {
        try {
          for (let m = 0; m < matches.length; m++) {
            const tr = matches[m]!;
            const o = new Array<unknown>(lw + tw);
            for (let j = 0; j < lw; j++) o[j] = row[j];
            for (let j = 0; j < tw; j++) o[lw + j] = tr[j] ?? null;
            if (this.cond !== undefined && this.cond(o) !== true) continue;
            out.push(o, kind);
            produced++;
          }
        } catch (err) {
          this.ctx.badRow(this.id, row, `lookup join condition failed: ${err instanceof Error ? err.message : String(err)}`);
          continue;
        }
      }
      if (produced === 0 && this.isLeft) {
        const o = new Array<unknown>(lw + tw).fill(null);
        for (let j = 0; j < lw; j++) o[j] = row[j];
        out.push(o, kind);
      }
    }
    this.emit(out.take());
  }

  override finish(): void {
    for (let i = 0; i < this.buf.length; i++) this.ctx.badRow(this.id, this.buf[i]!, 'lookup join: row not flushed before the end of input');
    this.buf = [];
    this.bufKinds = [];
  }

  async close(): Promise<void> {
    if (this.opened) { this.opened = false; await this.source.close(); }
  }

  /** Normally empty: the runner flushes before a checkpoint. Buffered rows are kept anyway, so none can be lost. */
  override snapshot(): unknown {
    if (this.buf.length === 0 && this.heldWm === undefined) return undefined;
    return { buf: this.buf, kinds: this.bufKinds, held: this.heldWm };
  }
  override restore(s: unknown): void {
    if (s === undefined || s === null) return;
    const st = s as { buf: Row[]; kinds: RowKind[]; held?: number };
    this.buf = st.buf;
    this.bufKinds = st.kinds;
    this.heldWm = st.held;
  }
}
