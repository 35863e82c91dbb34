// The store side of the tile writer (docs/flink.md "Tiles on Flink"): where TileWriterOperator sends the positions,
// expiries and meta the TileWriter composes. One implementation per store connector, each writing exactly the records
// of Freshet's embedded store of the same name (RedisTileStore: redis-kv-store.ts; AerospikeTileStore:
// aerospike-kv-store.ts), so readers cannot tell which engine wrote a table.
package dev.freshet.flink.tiles;

import dev.freshet.flink.connector.StoreConfig;
import dev.freshet.flink.connector.StoreOptions;
import java.io.Serializable;

/**
 * A connection to the tile records of one feature table, used by one thread. Every write applies only when its version
 * is newer than the stored one (per position), so replays after a restore leave the store unchanged.
 */
public interface TileStore extends TileWriter.Sink, AutoCloseable {
  @Override
  void close();

  /** Opens the tile store of one table on a TaskManager: the serializable half that travels in the job graph. */
  interface Factory extends Serializable {
    TileStore open();

    /** The table's settings: which connector, which store table. */
    StoreConfig config();

    /** The store table name. */
    default String table() {
      return config().table();
    }

    /** The connector's name capitalized, in summaries ("Redis", "Aerospike"). */
    default String title() {
      return StoreOptions.title(config().store());
    }
  }
}
