// An in-memory stand-in for an Aerospike server behind the client interface (no server exists where these tests
// run). It keeps records by digest, applies batch writes only when their filter expression holds (it decodes the
// expression bytes the client would send and evaluates them with Aerospike's documented semantics: unknown — a
// missing or mistyped bin — is not true), removes a bin written as NULL, and records what it was sent. Tile records:
// record generations, puts guarded by the generation or create-only, reads of whole records, and the map operation
// removeByKeyRange (decoded from the bytes the client sends).
package dev.freshet.flink.aerospike;

import com.aerospike.client.AerospikeException;
import com.aerospike.client.BatchRecord;
import com.aerospike.client.BatchWrite;
import com.aerospike.client.Bin;
import com.aerospike.client.IAerospikeClient;
import com.aerospike.client.Key;
import com.aerospike.client.Operation;
import com.aerospike.client.Record;
import com.aerospike.client.ResultCode;
import com.aerospike.client.Value;
import com.aerospike.client.policy.GenerationPolicy;
import com.aerospike.client.policy.RecordExistsAction;
import com.aerospike.client.policy.WritePolicy;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

final class FakeAerospike {
  /** Records by namespace + digest (hex). */
  final Map<String, Map<String, Object>> records = new HashMap<>();
  /** Every batch sub-write received, in order. */
  final List<BatchWrite> batchWrites = new ArrayList<>();
  /** Keys of every single-record put. */
  final List<Key> puts = new ArrayList<>();
  int batchCalls;
  boolean closed;
  /** When set, batch sub-writes fail with this result code. */
  Integer failWith;
  /** Record generations by id (every write adds one). */
  final Map<String, Integer> generations = new HashMap<>();
  /** Bins of every single-record put, in order. */
  final List<Bin> putBins = new ArrayList<>();
  /** Decoded map operations of every single-record operate call (op code first), in order. */
  final List<List<Object>> mapOps = new ArrayList<>();
  /** This many of the next puts see another writer change (or create) their record just before they arrive. */
  int concurrentWrites;
  /** The map operation removeByKeyRange ("remove by key interval"). */
  static final long MAP_REMOVE_BY_KEY_INTERVAL = 84;

  static String id(Key k) {
    return k.namespace + ":" + hex(k.digest);
  }

  static String hex(byte[] b) {
    StringBuilder sb = new StringBuilder();
    for (byte x : b) sb.append(String.format("%02x", x));
    return sb.toString();
  }

