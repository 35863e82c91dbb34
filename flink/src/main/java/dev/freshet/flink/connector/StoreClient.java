// What the shared feature-table writers need of an online store: versioned row writes, the versions it holds, and
// meta strings. Each store (redis, aerospike) adapts its own client to this; everything else (versioning, buffering,
// the changed-keys topic, checkpoint flushing) is the same code for every store.
package dev.freshet.flink.connector;

import java.io.Closeable;
import java.util.List;

/** A connection to the store of one feature table, used by one thread at a time. */
public interface StoreClient extends Closeable {
  /** Applies each write whose version is newer than the stored one (atomically per key); returns how many applied. */
  long putRows(List<StoreWrite> writes);

  /** Per key, the version the store holds (also of a tombstone), or null when the key was never written. */
  Long[] versions(List<String> keys);

  /** The JSON row stored under the key, or null when absent or a tombstone (lookups). */
  String row(String key);

  String getMeta(String name);

  void putMeta(String name, String value);

  /** Where the table lives, for error messages (never the password). */
  String describe();

  @Override
  void close();
}
