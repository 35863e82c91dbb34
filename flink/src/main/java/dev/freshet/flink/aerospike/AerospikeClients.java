// The `aerospike` store behind the shared feature-table writers and lookups (dev.freshet.flink.connector): opens an
// AerospikeStore (versioned writes, reads and meta records) over a client from the connector.
package dev.freshet.flink.aerospike;

import dev.freshet.flink.connector.StoreClient;
import dev.freshet.flink.connector.StoreClientFactory;

/** Serializable: the table's settings and how to get a client ({@link AerospikeStore#CLIENT}, or a test's). */
public record AerospikeClients(AerospikeConfig config, AerospikeStore.Connector connector) implements StoreClientFactory {
  @Override
  public StoreClient open() {
    return new AerospikeStore(config, connector.connect(config));
  }

  /** The Aerospike client is thread-safe and pools its connections: lookups share one per parallel instance. */
  @Override
  public boolean threadSafe() {
    return true;
  }
}
