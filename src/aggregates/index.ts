/**
 * Public surface of the aggregation algebra: the AggFunction interface, the registry that resolves SQL aggregate
 * calls, and the accumulator codec used for checkpoints and tiles.
 */
export type { AggCall, AggFunction, AggResolution } from './agg-function.js';
export { aggregateNames, isAggregateName, resolveAggregate, type ResolveOptions } from './registry.js';
export { decodeAcc, encodeAcc } from './encode.js';
export { VARIANCE_ALGORITHM, type VarianceAlgorithm } from './variance.js';
