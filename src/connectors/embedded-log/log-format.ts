/**
 * On-disk layout and record encoding of Freshet's embedded log.
 *
 * Layout: `<root>/<topic>/topic.json` ({"partitions": N}) and `<root>/<topic>/<partition>/<baseOffset>.log`
 * segment files, the base offset zero-padded to 20 digits so names sort by offset. The writer holds
 * `<root>/LOCK` (its pid) so only one process appends.
 *
 * Record: one JSON line per message, fixed key order so readers need not parse the whole line:
 *   {"o":<offset>,"t":<append time ms>,"n":<length of value text>,"k":<key|null>,"h":<headers|null>,"v":<value>}\n
 * `n` is the UTF-16 length of the value text, which is always the line's last member, so the value is
 * `line.slice(line.length - 1 - n, line.length - 1)` without a parse. A line is complete when it ends with `\n`;
 * anything after the last newline of the last segment is a torn write and is truncated on recovery.
 */
import path from 'node:path';

export const SEGMENT_SUFFIX = '.log';

export function segmentName(base: number): string {
  return String(base).padStart(20, '0') + SEGMENT_SUFFIX;
}

export function segmentBase(file: string): number | undefined {
  if (!file.endsWith(SEGMENT_SUFFIX)) return undefined;
  const s = file.slice(0, -SEGMENT_SUFFIX.length);
  return /^\d{20}$/.test(s) ? Number(s) : undefined;
}

export function topicDir(root: string, topic: string): string {
  return path.join(root, topic);
}

export function partitionDir(root: string, topic: string, partition: number): string {
  return path.join(root, topic, String(partition));
}

/** Topic names are path segments: letters, digits, `.`, `_`, `-` (as Kafka allows), not `.` or `..`. */
export function validTopicName(topic: string): boolean {
  return /^[A-Za-z0-9._-]{1,249}$/.test(topic) && topic !== '.' && topic !== '..';
}

export function encodeRecord(offset: number, time: number, key: string | null, headers: Record<string, string> | null, value: string): string {
  return `{"o":${offset},"t":${time},"n":${value.length},"k":${key === null ? 'null' : JSON.stringify(key)},"h":${headers ? JSON.stringify(headers) : 'null'},"v":${value}}\n`;
}

/** The fixed-position header of a line: offset, time and value length, or undefined when the line is malformed. */
const HEAD = /^\{"o":(\d+),"t":(-?\d+),"n":(\d+),/;

export interface LineHead { offset: number; time: number; valueLength: number; headEnd: number }

export function readHead(line: string): LineHead | undefined {
  const m = HEAD.exec(line);
  if (!m) return undefined;
  const n = Number(m[3]);
  if (line.length < m[0].length + n + 6 || line.charCodeAt(line.length - 1) !== 125 /* } */) return undefined;
  return { offset: Number(m[1]), time: Number(m[2]), valueLength: n, headEnd: m[0].length };
}

/** The value text of a line (no trailing newline) whose head was read. */
export function valueOf(line: string, h: LineHead): string {
  return line.slice(line.length - 1 - h.valueLength, line.length - 1);
}

/** Key and headers of a line (parsed on demand: only header discriminators and samples need them). */
export function keyAndHeaders(line: string, h: LineHead): { key: string | null; headers: Record<string, string> | null } {
  const mid = line.slice(h.headEnd, line.length - 1 - h.valueLength - ',"v":'.length);
  const o = JSON.parse(`{${mid}}`) as { k: string | null; h: Record<string, string> | null };
  return { key: o.k, headers: o.h };
}

/** Full validation used by recovery: the head is consistent and the whole line is JSON. */
export function validLine(line: string): LineHead | undefined {
  const h = readHead(line);
  if (!h) return undefined;
  if (line.slice(line.length - 1 - h.valueLength - 5, line.length - 1 - h.valueLength) !== ',"v":') return undefined;
  try { JSON.parse(line); } catch { return undefined; }
  return h;
}
