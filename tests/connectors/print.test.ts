// Tests of the print connector (Flink's row text, prefix, stderr, redirection) and the blackhole connector.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RowKind } from '../../src/common/row.js';
import { daysFromCivil } from '../../src/common/time.js';
import { T, type RowField } from '../../src/common/types.js';
import { blackholeConnector, BlackholeSink } from '../../src/connectors/blackhole/blackhole-connector.js';
import { createRowPrinter, javaDuration, javaInstant, javaLocalDateTime, javaLocalTime, javaPeriod } from '../../src/connectors/print/flink-row-text.js';
import { createPrintConnector, type PrintSinkContext } from '../../src/connectors/print/print-connector.js';
import { sinkContext } from './helpers.js';

const DAY = daysFromCivil(2024, 1, 1);
const at = (h: number, m: number, s = 0, ms = 0): number => DAY * 86_400_000 + h * 3_600_000 + m * 60_000 + s * 1000 + ms;

describe('Flink row text', () => {
  it('prints java.time values as Java does', () => {
    assert.equal(javaLocalDateTime(at(10, 0)), '2024-01-01T10:00');
    assert.equal(javaLocalDateTime(at(10, 0, 5)), '2024-01-01T10:00:05');
    assert.equal(javaLocalDateTime(at(10, 0, 0, 500)), '2024-01-01T10:00:00.500');
    assert.equal(javaLocalTime(0), '00:00');
    assert.equal(javaInstant(at(10, 0)), '2024-01-01T10:00:00Z');
    assert.equal(javaInstant(at(10, 0, 1, 20)), '2024-01-01T10:00:01.020Z');
    assert.equal(javaDuration(0), 'PT0S');
    assert.equal(javaDuration(5_400_000), 'PT1H30M');
    assert.equal(javaDuration(1_500), 'PT1.5S');
    assert.equal(javaDuration(-5_400_000), 'PT-1H-30M');
    assert.equal(javaPeriod(14), 'P1Y2M');
    assert.equal(javaPeriod(0), 'P0D');
  });
  it('prints rows with their kind and every type', () => {
    const fields: RowField[] = [
      { name: 'i', type: T.int() }, { name: 's', type: T.string() }, { name: 'd', type: T.double() }, { name: 'm', type: T.decimal(10, 2) },
      { name: 'ts', type: T.timestamp(3) }, { name: 'dt', type: T.date() }, { name: 'b', type: T.bytes() }, { name: 'a', type: T.array(T.string()) },
      { name: 'mp', type: T.map(T.string(), T.int()) }, { name: 'r', type: T.row([{ name: 'x', type: T.int() }, { name: 'y', type: T.boolean() }]) },
      { name: 'n', type: T.int() },
    ];
    const p = createRowPrinter(fields);
    const row = [1, 'a b', 2, 3.5, at(10, 0), DAY, new Uint8Array([1, 254]), ['x', null], new Map([['k', 1], ['j', 2]]), [7, true], null];
    assert.equal(p(row, RowKind.Insert), '+I[1, a b, 2.0, 3.50, 2024-01-01T10:00, 2024-01-01, [1, -2], [x, null], {k=1, j=2}, +I[7, true], null]');
    assert.equal(createRowPrinter([{ name: 'c', type: T.bigint() }])([3], RowKind.UpdateBefore), '-U[3]');
  });
});

describe('print connector', () => {
  const fields: RowField[] = [{ name: 'id', type: T.int() }, { name: 'at', type: T.timestampLtz(3) }];
  const batch = { rows: [[1, at(10, 0)], [2, null]], kinds: [RowKind.Insert, RowKind.Delete] };

  it('writes one line per change to the injected output', async () => {
    const lines: [string, boolean][] = [];
    const factory = createPrintConnector((line, err) => lines.push([line, err]));
    const ctx = sinkContext(fields, { connector: 'print' }, '/');
    assert.deepEqual(factory.validate(ctx, 'sink'), []);
    const sink = factory.createSink!(ctx);
    await sink.open();
    await sink.write(batch);
    assert.deepEqual(lines, [['+I[1, 2024-01-01T10:00:00Z]\n-D[2, null]', false]]);
  });
  it('prefixes print-identifier and writes to standard error when asked', async () => {
    const lines: [string, boolean][] = [];
    const ctx = sinkContext(fields, { connector: 'print', 'print-identifier': 'out', 'standard-error': 'TRUE' }, '/');
    const sink = createPrintConnector((line, err) => lines.push([line, err])).createSink!(ctx);
    await sink.write(batch);
    assert.deepEqual(lines, [['out> +I[1, 2024-01-01T10:00:00Z]\nout> -D[2, null]', true]]);
  });
  it('prefers an output carried by the sink context', async () => {
    const got: string[] = [];
    const ctx: PrintSinkContext = { ...sinkContext(fields, { connector: 'print' }, '/'), printOutput: (l) => got.push(l) };
    await createPrintConnector(() => assert.fail('factory output used')).createSink!(ctx).write(batch);
    assert.equal(got.length, 1);
  });
  it('validates its options and role', () => {
    const f = createPrintConnector(() => {});
    const d = f.validate(sinkContext(fields, { connector: 'print', 'print-identifer': 'x', 'standard-error': 'maybe' }, '/'), 'sink');
    assert.deepEqual(d.map((x) => x.code), ['CONN102', 'CONN103']);
    assert.equal(d[0]!.hint, "did you mean 'print-identifier'?");
    assert.equal(f.validate(sinkContext(fields, { connector: 'print' }, '/'), 'source')[0]!.code, 'CONN106');
    assert.equal(f.createSource, undefined);
  });
});

describe('blackhole connector', () => {
  it('discards and counts every change, and accepts no options', async () => {
    const sink = blackholeConnector.createSink!(sinkContext([], { connector: 'blackhole' }, '/')) as BlackholeSink;
    await sink.write({ rows: [[1], [2]], kinds: [RowKind.Insert, RowKind.UpdateAfter] });
    assert.equal(sink.rowsWritten, 2);
    assert.deepEqual(blackholeConnector.validate(sinkContext([], { connector: 'blackhole' }, '/', true), 'sink'), []);
    assert.equal(blackholeConnector.validate(sinkContext([], { connector: 'blackhole', path: 'x' }, '/'), 'sink')[0]!.code, 'CONN102');
  });
});
