// A `redis` or `aerospike` table in tile mode (option `freshet.tiles`, written by Freshet's spec builder for a tiled
// feature table): an append-only sink of the projected rows of the tiled INSERT, written by the TileWriterOperator at
// parallelism 1 into the table's TileStore.
package dev.freshet.flink.tiles;

import dev.freshet.flink.redis.RedisConfig;
import dev.freshet.flink.store.StoreKey;
import org.apache.flink.api.common.typeinfo.Types;
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

  /** A Redis table's tile sink (RedisDynamicTableFactory). */
  public TileTableSink(RedisConfig config, TileConfig tiles, RowType rowType) {
    this(new RedisTiles(config), tiles, rowType);
  }

  public TileTableSink(TileStore.Factory stores, TileConfig tiles, RowType rowType) {
    this.stores = stores;
    this.tiles = tiles;
    this.rowType = rowType;
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
        SingleOutputStreamOperator<Void> written = stream
            .transform("Tiles[" + stores.table() + "]", Types.VOID, new TileWriterOperator(stores, tiles, key, 0L))
            .setParallelism(1)
            .setMaxParallelism(1);
        pc.generateUid("freshet-tiles").ifPresent(written::uid);
        DataStreamSink<Void> end = written.sinkTo(new DiscardingSink<>()).setParallelism(1).name("TilesDone[" + stores.table() + "]");
        pc.generateUid("freshet-tiles-end").ifPresent(end::uid);
        return end;
      }
    };
  }

  @Override
  public DynamicTableSink copy() {
    return new TileTableSink(stores, tiles, rowType);
  }

  @Override
  public String asSummaryString() {
    return "Freshet " + stores.title() + " tiled feature table " + stores.table();
  }
}
