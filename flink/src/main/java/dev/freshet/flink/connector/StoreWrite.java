// One versioned change of a feature-table row as the shared writers hand it to a store client.
package dev.freshet.flink.connector;

/** A row write: {@code value} is the JSON row, or null for a tombstone (a delete keeps its version). */
public record StoreWrite(String key, long version, String value) {}
