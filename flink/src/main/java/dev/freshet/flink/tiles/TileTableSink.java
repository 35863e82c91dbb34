// A `redis` or `aerospike` table in tile mode (option `freshet.tiles`, written by Freshet's spec builder for a tiled
// feature table): an append-only sink of the projected rows of the tiled INSERT. The rows are keyed by the entity key
// and written by TileWriterOperator at the sink's parallelism (`sink.parallelism`, else the job's), each subtask the
// tiles of its keys; their progress goes to one TileProgressCommitter, which writes the progress meta.
package dev.freshet.flink.tiles;

import dev.freshet.flink.redis.RedisConfig;
import dev.freshet.flink.store.StoreKey;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.functions.KeySelector;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.sink.DataStreamSinkProvider;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/** Sink of the tile writer's input rows (key parts, event time, call arguments and FILTER flags). */
public final class TileTableSink implements DynamicTableSink {
  private final TileStore.Factory stores;
  private final TileConfig tiles;
  private final RowType rowType;
  private final Integer parallelism;

  /** A Redis table's tile sink at the job's parallelism. */
  public TileTableSink(RedisConfig config, TileConfig tiles, RowType rowType) {
    this(new RedisTiles(config), tiles, rowType, null);
  }

  /** @param parallelism the writer's parallelism (`sink.parallelism`), null for the job's */
  public TileTableSink(TileStore.Factory stores, TileConfig tiles, RowType rowType, Integer parallelism) {
    this.stores = stores;
    this.tiles = tiles;
    this.rowType = rowType;
    this.parallelism = parallelism;
  }

  /** The writer's parallelism (`sink.parallelism`), null for the job's. */
  public Integer parallelism() {
    return parallelism;
  }

  @Override
  public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
    return ChangelogMode.insertOnly();
  }

  @Override
  public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
    LogicalType[] types = rowType.getChildren().toArray(new LogicalType[0]);
    int[] positions = new int[tiles.keyCount];
    LogicalType[] keyTypes = new LogicalType[tiles.keyCount];
    for (int i = 0; i < positions.length; i++) {
      positions[i] = i;
      keyTypes[i] = types[i];
    }
    StoreKey key = new StoreKey(positions, keyTypes);
    return new DataStreamSinkProvider() {
      @Override
      public DataStreamSink<?> consumeDataStream(ProviderContext pc, DataStream<RowData> stream) {
        String table = stores.table();
        SingleOutputStreamOperator<TileProgress> written = stream
            .keyBy(new KeyOf(key), Types.STRING)
            .transform("Tiles[" + table + "]", TypeInformation.of(TileProgress.class), new TileWriterOperator(stores, tiles, key, 0L));
        if (parallelism != null) written.setParallelism(parallelism);
        pc.generateUid("freshet-tiles").ifPresent(written::uid);
        SingleOutputStreamOperator<Void> committed = written
            .transform("TileProgress[" + table + "]", Types.VOID, new TileProgressCommitter(stores))
            .setParallelism(1)
            .setMaxParallelism(1);
        pc.generateUid("freshet-tiles-progress").ifPresent(committed::uid);
        DataStreamSink<Void> end = committed.sinkTo(new DiscardingSink<>()).setParallelism(1).name("TilesDone[" + table + "]");
        pc.generateUid("freshet-tiles-end").ifPresent(end::uid);
        return end;
      }
    };
  }

  /**
   * Routes a row by its encoded entity key (TileWriterOperator reads it back as the current key). A NULL key column
   * routes as "" and the writer re-encodes such rows to tell them from a real empty key (NULL keys are bad rows).
   */
  static final class KeyOf implements KeySelector<RowData, String> {
    private static final long serialVersionUID = 1L;
    private final StoreKey key;

    KeyOf(StoreKey key) {
      this.key = key;
    }

    @Override
    public String getKey(RowData row) {
      String k = key.encode(row);
      return k == null ? "" : k;
    }
  }

  @Override
  public DynamicTableSink copy() {
    return new TileTableSink(stores, tiles, rowType, parallelism);
  }

  @Override
  public String asSummaryString() {
    return "Freshet " + stores.title() + " tiled feature table " + stores.table();
  }
}
