// The `aerospike` table as an upsert sink: the changelog is keyed by entity key, versioned (Versioner, keyed state)
// and written by the Sink V2 AerospikeSink; the same records, bins, versions and meta records as Freshet's embedded
// Aerospike store.
package dev.freshet.flink.aerospike;

import dev.freshet.flink.store.KeyOf;
import dev.freshet.flink.store.RowJson;
import dev.freshet.flink.store.SchemaMeta;
import dev.freshet.flink.store.StoreKey;
import dev.freshet.flink.store.Versioner;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.table.connector.ChangelogMode;
import org.apache.flink.table.connector.ProviderContext;
import org.apache.flink.table.connector.sink.DataStreamSinkProvider;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.data.RowData;
import org.apache.flink.table.types.logical.LogicalType;
import org.apache.flink.table.types.logical.RowType;

/** Upsert sink of one feature table in Aerospike. */
public final class AerospikeDynamicTableSink implements DynamicTableSink {
  private final AerospikeConfig config;
  private final AerospikeStore.Connector connector;
  private final RowType rowType;
  private final int[] primaryKey;
  private final int maxRows;
  private final long flushIntervalMs;
  private final Integer parallelism;

  public AerospikeDynamicTableSink(AerospikeConfig config, AerospikeStore.Connector connector, RowType rowType, int[] primaryKey,
      int maxRows, long flushIntervalMs, Integer parallelism) {
    this.config = config;
    this.connector = connector;
    this.rowType = rowType;
    this.primaryKey = primaryKey.clone();
    this.maxRows = maxRows;
    this.flushIntervalMs = flushIntervalMs;
    this.parallelism = parallelism;
  }

  AerospikeConfig config() {
    return config;
  }

  int maxRows() {
    return maxRows;
  }

  long flushIntervalMs() {
    return flushIntervalMs;
  }

  Integer parallelism() {
    return parallelism;
  }

  @Override
  public ChangelogMode getChangelogMode(ChangelogMode requestedMode) {
    // Keyed by the primary key: -U is never needed (the +U carries the new row); deletes write tombstones.
    return ChangelogMode.upsert();
  }

  @Override
  public SinkRuntimeProvider getSinkRuntimeProvider(Context context) {
    LogicalType[] types = rowType.getChildren().toArray(new LogicalType[0]);
    StoreKey key = StoreKey.forTable(primaryKey, types);
    RowJson codec = new RowJson(rowType);
    return new DataStreamSinkProvider() {
      @Override
      public DataStreamSink<?> consumeDataStream(ProviderContext pc, DataStream<RowData> stream) {
        // Runs once, when the job is built (in the template job's main()): this job's generation for keys it has not
        // written before. A restart after a failure reuses the job graph and so the same generation.
        long generation = startGeneration();
        SingleOutputStreamOperator<Tuple3<String, Long, String>> versioned = stream
            .keyBy(new KeyOf(key, config.table()), Types.STRING)
            .process(new Versioner(codec, generation), Versioner.TYPE)
            .name("Versions[" + config.table() + "]");
        pc.generateUid("freshet-versions").ifPresent(versioned::uid);
        DataStreamSink<Tuple3<String, Long, String>> sink = versioned
            .sinkTo(new AerospikeSink(config, connector, maxRows, flushIntervalMs))
            .name("Aerospike[" + config.table() + "]");
        pc.generateUid("freshet-aerospike-writer").ifPresent(sink::uid);
        if (parallelism != null) {
          versioned.setParallelism(parallelism);
          sink.setParallelism(parallelism);
        }
        return sink;
      }
    };
  }

  /** Takes the next generation (stored sink-generation + 1) and writes the table's generation and schema meta. */
  long startGeneration() {
    try (AerospikeStore store = new AerospikeStore(config, connector.connect(config))) {
      return startGeneration(store, rowType, primaryKey);
    }
  }

  /** The meta steps of a fresh job, as kv-sink.ts: read sink-generation, write it + 1, write the schema. */
  static long startGeneration(AerospikeStore store, RowType rowType, int[] primaryKey) {
    long generation = Versioner.nextGeneration(store.getMeta(Versioner.GENERATION_META));
    store.putMeta(Versioner.GENERATION_META, Long.toString(generation));
    store.putMeta(SchemaMeta.NAME, SchemaMeta.json(rowType, primaryKey));
    return generation;
  }

  @Override
  public DynamicTableSink copy() {
    return new AerospikeDynamicTableSink(config, connector, rowType, primaryKey, maxRows, flushIntervalMs, parallelism);
  }

  @Override
  public String asSummaryString() {
    return "Freshet Aerospike feature table " + config.table();
  }
}
