// Opens the store client of one feature table on a TaskManager (or in the job's main() for the meta entries): the
// serializable half that travels inside the job graph.
package dev.freshet.flink.connector;

import java.io.Serializable;

/** Serializable connection settings that open a {@link StoreClient}. */
@FunctionalInterface
public interface StoreClientFactory extends Serializable {
  StoreClient open();

  /** Whether one client may serve several threads at once (lookups then share one; else one per thread). */
  default boolean threadSafe() {
    return false;
  }
}
