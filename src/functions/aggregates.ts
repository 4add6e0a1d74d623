/**
 * Aggregate functions: result-type resolution and accumulators.
 *
 * Result types follow Flink (not Postgres): COUNT -> BIGINT; SUM keeps the
 * input type for integers and FLOAT/DOUBLE, DECIMAL(p, s) -> DECIMAL(38, s);
 * AVG keeps the input type for integers (truncating toward zero, Flink's
 * IntAvgAggFunction) and FLOAT/DOUBLE, DECIMAL(p, s) -> DECIMAL(38, max(s, 6));
 * SUM and AVG of unconstrained NUMERIC give NUMERIC with Postgres' scales (SUM
 * the largest input scale, AVG numeric division by the count);
 * MIN/MAX/FIRST_VALUE/LAST_VALUE keep the type; the STDDEV and VAR family -> DOUBLE;
 * STRING_AGG/LISTAGG -> STRING; ARRAY_AGG -> ARRAY<T>.
 *
 * Accumulator input (see hash-aggregate.ts): the argument value, `true` for
 * count_star, or an array of the arguments for string_agg(value, delimiter).
 * The caller drops NULL first arguments except for count_star, array_agg,
 * first_value and last_value; first_value / last_value ignore NULLs themselves
 * (Flink's semantics), array_agg keeps them.
 *
 * Every accumulator supports `remove` (retraction) as the inverse of one
 * earlier `add` of an equal value. min/max keep a multiset of the values;
 * string_agg / array_agg / first_value / last_value keep the values in
 * arrival order and remove the earliest equal one. FLOAT/DOUBLE sums and the
 * variance family use running sums, so retraction may leave rounding error.
 */
import { BIGINT, BOOLEAN, DOUBLE, isCharacter, isNumeric, STRING, type SqlType, type Value } from '../../catalog/types.ts';
import { InternalError, SqlError, SqlState } from '../errors.ts';
import { compareValues, valuesEqual } from '../values/compare.ts';
import { checkPrecision, pow10 } from '../values/decimal.ts';
import { Numeric, numericDiv, numericToNumber } from '../values/numeric.ts';
import type { AggregateFunctionName } from '../planner/logical-plan.ts';
import type { StateValue } from '../state/state-codec.ts';
import type { AggregateResolution } from './signatures.ts';
import { divRound } from './arithmetic.ts';
import { checkBigint, checkSmallInt } from './numeric-errors.ts';
import { pgTypeDisplayName } from './type-names.ts';

/**
 * `save` returns the whole state as a state tree that later changes do not
 * affect; `load` restores it into a fresh accumulator of the same factory
 * (exact: bigint and decimal sums, float running sums bit for bit, MIN/MAX
 * multisets, list orders).
 */
export interface Accumulator {
  add(v: Value): void;
  remove?(v: Value): void;
  result(): Value;
  save(): StateValue;
  load(state: StateValue): void;
}

/** A saved state's parts: an array of `n` elements, or an internal error. */
function parts(state: StateValue, n: number, what: string): readonly StateValue[] {
  if (!Array.isArray(state) || state.length !== n) throw new InternalError(`malformed ${what} accumulator state`);
  return state as readonly StateValue[];
}

function listPart(v: StateValue | undefined, what: string): readonly StateValue[] {
  if (!Array.isArray(v)) throw new InternalError(`malformed ${what} accumulator state`);
  return v as readonly StateValue[];
}

function numberPart(v: StateValue | undefined, what: string): number {
  if (typeof v !== 'number') throw new InternalError(`malformed ${what} accumulator state`);
  return v;
}

function bigintPart(v: StateValue | undefined, what: string): bigint {
  if (typeof v !== 'bigint') throw new InternalError(`malformed ${what} accumulator state`);
  return v;
}

