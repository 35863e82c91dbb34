// Freshet's Aerospike layout (docs/stores.md, src/connectors/stores/aerospike-kv-store.ts) from Java, with the
// official client: one record per row in the table's set, user key = the entity key, bins `v` (JSON row; absent in a
// tombstone), `ver` (version) and `at` (write time, the writer's clock, epoch ms); meta records `meta:<name>` with
// bin `m`. Row writes are batch writes whose sub-writes carry the filter expression `not exists(ver) or ver <
// version`, so the version check and the write are one atomic step on the server, exactly as the embedded store
// does it: a replay or a slower writer never moves a row back, and a filtered-out write is a stale write, not an
// error. Keys are sent as digests only (neither client stores the user key), so both compute the same record.
package dev.freshet.flink.aerospike;

import com.aerospike.client.AerospikeClient;
import com.aerospike.client.BatchRecord;
import com.aerospike.client.BatchWrite;
import com.aerospike.client.Bin;
import com.aerospike.client.Host;
import com.aerospike.client.IAerospikeClient;
import com.aerospike.client.Key;
import com.aerospike.client.Operation;
import com.aerospike.client.Record;
import com.aerospike.client.ResultCode;
import com.aerospike.client.exp.Exp;
import com.aerospike.client.exp.Expression;
import com.aerospike.client.policy.BatchPolicy;
import com.aerospike.client.policy.BatchWritePolicy;
import com.aerospike.client.policy.ClientPolicy;
import com.aerospike.client.policy.Policy;
import com.aerospike.client.policy.WritePolicy;
import dev.freshet.flink.connector.StoreClient;
import dev.freshet.flink.connector.StoreWrite;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records of one feature table in Aerospike: the `aerospike` connector's {@link StoreClient}. Thread-safe (the
 * client is). A {@link StoreWrite} with a null value writes a tombstone (the `v` bin removed, `ver` and `at` kept).
 */
public final class AerospikeStore implements StoreClient {
  public static final String VALUE_BIN = "v";
  public static final String VERSION_BIN = "ver";
  public static final String WRITTEN_AT_BIN = "at";
  public static final String META_BIN = "m";

  /** Sub-writes per batch call: bounds one request's size and time (the server's batch limit is larger). */
  static final int CHUNK = 1000;

  /** A stored row: JSON value, version, write time (epoch ms). */
  public record Stored(String value, long version, long writtenAt) {}

  /** Opens the client of a table (serializable, so tests can hand the functions a client without a server). */
  @FunctionalInterface
  public interface Connector extends Serializable {
    IAerospikeClient connect(AerospikeConfig config);
  }

  /** The official client, connected to the table's seed nodes. */
  public static final Connector CLIENT = AerospikeStore::connect;

  private final AerospikeConfig config;
  private final IAerospikeClient client;
  private final BatchPolicy batchPolicy;
  private final Policy readPolicy;
  private final WritePolicy writePolicy;

  public AerospikeStore(AerospikeConfig config, IAerospikeClient client) {
    this.config = config;
    this.client = client;
    // Versioned writes are idempotent, so retrying a batch after a timeout is harmless (the client's write default
    // does not retry).
    BatchPolicy bp = BatchPolicy.WriteDefault();
    bp.maxRetries = 2;
    bp.sleepBetweenRetries = 100;
    bp.totalTimeout = 10_000;
    this.batchPolicy = bp;
    this.readPolicy = new Policy();
    WritePolicy wp = new WritePolicy();
    wp.maxRetries = 2;
    wp.totalTimeout = 10_000;
    this.writePolicy = wp;
  }

  /** Connects to the seed nodes (the client discovers the rest of the cluster); fails fast when none answers. */
  public static IAerospikeClient connect(AerospikeConfig config) {
    ClientPolicy p = new ClientPolicy();
    if (config.username() != null) {
      p.user = config.username();
      p.password = config.password();
    }
    p.failIfNotConnected = true;
    List<AerospikeConfig.HostPort> seeds = config.seeds();
    Host[] hosts = new Host[seeds.size()];
    for (int i = 0; i < hosts.length; i++) hosts[i] = new Host(seeds.get(i).host(), seeds.get(i).port());
    try {
      return new AerospikeClient(p, hosts);
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot connect to Aerospike at " + config.hosts() + ": " + e.getMessage(), e);
    }
  }

  public AerospikeConfig config() {
    return config;
  }

  /** The record key of a row ({@code <entity key>} in the table's set). */
  public Key rowKey(String key) {
    return new Key(config.namespace(), config.set(), key);
  }

  /** The record key of a meta entry ({@code meta:<name>}). */
  public Key metaKey(String name) {
    return new Key(config.namespace(), config.set(), AerospikeConfig.metaKey(name));
  }

