// Opens the Redis tile store of a tiled feature table (RedisTileStore) behind the store-agnostic TileStore interface.
package dev.freshet.flink.tiles;

import dev.freshet.flink.redis.RedisConfig;
import java.util.List;

/** Serializable: the table's Redis settings; {@link #open()} connects. */
public record RedisTiles(RedisConfig config) implements TileStore.Factory {
  @Override
  public TileStore open() {
    RedisTileStore redis = new RedisTileStore(config);
    return new TileStore() {
      @Override
      public void writeTiles(List<RedisTileStore.Write> writes) {
        redis.writeTiles(writes);
      }

      @Override
      public void expireTiles(String key, long granularityMs, long before) {
        redis.expireTiles(key, granularityMs, before);
      }

      @Override
      public void putMeta(String name, String value) {
        redis.putMeta(name, value);
      }

      @Override
      public void close() {
        redis.close();
      }
    };
  }
}
