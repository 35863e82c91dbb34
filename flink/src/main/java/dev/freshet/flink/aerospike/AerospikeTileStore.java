// Tile records in Aerospike exactly as Freshet's AerospikeKvStore writes them (src/connectors/stores/aerospike-kv-store.ts,
// docs/stores.md "Layout"): in the table's namespace and set, one record per key and level with user key
// "<key>:t:<granularityMs>" (sent as its digest only, as both clients do) and the map bin `tiles`: tile start (integer)
// → "<version>|<json>" ("<version>|" = a removed position). A batch of writes is applied per record by the same
// read-merge-write as the TypeScript store: read the record and its generation, apply each write whose version is
// newer than the stored one for that position (mergeTiles), write the whole map back guarded by the generation (or
// create-only for a new record), and retry on a generation conflict, at most 20 attempts. Retention removes the
// positions before a boundary with the same map operation (removeByKeyRange from Number.MIN_SAFE_INTEGER); meta
// entries are the records "meta:<name>" with the string bin `m` (AerospikeStore). The map is written unordered with
// its entries in ascending start order, as the Node client's as_orderedmap packs a JavaScript Map.
package dev.freshet.flink.aerospike;

import com.aerospike.client.AerospikeException;
import com.aerospike.client.Bin;
import com.aerospike.client.IAerospikeClient;
import com.aerospike.client.Key;
import com.aerospike.client.Record;
import com.aerospike.client.ResultCode;
import com.aerospike.client.Value;
import com.aerospike.client.cdt.MapOperation;
import com.aerospike.client.cdt.MapOrder;
import com.aerospike.client.cdt.MapReturnType;
import com.aerospike.client.policy.GenerationPolicy;
import com.aerospike.client.policy.Policy;
import com.aerospike.client.policy.RecordExistsAction;
import com.aerospike.client.policy.WritePolicy;
import dev.freshet.flink.tiles.RedisTileStore;
import dev.freshet.flink.tiles.TileStore;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** The tile records of one feature table in Aerospike; used by one thread (the tile writer's). */
public final class AerospikeTileStore implements TileStore {
  public static final String TILES_BIN = "tiles";
  /** Check-and-set attempts per record before a write gives up (the TypeScript store's limit). */
  static final int ATTEMPTS = 20;
  /** JavaScript's Number.MIN_SAFE_INTEGER: the lower end of the TypeScript store's expiry range. */
  static final long MIN_SAFE_INTEGER = -9_007_199_254_740_991L;

  /** Opens the tile store of a table: the serializable settings and how to get a client (the official one, or a test's). */
  public record Opener(AerospikeConfig config, AerospikeStore.Connector connector) implements TileStore.Factory {
    @Override
    public TileStore open() {
      return new AerospikeTileStore(config, connector.connect(config));
    }
  }

  /** The tiles of a record after a merge, and how many writes applied. */
  public record Merged(TreeMap<Long, String> tiles, int applied) {}

  private final AerospikeConfig config;
  private final IAerospikeClient client;
  /** Meta records, keys and close: shared with the row store, so both write the same meta records. */
  private final AerospikeStore meta;
  private final Policy readPolicy;
  private final WritePolicy writePolicy;

  public AerospikeTileStore(AerospikeConfig config, IAerospikeClient client) {
    this.config = config;
    this.client = client;
    this.meta = new AerospikeStore(config, client);
    this.readPolicy = new Policy();
    // A retried check-and-set that had applied fails its generation check on the retry; the loop then re-reads and
    // finds nothing newer to write. Expiries are idempotent. So retries after a timeout are harmless.
    WritePolicy wp = new WritePolicy();
    wp.maxRetries = 2;
    wp.totalTimeout = 10_000;
    this.writePolicy = wp;
  }

  /** The user key of a tile record ({@code <key>:t:<granularityMs>}), tileRecordKey of aerospike-kv-store.ts. */
  public static String tileRecordKey(String key, long granularityMs) {
    return key + ":t:" + granularityMs;
  }

  /** The record key of one key's tiles of one level. */
  public Key tileKey(String key, long granularityMs) {
    return new Key(config.namespace(), config.set(), tileRecordKey(key, granularityMs));
  }

  /**
   * Applies tile writes to a record's map by the version rule, per position (mergeTiles of aerospike-kv-store.ts): a
   * write applies when the position is absent or its stored version is lower; a null value stores "<version>|".
   * Pure; {@code current} is not modified.
   */
  public static Merged mergeTiles(Map<Long, String> current, List<RedisTileStore.Write> writes) {
    TreeMap<Long, String> tiles = new TreeMap<>(current);
    int applied = 0;
    for (RedisTileStore.Write w : writes) {
      String cur = tiles.get(w.start());
      if (cur != null && storedVersionAtLeast(cur, w.version())) continue;
      tiles.put(w.start(), w.version() + "|" + (w.value() == null ? "" : w.value()));
      applied++;
    }
    return new Merged(tiles, applied);
  }

  /**
   * Whether a stored "<version>|..." holds {@code version} or a newer one. As the TypeScript store's
   * {@code Number(cur.slice(0, cur.indexOf('|'))) >= version}: text that is not a number never blocks a write.
   */
  static boolean storedVersionAtLeast(String stored, long version) {
    int bar = stored.indexOf('|');
    String v = bar >= 0 ? stored.substring(0, bar) : stored.substring(0, Math.max(0, stored.length() - 1));
    try {
      return Long.parseLong(v.trim()) >= version;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** A map bin as the clients return it (integer keys, string values), as toMap of aerospike-kv-store.ts. */
  static TreeMap<Long, String> toMap(Object bin) {
    TreeMap<Long, String> out = new TreeMap<>();
    if (bin instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) {
        long k = e.getKey() instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(e.getKey()));
        out.put(k, String.valueOf(e.getValue()));
      }
    }
    return out;
  }

  /** The bin of a record's tiles: unordered, entries in ascending start order (what the Node client sends). */
  static Bin tilesBin(TreeMap<Long, String> tiles) {
    return new Bin(TILES_BIN, tiles, MapOrder.UNORDERED);
  }

  @Override
  public void writeTiles(List<RedisTileStore.Write> writes) {
    apply(writes);
  }

  /** Applies each write whose version is newer than the stored one; returns how many applied. One CAS per record. */
  public long apply(List<RedisTileStore.Write> writes) {
    Map<String, List<RedisTileStore.Write>> groups = new LinkedHashMap<>();
    for (RedisTileStore.Write w : writes) {
      groups.computeIfAbsent(tileRecordKey(w.key(), w.granularityMs()), k -> new ArrayList<>()).add(w);
    }
    long applied = 0;
    for (Map.Entry<String, List<RedisTileStore.Write>> g : groups.entrySet()) applied += casTiles(g.getKey(), g.getValue());
    return applied;
  }

  private int casTiles(String recordKey, List<RedisTileStore.Write> writes) {
    Key key = new Key(config.namespace(), config.set(), recordKey);
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      Record rec = client.get(readPolicy, key, TILES_BIN);
      Merged m = mergeTiles(rec == null ? Map.of() : toMap(rec.getValue(TILES_BIN)), writes);
      if (m.applied() == 0) return 0;
      WritePolicy p = new WritePolicy(writePolicy);
      if (rec == null) {
        p.recordExistsAction = RecordExistsAction.CREATE_ONLY;
      } else {
        p.generationPolicy = GenerationPolicy.EXPECT_GEN_EQUAL;
        p.generation = rec.generation;
      }
      try {
        client.put(p, key, tilesBin(m.tiles()));
        return m.applied();
      } catch (AerospikeException e) {
        int code = e.getResultCode();
        if (code != ResultCode.GENERATION_ERROR && code != ResultCode.KEY_EXISTS_ERROR) throw e;
      }
    }
    throw new IllegalStateException("Aerospike tile record '" + recordKey + "' of table '" + config.table() + "' kept changing; gave up after "
        + ATTEMPTS + " attempts");
  }

  /** The operation that removes the positions before {@code before} (expireTiles of aerospike-kv-store.ts). */
  static com.aerospike.client.Operation expiry(long before) {
    return MapOperation.removeByKeyRange(TILES_BIN, Value.get(MIN_SAFE_INTEGER), Value.get(before), MapReturnType.NONE);
  }

  /** Removes the positions before {@code before} of one key and level (retention); a missing record is fine. */
  @Override
  public void expireTiles(String key, long granularityMs, long before) {
    try {
      client.operate(writePolicy, tileKey(key, granularityMs), expiry(before));
    } catch (AerospikeException e) {
      if (e.getResultCode() != ResultCode.KEY_NOT_FOUND_ERROR) throw e;
    }
  }

  /** The stored tiles of a key and level (start → "<version>|<json>"), empty when there is no record. */
  public TreeMap<Long, String> tiles(String key, long granularityMs) {
    Record rec = client.get(readPolicy, tileKey(key, granularityMs), TILES_BIN);
    return rec == null ? new TreeMap<>() : toMap(rec.getValue(TILES_BIN));
  }

  @Override
  public void putMeta(String name, String value) {
    meta.putMeta(name, value);
  }

  public String getMeta(String name) {
    return meta.getMeta(name);
  }

  @Override
  public void close() {
    client.close();
  }
}
