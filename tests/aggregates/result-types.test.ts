/**
 * Result types of aggregate calls against Flink's planner rules (Calcite inference with FlinkTypeSystem). Several
 * rows are taken from Flink's own plan tests (e.g. AVG of DECIMAL(30, 20) is DECIMAL(38, 20), of DECIMAL(10, 5)
 * DECIMAL(38, 6); SUM of DECIMAL(10, 0) is DECIMAL(38, 0)).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { T, typeToString, type SqlType } from '../../src/common/types.js';
import type { AggCall } from '../../src/aggregates/agg-function.js';
import { resolveAggregate } from '../../src/aggregates/registry.js';

const rowtime: SqlType = { ...T.timestamp(3), timeAttr: 'rowtime' };

const G = { grouped: true };
const rows: [string, AggCall, string][] = [
  ['COUNT(*)', { name: 'COUNT', argTypes: [], distinct: false }, 'BIGINT NOT NULL'],
  ['COUNT(x)', { name: 'COUNT', argTypes: [T.int()], distinct: false }, 'BIGINT NOT NULL'],
  ['COUNT(DISTINCT x)', { name: 'COUNT', argTypes: [T.string()], distinct: true }, 'BIGINT NOT NULL'],
  ['SUM(INT NOT NULL) grouped', { name: 'SUM', argTypes: [T.int(false)], distinct: false, ...G }, 'INT NOT NULL'],
  ['SUM(INT NOT NULL) global', { name: 'SUM', argTypes: [T.int(false)], distinct: false }, 'INT'],
  ['SUM(INT NOT NULL) grouped with FILTER', { name: 'SUM', argTypes: [T.int(false)], distinct: false, ...G, hasFilter: true }, 'INT'],
  ['SUM(INT) grouped', { name: 'SUM', argTypes: [T.int()], distinct: false, ...G }, 'INT'],
  ['SUM(TINYINT)', { name: 'SUM', argTypes: [T.tinyint()], distinct: false }, 'TINYINT'],
  ['SUM(SMALLINT)', { name: 'SUM', argTypes: [T.smallint()], distinct: false }, 'SMALLINT'],
  ['SUM(BIGINT)', { name: 'SUM', argTypes: [T.bigint()], distinct: false }, 'BIGINT'],
  ['SUM(FLOAT)', { name: 'SUM', argTypes: [T.float()], distinct: false }, 'FLOAT'],
  ['SUM(DOUBLE)', { name: 'SUM', argTypes: [T.double()], distinct: false }, 'DOUBLE'],
  ['SUM(DECIMAL(10, 0))', { name: 'SUM', argTypes: [T.decimal(10, 0)], distinct: false }, 'DECIMAL(38, 0)'],
  ['SUM(DECIMAL(10, 2))', { name: 'SUM', argTypes: [T.decimal(10, 2)], distinct: false }, 'DECIMAL(38, 2)'],
  ['$SUM0(INT)', { name: '$SUM0', argTypes: [T.int()], distinct: false }, 'INT NOT NULL'],
  ['$SUM0(DECIMAL(5, 1))', { name: '$SUM0', argTypes: [T.decimal(5, 1)], distinct: false }, 'DECIMAL(38, 1) NOT NULL'],
  ['AVG(TINYINT)', { name: 'AVG', argTypes: [T.tinyint()], distinct: false }, 'TINYINT'],
  ['AVG(SMALLINT)', { name: 'AVG', argTypes: [T.smallint()], distinct: false }, 'SMALLINT'],
  ['AVG(INT)', { name: 'AVG', argTypes: [T.int()], distinct: false }, 'INT'],
  ['AVG(BIGINT NOT NULL) grouped', { name: 'AVG', argTypes: [T.bigint(false)], distinct: false, ...G }, 'BIGINT NOT NULL'],
  ['AVG(FLOAT)', { name: 'AVG', argTypes: [T.float()], distinct: false }, 'FLOAT'],
  ['AVG(DOUBLE)', { name: 'AVG', argTypes: [T.double()], distinct: false }, 'DOUBLE'],
  ['AVG(DECIMAL(30, 20))', { name: 'AVG', argTypes: [T.decimal(30, 20)], distinct: false }, 'DECIMAL(38, 20)'],
  ['AVG(DECIMAL(10, 5))', { name: 'AVG', argTypes: [T.decimal(10, 5)], distinct: false }, 'DECIMAL(38, 6)'],
  ['AVG(DECIMAL(10, 2))', { name: 'AVG', argTypes: [T.decimal(10, 2)], distinct: false }, 'DECIMAL(38, 6)'],
  ['MIN(INT NOT NULL) grouped', { name: 'MIN', argTypes: [T.int(false)], distinct: false, ...G }, 'INT NOT NULL'],
  ['MAX(STRING NOT NULL) global', { name: 'MAX', argTypes: [T.string(false)], distinct: false }, 'STRING'],
  ['MAX(DECIMAL(30, 20))', { name: 'MAX', argTypes: [T.decimal(30, 20)], distinct: false }, 'DECIMAL(30, 20)'],
  ['MAX(rowtime) drops the time attribute', { name: 'MAX', argTypes: [rowtime], distinct: false }, 'TIMESTAMP(3)'],
  ['MIN(BOOLEAN)', { name: 'MIN', argTypes: [T.boolean()], distinct: false }, 'BOOLEAN'],
  ['STDDEV_POP(INT)', { name: 'STDDEV_POP', argTypes: [T.int()], distinct: false }, 'INT'],
  ['VAR_POP(INT NOT NULL) grouped', { name: 'VAR_POP', argTypes: [T.int(false)], distinct: false, ...G }, 'INT NOT NULL'],
  ['VAR_SAMP(INT NOT NULL) grouped', { name: 'VAR_SAMP', argTypes: [T.int(false)], distinct: false, ...G }, 'INT'],
  ['VARIANCE(DECIMAL(10, 2))', { name: 'VARIANCE', argTypes: [T.decimal(10, 2)], distinct: false }, 'DECIMAL(38, 6)'],
  ['STDDEV(DOUBLE)', { name: 'STDDEV', argTypes: [T.double()], distinct: false }, 'DOUBLE'],
  ['STDDEV_SAMP(FLOAT)', { name: 'STDDEV_SAMP', argTypes: [T.float()], distinct: false }, 'FLOAT'],
  ['FIRST_VALUE(STRING NOT NULL)', { name: 'FIRST_VALUE', argTypes: [T.string(false)], distinct: false }, 'STRING NOT NULL'],
  ['LAST_VALUE(INT)', { name: 'LAST_VALUE', argTypes: [T.int()], distinct: false }, 'INT'],
  ['LISTAGG(STRING)', { name: 'LISTAGG', argTypes: [T.string()], distinct: false }, 'STRING'],
  ["LISTAGG(VARCHAR(10) NOT NULL, ';')", { name: 'LISTAGG', argTypes: [T.varchar(10, false), T.char(1, false)], distinct: false, literalArgs: [undefined, ';'] }, 'VARCHAR(10) NOT NULL'],
  ['ARRAY_AGG(INT)', { name: 'ARRAY_AGG', argTypes: [T.int()], distinct: false }, 'ARRAY<INT>'],
  ['ARRAY_AGG(STRING NOT NULL)', { name: 'ARRAY_AGG', argTypes: [T.string(false)], distinct: false, ...G }, 'ARRAY<STRING NOT NULL>'],
];

for (const [label, call, want] of rows) {
  test(`result type: ${label} -> ${want}`, () => {
    const r = resolveAggregate(call);
    assert.ok(r.ok, r.ok ? '' : r.message);
    if (!r.ok) return;
    assert.equal(typeToString(r.resultType), want);
    assert.equal(typeToString(r.create().resultType), want, 'the function reports the resolved type');
  });
}
