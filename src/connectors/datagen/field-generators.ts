/**
 * Value generators of the datagen connector, one compiled per column. A generator takes the row's random stream,
 * the row index and the row's logical time ("now"), and returns a value in the runtime representation
 * (src/common/types.ts). Flink's behaviour per type:
 * - numbers: random uniform in [min, max] (defaults: the type's range; FLOAT/DOUBLE from MIN_VALUE to MAX_VALUE as
 *   in Flink) or a sequence start, start + 1, ...;
 * - strings and bytes: random hex text / bytes of `length` (default 100), shorter at random with `var-len`;
 *   a string sequence is the numbers as text;
 * - TIMESTAMP/TIMESTAMP_LTZ: now minus a random amount up to `max-past`; DATE and TIME: today / the time of day;
 * - ARRAY and MAP: `length` (default 3) random elements; ROW: random fields.
 */
import type { Value } from '../../common/row.js';
import { MS_PER_DAY, truncateToPrecision } from '../../common/time.js';
import { STRING_MAX, type SqlType } from '../../common/types.js';
import { defaultFieldSpec, typeRange, type FieldSpec } from './datagen-options.js';
import type { RowRandom } from './row-random.js';

export type Generator = (rng: RowRandom, row: number, now: number) => Value;

const HEX = '0123456789abcdef';

export function compileGenerator(t: SqlType, spec: FieldSpec): Generator {
  const gen = spec.kind === 'sequence' ? sequence(t, spec) : random(t, spec);
  if (spec.nullRate <= 0) return gen;
  const rate = spec.nullRate;
  return (rng, row, now) => (rng.next() < rate ? null : gen(rng, row, now));
}

function sequence(t: SqlType, spec: FieldSpec): Generator {
  const start = spec.start!;
  switch (t.kind) {
    case 'CHAR': case 'VARCHAR': return (_r, row) => String(start + row);
    case 'FLOAT': return (_r, row) => Math.fround(start + row);
    default: return (_r, row) => start + row;
  }
}

function random(t: SqlType, spec: FieldSpec): Generator {
  switch (t.kind) {
    case 'NULL': return () => null;
    case 'BOOLEAN': return (rng) => rng.next() < 0.5;
    case 'TINYINT': case 'SMALLINT': case 'INT': case 'BIGINT': {
      const [lo, hi] = typeRange(t);
      const min = spec.min ?? lo, max = spec.max ?? hi;
      return (rng) => rng.int(min, max);
    }
    case 'FLOAT': case 'DOUBLE': {
      const [lo, hi] = typeRange(t);
      const min = spec.min ?? lo, max = spec.max ?? hi;
      const span = max - min;
      return t.kind === 'FLOAT' ? (rng) => Math.fround(min + rng.next() * span) : (rng) => min + rng.next() * span;
    }
    case 'DECIMAL': {
      const [lo, hi] = typeRange(t);
      const min = spec.min ?? lo, max = spec.max ?? hi;
      const scale = t.scale ?? 0;
      const f = 10 ** scale;
      return (rng) => Number((Math.floor((min + rng.next() * (max - min)) * f) / f).toFixed(scale));
    }
    case 'CHAR': case 'VARCHAR': {
      const len = spec.length ?? Math.min(100, t.precision ?? STRING_MAX);
      const varLen = spec.varLen;
      return (rng) => {
        const n = varLen ? rng.int(Math.min(1, len), len) : len;
        let s = '';
        let bits = 0, word = 0;
        for (let i = 0; i < n; i++) {
          if (bits === 0) { word = rng.nextU32(); bits = 8; }
          s += HEX[word & 15];
          word >>>= 4;
          bits--;
        }
        return s;
      };
    }
    case 'BYTES': {
      const len = spec.length ?? 100;
      const varLen = spec.varLen;
      return (rng) => {
        const n = varLen ? rng.int(Math.min(1, len), len) : len;
        const b = new Uint8Array(n);
        for (let i = 0; i < n; i++) b[i] = rng.nextU32() & 255;
        return b;
      };
    }
    case 'DATE': return (_r, _row, now) => Math.floor(now / MS_PER_DAY);
    case 'TIME': {
      const p = t.precision ?? 0;
      return (_r, _row, now) => truncateToPrecision(now - Math.floor(now / MS_PER_DAY) * MS_PER_DAY, p);
    }
    case 'TIMESTAMP': case 'TIMESTAMP_LTZ': {
      const past = spec.maxPastMs;
      const p = t.precision ?? 3;
      return (rng, _row, now) => truncateToPrecision(past > 0 ? now - Math.floor(rng.next() * past) : now, p);
    }
    case 'ARRAY': {
      const el = compileGenerator(t.element!, defaultFieldSpec());
      const n = spec.length ?? 3;
      return (rng, row, now) => {
        const a: Value[] = new Array(n);
        for (let i = 0; i < n; i++) a[i] = el(rng, row, now);
        return a;
      };
    }
    case 'MAP': {
      const k = compileGenerator(t.element!, defaultFieldSpec());
      const v = compileGenerator(t.value!, defaultFieldSpec());
      const n = spec.length ?? 3;
      return (rng, row, now) => {
        const m = new Map<Value, Value>();
        for (let i = 0; i < n; i++) m.set(k(rng, row, now), v(rng, row, now));
        return m;
      };
    }
    case 'ROW': {
      const gens = (t.fields ?? []).map((f) => compileGenerator(f.type, defaultFieldSpec()));
      return (rng, row, now) => gens.map((g) => g(rng, row, now));
    }
    default:
      return () => null;
  }
}
