// Opens the store client of one feature table on a TaskManager (or in the job's main() for the meta entries): the
// serializable half that travels inside the job graph. It also names the store and table, so the shared sink and
// lookup source (FeatureTableSink, FeatureTableSource) need nothing else of a store.
package dev.freshet.flink.connector;

import java.io.Serializable;

/** Serializable connection settings that open a {@link StoreClient}. */
public interface StoreClientFactory extends Serializable {
  StoreClient open();

  /** Whether one client may serve several threads at once (lookups then share one; else one per thread). */
  default boolean threadSafe() {
    return false;
  }

  /** The table's settings: which connector, which store table. */
  StoreConfig config();

  /** The connector's name in operator names, uids and messages ("redis", "aerospike"). */
  default String store() {
    return config().store();
  }

  /** The store table name. */
  default String table() {
    return config().table();
  }

  /** The connector's name capitalized, in summaries and messages ("Redis", "Aerospike"). */
  default String title() {
    return StoreOptions.title(store());
  }
}
