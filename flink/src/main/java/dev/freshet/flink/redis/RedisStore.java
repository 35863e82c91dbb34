// Freshet's Redis layout (docs/stores.md, src/connectors/stores/redis-kv-store.ts) from Java: versioned row writes by
// the same Lua script (the compare and the write are one atomic step on the server, so replays and racing writers
// never move a value back), row reads, and meta strings. One connection, used by one thread at a time.
package dev.freshet.flink.redis;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/** A connection to the Redis server of one feature table. */
public final class RedisStore implements Closeable {
  /**
   * The row write script: ARGV per write is version, '1' for a tombstone else '0', the JSON row. Byte for byte the
   * PUT_ROWS script of redis-kv-store.ts, so both engines load the same SHA.
   */
  static final String PUT_ROWS = """

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
      return applied""";

  /** Writes per script call: bounds how long one call holds the single-threaded server (as redis-kv-store.ts). */
  static final int CHUNK = 1000;

  /** A row write: {@code value} null writes a tombstone. */
  public record Write(String key, long version, String value) {}

  /** A stored row: JSON value, version, write time (server clock, epoch ms). */
  public record Stored(String value, long version, long writtenAt) {}

  private final RedisConfig config;
  private final Jedis jedis;
  private String putRowsSha;

  public RedisStore(RedisConfig config) {
    this.config = config;
    DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(config.connectTimeoutMs())
        .socketTimeoutMillis(Math.max(config.connectTimeoutMs(), 10_000))
        .database(config.database())
        .clientName("freshet-flink");
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

  public RedisConfig config() {
    return config;
  }

  /** Applies each write whose version is newer than the stored one; returns how many applied. One round trip. */
  public long putRows(List<Write> writes) {
    if (writes.isEmpty()) return 0;
    if (putRowsSha == null) putRowsSha = jedis.scriptLoad(PUT_ROWS);
    try {
      return putRowsOnce(writes);
    } catch (JedisNoScriptException e) {
      // The server lost its script cache (restart, SCRIPT FLUSH): load it again and resend; the writes are
      // versioned, so any chunk that did apply is ignored the second time.
      putRowsSha = jedis.scriptLoad(PUT_ROWS);
      return putRowsOnce(writes);
    }
  }

  private long putRowsOnce(List<Write> writes) {
    Pipeline p = jedis.pipelined();
    List<Response<Object>> replies = new ArrayList<>();
    for (int i = 0; i < writes.size(); i += CHUNK) {
      List<Write> chunk = writes.subList(i, Math.min(writes.size(), i + CHUNK));
      List<String> keys = new ArrayList<>(chunk.size());
      List<String> args = new ArrayList<>(chunk.size() * 3);
      for (Write w : chunk) {
        keys.add(config.rowKey(w.key()));
        args.add(Long.toString(w.version()));
        args.add(w.value() == null ? "1" : "0");
        args.add(w.value() == null ? "" : w.value());
      }
      replies.add(p.evalsha(putRowsSha, keys, args));
    }
    p.sync();
    long applied = 0;
    for (Response<Object> r : replies) applied += ((Number) r.get()).longValue();
    return applied;
  }

  /** The stored row of a key, or null when absent or deleted. */
  public Stored get(String key) {
    List<String> r = jedis.hmget(config.rowKey(key), "v", "ver", "at");
    if (r.get(0) == null) return null;
    return new Stored(r.get(0), Long.parseLong(r.get(1)), r.get(2) == null ? 0 : Long.parseLong(r.get(2)));
  }

  /** Per key the stored version, also of a tombstone, or null when the key was never written. One round trip. */
  public Long[] versions(List<String> keys) {
    Pipeline p = jedis.pipelined();
    List<Response<String>> replies = new ArrayList<>(keys.size());
    for (String k : keys) replies.add(p.hget(config.rowKey(k), "ver"));
    p.sync();
    Long[] out = new Long[keys.size()];
    for (int i = 0; i < out.length; i++) {
      String v = replies.get(i).get();
      out[i] = v == null ? null : Long.parseLong(v);
    }
    return out;
  }

  public String getMeta(String name) {
    return jedis.get(config.metaKey(name));
  }

  public void putMeta(String name, String value) {
    jedis.set(config.metaKey(name), value);
  }

  @Override
  public void close() {
    jedis.close();
  }
}
