// Tile records in Redis exactly as Freshet's RedisKvStore writes them (src/connectors/stores/redis-kv-store.ts,
// docs/stores.md): hash fs:<table>:<key>:t:<granularityMs>, field <tileStart> = "<version>|<json>", applied by the
// same Lua script (a write applies only when its version is newer, atomically on the server), retention by the same
// expiry script, and meta strings fs:<table>:meta:<name>.
package dev.freshet.flink.tiles;

import dev.freshet.flink.redis.RedisConfig;
import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisNoScriptException;

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

  static final int CHUNK = 1000;

  /** A tile write: the position's value JSON at a version. */
  public record Write(String key, long granularityMs, long start, String value, long version) {}

  private final RedisConfig config;
  private final Jedis jedis;
  private String putSha;
  private String expireSha;

  public RedisTileStore(RedisConfig config) {
    this.config = config;
    DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(config.connectTimeoutMs())
        .socketTimeoutMillis(Math.max(config.connectTimeoutMs(), 10_000))
        .database(config.database())
        .clientName("freshet-flink-tiles");
    if (config.username() != null) b.user(config.username());
    if (config.password() != null) b.password(config.password());
    Jedis j = new Jedis(new HostAndPort(config.host(), config.port()), b.build());
    try {
      j.connect();
      j.ping();
    } catch (RuntimeException e) {
      j.close();
      throw new IllegalStateException("cannot connect to Redis at " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
    }
    this.jedis = j;
  }

  public static String tileKey(String table, String key, long granularityMs) {
    return "fs:" + table + ":" + key + ":t:" + granularityMs;
  }

  /** Applies each write whose version is newer than the stored one; returns how many applied. One round trip. */
  public long writeTiles(List<Write> writes) {
    if (writes.isEmpty()) return 0;
    if (putSha == null) putSha = jedis.scriptLoad(PUT_TILES);
    try {
      return writeOnce(writes);
    } catch (JedisNoScriptException e) {
      putSha = jedis.scriptLoad(PUT_TILES);
      return writeOnce(writes);
    }
  }

  private long writeOnce(List<Write> writes) {
    Pipeline p = jedis.pipelined();
    List<Response<Object>> replies = new ArrayList<>();
    for (int i = 0; i < writes.size(); i += CHUNK) {
      List<Write> chunk = writes.subList(i, Math.min(writes.size(), i + CHUNK));
      List<String> keys = new ArrayList<>(chunk.size());
      List<String> args = new ArrayList<>(chunk.size() * 4);
      for (Write w : chunk) {
        keys.add(tileKey(config.table(), w.key(), w.granularityMs()));
        args.add(Long.toString(w.start()));
        args.add(Long.toString(w.version()));
        args.add(w.value() == null ? "1" : "0");
        args.add(w.value() == null ? "" : w.value());
      }
      replies.add(p.evalsha(putSha, keys, args));
    }
    p.sync();
    long applied = 0;
    for (Response<Object> r : replies) applied += ((Number) r.get()).longValue();
    return applied;
  }

  /** Removes the positions before {@code before} of one key and level (retention). */
  public void expireTiles(String key, long granularityMs, long before) {
    if (expireSha == null) expireSha = jedis.scriptLoad(EXPIRE_TILES);
    List<String> keys = List.of(tileKey(config.table(), key, granularityMs));
    List<String> args = List.of(Long.toString(before));
    try {
      jedis.evalsha(expireSha, keys, args);
    } catch (JedisNoScriptException e) {
      expireSha = jedis.scriptLoad(EXPIRE_TILES);
      jedis.evalsha(expireSha, keys, args);
    }
  }

  public void putMeta(String name, String value) {
    jedis.set(config.metaKey(name), value);
  }

  public String getMeta(String name) {
    return jedis.get(config.metaKey(name));
  }

  @Override
  public void close() {
    jedis.close();
  }
}
