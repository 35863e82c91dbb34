// The `aerospike` table as an upsert sink: the shared feature-table sink (FeatureTableSink: keyed by entity key,
// versioned, buffered writes, optional changed-keys topic) over AerospikeStore; the same records, bins, versions and
// meta records as Freshet's embedded Aerospike store.
package dev.freshet.flink.aerospike;

import dev.freshet.flink.connector.FeatureTableSink;
import dev.freshet.flink.connector.SinkSettings;
import dev.freshet.flink.connector.StoreClientFactory;
import org.apache.flink.table.connector.sink.DynamicTableSink;
import org.apache.flink.table.types.logical.RowType;

/** Upsert sink of one feature table in Aerospike. */
public final class AerospikeDynamicTableSink extends FeatureTableSink {
  private final AerospikeConfig config;
  private final AerospikeStore.Connector connector;

  public AerospikeDynamicTableSink(AerospikeConfig config, AerospikeStore.Connector connector, RowType rowType, int[] primaryKey,
      SinkSettings settings) {
    super(rowType, primaryKey, settings);
    this.config = config;
    this.connector = connector;
  }

  AerospikeConfig config() {
    return config;
  }

  int maxRows() {
    return settings.maxRows();
  }

  long flushIntervalMs() {
    return settings.flushIntervalMs();
  }

  Integer parallelism() {
    return settings.parallelism();
  }

  @Override
  protected StoreClientFactory clients() {
    return new AerospikeClients(config, connector);
  }

  @Override
  protected String table() {
    return config.table();
  }

  @Override
  protected String store() {
    return "aerospike";
  }

  /** The meta steps of a fresh job, as kv-sink.ts: read sink-generation, write it + 1, write the schema. */
  static long startGeneration(AerospikeStore store, RowType rowType, int[] primaryKey) {
    return FeatureTableSink.startGeneration(AerospikeClients.over(store), rowType, primaryKey);
  }

  @Override
  public DynamicTableSink copy() {
    return new AerospikeDynamicTableSink(config, connector, rowType, primaryKey, settings);
  }

  @Override
  public String asSummaryString() {
    return "Freshet Aerospike feature table " + config.table();
  }
}
