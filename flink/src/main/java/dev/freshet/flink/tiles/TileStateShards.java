// How a parallel tile writer's state is checkpointed so that a job restored at another parallelism still works
// (docs/flink.md "Tiles on Flink"). The writer's input is keyed by the entity key, so Flink routes key k to subtask
// KeyGroupRangeAssignment.assignKeyToParallelOperator(k, maxParallelism, parallelism). Each subtask snapshots into
// Flink operator *union* list state: one header entry (its clocks) and one entry per key group it holds (the
// TileWriter.KeyParts of those keys). On restore every subtask sees every entry and keeps the key groups it now owns:
// with the same max parallelism it decides by the entry's key group without reading the keys; otherwise it reads the
// keys and keeps those routed to it. Union state rather than Flink keyed state because the writer's indexes (dirty
// and pending positions, evictions) span keys and are walked at every flush; the cost is that each subtask reads the
// headers and key-group ids of all subtasks on restore.
//
// Clocks on restore: the watermark is the minimum over the old subtasks' headers (with aligned checkpoints they are
// all equal: every writer subtask sees the same watermarks before the barrier); the newest event time is the maximum
// over the old subtasks whose keys this subtask took (it only decides when tail copies become due and the store
// expiry horizon, which a later value brings forward, never past what the subtask writes itself); a subtask that took
// no key starts with none. With the same parallelism (and max parallelism) every subtask gets back exactly its own
// state and clocks.
package dev.freshet.flink.tiles;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.state.KeyGroupRangeAssignment;

/** Snapshot and restore of a TileWriter as union-list-state entries (byte arrays). */
public final class TileStateShards {
  private static final byte HEADER = 1;
  private static final byte GROUP = 2;
  private static final int FORMAT = 1;

  private TileStateShards() {}

  /** The entries of one subtask's writer: its header, then one entry per key group holding keys. */
  public static List<byte[]> snapshot(TileWriter writer, int subtask, int maxParallelism) {
    List<byte[]> out = new ArrayList<>();
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream d = new DataOutputStream(bytes)) {
      d.writeByte(HEADER);
      d.writeInt(FORMAT);
      d.writeInt(subtask);
      d.writeLong(writer.watermark());
      d.writeLong(writer.maxEventTime());
      d.writeLong(writer.versionBase());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    out.add(bytes.toByteArray());
    HashMap<Integer, ArrayList<TileWriter.KeyPart>> groups = new HashMap<>();
    for (TileWriter.KeyPart p : writer.keyParts()) {
      groups.computeIfAbsent(KeyGroupRangeAssignment.assignToKeyGroup(p.key(), maxParallelism), g -> new ArrayList<>()).add(p);
    }
    for (Map.Entry<Integer, ArrayList<TileWriter.KeyPart>> g : groups.entrySet()) {
      ByteArrayOutputStream b = new ByteArrayOutputStream(1024);
      try (DataOutputStream d = new DataOutputStream(b)) {
        d.writeByte(GROUP);
        d.writeInt(FORMAT);
        d.writeInt(subtask);
        d.writeInt(maxParallelism);
        d.writeInt(g.getKey());
        try (ObjectOutputStream o = new ObjectOutputStream(d)) {
          o.writeObject(g.getValue());
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      out.add(b.toByteArray());
    }
    return out;
  }

  /**
   * Restores into {@code writer} the keys that subtask {@code subtask} of {@code parallelism} owns among the entries
   * of all old subtasks; returns how many keys it took.
   */
  public static int restore(TileWriter writer, Iterable<byte[]> entries, int subtask, int parallelism, int maxParallelism) {
    HashMap<Integer, long[]> headers = new HashMap<>();
    HashMap<Integer, Boolean> contributed = new HashMap<>();
    List<TileWriter.KeyPart> mine = new ArrayList<>();
    try {
      for (byte[] entry : entries) {
        DataInputStream d = new DataInputStream(new ByteArrayInputStream(entry));
        byte kind = d.readByte();
        int format = d.readInt();
        if (format != FORMAT) throw new IllegalStateException("tile writer state of an unknown format " + format);
        int old = d.readInt();
        if (kind == HEADER) {
          headers.put(old, new long[] {d.readLong(), d.readLong(), d.readLong()});
          continue;
        }
        if (kind != GROUP) throw new IllegalStateException("tile writer state entry of an unknown kind " + kind);
        int oldMax = d.readInt();
        int group = d.readInt();
        if (oldMax == maxParallelism
            && KeyGroupRangeAssignment.computeOperatorIndexForKeyGroup(maxParallelism, parallelism, group) != subtask) {
          continue;
        }
        @SuppressWarnings("unchecked")
        List<TileWriter.KeyPart> parts = (List<TileWriter.KeyPart>) new ObjectInputStream(d).readObject();
        for (TileWriter.KeyPart p : parts) {
          if (oldMax == maxParallelism || KeyGroupRangeAssignment.assignKeyToParallelOperator(p.key(), maxParallelism, parallelism) == subtask) {
            mine.add(p);
            contributed.put(old, Boolean.TRUE);
          }
        }
      }
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalStateException("unreadable tile writer state", e);
    }
    if (headers.isEmpty()) throw new IllegalStateException("tile writer state without a header");
    // Same parallelism: the subtask's own clocks, even when it holds no key (its keys were all evicted).
    if (headers.size() == parallelism && headers.containsKey(subtask)) contributed.put(subtask, Boolean.TRUE);
    long wm = TileWriter.POS;
    long maxTs = TileWriter.NEG;
    long versionBase = 0;
    for (Map.Entry<Integer, long[]> h : headers.entrySet()) {
      long[] v = h.getValue();
      wm = Math.min(wm, v[0]);
      if (contributed.containsKey(h.getKey())) maxTs = Math.max(maxTs, v[1]);
      versionBase = v[2];
    }
    writer.restoreParts(mine, wm, maxTs, versionBase);
    return mine.size();
  }
}
