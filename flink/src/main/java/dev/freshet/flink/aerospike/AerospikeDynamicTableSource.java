// The `aerospike` table as a lookup source: the shared feature-table lookup source (FeatureTableSource: lookup key =
// the primary key, async lookups, optional partial cache) over AerospikeStore, one thread-safe client per instance.
package dev.freshet.flink.aerospike;

import dev.freshet.flink.connector.FeatureTableSource;
import dev.freshet.flink.connector.StoreClientFactory;
import org.apache.flink.table.connector.source.DynamicTableSource;
import org.apache.flink.table.connector.source.lookup.cache.LookupCache;
import org.apache.flink.table.types.logical.RowType;

/** Lookup source of one feature table in Aerospike, with Flink's partial lookup cache when configured. */
public final class AerospikeDynamicTableSource extends FeatureTableSource {
  private final AerospikeConfig config;
  private final AerospikeStore.Connector connector;

  public AerospikeDynamicTableSource(AerospikeConfig config, AerospikeStore.Connector connector, RowType rowType, int[] primaryKey,
      LookupCache cache, int threads) {
    super(rowType, primaryKey, cache, threads);
    this.config = config;
    this.connector = connector;
  }

  AerospikeConfig config() {
    return config;
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

  @Override
  public DynamicTableSource copy() {
    return new AerospikeDynamicTableSource(config, connector, rowType, primaryKey, cache, threads);
  }

  @Override
  public String asSummaryString() {
    return "Freshet Aerospike feature table " + config.table();
  }
}
