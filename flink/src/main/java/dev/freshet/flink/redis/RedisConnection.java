// One connection to the Redis server of a feature table, shared by the row store (RedisStore) and the tile store
// (tiles.RedisTileStore): connecting with the table's settings, the meta strings, and Lua scripts called by SHA with
// a reload when the server has lost its script cache. Every script Freshet sends is a versioned write (applied only
// when newer), so sending a call again after NOSCRIPT is harmless.
package dev.freshet.flink.redis;

import java.io.Closeable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/** A connection used by one thread at a time. */
public final class RedisConnection implements Closeable {
  /** Writes per script call: bounds how long one call holds the single-threaded server (as redis-kv-store.ts). */
  public static final int CHUNK = 1000;

  /** Appends one write's KEYS and ARGV entries to a script call. */
  @FunctionalInterface
  public interface ScriptArgs<W> {
    void add(W write, List<String> keys, List<String> args);
  }

  private final RedisConfig config;
  private final Jedis jedis;
  /** Script text to its SHA, loaded on first use. */
  private final Map<String, String> shas = new HashMap<>();

  /** Connects and pings; fails with the server's address when it does not answer. */
  public RedisConnection(RedisConfig config, String clientName) {
    this.config = config;
    DefaultJedisClientConfig.Builder b = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(config.connectTimeoutMs())
        .socketTimeoutMillis(Math.max(config.connectTimeoutMs(), 10_000))
        .database(config.database())
        .clientName(clientName);
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

  public Jedis jedis() {
    return jedis;
  }

  /**
   * Calls the script once per {@link #CHUNK} writes, all calls pipelined in one round trip; returns the sum of the
   * calls' integer replies. After NOSCRIPT (server restart, SCRIPT FLUSH) the script is loaded again and every chunk
   * resent; chunks that did apply are ignored the second time, the writes being versioned.
   */
  public <W> long evalChunks(String script, List<W> writes, int argsPerWrite, ScriptArgs<W> encode) {
    if (writes.isEmpty()) return 0;
    String sha = sha(script);
    try {
      return evalChunksOnce(sha, writes, argsPerWrite, encode);
    } catch (JedisNoScriptException e) {
      return evalChunksOnce(reload(script), writes, argsPerWrite, encode);
    }
  }

  private <W> long evalChunksOnce(String sha, List<W> writes, int argsPerWrite, ScriptArgs<W> encode) {
    Pipeline p = jedis.pipelined();
    List<Response<Object>> replies = new ArrayList<>();
    for (int i = 0; i < writes.size(); i += CHUNK) {
      List<W> chunk = writes.subList(i, Math.min(writes.size(), i + CHUNK));
      List<String> keys = new ArrayList<>(chunk.size());
      List<String> args = new ArrayList<>(chunk.size() * argsPerWrite);
      for (W w : chunk) encode.add(w, keys, args);
      replies.add(p.evalsha(sha, keys, args));
    }
    p.sync();
    long applied = 0;
    for (Response<Object> r : replies) applied += ((Number) r.get()).longValue();
    return applied;
  }

  /** One script call, loaded again and resent after NOSCRIPT. */
  public Object eval(String script, List<String> keys, List<String> args) {
    String sha = sha(script);
    try {
      return jedis.evalsha(sha, keys, args);
    } catch (JedisNoScriptException e) {
      return jedis.evalsha(reload(script), keys, args);
    }
  }

  private String sha(String script) {
    String sha = shas.get(script);
    return sha != null ? sha : reload(script);
  }

  private String reload(String script) {
    String sha = jedis.scriptLoad(script);
    shas.put(script, sha);
    return sha;
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