  /** The server-side condition of a row write: the record has no version yet, or an older one. */
  public static Expression newerThanStored(long version) {
    return Exp.build(Exp.or(Exp.not(Exp.binExists(VERSION_BIN)), Exp.lt(Exp.intBin(VERSION_BIN), Exp.val(version))));
  }

  /** The batch sub-write of one row: bins v (or its removal), ver, at, guarded by {@link #newerThanStored}. */
  public BatchWrite rowWrite(StoreWrite w, long now) {
    BatchWritePolicy p = new BatchWritePolicy();
    p.filterExp = newerThanStored(w.version());
    Operation[] ops = {
      Operation.put(w.value() == null ? Bin.asNull(VALUE_BIN) : new Bin(VALUE_BIN, w.value())),
      Operation.put(new Bin(VERSION_BIN, w.version())),
      Operation.put(new Bin(WRITTEN_AT_BIN, now)),
    };
    return new BatchWrite(p, rowKey(w.key()), ops);
  }

  /**
   * One write per key, the highest version (a batch does not order its sub-writes on one key; later writes win
   * ties), in first-seen key order: highestPerKey of aerospike-kv-store.ts.
   */
  public static List<StoreWrite> highestPerKey(List<StoreWrite> writes) {
    Map<String, StoreWrite> m = new LinkedHashMap<>();
    for (StoreWrite w : writes) {
      StoreWrite cur = m.get(w.key());
      if (cur == null || w.version() >= cur.version()) m.put(w.key(), w);
    }
    return new ArrayList<>(m.values());
  }

  /** Applies each write whose version is newer than the stored one; returns how many applied. */
  @Override
  public long putRows(List<StoreWrite> writes) {
    if (writes.isEmpty()) return 0;
    List<StoreWrite> unique = highestPerKey(writes);
    long now = System.currentTimeMillis();
    long applied = 0;
    for (int i = 0; i < unique.size(); i += CHUNK) {
      List<BatchRecord> batch = new ArrayList<>(Math.min(CHUNK, unique.size() - i));
      for (StoreWrite w : unique.subList(i, Math.min(unique.size(), i + CHUNK))) batch.add(rowWrite(w, now));
      client.operate(batchPolicy, batch);
      applied += countApplied(batch);
    }
    return applied;
  }

  /** OK sub-writes applied, FILTERED_OUT ones were stale; any other result fails the batch. */
  static long countApplied(List<BatchRecord> batch) {
    long applied = 0;
    for (BatchRecord r : batch) {
      if (r.resultCode == ResultCode.OK) applied++;
      else if (r.resultCode != ResultCode.FILTERED_OUT) {
        throw new IllegalStateException("Aerospike batch write of key " + r.key.userKey + " failed: "
            + ResultCode.getResultString(r.resultCode) + " (" + r.resultCode + (r.inDoubt ? ", in doubt" : "") + ")");
      }
    }
    return applied;
  }

  /** The stored row of a key, or null when absent or deleted (a tombstone has no `v`). */
  public Stored get(String key) {
    Record r = client.get(readPolicy, rowKey(key), VALUE_BIN, VERSION_BIN, WRITTEN_AT_BIN);
    return stored(r);
  }

  /** The stored version of a key, also of a tombstone, or null when the key was never written. */
  public Long version(String key) {
    Record r = client.get(readPolicy, rowKey(key), VERSION_BIN);
    return r != null && r.getValue(VERSION_BIN) instanceof Number n ? n.longValue() : null;
  }

  /** Per key the stored version (one read per key: only needed after a write was not applied, on replays). */
  @Override
  public Long[] versions(List<String> keys) {
    Long[] out = new Long[keys.size()];
    for (int i = 0; i < out.length; i++) out[i] = version(keys.get(i));
    return out;
  }

  @Override
  public String row(String key) {
    Stored s = get(key);
    return s == null ? null : s.value();
  }

  static Stored stored(Record r) {
    if (r == null || !(r.getValue(VALUE_BIN) instanceof String v)) return null;
    return new Stored(v, number(r.getValue(VERSION_BIN)), number(r.getValue(WRITTEN_AT_BIN)));
  }

  private static long number(Object o) {
    return o instanceof Number n ? n.longValue() : 0;
  }

  /** A meta string, or null when absent. */
  @Override
  public String getMeta(String name) {
    Record r = client.get(readPolicy, metaKey(name), META_BIN);
    return r != null && r.getValue(META_BIN) instanceof String s ? s : null;
  }

  @Override
  public void putMeta(String name, String value) {
    client.put(writePolicy, metaKey(name), new Bin(META_BIN, value));
  }

  @Override
  public String describe() {
    return config.toString();
  }

  @Override
  public void close() {
    client.close();
  }
}
