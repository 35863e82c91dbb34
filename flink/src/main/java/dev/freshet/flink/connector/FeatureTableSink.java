// The upsert sink of a feature table in any online store: the changelog is keyed by entity key, versioned
// (Versioner, keyed state) and written by the store's client; with a changed-keys topic the writer emits the changes
// the store holds to Flink's KafkaSink. A store only says how to reach it (its StoreClientFactory).
package dev.freshet.flink.connector;

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

/** The upsert sink of the store connectors (`redis`, `aerospike`). */
public final class FeatureTableSink implements DynamicTableSink {
  private final StoreClientFactory clients;
  private final RowType rowType;
  private final int[] primaryKey;
  private final SinkSettings settings;

  public FeatureTableSink(StoreClientFactory clients, RowType rowType, int[] primaryKey, SinkSettings settings) {
    this.clients = clients;
    this.rowType = rowType;
    this.primaryKey = primaryKey.clone();
    this.settings = settings;
  }

  /** Opens the store's client (in the job's main() for the meta entries, on the TaskManagers for the writes). */
  public StoreClientFactory clients() {
    return clients;
  }

  public SinkSettings settings() {
    return settings;
  }

  private String table() {
    return clients.table();
  }

  private String store() {
    return clients.store();
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
        return build(pc, stream, key, codec, generation);
      }
    };
  }

  private DataStreamSink<?> build(ProviderContext pc, DataStream<RowData> stream, StoreKey key, RowJson codec, long generation) {
    String label = clients.title() + "[" + table() + "]";
    SingleOutputStreamOperator<Tuple3<String, Long, String>> versioned = stream
        .keyBy(new KeyOf(key, table()), Types.STRING)
        .process(new Versioner(codec, generation), Versioner.TYPE)
        .name("Versions[" + table() + "]");
    pc.generateUid("freshet-versions").ifPresent(versioned::uid);
    if (settings.parallelism() != null) versioned.setParallelism(settings.parallelism());
    ChangedKeysConfig ck = settings.changedKeys();
    if (ck == null) {
      DataStreamSink<Tuple3<String, Long, String>> sink = versioned
          .sinkTo(new StoreSink(clients(), settings.maxRows(), settings.flushIntervalMs()))
          .name(label);
      pc.generateUid("freshet-" + store() + "-writer").ifPresent(sink::uid);
      if (settings.parallelism() != null) sink.setParallelism(settings.parallelism());
      return sink;
    }
    // The writer emits what the store holds after each write; the KafkaSink announces it. Same parallelism: the
    // writer and the KafkaSink chain, so each key's announcements leave one producer in version order.
    SingleOutputStreamOperator<Tuple3<String, Long, String>> written = versioned
        .transform(label, Versioner.TYPE, new StoreWriteOperator(clients(), settings.maxRows(), settings.flushIntervalMs()));
    pc.generateUid("freshet-" + store() + "-writer").ifPresent(written::uid);
    DataStreamSink<Tuple3<String, Long, String>> sink = written.sinkTo(ck.kafkaSink()).name("ChangedKeys[" + table() + "]");
    pc.generateUid("freshet-changed-keys").ifPresent(sink::uid);
    if (settings.parallelism() != null) {
      written.setParallelism(settings.parallelism());
      sink.setParallelism(settings.parallelism());
    }
    return sink;
  }

  /** Takes the next generation (stored sink-generation + 1) and writes the table's generation and schema meta. */
  private long startGeneration() {
    try (StoreClient client = clients().open()) {
      return startGeneration(client, rowType, primaryKey);
    }
  }

  /** The meta steps of a fresh job, as kv-sink.ts: read sink-generation, write it + 1, write the schema. */
  public static long startGeneration(StoreClient client, RowType rowType, int[] primaryKey) {
    long generation = Versioner.nextGeneration(client.getMeta(Versioner.GENERATION_META));
    client.putMeta(Versioner.GENERATION_META, Long.toString(generation));
    client.putMeta(SchemaMeta.NAME, SchemaMeta.json(rowType, primaryKey));
    return generation;
  }

  @Override
  public DynamicTableSink copy() {
    return new FeatureTableSink(clients, rowType, primaryKey, settings);
  }

  @Override
  public String asSummaryString() {
    return "Freshet " + clients.title() + " feature table " + table();
  }
}
