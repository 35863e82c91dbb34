/**
 * Freshet's scalar function library: Flink SQL's built-in functions, casts, operator typing and value helpers.
 *
 * Contract with the binder and the code generator:
 *  - lookupFunction(name).inferType(argTypes, literals) types a call (or returns { error, hint });
 *  - the code generator calls def.specialize?.(argTypes, literals) and falls back to def.impl; many functions pick
 *    type-specific code there (DECIMAL rounding, TIMESTAMP vs TIMESTAMP_LTZ, precompiled patterns), so specialize
 *    must be consulted whenever it exists;
 *  - strict functions are never called with null; needsContext functions take the EvalContext first;
 *  - special syntax arrives as plain arguments: EXTRACT(unit, v), FLOOR/CEIL(v, unit), TRIM(mode, chars, s),
 *    POSITION(needle, haystack[, from]), OVERLAY(s, placing, start[, len]), TIMESTAMPADD(unit, n, ts),
 *    TIMESTAMPDIFF(unit, t1, t2), JSON_QUERY(json, path, wrapper), IS_JSON(s, kind) with units/modes as string
 *    literals; `||` is CONCAT.
 * Runtime failures throw ExprError, which the engine turns into a dead-lettered row (TRY_CAST into NULL).
 */
import './string-functions.js';
import './math-functions.js';
import './time-functions.js';
import './conditional-functions.js';
import './collection-functions.js';
import './json-functions.js';

export type { EvalContext, ScalarFunctionDef, InferResult, InferError } from './function-def.js';
export { isInferError } from './function-def.js';
export { ExprError, isExprError, type ExprErrorCode } from './expr-error.js';
export { lookupFunction, functionNames } from './registry.js';

export {
  arithmeticType, unaryMinusType, makeArithmetic, makeArithmeticSource, makeUnaryMinus, makeUnaryMinusSource,
  type ArithOp,
} from './arithmetic.js';
export { comparisonType, compareValues, valuesEqual, valueKey } from './compare.js';
export { leastRestrictive } from './least-restrictive.js';
export {
  castValidity, makeCast, makeTryCast, makeCastSource, isIdentityCast, type CastValidity, type CastFn,
} from './cast.js';
export {
  formatValue, formatTimestampValue, formatTimeValue, formatIntervalDayTime, formatIntervalYearMonth, bytesToHex,
} from './format-value.js';
export { formatDouble, formatFloat, formatDecimal } from './java-number-format.js';
export { compileLike, compileSimilar } from './like.js';
export { compileJavaRegex, translateJavaRegex, javaReplacement } from './java-regex.js';
export { parseIntervalLiteral, type IntervalLiteral, type IntervalOptions } from './interval.js';
export {
  addMonths, addMonthsToDate, floorTimestamp, ceilTimestamp, floorDate, ceilDate, extractField, timestampAdd,
  timestampDiff, subtractMonths, isoWeek, type TimeUnit, type ExtractUnit,
} from './timestamp-math.js';
export { zoneOffsetMillis, localToUtc, utcToLocal, isValidTimeZone } from './time-zone.js';
export { compileDatePattern, type PatternFlavor, type CompiledPattern } from './date-pattern.js';
export {
  roundHalfUp, toDecimal, additionDecimalType, multiplicationDecimalType, divisionDecimalType, moduloDecimalType,
  roundDecimalType,
} from './decimal.js';
export { jsonValue, jsonQuery, jsonExists, toJsonText } from './json-functions.js';
