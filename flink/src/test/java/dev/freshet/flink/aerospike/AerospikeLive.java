// What the live Aerospike tests share: the server from the environment and the clean-up of their set.
package dev.freshet.flink.aerospike;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.aerospike.client.IAerospikeClient;

final class AerospikeLive {
  private AerospikeLive() {}

  /** The server of AEROSPIKE_HOSTS (null when unset) with a new set named {@code prefix} + a time stamp. */
  static AerospikeConfig config(String prefix) {
    String hosts = System.getenv("AEROSPIKE_HOSTS");
    if (hosts == null || hosts.isBlank()) return null;
    String ns = System.getenv().getOrDefault("AEROSPIKE_NAMESPACE", "test");
    String set = prefix + Long.toString(System.currentTimeMillis(), 36);
    return new AerospikeConfig(hosts, ns, set, System.getenv("AEROSPIKE_USER"), System.getenv("AEROSPIKE_PASSWORD"), set);
  }

  /** Call per test, so that the runner reports the tests as skipped (not as absent) without a server. */
  static void assumeServer(AerospikeConfig config) {
    assumeTrue(config != null, "AEROSPIKE_HOSTS is not set (no Aerospike server); set it to run the live tests");
  }

  /** Empties the test's set (nothing without a server). */
  static void truncate(AerospikeConfig config) {
    if (config == null) return;
    try (IAerospikeClient c = AerospikeStore.connect(config)) {
      c.truncate(null, config.namespace(), config.set(), null);
    } catch (RuntimeException e) {
      System.err.println("could not truncate " + config + ": " + e.getMessage());
    }
  }
}
