// The connection settings and place of one `aerospike` feature table: serializable, so they travel inside the sink
// and lookup functions to the TaskManagers. The password is never part of toString().
package dev.freshet.flink.aerospike;

import dev.freshet.flink.connector.StoreConfig;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Where a feature table lives in Aerospike: seed hosts, credentials, namespace, set, and the store table name. As in
 * src/connectors/aerospike/aerospike-connector.ts, the set is the `set` option or else the table name.
 *
 * @param hosts seed nodes {@code host[:port][,host[:port]...]} (port 3000 when left out)
 * @param username null without security
 * @param set the set holding the table's rows and meta records
 * @param table the store table name (the schema meta and error messages name it)
 */
public record AerospikeConfig(String hosts, String namespace, String set, String username, String password, String table)
    implements StoreConfig {

  public static final int DEFAULT_PORT = 3000;
  /** One seed node, as the embedded connector validates it. */
  static final Pattern HOST_PORT = Pattern.compile("^[^\\s,:]+(:\\d{1,5})?$");
  /** Aerospike's limit on set names (bytes, UTF-8). */
  public static final int MAX_SET_BYTES = 63;

  @Override
  public String store() {
    return AerospikeDynamicTableFactory.IDENTIFIER;
  }

  /** A seed node. */
  public record HostPort(String host, int port) implements Serializable {}

  /** The seed nodes; throws IllegalArgumentException naming the bad entry. */
  public List<HostPort> seeds() {
    return parseHosts(hosts);
  }

  /** Parses {@code host[:port][,host[:port]...]}; throws IllegalArgumentException naming the bad entry. */
  public static List<HostPort> parseHosts(String hosts) {
    List<HostPort> out = new ArrayList<>();
    for (String raw : hosts.split(",", -1)) {
      String h = raw.trim();
      if (!HOST_PORT.matcher(h).matches()) {
        throw new IllegalArgumentException("option 'hosts' must be 'host[:port][,host[:port]...]', got '" + hosts + "'");
      }
      int colon = h.indexOf(':');
      int port = colon < 0 ? DEFAULT_PORT : Integer.parseInt(h.substring(colon + 1));
      if (port < 1 || port > 65535) throw new IllegalArgumentException("option 'hosts': port " + port + " is not between 1 and 65535");
      out.add(new HostPort(colon < 0 ? h : h.substring(0, colon), port));
    }
    return out;
  }

  /** The user key of a meta record ({@code meta:<name>}, bin {@code m}), as metaRecordKey in aerospike-kv-store.ts. */
  public static String metaKey(String name) {
    return "meta:" + name;
  }

  @Override
  public String toString() {
    return "aerospike://" + hosts + "/" + namespace + "/" + set + " table " + table;
  }
}
