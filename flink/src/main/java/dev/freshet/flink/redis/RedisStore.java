// Freshet's Redis layout (docs/stores.md, src/connectors/stores/redis-kv-store.ts) from Java: versioned row writes by
// the same Lua script (the compare and the write are one atomic step on the server, so replays and racing writers
// never move a value back), row reads, and meta strings. One connection (RedisConnection), used by one thread at a
// time.
package dev.freshet.flink.redis;

import dev.freshet.flink.connector.StoreClient;
import dev.freshet.flink.connector.StoreWrite;
import java.util.ArrayList;
import java.util.List;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/** A connection to the Redis server of one feature table: the `redis` connector's {@link StoreClient}. */
public final class RedisStore implements StoreClient {
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

  /** A stored row: JSON value, version, write time (server clock, epoch ms). */
  public record Stored(String value, long version, long writtenAt) {}

  private final RedisConnection redis;

  public RedisStore(RedisConfig config) {
    this.redis = new RedisConnection(config, "freshet-flink");
  }

  public RedisConfig config() {
    return redis.config();
  }

  /** Applies each write whose version is newer than the stored one; returns how many applied. One round trip. */
  @Override
  public long putRows(List<StoreWrite> writes) {
    RedisConfig config = redis.config();
    return redis.evalChunks(PUT_ROWS, writes, 3, (w, keys, args) -> {
      keys.add(config.rowKey(w.key()));
      args.add(Long.toString(w.version()));
      args.add(w.value() == null ? "1" : "0");
      args.add(w.value() == null ? "" : w.value());
    });
  }

  /** The stored row of a key, or null when absent or deleted. */
  public Stored get(String key) {
    List<String> r = redis.jedis().hmget(config().rowKey(key), "v", "ver", "at");
    if (r.get(0) == null) return null;
    return new Stored(r.get(0), Long.parseLong(r.get(1)), r.get(2) == null ? 0 : Long.parseLong(r.get(2)));
  }

  /** Per key the stored version, also of a tombstone, or null when the key was never written. One round trip. */
  @Override
  public Long[] versions(List<String> keys) {
    Pipeline p = redis.jedis().pipelined();
    List<Response<String>> replies = new ArrayList<>(keys.size());
    for (String k : keys) replies.add(p.hget(config().rowKey(k), "ver"));
    p.sync();
    Long[] out = new Long[keys.size()];
    for (int i = 0; i < out.length; i++) {
      String v = replies.get(i).get();
      out[i] = v == null ? null : Long.parseLong(v);
    }
    return out;
  }

  @Override
  public String row(String key) {
    Stored s = get(key);
    return s == null ? null : s.value();
  }

  @Override
  public String getMeta(String name) {
    return redis.getMeta(name);
  }

  @Override
  public void putMeta(String name, String value) {
    redis.putMeta(name, value);
  }

  @Override
  public String describe() {
    return config().toString();
  }

  @Override
  public void close() {
    redis.close();
  }
}
