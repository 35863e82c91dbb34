// What the shared feature-table code needs to know of a store connector's settings: which connector and which store
// table. Each connector's settings record (RedisConfig, AerospikeConfig) implements it.
package dev.freshet.flink.connector;

import java.io.Serializable;

/** Serializable settings of one feature table in a store. */
public interface StoreConfig extends Serializable {
  /** The connector's name in operator names, uids and messages ("redis", "aerospike"). */
  String store();

  /** The store table name. */
  String table();
}
