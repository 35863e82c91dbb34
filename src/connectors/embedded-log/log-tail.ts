/**
 * The newest records of an embedded-log topic across its partitions (live samples for the dictionary), read without
 * the writer's lock.
 */
import path from 'node:path';
import { readTopicMeta } from './embedded-log.js';
import { keyAndHeaders, partitionDir, readHead, valueOf } from './log-format.js';
import { PartitionReader, partitionEndOffset } from './partition-reader.js';

export interface LogRecord {
  partition: number;
  offset: number;
  /** Append time, epoch ms. */
  timestamp: number;
  key: string | null;
  headers: Record<string, string> | null;
  /** The message text (JSON). */
  value: string;
}

/** Up to `n` newest records of a topic, newest first ([] when the topic does not exist). */
export async function tailTopic(root: string, topic: string, n: number): Promise<LogRecord[]> {
  const meta = await readTopicMeta(root, topic);
  if (!meta || n <= 0) return [];
  const all: LogRecord[] = [];
  for (let p = 0; p < meta.partitions; p++) {
    const dir = partitionDir(path.resolve(root), topic, p);
    const end = await partitionEndOffset(dir);
    if (end === 0) continue;
    const r = new PartitionReader(dir, p);
    try {
      await r.seek(Math.max(0, end - n));
      for (const line of await r.read(n)) {
        const h = readHead(line);
        if (!h) continue;
        all.push({ partition: p, offset: h.offset, timestamp: h.time, ...keyAndHeaders(line, h), value: valueOf(line, h) });
      }
    } finally {
      await r.close();
    }
  }
  all.sort((a, b) => b.timestamp - a.timestamp || b.offset - a.offset || a.partition - b.partition);
  return all.slice(0, n);
}
