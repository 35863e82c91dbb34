/**
 * The Redis online store (node-redis). Layout, shared with the Flink template job and the serving layer:
 *
 *   fs:<table>:<key>                   hash { v: JSON row, ver: version, at: written at (server clock, epoch ms) }
 *                                      a tombstone keeps `ver` and `at` and has no `v`
 *   fs:<table>:<key>:t:<granularityMs> hash field <tileStart> → "<version>|<json>"  ("<version>|" = removed tile)
 *   fs:<table>:meta:<name>             string
 *
 * Versioned writes run in Lua scripts (loaded with SCRIPT LOAD, called with EVALSHA; node-redis re-sends the body
 * when the server lost it): the compare and the write are one atomic step on the server, so racing writers and
 * replays after a crash can never move a value back. A batch is one script call per 1000 writes, all sent in one
 * pipeline; multiGet / readTiles send one command per key in one pipeline: one round trip per batch.
 *
 * Caveat of the shared layout: a row key that itself contains `:t:<digits>` or starts with `meta:` can collide with
 * a tile or meta key of the same table (docs/stores.md).
 */
import { createClient, defineScript } from 'redis';
import type { KvStore, StoredValue, TileRead, TileWrite, VersionedWrite } from '../../engine/kv-store-api.js';

export interface RedisKvOptions {
  host?: string;
  port?: number;
  username?: string;
  password?: string;
  database?: number;
  /** Milliseconds to wait for the connection (default 5000). */
  connectTimeoutMs?: number;
}

/** Most tile positions a read names one by one (HMGET); wider ranges read the whole record. */
const MAX_FIELDS = 4096;

/** A stored tile field is `<version>|<value>`; an empty value is a deleted position. */
function addTile(out: Map<number, string>, start: number, s: string): void {
  const bar = s.indexOf('|');
  if (bar >= 0 && bar < s.length - 1) out.set(start, s.slice(bar + 1));
}

/** Writes per script call: bounds how long one call holds the (single-threaded) server. */
const CHUNK = 1000;

export const rowKey = (table: string, key: string): string => `fs:${table}:${key}`;
export const tileKey = (table: string, key: string, granularityMs: number): string => `fs:${table}:${key}:t:${granularityMs}`;
export const metaKey = (table: string, name: string): string => `fs:${table}:meta:${name}`;

// ARGV per write: version, '1' for a tombstone else '0', the JSON row.
const PUT_ROWS = `
local t = redis.call('TIME')
local now = string.format('%d', tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000))
local applied = 0
for i, key in ipairs(KEYS) do
  local ver = ARGV[3 * i - 2]
  local cur = redis.call('HGET', key, 'ver')
  if (not cur) or tonumber(cur) < tonumber(ver) then
    if ARGV[3 * i - 1] == '1' then
      redis.call('HDEL', key, 'v')
      redis.call('HSET', key, 'ver', ver, 'at', now)
    else
      redis.call('HSET', key, 'v', ARGV[3 * i], 'ver', ver, 'at', now)
    end
    applied = applied + 1
  end
end
return applied`;

// ARGV per write: tile start, version, '1' to remove else '0', the JSON accumulators.
const PUT_TILES = `
local applied = 0
for i, key in ipairs(KEYS) do
  local field = ARGV[4 * i - 3]
  local ver = ARGV[4 * i - 2]
  local cur = redis.call('HGET', key, field)
  local newer = true
  if cur then
    local bar = string.find(cur, '|', 1, true)
    newer = tonumber(string.sub(cur, 1, bar - 1)) < tonumber(ver)
  end
  if newer then
    local val = ''
    if ARGV[4 * i - 1] ~= '1' then val = ARGV[4 * i] end
    redis.call('HSET', key, field, ver .. '|' .. val)
    applied = applied + 1
  end
end
return applied`;

// KEYS[1] a tile hash; ARGV[1] the retention boundary.
const EXPIRE_TILES = `
local before = tonumber(ARGV[1])
local n = 0
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  if tonumber(f) < before then redis.call('HDEL', KEYS[1], f); n = n + 1 end
end
return n`;

type Parser = { push: (...a: string[]) => unknown; pushKey: (k: string) => unknown };

