// The Flink sink must run the embedded store's very Lua script (same semantics, same SHA in the server's cache).
package dev.freshet.flink.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

class RedisScriptTest {
  @Test
  void putRowsScriptIsTheEmbeddedStoresScript() throws Exception {
    // SHA-1 of PUT_ROWS in src/connectors/stores/redis-kv-store.ts (what SCRIPT LOAD returns for it).
    byte[] d = MessageDigest.getInstance("SHA-1").digest(RedisStore.PUT_ROWS.getBytes(StandardCharsets.UTF_8));
    assertEquals("5b7862e714927456985c3c5e57e801b9e91db52a", String.format("%040x", new BigInteger(1, d)));
  }

  @Test
  void keysFollowTheLayout() {
    RedisConfig c = new RedisConfig("h", 1, null, "secret", 0, 1000, "user_features");
    assertEquals("fs:user_features:u1", c.rowKey("u1"));
    assertEquals("fs:user_features:meta:sink-generation", c.metaKey("sink-generation"));
    assertEquals(false, c.toString().contains("secret"));
  }
}
