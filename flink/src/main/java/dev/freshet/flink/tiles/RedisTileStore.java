// Tile records in Redis exactly as Freshet's RedisKvStore writes them (src/connectors/stores/redis-kv-store.ts,
// docs/stores.md): hash fs:<table>:<key>:t:<granularityMs>, field <tileStart> = "<version>|<json>", applied by the
// same Lua script (a write applies only when its version is newer, atomically on the server), retention by the same
// expiry script, and meta strings fs:<table>:meta:<name>. Connection and script calls: redis.RedisConnection.
package dev.freshet.flink.tiles;

import dev.freshet.flink.redis.RedisConfig;
import dev.freshet.flink.redis.RedisConnection;
import java.io.Closeable;
import java.util.List;

/** One connection to the Redis server of a tiled feature table; used by one thread. */
public final class RedisTileStore implements Closeable {
  /** Byte for byte PUT_TILES of redis-kv-store.ts. ARGV per write: tile start, version, '1' to remove else '0', the JSON. */
  static final String PUT_TILES = """

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
      return applied""";

  /** Byte for byte EXPIRE_TILES of redis-kv-store.ts: KEYS[1] a tile hash, ARGV[1] the retention boundary. */
  static final String EXPIRE_TILES = """

      local before = tonumber(ARGV[1])
      local n = 0
      for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
        if tonumber(f) < before then redis.call('HDEL', KEYS[1], f); n = n + 1 end
      end
      return n""";

  /** A tile write: the position's value JSON at a version. */
  public record Write(String key, long granularityMs, long start, String value, long version) {}

  private final RedisConnection redis;

  public RedisTileStore(RedisConfig config) {
    this.redis = new RedisConnection(config, "freshet-flink-tiles");
  }

  public static String tileKey(String table, String key, long granularityMs) {
    return "fs:" + table + ":" + key + ":t:" + granularityMs;
  }

  /** Applies each write whose version is newer than the stored one; returns how many applied. One round trip. */
  public long writeTiles(List<Write> writes) {
    String table = redis.config().table();
    return redis.evalChunks(PUT_TILES, writes, 4, (w, keys, args) -> {
      keys.add(tileKey(table, w.key(), w.granularityMs()));
      args.add(Long.toString(w.start()));
      args.add(Long.toString(w.version()));
      args.add(w.value() == null ? "1" : "0");
      args.add(w.value() == null ? "" : w.value());
    });
  }

  /** Removes the positions before {@code before} of one key and level (retention). */
  public void expireTiles(String key, long granularityMs, long before) {
    redis.eval(EXPIRE_TILES, List.of(tileKey(redis.config().table(), key, granularityMs)), List.of(Long.toString(before)));
  }

  public void putMeta(String name, String value) {
    redis.putMeta(name, value);
  }

  public String getMeta(String name) {
    return redis.getMeta(name);
  }

  @Override
  public void close() {
    redis.close();
  }
}
