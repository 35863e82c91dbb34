// The buffering shared by the store writers and, with a changed-keys topic, which writes are announced: per key the
// newest change, every applied write, and after a failure the replayed writes the store already holds or has gone
// past (their first announcements were never committed), never a write the store does not hold.
package dev.freshet.flink.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.metrics.SimpleCounter;
import org.junit.jupiter.api.Test;

class StoreWriterCoreTest {
  /** A store in memory with the Lua script's rule: apply when newer, tombstones keep their version. */
  static final class MemStore implements StoreClient {
    final Map<String, StoreWrite> rows = new HashMap<>();
    final List<Integer> calls = new ArrayList<>();
    int versionReads;
    boolean fail;
    boolean closed;

    @Override
    public long putRows(List<StoreWrite> writes) {
      if (fail) throw new IllegalStateException("connection reset");
      calls.add(writes.size());
      long applied = 0;
      for (StoreWrite w : writes) {
        StoreWrite cur = rows.get(w.key());
        if (cur == null || cur.version() < w.version()) {
          rows.put(w.key(), w);
          applied++;
        }
      }
      return applied;
    }

    @Override
    public Long[] versions(List<String> keys) {
      versionReads++;
      Long[] out = new Long[keys.size()];
      for (int i = 0; i < out.length; i++) out[i] = rows.containsKey(keys.get(i)) ? rows.get(keys.get(i)).version() : null;
      return out;
    }

    @Override
    public String row(String key) {
      StoreWrite w = rows.get(key);
      return w == null ? null : w.value();
    }

    @Override
    public String getMeta(String name) {
      return null;
    }

    @Override
    public void putMeta(String name, String value) {}

    @Override
    public String describe() {
      return "memory";
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  static Tuple3<String, Long, String> ch(String key, long version, String value) {
    return Tuple3.of(key, version, value);
  }

  @Test
  void buffersTheNewestChangePerKeyAndAnnouncesWhatIsHeld() throws IOException {
    MemStore store = new MemStore();
    SimpleCounter written = new SimpleCounter(), stale = new SimpleCounter();
    StoreWriterCore core = new StoreWriterCore(store, 3, written, stale);
    assertFalse(core.add(ch("a", 1, "{\"n\":1}")));
    assertFalse(core.add(ch("a", 2, "{\"n\":2}")));
    assertFalse(core.add(ch("b", 1, "{\"n\":1}")));
    assertEquals(2, core.buffered());
    assertTrue(core.add(ch("c", 1, "")), "three keys fill the buffer");
    List<StoreWrite> held = core.write(true);
    assertEquals(List.of(new StoreWrite("a", 2, "{\"n\":2}"), new StoreWrite("b", 1, "{\"n\":1}"), new StoreWrite("c", 1, null)), held);
    assertEquals(0, store.versionReads, "all applied: no read");
    assertEquals(3, written.getCount());
    assertEquals(0, core.buffered());
    assertEquals(List.of(), core.write(true), "an empty buffer writes nothing");
    assertNull(core.write(false));
    assertEquals(List.of(3), store.calls);
  }

  @Test
  void replaysAfterAFailureAreAnnouncedAgainWritesTheStoreDoesNotHoldAreNot() throws IOException {
    MemStore store = new MemStore();
    // Before the failure the job wrote a@3 (and a@4), b@2 and a tombstone c@2; another writer put d@9.
    store.putRows(List.of(new StoreWrite("a", 4, "{\"n\":4}"), new StoreWrite("b", 2, "{\"n\":2}"), new StoreWrite("c", 2, null),
        new StoreWrite("d", 9, "{\"n\":9}")));
    SimpleCounter written = new SimpleCounter(), stale = new SimpleCounter();
    StoreWriterCore core = new StoreWriterCore(store, 100, written, stale);
    core.add(ch("a", 3, "{\"n\":3}")); // replay below the stored version (a@4 came later): announced, a@4 follows
    core.add(ch("b", 2, "{\"n\":2}")); // replay of the stored version
    core.add(ch("c", 2, ""));           // replayed tombstone: the stored version is the tombstone's
    core.add(ch("e", 1, "{\"n\":1}"));  // new
    List<StoreWrite> held = core.write(true);
    assertEquals(List.of("a", "b", "c", "e"), held.stream().map(StoreWrite::key).toList());
    assertEquals(1, store.versionReads, "one read for the batch");
    assertEquals(1, written.getCount());
    assertEquals(3, stale.getCount());
  }

  @Test
  void aFailedWriteKeepsTheBufferAndNamesTheStore() {
    MemStore store = new MemStore();
    store.fail = true;
    StoreWriterCore core = new StoreWriterCore(store, 10, null, null);
    core.add(ch("a", 1, "{}"));
    IOException e = assertThrows(IOException.class, () -> core.write(true));
    assertTrue(e.getMessage().contains("writing 1 rows to memory failed: connection reset"), e.getMessage());
    assertEquals(1, core.buffered(), "the job restarts from its checkpoint; nothing is dropped here");
    core.close();
    assertTrue(store.closed);
  }
}