  IAerospikeClient client() {
    return (IAerospikeClient) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {IAerospikeClient.class}, (p, m, a) -> {
      switch (m.getName()) {
        case "operate":
          if (a.length == 2 && a[1] instanceof List<?> l) return operate(l);
          if (a.length == 3 && a[1] instanceof Key k && a[2] instanceof Operation[] ops) return operate(k, ops);
          break;
        case "get":
          if (a.length == 3 && a[1] instanceof Key k && a[2] instanceof String[] bins) return get(k, bins);
          if (a.length == 2 && a[1] instanceof Key k) return get(k, null);
          break;
        case "put":
          if (a.length == 3 && a[1] instanceof Key k && a[2] instanceof Bin[] bins) {
            put((WritePolicy) a[0], k, bins);
            return null;
          }
          break;
        case "close":
          closed = true;
          return null;
        case "isConnected":
          return !closed;
        case "hashCode":
          return System.identityHashCode(p);
        case "equals":
          return p == a[0];
        case "toString":
          return "FakeAerospike";
        default:
          break;
      }
      throw new UnsupportedOperationException("FakeAerospike does not implement " + m);
    });
  }

  private boolean operate(List<?> batch) {
    batchCalls++;
    boolean all = true;
    for (Object o : batch) {
      BatchWrite w = (BatchWrite) o;
      batchWrites.add(w);
      if (failWith != null) {
        w.setError(failWith, false);
        all = false;
        continue;
      }
      Map<String, Object> cur = records.get(id(w.key));
      if (w.policy != null && w.policy.filterExp != null && !Boolean.TRUE.equals(eval(decode(w.policy.filterExp.getBytes()), cur))) {
        w.setError(ResultCode.FILTERED_OUT, false);
        all = false;
        continue;
      }
      Map<String, Object> r = records.computeIfAbsent(id(w.key), x -> new LinkedHashMap<>());
      for (Operation op : w.ops) {
        if (op.type != Operation.Type.WRITE) throw new AerospikeException(ResultCode.PARAMETER_ERROR, "unexpected op " + op.type);
        Object v = op.value.getObject();
        if (v == null) r.remove(op.binName);
        else r.put(op.binName, v);
      }
      w.resultCode = ResultCode.OK;
    }
    return all;
  }

  private Record get(Key k, String[] bins) {
    Map<String, Object> r = records.get(id(k));
    if (r == null) return null;
    Map<String, Object> out = new HashMap<>();
    for (Map.Entry<String, Object> e : r.entrySet()) {
      if (bins != null && !List.of(bins).contains(e.getKey())) continue;
      // A map bin comes back as a new map (the client decodes a fresh one), in the stored order.
      out.put(e.getKey(), e.getValue() instanceof Map<?, ?> m ? new LinkedHashMap<>(m) : e.getValue());
    }
    return new Record(out, generations.getOrDefault(id(k), 1), 0);
  }

  /** A single-record put: the policy's create-only and generation checks, then the bins (NULL removes one). */
  private void put(WritePolicy p, Key k, Bin[] bins) {
    String id = id(k);
    if (concurrentWrites > 0) {
      concurrentWrites--;
      records.computeIfAbsent(id, x -> new LinkedHashMap<>());
      generations.merge(id, 1, Integer::sum);
    }
    if (p != null && p.recordExistsAction == RecordExistsAction.CREATE_ONLY && records.containsKey(id)) {
      throw new AerospikeException(ResultCode.KEY_EXISTS_ERROR, "record exists");
    }
    if (p != null && p.generationPolicy == GenerationPolicy.EXPECT_GEN_EQUAL
        && (!records.containsKey(id) || generations.getOrDefault(id, 1) != p.generation)) {
      throw new AerospikeException(ResultCode.GENERATION_ERROR, "generation error");
    }
    puts.add(k);
    Map<String, Object> r = records.computeIfAbsent(id, x -> new LinkedHashMap<>());
    for (Bin b : bins) {
      putBins.add(b);
      Object v = b.value.getObject();
      if (v == null) r.remove(b.name);
      else r.put(b.name, v instanceof Map<?, ?> m ? new LinkedHashMap<>(m) : v);
    }
    generations.merge(id, 1, Integer::sum);
  }

  /** Single-record map operations; only removeByKeyRange is modelled. */
  private Record operate(Key k, Operation[] ops) {
    String id = id(k);
    Map<String, Object> r = records.get(id);
    if (r == null) throw new AerospikeException(ResultCode.KEY_NOT_FOUND_ERROR, "not found");
    for (Operation op : ops) {
      if (op.type != Operation.Type.MAP_MODIFY || !(op.value instanceof Value.BytesValue)) {
        throw new AerospikeException(ResultCode.PARAMETER_ERROR, "unexpected op " + op.type);
      }
      @SuppressWarnings("unchecked")
      List<Object> m = (List<Object>) decode((byte[]) op.value.getObject());
      mapOps.add(m);
      if ((Long) m.get(0) != MAP_REMOVE_BY_KEY_INTERVAL) throw new AerospikeException(ResultCode.PARAMETER_ERROR, "unexpected map op " + m);
      if (r.get(op.binName) instanceof Map<?, ?> map) {
        long begin = (Long) m.get(2), end = (Long) m.get(3);
        map.keySet().removeIf(x -> ((Number) x).longValue() >= begin && ((Number) x).longValue() < end);
      }
    }
    generations.merge(id, 1, Integer::sum);
    return new Record(Map.of(), generations.get(id), 0);
  }

  // ---- expressions: MessagePack decoding and evaluation ----

  /** The expression as nested lists (op code first), longs and strings. */
  static Object decode(byte[] bytes) {
    int[] pos = {0};
    Object o = read(bytes, pos);
    if (pos[0] != bytes.length) throw new IllegalArgumentException("trailing bytes in expression");
    return o;
  }

  private static Object read(byte[] b, int[] pos) {
    int c = b[pos[0]++] & 0xff;
    if (c <= 0x7f) return (long) c;
    if (c >= 0xe0) return (long) (byte) c;
    if (c >= 0x90 && c <= 0x9f) return list(b, pos, c & 0x0f);
    if (c >= 0xa0 && c <= 0xbf) return str(b, pos, c & 0x1f);
    switch (c) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xcc: return (long) (b[pos[0]++] & 0xff);
      case 0xcd: return (long) uint(b, pos, 2);
      case 0xce: return uint(b, pos, 4);
      case 0xcf: return uint(b, pos, 8);
      case 0xd0: return (long) b[pos[0]++];
      case 0xd1: return (long) (short) uint(b, pos, 2);
      case 0xd2: return (long) (int) uint(b, pos, 4);
      case 0xd3: return uint(b, pos, 8);
      case 0xd9: return str(b, pos, (int) uint(b, pos, 1));
      case 0xdc: return list(b, pos, (int) uint(b, pos, 2));
      default: throw new IllegalArgumentException("unexpected MessagePack byte " + Integer.toHexString(c));
    }
  }

  private static long uint(byte[] b, int[] pos, int n) {
    long v = 0;
    for (int i = 0; i < n; i++) v = (v << 8) | (b[pos[0]++] & 0xff);
    return v;
  }

  private static List<Object> list(byte[] b, int[] pos, int n) {
    List<Object> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(read(b, pos));
    return out;
  }

  private static String str(byte[] b, int[] pos, int n) {
    String s = new String(b, pos[0], n, StandardCharsets.UTF_8);
    pos[0] += n;
    return s;
  }

  /** The expression in preorder (op codes and values), the shape of the Node client's flat op list. */
  static List<Object> flatten(Object e) {
    List<Object> out = new ArrayList<>();
    flatten(e, out);
    return out;
  }

  private static void flatten(Object e, List<Object> out) {
    if (e instanceof List<?> l) for (Object x : l) flatten(x, out);
    else out.add(e);
  }

  // Aerospike expression op codes and the particle types of BIN_TYPE.
  static final long EQ = 1, NE = 2, GT = 3, GE = 4, LT = 5, LE = 6, AND = 16, OR = 17, NOT = 18, BIN = 81, BIN_TYPE = 82;
  static final long TYPE_INT = 2;

  /** Evaluates to a Boolean, Long or String, or null for unknown. */
  static Object eval(Object e, Map<String, Object> rec) {
    if (!(e instanceof List<?> l)) return e;
    long op = (Long) l.get(0);
    if (op == OR || op == AND) {
      boolean unknown = false;
      for (int i = 1; i < l.size(); i++) {
        Object v = eval(l.get(i), rec);
        if (v == null) unknown = true;
        else if ((Boolean) v == (op == OR)) return op == OR;
      }
      return unknown ? null : op != OR;
    }
    if (op == NOT) {
      Object v = eval(l.get(1), rec);
      return v == null ? null : !(Boolean) v;
    }
    if (op == BIN_TYPE) {
      Object v = rec == null ? null : rec.get((String) l.get(1));
      return v == null ? 0L : v instanceof Long ? 1L : v instanceof Double ? 2L : v instanceof String ? 3L : 4L;
    }
    if (op == BIN) {
      Object v = rec == null ? null : rec.get((String) l.get(2));
      return (Long) l.get(1) == TYPE_INT && v instanceof Long ? v : null;
    }
    if (op >= EQ && op <= LE) {
      Object a = eval(l.get(1), rec), b = eval(l.get(2), rec);
      if (a == null || b == null || a.getClass() != b.getClass()) return null;
      @SuppressWarnings({"unchecked", "rawtypes"})
      int c = ((Comparable) a).compareTo(b);
      return op == EQ ? c == 0 : op == NE ? c != 0 : op == GT ? c > 0 : op == GE ? c >= 0 : op == LT ? c < 0 : c <= 0;
    }
    throw new IllegalArgumentException("FakeAerospike cannot evaluate op " + op);
  }

  /** A batch record in the shape of the client's result (for the result code tests). */
  static BatchRecord result(Key k, int code) {
    return new BatchRecord(k, null, code, false, true);
  }
}
