/**
 * Seeded random event streams with bounded disorder for differential and property tests. Timestamps are unique
 * (event index added in milliseconds) so ROWS frames and FIRST/LAST have one correct answer.
 */
import { writeFileSync } from 'node:fs';
import { formatTimestamp } from '../../src/common/time.js';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Event { id: number; k: string; g: number; v: number; d: number; s: string | null; ts: number }

/** n events over keys k0..k{keys-1}; timestamps advance ~`stepMs` per event with disorder up to `disorderMs`. */
export function randomEvents(n: number, seed: number, keys = 7, stepMs = 2500, disorderMs = 4000): Event[] {
  const rnd = mulberry32(seed);
  const base = Date.UTC(2024, 0, 1);
  const out: Event[] = [];
  for (let i = 0; i < n; i++) {
    const ts = base + i * stepMs - Math.floor(rnd() * (disorderMs / 1000)) * 1000 + (i % 1000);
    out.push({
      id: i, k: `k${Math.floor(rnd() * keys)}`, g: Math.floor(rnd() * 3), v: Math.floor(rnd() * 100),
      d: Math.round(rnd() * 10000) / 100, s: rnd() < 0.1 ? null : ['x', 'y', 'zz', 'www'][Math.floor(rnd() * 4)]!, ts,
    });
  }
  return out;
}

export function writeEvents(file: string, events: Event[]): void {
  writeFileSync(file, events.map((e) => JSON.stringify({ id: e.id, k: e.k, g: e.g, v: e.v, d: e.d, s: e.s, ts: formatTimestamp(e.ts, 3), ts_ms: e.ts })).join('\n') + '\n');
}

export const EVENTS_DDL = (path: string, delaySeconds = 5): string => `
CREATE TABLE ev (
  id BIGINT, k STRING, g INT, v INT, d DOUBLE, s STRING, ts TIMESTAMP(3), ts_ms BIGINT,
  WATERMARK FOR ts AS ts - INTERVAL '${delaySeconds}' SECOND
) WITH ('connector' = 'filesystem', 'path' = '${path}', 'format' = 'json');
`;
