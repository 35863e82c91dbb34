/** Lexer: token kinds, values, positions, comments, hints and lexical errors. */

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lex } from '../../src/sql/lexer.js';

const kinds = (s: string) => lex(s).tokens.map((t) => `${t.kind}:${t.value}`);

test('words are upper-cased in value and keep their text', () => {
  const { tokens } = lex('select MyCol');
  assert.equal(tokens[0]!.value, 'SELECT');
  assert.equal(tokens[1]!.value, 'MYCOL');
  assert.equal(tokens[1]!.text, 'MyCol');
});

test('strings, quoted identifiers, binary literals unescape', () => {
  assert.deepEqual(kinds("'it''s' `a``b` X'0aFF'"), ["string:it's", 'quoted:a`b', 'binary:0aFF', 'eof:']);
});

test('numbers keep text and kind', () => {
  const t = lex('42 1.5 .5 1e3 2.5E-3 7.').tokens;
  assert.deepEqual(t.slice(0, 6).map((x) => [x.value, x.numberKind]), [
    ['42', 'integer'], ['1.5', 'decimal'], ['.5', 'decimal'], ['1e3', 'approx'], ['2.5E-3', 'approx'], ['7.', 'decimal'],
  ]);
});

test('operators, longest match first', () => {
  assert.deepEqual(kinds('a<>b!=c<=d>=e=>f||g'), [
    'word:A', 'op:<>', 'word:B', 'op:!=', 'word:C', 'op:<=', 'word:D', 'op:>=', 'word:E', 'op:=>', 'word:F', 'op:||', 'word:G', 'eof:',
  ]);
});

test('comments are skipped; hints become tokens', () => {
  assert.deepEqual(kinds('a -- x\n/* y */ b /*+ H(1) */ c'), [
    'word:A', 'word:B', 'hintStart:/*+', 'word:H', 'op:(', 'number:1', 'op:)', 'hintEnd:*/', 'word:C', 'eof:',
  ]);
});

test('line and column are 1-based and follow newlines inside tokens', () => {
  const t = lex("a\n  'x\ny' b").tokens;
  assert.deepEqual([t[0]!.line, t[0]!.column], [1, 1]);
  assert.deepEqual([t[1]!.line, t[1]!.column, t[1]!.start], [2, 3, 4]);
  assert.deepEqual([t[2]!.line, t[2]!.column], [3, 4]);
});

test('lexical errors are reported with codes and spans', () => {
  const cases: [string, string, number][] = [
    ["SELECT 'abc", 'SQL102', 8],
    ['SELECT /* never closed', 'SQL103', 8],
    ['SELECT /*+ OPTIONS(', 'SQL103', 8],
    ['SELECT 12abc', 'SQL104', 8],
    ['SELECT 1e+', 'SQL104', 8],
    ['SELECT `abc', 'SQL105', 8],
    ['SELECT #', 'SQL106', 8],
    ['SELECT "col"', 'SQL107', 8],
    ["SELECT X'ABC'", 'SQL108', 8],
  ];
  for (const [src, code, col] of cases) {
    const { diagnostics } = lex(src);
    assert.equal(diagnostics.length, 1, src);
    assert.equal(diagnostics[0]!.code, code, src);
    assert.equal(diagnostics[0]!.span!.column, col, src);
  }
});

test('always ends with eof at the end offset', () => {
  const t = lex('a ').tokens;
  assert.equal(t.at(-1)!.kind, 'eof');
  assert.equal(t.at(-1)!.start, 2);
});
