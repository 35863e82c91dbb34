// The sink-side options every feature-table connector shares (buffering, parallelism, changed-keys topic).
package dev.freshet.flink.connector;

/**
 * @param maxRows buffered keys that trigger a write
 * @param flushIntervalMs the longest a change waits in the buffer; 0 writes only when full and at checkpoints
 * @param parallelism the versioning and writing operators' parallelism, null for the job's
 * @param changedKeys the changed-keys topic, null when off
 */
public record SinkSettings(int maxRows, long flushIntervalMs, Integer parallelism, ChangedKeysConfig changedKeys) {}
