/**
 * Data type syntax of Flink SQL (`DECIMAL(10, 2) NOT NULL`, `ARRAY<ROW<a INT>>`, `TIMESTAMP(3) WITH LOCAL TIME
 * ZONE`, `INTERVAL DAY TO SECOND(3)`, `INT ARRAY`) and interval qualifiers, shared by types and interval literals.
 */

import { suggest } from '../common/diagnostics.js';
import type { IntervalQualifier, IntervalUnit, RowTypeField, ScalarTypeName, StringValue, TypeNode } from './ast.js';
import { INTERVAL_UNITS } from './keywords.js';
import { ParserBase } from './parser-base.js';

/** Type names with an optional `(n)` length/precision. */
const SIMPLE_TYPES: ReadonlySet<string> = new Set([
  'BOOLEAN', 'TINYINT', 'SMALLINT', 'INT', 'INTEGER', 'BIGINT', 'FLOAT', 'REAL', 'DOUBLE', 'STRING', 'BYTES', 'DATE',
]);
const LENGTH_TYPES: ReadonlySet<string> = new Set(['CHAR', 'VARCHAR', 'BINARY', 'VARBINARY', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ']);
const DECIMAL_TYPES: ReadonlySet<string> = new Set(['DECIMAL', 'DEC', 'NUMERIC']);
export const TYPE_NAMES: readonly string[] = [
  ...SIMPLE_TYPES, ...LENGTH_TYPES, ...DECIMAL_TYPES, 'INTERVAL', 'ARRAY', 'MAP', 'MULTISET', 'ROW', 'CHARACTER',
];

/** Valid `start TO end` interval ranges. */
const INTERVAL_RANGES: ReadonlySet<string> = new Set([
  'YEAR-MONTH', 'DAY-HOUR', 'DAY-MINUTE', 'DAY-SECOND', 'HOUR-MINUTE', 'HOUR-SECOND', 'MINUTE-SECOND',
]);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export class TypeParser extends ParserBase {
  /** A full data type including postfix `ARRAY`/`MULTISET` and `NOT NULL` / `NULL`. */
  parseType(): TypeNode {
    const start = this.tok;
    let t = this.parseTypeBase();
    for (;;) {
      t = this.parseNullability(t);
      if (this.isKw('ARRAY')) {
        this.advance();
        t = { kind: 'ArrayType', element: t, span: this.spanFrom(start) };
      } else if (this.isKw('MULTISET')) {
        this.advance();
        t = { kind: 'MultisetType', element: t, span: this.spanFrom(start) };
      } else {
        return t;
      }
    }
  }

  /** `NOT NULL` or `NULL` after a type; `NULL ON ...` belongs to JSON clauses and is left alone. */
  private parseNullability(t: TypeNode): TypeNode {
    if (this.isKw('NOT') && this.isKwAt(1, 'NULL')) {
      this.advance();
      this.advance();
      return { ...t, nullable: false, span: this.spanFrom(t.span) };
    }
    if (this.isKw('NULL') && !this.isKwAt(1, 'ON')) {
      this.advance();
      return { ...t, nullable: true, span: this.spanFrom(t.span) };
    }
    return t;
  }

  private parseTypeBase(): TypeNode {
    const start = this.tok;
    if (start.kind !== 'word') {
      return this.failExpected('a data type');
    }
    const w = start.value;
    if (SIMPLE_TYPES.has(w)) {
      this.advance();
      if (w === 'DOUBLE') this.acceptKw('PRECISION');
      return { kind: 'ScalarType', name: w as ScalarTypeName, span: this.spanFrom(start) };
    }
    if (DECIMAL_TYPES.has(w)) {
      this.advance();
      const node: Mutable<TypeNode & { kind: 'ScalarType' }> = { kind: 'ScalarType', name: w as ScalarTypeName, span: this.spanFrom(start) };
      if (this.acceptOp('(')) {
        node.precision = this.parseUnsignedInt('a precision');
        if (this.acceptOp(',')) node.scale = this.parseUnsignedInt('a scale');
        this.expectOp(')');
      }
      node.span = this.spanFrom(start);
      return node;
    }
    if (LENGTH_TYPES.has(w) || w === 'CHARACTER') {
      this.advance();
      let name = (w === 'CHARACTER' ? 'CHAR' : w) as ScalarTypeName;
      if ((name === 'CHAR' || name === 'BINARY') && this.acceptKw('VARYING')) name = name === 'CHAR' ? 'VARCHAR' : 'VARBINARY';
      const node: Mutable<TypeNode & { kind: 'ScalarType' }> = { kind: 'ScalarType', name, span: this.spanFrom(start) };
      if (this.acceptOp('(')) {
        node.precision = this.parseUnsignedInt(name === 'TIME' || name.startsWith('TIMESTAMP') ? 'a precision' : 'a length');
        this.expectOp(')');
      }
      if (name === 'TIME' || name === 'TIMESTAMP') {
        if (this.acceptKws('WITHOUT', 'TIME', 'ZONE')) {
          // the default; nothing to record
        } else if (name === 'TIMESTAMP' && this.isKw('WITH')) {
          this.advance();
          this.expectKw('LOCAL');
          this.expectKw('TIME');
          this.expectKw('ZONE');
          node.withLocalTimeZone = true;
        } else if (name === 'TIME' && this.isKw('WITH') && this.isKwAt(1, 'LOCAL')) {
          this.fail('SQL112', { what: 'TIME WITH LOCAL TIME ZONE' }, this.tokSpan(this.tok));
        }
      }
      node.span = this.spanFrom(start);
      return node;
    }
    if (w === 'INTERVAL') {
      this.advance();
      const qualifier = this.parseIntervalQualifier();
      return { kind: 'IntervalType', qualifier, span: this.spanFrom(start) };
    }
    if (w === 'ARRAY' || w === 'MULTISET') {
      this.advance();
      this.expectOp('<');
      const element = this.parseType();
      this.expectOp('>');
      return w === 'ARRAY'
        ? { kind: 'ArrayType', element, span: this.spanFrom(start) }
        : { kind: 'MultisetType', element, span: this.spanFrom(start) };
    }
    if (w === 'MAP') {
      this.advance();
      this.expectOp('<');
      const key = this.parseType();
      this.expectOp(',');
      const value = this.parseType();
      this.expectOp('>');
      return { kind: 'MapType', key, value, span: this.spanFrom(start) };
    }
    if (w === 'ROW') {
      this.advance();
      const close = this.isOp('<') ? '>' : this.isOp('(') ? ')' : undefined;
      if (!close) return this.failExpected("'<' or '('");
      this.advance();
      const fields: RowTypeField[] = [];
      if (!this.isOp(close)) {
        do fields.push(this.parseRowField());
        while (this.acceptOp(','));
      }
      this.expectOp(close);
      return { kind: 'RowType', fields, span: this.spanFrom(start) };
    }
    if (w === 'RAW' || w === 'STRUCTURED' || w === 'VARIANT') {
      this.fail('SQL112', { what: `the ${w} data type` }, this.tokSpan(start));
    }
    const s = suggest(start.text, TYPE_NAMES);
    return this.fail('SQL113', { found: this.describe(start) }, this.tokSpan(start), s ? `did you mean ${s}?` : undefined);
  }

  private parseRowField(): RowTypeField {
    const start = this.tok;
    const name = this.parseIdent('a field name');
    const type = this.parseType();
    let comment: StringValue | undefined;
    if (this.acceptKw('COMMENT')) comment = this.parseStringValue();
    const f: Mutable<RowTypeField> = { kind: 'RowTypeField', name, type, span: this.spanFrom(start) };
    if (comment) f.comment = comment;
    return f;
  }

  protected isIntervalUnit(w: string): w is IntervalUnit {
    return (INTERVAL_UNITS as readonly string[]).includes(w);
  }

  /** `unit [(p [, f])] [TO unit [(f)]]`; reports impossible ranges such as MONTH TO DAY. */
  protected parseIntervalQualifier(): IntervalQualifier {
    const start = this.tok;
    if (start.kind !== 'word' || !this.isIntervalUnit(start.value)) {
      const s = start.kind === 'word' ? suggest(start.text.replace(/S$/i, ''), INTERVAL_UNITS) : undefined;
      return this.failExpected('a time unit (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND)', s ? `did you mean ${s}?` : undefined);
    }
    this.advance();
    const q: Mutable<IntervalQualifier> = { kind: 'IntervalQualifier', start: start.value, span: this.tokSpan(start) };
    if (this.isOp('(') && this.peek().kind === 'number') {
      this.advance();
      q.startPrecision = this.parseUnsignedInt('a precision');
      if (start.value === 'SECOND' && this.acceptOp(',')) q.fractionalPrecision = this.parseUnsignedInt('a precision');
      this.expectOp(')');
    }
    if (this.isKw('TO')) {
      this.advance();
      const endTok = this.tok;
      if (endTok.kind !== 'word' || !this.isIntervalUnit(endTok.value)) return this.failExpected('a time unit');
      this.advance();
      q.end = endTok.value;
      if (endTok.value === 'SECOND' && this.isOp('(') && this.peek().kind === 'number') {
        this.advance();
        q.fractionalPrecision = this.parseUnsignedInt('a precision');
        this.expectOp(')');
      }
      if (!INTERVAL_RANGES.has(`${q.start}-${q.end}`)) {
        this.fail('SQL115', { detail: `${q.start} TO ${q.end}` }, this.spanFrom(start));
      }
    }
    q.span = this.spanFrom(start);
    return q;
  }
}
