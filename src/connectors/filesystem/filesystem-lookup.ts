/**
 * Lookup source of the filesystem connector: at `open()` reads every file of the table once with the table's format
 * (through FilesystemSource, so bad records are reported the same way) and indexes the rows by the lookup key
 * columns; `lookup(key)` is then a Map access. Rows whose key has a NULL are not indexed (a NULL never matches).
 * The returned arrays are shared: callers must not modify them. The files are not re-read while the job runs.
 */
import type { Row } from '../../common/row.js';
import { makeKeyFn, type KeyFn } from '../../engine/keys.js';
import type { FormatName } from '../../formats/index.js';
import type { LookupContext, LookupSource } from '../connector.js';
import { FilesystemSource } from './filesystem-source.js';

const EMPTY: Row[] = [];

export class FilesystemLookup implements LookupSource {
  private index = new Map<unknown, Row[]>();
  private readonly rowKey: KeyFn;
  private readonly keyKey: KeyFn;

  constructor(private readonly ctx: LookupContext, private readonly format: FormatName) {
    const cols = ctx.keyColumns;
    // Both encodings see the same column types, so a table row and a key of equal values get the same Map key.
    this.rowKey = makeKeyFn(cols, ctx.physicalFields);
    this.keyKey = makeKeyFn(cols.map((_, i) => i), cols.map((c) => ctx.physicalFields[c]!));
  }

  async open(): Promise<void> {
    const src = new FilesystemSource(this.ctx, this.format);
    await src.open();
    const index = new Map<unknown, Row[]>();
    const cols = this.ctx.keyColumns;
    try {
      for (let rows = await src.poll(4096); rows !== null; rows = await src.poll(4096)) {
        for (const row of rows) {
          let hasNull = false;
          for (const c of cols) if (row[c] === null || row[c] === undefined) { hasNull = true; break; }
          if (hasNull) continue;
          const k = this.rowKey(row);
          const list = index.get(k);
          if (list === undefined) index.set(k, [row]); else list.push(row);
        }
      }
    } finally {
      await src.close();
    }
    this.index = index;
  }

  lookup(key: Row): Promise<Row[]> {
    return Promise.resolve(this.index.get(this.keyKey(key)) ?? EMPTY);
  }

  async close(): Promise<void> {
    this.index = new Map();
  }

  /** Number of distinct keys indexed. */
  get size(): number { return this.index.size; }
}