function variadicScript(script: string): ReturnType<typeof defineScript> {
  // NUMBER_OF_KEYS is left undefined: parseCommand pushes the key count itself.
  return defineScript({
    SCRIPT: script,
    parseCommand(parser: Parser, keys: string[], args: string[]) {
      parser.push(String(keys.length));
      for (const k of keys) parser.pushKey(k);
      parser.push(...args);
    },
    transformReply: undefined as unknown as () => number,
  } as never);
}

const SCRIPTS = {
  fsPutRows: variadicScript(PUT_ROWS),
  fsPutTiles: variadicScript(PUT_TILES),
  fsExpireTiles: variadicScript(EXPIRE_TILES),
};

/** The node-redis client surface this store uses (the library's generated types are too deep to name here). */
interface Multi {
  hmGet(key: string, fields: string[]): Multi;
  hGetAll(key: string): Multi;
  hSet(key: string, field: string, value: string): Multi;
  fsPutRows(keys: string[], args: string[]): Multi;
  fsPutTiles(keys: string[], args: string[]): Multi;
  execAsPipeline(): Promise<unknown[]>;
}
interface Client {
  connect(): Promise<unknown>;
  on(ev: 'error', f: (e: Error) => void): unknown;
  quit?(): Promise<unknown>;
  close?(): Promise<unknown>;
  destroy(): void;
  multi(): Multi;
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  scriptLoad(script: string): Promise<string>;
  fsExpireTiles(keys: string[], args: string[]): Promise<number>;
  ping(): Promise<string>;
}

export class RedisKvStore implements KvStore {
  readonly kind = 'redis';
  private client?: Client;
  private lastError?: Error;

  constructor(private readonly opts: RedisKvOptions = {}) {}

  /** host:port, for messages. */
  get address(): string { return `${this.opts.host ?? '127.0.0.1'}:${this.opts.port ?? 6379}`; }

  async open(): Promise<void> {
    if (this.client) return;
    const o = this.opts;
    let connected = false;
    const client = createClient({
      socket: {
        host: o.host ?? '127.0.0.1', port: o.port ?? 6379, connectTimeout: o.connectTimeoutMs ?? 5000,
        // The first connection fails at once (a wrong address is reported, not retried); a lost connection is retried
        // a few times with backoff, then the pending commands fail and the job fails visibly.
        reconnectStrategy: (retries: number) => (!connected || retries > 10 ? new Error(`Redis at ${this.address} is unreachable`) : Math.min(50 * 2 ** retries, 1000)),
      },
      ...(o.username !== undefined ? { username: o.username } : {}),
      ...(o.password !== undefined ? { password: o.password } : {}),
      ...(o.database !== undefined ? { database: o.database } : {}),
      scripts: SCRIPTS,
    }) as unknown as Client;
    // node-redis emits connection errors as events; without a listener they would crash the process.
    client.on('error', (e) => { this.lastError = e; });
    try {
      await client.connect();
      connected = true;
      for (const s of Object.values(SCRIPTS)) await client.scriptLoad((s as { SCRIPT: string }).SCRIPT);
    } catch (e) {
      client.destroy();
      throw new Error(`cannot connect to Redis at ${this.address}: ${(e as Error).message ?? this.lastError?.message}`);
    }
    this.client = client;
  }

  private c(): Client {
    if (!this.client) throw new Error(`Redis store ${this.address} is not open`);
    return this.client;
  }

  async multiGet(table: string, keys: readonly string[]): Promise<(StoredValue | null)[]> {
    if (keys.length === 0) return [];
    const m = this.c().multi();
    for (const k of keys) m.hmGet(rowKey(table, k), ['v', 'ver', 'at']);
    const replies = await m.execAsPipeline() as (string | null)[][];
    return replies.map((r) => (r[0] === null || r[0] === undefined ? null
      : { value: r[0], version: Number(r[1]), ...(r[2] != null ? { writtenAt: Number(r[2]) } : {}) }));
  }

  async multiPut(table: string, writes: readonly VersionedWrite[]): Promise<number> {
    if (writes.length === 0) return 0;
    const m = this.c().multi();
    for (let i = 0; i < writes.length; i += CHUNK) {
      const keys: string[] = [], args: string[] = [];
      for (const w of writes.slice(i, i + CHUNK)) {
        keys.push(rowKey(table, w.key));
        args.push(String(w.version), w.value === null ? '1' : '0', w.value ?? '');
      }
      m.fsPutRows(keys, args);
    }
    return sum(await m.execAsPipeline());
  }