const NAME_MAP: Readonly<Record<string, AggregateFunctionName>> = {
  count: 'count',
  count_star: 'count_star',
  sum: 'sum',
  avg: 'avg',
  min: 'min',
  max: 'max',
  bool_and: 'bool_and',
  every: 'bool_and',
  bool_or: 'bool_or',
  some: 'bool_or',
  string_agg: 'string_agg',
  listagg: 'string_agg',
  array_agg: 'array_agg',
  stddev: 'stddev_samp',
  stddev_samp: 'stddev_samp',
  stddev_pop: 'stddev_pop',
  variance: 'var_samp',
  var_samp: 'var_samp',
  var_pop: 'var_pop',
  first_value: 'first_value',
  last_value: 'last_value',
};

/** Every aggregate function name. */
export function aggregateNames(): string[] {
  return Object.keys(NAME_MAP);
}

export function isAggregateName(name: string): boolean {
  return NAME_MAP[name] !== undefined;
}

function noFit(name: string, argTypes: readonly SqlType[]): SqlError {
  return new SqlError(SqlState.UNDEFINED_FUNCTION, `function ${name}(${argTypes.map(pgTypeDisplayName).join(', ')}) does not exist`, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

const TEXT = STRING;

/** Resolves an aggregate call's types; undefined when `name` is no aggregate. */
export function resolveAggregateCall(name: string, argTypes: readonly SqlType[]): AggregateResolution | undefined {
  let fn = NAME_MAP[name];
  if (fn === undefined) return undefined;
  if (fn === 'count' && argTypes.length === 0) fn = 'count_star';
  const n = argTypes.length;
  const a = argTypes[0] ?? { kind: 'NULL' as const };
  const t: SqlType = a.kind === 'NULL' ? TEXT : a;
  switch (fn) {
    case 'count_star':
      if (n !== 0) throw noFit(name, argTypes);
      return { fn, argTypes: [], returnType: BIGINT };
    case 'count':
      if (n < 1) throw noFit(name, argTypes);
      return { fn, argTypes: argTypes.map((x) => (x.kind === 'NULL' ? TEXT : x)), returnType: BIGINT };
    case 'sum':
    case 'avg': {
      if (n !== 1) throw noFit(name, argTypes);
      const nt: SqlType = a.kind === 'NULL' ? { kind: 'DECIMAL', precision: 38, scale: 0 } : a;
      if (!isNumeric(nt) && nt.kind !== 'INTERVAL_DAY_TIME' && nt.kind !== 'INTERVAL_YEAR_MONTH') throw noFit(name, argTypes);
      let rt: SqlType = nt;
      if (nt.kind === 'DECIMAL') rt = { kind: 'DECIMAL', precision: 38, scale: fn === 'avg' ? Math.max(nt.scale, 6) : nt.scale };
      // Unconstrained NUMERIC stays NUMERIC: SUM at the largest scale summed, AVG as Postgres' numeric division.
      return { fn, argTypes: [nt], returnType: rt };
    }
    case 'min':
    case 'max':
    case 'first_value':
    case 'last_value':
      if (n !== 1) throw noFit(name, argTypes);
      return { fn, argTypes: [t], returnType: t };
    case 'bool_and':
    case 'bool_or':
      if (n !== 1 || (a.kind !== 'BOOLEAN' && a.kind !== 'NULL')) throw noFit(name, argTypes);
      return { fn, argTypes: [BOOLEAN], returnType: BOOLEAN };
    case 'string_agg': {
      const listagg = name === 'listagg';
      if (!(n === 2 || (listagg && n === 1))) throw noFit(name, argTypes);
      for (const x of argTypes) if (!isCharacter(x) && x.kind !== 'NULL') throw noFit(name, argTypes);
      return { fn, argTypes: argTypes.map(() => TEXT), returnType: TEXT };
    }
    case 'array_agg':
      if (n !== 1) throw noFit(name, argTypes);
      return { fn, argTypes: [t], returnType: { kind: 'ARRAY', element: t } };
    case 'stddev_pop':
    case 'stddev_samp':
    case 'var_pop':
    case 'var_samp':
      if (n !== 1 || (!isNumeric(a) && a.kind !== 'NULL')) throw noFit(name, argTypes);
      return { fn, argTypes: [a.kind === 'NULL' ? DOUBLE : a], returnType: DOUBLE };
  }
}

// ------------------------------------------------------------ accumulators

class CountAcc implements Accumulator {
  #n = 0n;
  add(): void {
    this.#n++;
  }
  remove(): void {
    this.#n--;
  }
  result(): Value {
    return this.#n;
  }
  save(): StateValue {
    return this.#n;
  }
  load(state: StateValue): void {
    this.#n = bigintPart(state, 'count');
  }
}

/** SUM / AVG over exact or approximate numbers, kept as a running total and a count. */
class NumberSumAcc implements Accumulator {
  #sum = 0;
  #n = 0;
  readonly #avg: boolean;
  readonly #check: (v: number) => number;
  constructor(avg: boolean, check: (v: number) => number) {
    this.#avg = avg;
    this.#check = check;
  }
  add(v: Value): void {
    this.#sum += v as number;
    this.#n++;
  }
  remove(v: Value): void {
    this.#sum -= v as number;
    this.#n--;
  }
  result(): Value {
    if (this.#n === 0) return null;
    return this.#check(this.#avg ? this.#sum / this.#n : this.#sum);
  }
  save(): StateValue {
    return [this.#sum, this.#n];
  }
  load(state: StateValue): void {
    const [sum, n] = parts(state, 2, 'sum');
    this.#sum = numberPart(sum, 'sum');
    this.#n = numberPart(n, 'sum');
  }
}

/**
 * SUM / AVG of unconstrained NUMERIC. The total is kept exact at the largest
 * scale ever added; the result has the largest scale among the values still
 * summed (a count per scale lets retractions lower it), as Postgres' numeric
 * sum does. AVG divides by the count with Postgres' division scale.
 */
class NumericSumAcc implements Accumulator {
  #sum = 0n;
  #sumScale = 0;
  #n = 0;
  /** scaleCounts[s]: how many summed values have scale s. */
  #scaleCounts: number[] = [];
  readonly #avg: boolean;
  constructor(avg: boolean) {
    this.#avg = avg;
  }
  #addScaled(v: Numeric, sign: bigint): void {
    if (v.scale > this.#sumScale) {
      this.#sum *= pow10(v.scale - this.#sumScale);
      this.#sumScale = v.scale;
    }
    this.#sum += sign * v.unscaled * pow10(this.#sumScale - v.scale);
  }
  add(v: Value): void {
    const x = v as Numeric;
    this.#addScaled(x, 1n);
    this.#n++;
    this.#scaleCounts[x.scale] = (this.#scaleCounts[x.scale] ?? 0) + 1;
  }
  remove(v: Value): void {
    const x = v as Numeric;
    this.#addScaled(x, -1n);
    this.#n--;
    this.#scaleCounts[x.scale] = (this.#scaleCounts[x.scale] ?? 0) - 1;
  }
  result(): Value {
    if (this.#n === 0) return null;
    let scale = this.#scaleCounts.length - 1;
    while (scale > 0 && !((this.#scaleCounts[scale] ?? 0) > 0)) scale--;
    const sum = new Numeric(this.#sum / pow10(this.#sumScale - scale), scale);
    return this.#avg ? numericDiv(sum, new Numeric(BigInt(this.#n), 0)) : sum;
  }
  save(): StateValue {
    const counts: StateValue[] = [];
    for (let s = 0; s < this.#scaleCounts.length; s++) {
      const c = this.#scaleCounts[s] ?? 0;
      if (c !== 0) counts.push([s, c]);
    }
    return [this.#sum, this.#sumScale, this.#n, counts];
  }
  load(state: StateValue): void {
    const [sum, sumScale, n, counts] = parts(state, 4, 'numeric sum');
    this.#sum = bigintPart(sum, 'numeric sum');
    this.#sumScale = numberPart(sumScale, 'numeric sum');
    this.#n = numberPart(n, 'numeric sum');
    this.#scaleCounts = [];
    for (const pair of listPart(counts, 'numeric sum')) {
      const [s, c] = parts(pair, 2, 'numeric sum');
      this.#scaleCounts[numberPart(s, 'numeric sum')] = numberPart(c, 'numeric sum');
    }
  }
}

class BigSumAcc implements Accumulator {
  #sum = 0n;
  #n = 0n;
  readonly #finish: (sum: bigint, n: bigint) => bigint;
  constructor(finish: (sum: bigint, n: bigint) => bigint) {
    this.#finish = finish;
  }
  add(v: Value): void {
    this.#sum += v as bigint;
    this.#n++;
  }
  remove(v: Value): void {
    this.#sum -= v as bigint;
    this.#n--;
  }
  result(): Value {
    return this.#n === 0n ? null : this.#finish(this.#sum, this.#n);
  }
  save(): StateValue {
    return [this.#sum, this.#n];
  }
  load(state: StateValue): void {
    const [sum, n] = parts(state, 2, 'sum');
    this.#sum = bigintPart(sum, 'sum');
    this.#n = bigintPart(n, 'sum');
  }
}

/** MIN / MAX with retraction: counts per distinct value for primitive values, a list otherwise. */
class ExtremeAcc implements Accumulator {
  readonly #type: SqlType;
  readonly #sign: number;
  readonly #counts = new Map<Value, number>();
  readonly #objects: Value[] = [];
  #best: Value = null;
  #stale = false;
  constructor(type: SqlType, sign: number) {
    this.#type = type;
    this.#sign = sign;
  }
  #better(a: Value, b: Value): boolean {
    return this.#sign * compareValues(a, b, this.#type) > 0;
  }
  add(v: Value): void {
    if (typeof v === 'object' && v !== null) this.#objects.push(v);
    else this.#counts.set(v, (this.#counts.get(v) ?? 0) + 1);
    if (!this.#stale && (this.#best === null || this.#better(v, this.#best))) this.#best = v;
  }
  remove(v: Value): void {
    if (typeof v === 'object' && v !== null) {
      const i = this.#objects.findIndex((o) => o !== null && valuesEqual(o, v, this.#type));
      if (i >= 0) this.#objects.splice(i, 1);
    } else {
      const c = this.#counts.get(v);
      if (c === undefined) return;
      if (c <= 1) this.#counts.delete(v);
      else this.#counts.set(v, c - 1);
    }
    if (this.#best !== null && compareValues(v, this.#best, this.#type) === 0) this.#stale = true;
  }
  result(): Value {
    if (this.#stale) {
      let best: Value = null;
      for (const k of this.#counts.keys()) if (best === null || this.#better(k, best)) best = k;
      for (const o of this.#objects) if (best === null || this.#better(o, best)) best = o;
      this.#best = best;
      this.#stale = false;
    }
    return this.#best;
  }
  /** [[value, count]... for primitive values, [objects in arrival order], best, stale]. */
  save(): StateValue {
    const counts: StateValue[] = [];
    for (const [v, c] of this.#counts) counts.push([v, c]);
    return [counts, this.#objects.slice(), this.#best, this.#stale];
  }
  load(state: StateValue): void {
    const [counts, objects, best, stale] = parts(state, 4, 'min/max');
    this.#counts.clear();
    for (const pair of listPart(counts, 'min/max')) {
      const [v, c] = parts(pair, 2, 'min/max');
      this.#counts.set(v as Value, numberPart(c, 'min/max'));
    }
    this.#objects.length = 0;
    for (const o of listPart(objects, 'min/max')) this.#objects.push(o as Value);
    this.#best = (best ?? null) as Value;
    if (typeof stale !== 'boolean') throw new InternalError('malformed min/max accumulator state');
    this.#stale = stale;
  }
}

class BoolAcc implements Accumulator {
  #trues = 0;
  #falses = 0;
  readonly #and: boolean;
  constructor(and: boolean) {
    this.#and = and;
  }
  add(v: Value): void {
    if (v === true) this.#trues++;
    else this.#falses++;
  }
  remove(v: Value): void {
    if (v === true) this.#trues--;
    else this.#falses--;
  }
  result(): Value {
    if (this.#trues + this.#falses === 0) return null;
    return this.#and ? this.#falses === 0 : this.#trues > 0;
  }
  save(): StateValue {
    return [this.#trues, this.#falses];
  }
  load(state: StateValue): void {
    const [t, f] = parts(state, 2, 'bool');
    this.#trues = numberPart(t, 'bool');
    this.#falses = numberPart(f, 'bool');
  }
}

/** Values kept in arrival order; removal drops the earliest equal entry. */
class ListAcc implements Accumulator {
  readonly #items: Value[] = [];
  readonly #type: SqlType;
  readonly #finish: (items: readonly Value[]) => Value;
  constructor(type: SqlType, finish: (items: readonly Value[]) => Value) {
    this.#type = type;
    this.#finish = finish;
  }
  add(v: Value): void {
    this.#items.push(v);
  }
  remove(v: Value): void {
    const t = this.#type;
    const i = this.#items.findIndex((x) => (x === null || v === null ? x === v : valuesEqual(x, v, t)));
    if (i >= 0) this.#items.splice(i, 1);
  }
  result(): Value {
    return this.#finish(this.#items);
  }
  save(): StateValue {
    return this.#items.slice();
  }
  load(state: StateValue): void {
    this.#items.length = 0;
    for (const v of listPart(state, 'list')) this.#items.push(v as Value);
  }
}

/** Running sums for the variance family. */
class VarianceAcc implements Accumulator {
  #n = 0;
  #sum = 0;
  #sumSq = 0;
  readonly #toNumber: (v: Value) => number;
  readonly #fn: AggregateFunctionName;
  constructor(fn: AggregateFunctionName, toNumber: (v: Value) => number) {
    this.#fn = fn;
    this.#toNumber = toNumber;
  }
  add(v: Value): void {
    const x = this.#toNumber(v);
    this.#n++;
    this.#sum += x;
    this.#sumSq += x * x;
  }
  remove(v: Value): void {
    const x = this.#toNumber(v);
    this.#n--;
    this.#sum -= x;
    this.#sumSq -= x * x;
  }
  result(): Value {
    const n = this.#n;
    const samp = this.#fn === 'var_samp' || this.#fn === 'stddev_samp';
    if (n === 0 || (samp && n === 1)) return null;
    const m2 = Math.max(0, this.#sumSq - (this.#sum * this.#sum) / n);
    const variance = m2 / (samp ? n - 1 : n);
    return this.#fn === 'stddev_pop' || this.#fn === 'stddev_samp' ? Math.sqrt(variance) : variance;
  }
  save(): StateValue {
    return [this.#n, this.#sum, this.#sumSq];
  }
  load(state: StateValue): void {
    const [n, sum, sumSq] = parts(state, 3, 'variance');
    this.#n = numberPart(n, 'variance');
    this.#sum = numberPart(sum, 'variance');
    this.#sumSq = numberPart(sumSq, 'variance');
  }
}

function numberOf(t: SqlType): (v: Value) => number {
  if (t.kind === 'BIGINT') return (v) => Number(v as bigint);
  if (t.kind === 'DECIMAL') {
    const d = Number(pow10(t.scale));
    return (v) => Number(v as bigint) / d;
  }
  if (t.kind === 'NUMERIC') return (v) => numericToNumber(v as Numeric);
  return (v) => v as number;
}

/**
 * For SUM / AVG over an argument type summed as a JS number: how the result
 * is made from the running total (or the mean, for AVG), the check that the
 * NumberSumAcc of that type applies. Undefined for types summed otherwise
 * (BIGINT, DECIMAL). Columnar accumulators (src/streaming) use it to keep
 * the same results as NumberSumAcc.
 */
export function numberSumFinish(t: SqlType, avg: boolean): ((v: number) => number) | undefined {
  switch (t.kind) {
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT': {
      const k = t.kind;
      return (v) => checkSmallInt(k, avg ? Math.trunc(v) + 0 : v);
    }
    case 'INTERVAL_DAY_TIME':
    case 'INTERVAL_YEAR_MONTH':
      return (v) => Math.round(v);
    case 'FLOAT':
      return (v) => Math.fround(v);
    case 'DOUBLE':
      return (v) => v;
    default:
      return undefined;
  }
}

function sumAccumulator(t: SqlType, rt: SqlType, avg: boolean): () => Accumulator {
  const finish = numberSumFinish(t, avg);
  if (finish !== undefined) return () => new NumberSumAcc(avg, finish);
  switch (t.kind) {
    case 'BIGINT':
      return () => new BigSumAcc((s, n) => checkBigint(avg ? s / n : s));
    case 'DECIMAL': {
      const r = rt as { precision: number; scale: number };
      const shift = pow10(r.scale - t.scale);
      return () =>
        new BigSumAcc((s, n) => checkPrecision(avg ? divRound(s * shift, n) : s * shift, r.precision, r.scale));
    }
    case 'NUMERIC':
      return () => new NumericSumAcc(avg);
    default:
      throw new InternalError(`sum/avg of ${t.kind}`);
  }
}

/** string_agg: items are [value, delimiter] pairs or plain values (LISTAGG default ','). */
function joinStrings(items: readonly Value[]): Value {
  if (items.length === 0) return null;
  let out = '';
  let any = false;
  for (const it of items) {
    const [value, delim] = Array.isArray(it) ? (it as readonly Value[]) : [it, ','];
    if (value === null || value === undefined) continue;
    if (any && delim !== null && delim !== undefined) out += delim as string;
    out += value as string;
    any = true;
  }
  return any ? out : null;
}

function firstNonNull(items: readonly Value[]): Value {
  for (const v of items) if (v !== null) return v;
  return null;
}

function lastNonNull(items: readonly Value[]): Value {
  for (let i = items.length - 1; i >= 0; i--) if (items[i] !== null) return items[i]!;
  return null;
}

export function createAccumulatorFactory(
  fn: AggregateFunctionName,
  argTypes: readonly SqlType[],
  returnType: SqlType,
): () => Accumulator {
  const t = argTypes[0] ?? BOOLEAN;
  switch (fn) {
    case 'count':
    case 'count_star':
      return () => new CountAcc();
    case 'sum':
      return sumAccumulator(t, returnType, false);
    case 'avg':
      return sumAccumulator(t, returnType, true);
    case 'min':
      return () => new ExtremeAcc(t, -1);
    case 'max':
      return () => new ExtremeAcc(t, 1);
    case 'bool_and':
      return () => new BoolAcc(true);
    case 'bool_or':
      return () => new BoolAcc(false);
    case 'string_agg': {
      const pairType: SqlType = argTypes.length > 1 ? { kind: 'ROW', fields: argTypes.map((type, i) => ({ name: `f${i}`, type })) } : t;
      return () => new ListAcc(pairType, joinStrings);
    }
    case 'array_agg':
      return () => new ListAcc(t, (items) => (items.length === 0 ? null : items.slice()));
    case 'first_value':
      return () => new ListAcc(t, firstNonNull);
    case 'last_value':
      return () => new ListAcc(t, lastNonNull);
    case 'stddev_pop':
    case 'stddev_samp':
    case 'var_pop':
    case 'var_samp': {
      const toNumber = numberOf(t);
      return () => new VarianceAcc(fn, toNumber);
    }
  }
}
