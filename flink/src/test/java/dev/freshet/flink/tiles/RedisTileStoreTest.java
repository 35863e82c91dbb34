// The tile writer must run the embedded store's very Lua scripts for tiles (same semantics, same SHA in the server's
// script cache) and address the same hashes.
package dev.freshet.flink.tiles;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class RedisTileStoreTest {
  private static String sha1(String s) throws Exception {
    byte[] d = MessageDigest.getInstance("SHA-1").digest(s.getBytes(StandardCharsets.UTF_8));
    return String.format("%040x", new BigInteger(1, d));
  }

  @Test
  void scriptsAreTheEmbeddedStoresScripts() throws Exception {
    // SHA-1 of PUT_TILES and EXPIRE_TILES in src/connectors/stores/redis-kv-store.ts.
    assertEquals("8b745bbf3ca676886f71a6f5b89a1a9ba2e48107", sha1(RedisTileStore.PUT_TILES));
    assertEquals("3c90564dfd6394230a433dcce16aacb0193117c8", sha1(RedisTileStore.EXPIRE_TILES));
  }

  @Test
  void tileKeysFollowTheLayout() {
    assertEquals("fs:user_features:u1:t:60000", RedisTileStore.tileKey("user_features", "u1", 60_000));
  }
}