  async writeTiles(table: string, writes: readonly TileWrite[]): Promise<number> {
    if (writes.length === 0) return 0;
    const m = this.c().multi();
    for (let i = 0; i < writes.length; i += CHUNK) {
      const keys: string[] = [], args: string[] = [];
      for (const w of writes.slice(i, i + CHUNK)) {
        keys.push(tileKey(table, w.key, w.granularityMs));
        args.push(String(w.start), String(w.version), w.value === null ? '1' : '0', w.value ?? '');
      }
      m.fsPutTiles(keys, args);
    }
    return sum(await m.execAsPipeline());
  }

  /**
   * Bulk load (KvStore.writeTilesUnconditional): plain HSETs of "<version>|<json>", pipelined, without the versioned
   * script's read of the current field (for a writer that owns the table: an offline build into its own layer).
   */
  async writeTilesUnconditional(table: string, writes: readonly TileWrite[]): Promise<number> {
    for (let i = 0; i < writes.length; i += CHUNK * 10) {
      const m = this.c().multi();
      const end = Math.min(writes.length, i + CHUNK * 10);
      for (let j = i; j < end; j++) {
        const w = writes[j]!;
        m.hSet(tileKey(table, w.key, w.granularityMs), String(w.start), `${w.version}|${w.value ?? ''}`);
      }
      for (const r of await m.execAsPipeline()) if (r instanceof Error) throw r;
    }
    return writes.length;
  }

  async readTiles(table: string, reads: readonly TileRead[]): Promise<Map<number, string>[]> {
    if (reads.length === 0) return [];
    // Tile starts are multiples of the granularity, so a range names its fields: HMGET them rather than HGETALL the
    // record (which also holds the positions kept for other windows and for retention, with their edge entries).
    // A range of more than MAX_FIELDS positions reads the whole record instead.
    const m = this.c().multi();
    const fields: (string[] | undefined)[] = [];
    for (const r of reads) {
      const g = r.granularityMs;
      const first = Math.ceil(r.from / g) * g;
      const n = r.to > first ? Math.ceil((r.to - first) / g) : 0;
      if (n <= MAX_FIELDS) {
        const f = new Array<string>(n);
        for (let i = 0; i < n; i++) f[i] = String(first + i * g);
        fields.push(f);
        if (n > 0) m.hmGet(tileKey(table, r.key, g), f);
      } else {
        fields.push(undefined);
        m.hGetAll(tileKey(table, r.key, g));
      }
    }
    const replies = (await m.execAsPipeline()) as unknown[];
    const out: Map<number, string>[] = [];
    let j = 0;
    for (let i = 0; i < reads.length; i++) {
      const r = reads[i]!, f = fields[i];
      const tiles = new Map<number, string>();
      if (f === undefined) {
        const h = (replies[j++] ?? {}) as Record<string, string>;
        const starts = Object.keys(h).map(Number).filter((p) => p >= r.from && p < r.to).sort((a, b) => a - b);
        for (const p of starts) addTile(tiles, p, h[String(p)]!);
      } else if (f.length > 0) {
        const vals = (replies[j++] ?? []) as (string | null)[];
        // Ascending by construction.
        for (let k = 0; k < f.length; k++) {
          const v = vals[k];
          if (v != null) addTile(tiles, Number(f[k]), v);
        }
      }
      out.push(tiles);
    }
    return out;
  }

  async expireTiles(table: string, key: string, granularityMs: number, before: number): Promise<void> {
    await this.c().fsExpireTiles([tileKey(table, key, granularityMs)], [String(before)]);
  }

  getMeta(table: string, name: string): Promise<string | null> {
    return this.c().get(metaKey(table, name));
  }

  async putMeta(table: string, name: string, value: string): Promise<void> {
    await this.c().set(metaKey(table, name), value);
  }

  /** Acknowledged writes are on the server; on-disk durability follows the server's appendonly/save settings. */
  async flush(): Promise<void> {}

  async close(): Promise<void> {
    const c = this.client;
    if (!c) return;
    this.client = undefined;
    try {
      await (c.close ? c.close() : c.quit?.());
    } catch {
      c.destroy();
    }
  }
}

function sum(replies: unknown[]): number {
  let n = 0;
  for (const r of replies) {
    if (r instanceof Error) throw r;
    n += Number(r);
  }
  return n;
}
