// Gives every change of a feature-table row its store version, the way Freshet's embedded sink does
// (src/connectors/stores/kv-sink.ts): a change counter per entity key, version = generation * 2^32 + counter. The
// counter is Flink keyed state (the stream is keyed by the entity key), so it is in every checkpoint and savepoint
// and is redistributed with its key when the job is rescaled. After a failure Flink restores the counters and
// replays the input from the checkpointed positions: the replayed changes get exactly the versions they had, and the
// store, which applies a write only when its version is newer, ignores those it already holds.
package dev.freshet.flink.store;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.table.data.RowData;
import org.apache.flink.types.RowKind;
import org.apache.flink.util.Collector;

/**
 * Input: the sink's upsert changelog keyed by the encoded entity key. Output: {@link #TYPE} records (key, version,
 * JSON row or "" for a delete). -U rows are dropped (the +U that follows carries the new row).
 */
public final class Versioner extends KeyedProcessFunction<String, RowData, Tuple3<String, Long, String>> {
  private static final long serialVersionUID = 1L;

  /** Changes per key per generation before the counter would spill into the generation. */
  public static final long COUNTER_SPAN = 1L << 32;
  /** Generations that keep versions below 2^53 (JavaScript readers hold versions as doubles). */
  public static final long MAX_GENERATION = (1L << 21) - 1;
  /** The meta entry holding the last generation a fresh job took. */
  public static final String GENERATION_META = "sink-generation";
  /** The value text of a delete (a tombstone): never a row, which is always a JSON object. */
  public static final String DELETE = "";

  /** The records the versioner emits and the store writers consume. */
  public static final TypeInformation<Tuple3<String, Long, String>> TYPE = Types.TUPLE(Types.STRING, Types.LONG, Types.STRING);

  private final RowJson codec;
  private final long generation;
  private transient ValueState<Long> last;

  /**
   * @param generation the generation of keys this job has not written before: taken once when the job is planned
   *     (one more than the table's stored generation), and part of the job graph, so a restart after a failure
   *     re-derives the same versions even before the first checkpoint
   */
  public Versioner(RowJson codec, long generation) {
    if (generation < 1 || generation > MAX_GENERATION) throw new IllegalArgumentException("generation out of range: " + generation);
    this.codec = codec;
    this.generation = generation;
  }

  @Override
  public void open(OpenContext ctx) {
    last = getRuntimeContext().getState(new ValueStateDescriptor<>("freshet-version", Types.LONG));
  }

  @Override
  public void processElement(RowData row, Context ctx, Collector<Tuple3<String, Long, String>> out) throws Exception {
    RowKind kind = row.getRowKind();
    if (kind == RowKind.UPDATE_BEFORE) return;
    Long prev = last.value();
    long version = prev == null ? generation * COUNTER_SPAN + 1 : prev + 1;
    last.update(version);
    out.collect(Tuple3.of(ctx.getCurrentKey(), version, kind == RowKind.DELETE ? DELETE : codec.encode(row)));
  }

  /** The next generation after the stored one (missing or malformed counts as 0). */
  public static long nextGeneration(String stored) {
    long prev = 0;
    if (stored != null) {
      try {
        prev = Math.max(0, Long.parseLong(stored.trim()));
      } catch (NumberFormatException e) {
        prev = 0;
      }
    }
    long next = prev + 1;
    if (next > MAX_GENERATION) throw new IllegalStateException("the online table has been rewritten " + MAX_GENERATION + " times; clear it");
    return next;
  }
}
