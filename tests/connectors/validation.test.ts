// Tests of option validation shared by connectors: required and unknown options, format names and values, spans,
// and the registry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Span } from '../../src/common/diagnostics.js';
import { T, type RowField } from '../../src/common/types.js';
import { filesystemConnector } from '../../src/connectors/filesystem/filesystem-connector.js';
import { parseDuration, parseMemorySize } from '../../src/connectors/option-validation.js';
import { connectorIdentifiers, getConnector, unknownConnector } from '../../src/connectors/registry.js';
import { tableContext } from './helpers.js';

const fields: RowField[] = [{ name: 'id', type: T.int() }];
const span = (line: number): Span => ({ start: line * 10, end: line * 10 + 5, line, column: 3 });

function check(options: Record<string, string>, f: RowField[] = fields) {
  const ctx = tableContext(f, { connector: 'filesystem', ...options });
  ctx.optionSpans = Object.fromEntries(Object.keys(ctx.options).map((k, i) => [k, span(i + 1)]));
  return filesystemConnector.validate(ctx, 'source');
}

describe('connector option validation', () => {
  it('accepts a valid table', () => {
    assert.deepEqual(check({ path: 'x', format: 'json', 'json.ignore-parse-errors': 'true' }), []);
    assert.deepEqual(check({ path: 'x', format: 'csv', 'csv.field-delimiter': '\\t', 'csv.null-literal': '' }), []);
  });
  it('reports missing required options on the connector option', () => {
    const d = check({});
    assert.deepEqual(d.map((x) => x.code), ['CONN101', 'CONN101']);
    assert.match(d[0]!.message, /requires option 'path'/);
    assert.deepEqual(d[0]!.span, span(1));
  });
  it('reports an unknown format with a suggestion, positioned on the option', () => {
    const d = check({ path: 'x', format: 'jsn' });
    assert.equal(d.length, 1);
    assert.equal(d[0]!.code, 'CONN103');
    assert.match(d[0]!.message, /table 't': unknown format 'jsn'/);
    assert.match(d[0]!.hint!, /did you mean 'json'\?/);
    assert.deepEqual(d[0]!.span, span(3));
  });
  it('reports unknown options with did-you-mean, including options of the other format', () => {
    const d = check({ path: 'x', format: 'json', 'json.ignore-parse-error': 'true', 'csv.allow-comments': 'true', pth: 'y' });
    assert.deepEqual(d.map((x) => [x.code, x.hint]), [
      ['CONN102', "did you mean 'json.ignore-parse-errors'?"],
      ['CONN102', d[1]!.hint],
      ['CONN102', "did you mean 'path'?"],
    ]);
    assert.match(d[1]!.message, /unknown option 'csv\.allow-comments'/);
    assert.deepEqual(d[2]!.span, span(6));
  });
  it('reports bad and conflicting format option values', () => {
    const codes = (o: Record<string, string>) => check({ path: 'x', ...o }).map((x) => `${x.code} ${x.message}`);
    assert.match(codes({ format: 'json', 'json.timestamp-format.standard': 'ISO8601' })[0]!, /CONN103 table 't': unsupported value 'ISO8601'/);
    assert.match(codes({ format: 'json', 'json.ignore-parse-errors': 'yes' })[0]!, /must be 'true' or 'false'/);
    assert.match(codes({ format: 'json', 'json.ignore-parse-errors': 'true', 'json.fail-on-missing-field': 'true' })[0]!, /CONN104 .*must not both be true/);
    assert.match(codes({ format: 'csv', 'csv.field-delimiter': ';;' })[0]!, /must be a single character/);
    assert.match(codes({ format: 'csv', 'csv.disable-quote-character': 'true', 'csv.quote-character': "'" })[0]!, /CONN104/);
  });
  it('reports column types the format cannot handle', () => {
    const d = check({ path: 'x', format: 'csv' }, [{ name: 'm', type: T.map(T.string(), T.int()) }, { name: 'a', type: T.array(T.array(T.int())) }]);
    assert.deepEqual(d.map((x) => x.code), ['CONN105', 'CONN105']);
    const j = check({ path: 'x', format: 'json' }, [{ name: 'm', type: T.map(T.int(), T.int()) }]);
    assert.match(j[0]!.message, /supports only string keys in MAP/);
  });
  it('names Flink options Freshet does not support yet', () => {
    const d = check({ path: 'x', format: 'json', 'source.monitor-interval': '10 s' });
    assert.deepEqual(d.map((x) => x.code), ['CONN108']);
  });
  it('checks sink rolling options', () => {
    const d = check({ path: 'x', format: 'json', 'sink.rolling-policy.file-size': 'big', 'sink.rolling-policy.rollover-interval': '5 fortnights' });
    assert.deepEqual(d.map((x) => x.code), ['CONN103', 'CONN103']);
  });
  it('createSource refuses an invalid table with all its diagnostics', () => {
    assert.throws(() => filesystemConnector.createSource!(tableContext(fields, { connector: 'filesystem', format: 'xml' })),
      (e: unknown) => (e as { diagnostics: unknown[] }).diagnostics.length === 2);
  });
  it('parses Flink durations and memory sizes', () => {
    assert.equal(parseDuration('10 s'), 10_000);
    assert.equal(parseDuration('5min'), 300_000);
    assert.equal(parseDuration('250'), 250);
    assert.equal(parseDuration('1 fortnight'), undefined);
    assert.equal(parseMemorySize('128MB'), 128 * 1024 * 1024);
    assert.equal(parseMemorySize('1 kb'), 1024);
  });
});

describe('connector registry', () => {
  it('knows the built-in connectors', () => {
    for (const id of ['blackhole', 'datagen', 'filesystem', 'print']) assert.ok(connectorIdentifiers().includes(id), id);
    assert.deepEqual(connectorIdentifiers(), [...connectorIdentifiers()].sort());
    assert.equal(getConnector('filesystem'), filesystemConnector);
    assert.equal(getConnector('no-such-connector'), undefined);
  });
  it('suggests a connector for a typo', () => {
    const d = unknownConnector('orders', 'fileystem', span(2));
    assert.equal(d.code, 'CONN100');
    assert.equal(d.hint, "did you mean 'filesystem'?");
    assert.deepEqual(d.span, span(2));
  });
});
