/**
 * Feeding rows to a group's accumulators and taking them back, shared by the
 * regular and the window aggregation: per call, rows whose FILTER is not TRUE
 * are skipped and strict aggregates skip NULL first arguments (as the batch
 * operator, src/operators/hash-aggregate.ts); DISTINCT calls count each
 * argument tuple per group in a state table (group key ++ call index ++
 * tuple -> rows carrying it), so the accumulator sees a tuple when its count
 * goes 0 -> 1 and loses it when it goes 1 -> 0.
 *
 * A DISTINCT entry's key extends the group's key as the operator passes it
 * (`keyBytes`): when that is the group's state key, starting with its key
 * group byte (key-groups.ts), the entry sits in the group's key group and in
 * the range of keys prefixed by the group's key.
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import type { PersistentAccumulator } from '../compiler/exec-context.ts';
import type { StateValue } from '../state/state-codec.ts';
import type { AggregateFunctionName, AggregateNode } from '../planner/logical-plan.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import { notSupported } from '../errors.ts';
import { createAccumulatorFactory, numberSumFinish } from '../functions/aggregates.ts';
import { CountColumn, NumberSumColumn, ObjectColumn, type AccumulatorColumn, type AccumulatorColumnFactory } from './accumulator-columns.ts';
import { InternalError } from '../errors.ts';
import { encodeKey } from '../values/key-codec.ts';
import { aggregateArgument, firstArgument } from '../operators/hash-aggregate.ts';
import type { StateTable } from './state-table.ts';
import type { GroupState, IncrementalAggregateCall } from './incremental-aggregate.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';

/** Aggregates that also see rows whose first argument is NULL. */
const SEES_NULLS: ReadonlySet<string> = new Set(['count_star', 'array_agg', 'first_value', 'last_value']);

/**
 * The aggregate calls of a plan node, compiled for an incremental operator;
 * `where` names the operator in the refusal of ORDER BY inside a call.
 */
export function incrementalAggregateCalls(node: AggregateNode, env: ExecEnv, where: string): IncrementalAggregateCall[] {
  return node.aggregates.map((a): IncrementalAggregateCall => {
    if (a.orderBy.length > 0) throw notSupported(`ORDER BY inside ${a.fn}() ${where}`);
    const argTypes = a.args.map((e) => e.type);
    return {
      factory: incrementalAccumulatorFactory(a.fn, argTypes, a.type),
      args: a.args.map((e) => compileExpr(e, env)),
      argColumn: soleColumn(a.args),
      argTypes,
      filter: a.filter === undefined ? undefined : compileExpr(a.filter, env),
      distinct: a.distinct,
      skipNulls: !SEES_NULLS.has(a.fn),
      resultType: a.type,
    };
  });
}

/**
 * COUNT / COUNT(*) for the incremental operators: counts in a number (exact up
 * to 2^53 rows per group) and turns it into the BIGINT result only when asked,
 * so the per-row add allocates nothing (a bigint increment allocates).
 */
class NumberCountAcc implements PersistentAccumulator {
  #n = 0;
  add(): void {
    this.#n++;
  }
  remove(): void {
    this.#n--;
  }
  result(): Value {
    return BigInt(this.#n);
  }
  save(): StateValue {
    return this.#n;
  }
  load(state: StateValue): void {
    if (typeof state !== 'number') throw new InternalError('malformed count accumulator state');
    this.#n = state;
  }
}

const numberCount = (): PersistentAccumulator => new NumberCountAcc();

/** Column-wise equivalents of the accumulator factories that have one (see accumulatorColumnFactory). */
const COLUMNS = new WeakMap<() => PersistentAccumulator, AccumulatorColumnFactory>();
COLUMNS.set(numberCount, () => new CountColumn());

/** The accumulator factory of an aggregate call in an incremental operator. */
export function incrementalAccumulatorFactory(fn: AggregateFunctionName, argTypes: readonly SqlType[], returnType: SqlType): () => PersistentAccumulator {
  if (fn === 'count' || fn === 'count_star') return numberCount;
  const factory = createAccumulatorFactory(fn, argTypes, returnType);
  const t = argTypes[0];
  if ((fn === 'sum' || fn === 'avg') && t !== undefined) {
    const avg = fn === 'avg';
    const finish = numberSumFinish(t, avg);
    if (finish !== undefined) COLUMNS.set(factory, () => new NumberSumColumn(avg, finish));
  }
  return factory;
}

/**
 * How an aggregate call's accumulators are kept column-wise: a dedicated
 * column for a factory made by incrementalAccumulatorFactory that has one
 * (COUNT, SUM / AVG over numbers), else one object of the factory per slot.
 */
export function accumulatorColumnFactory(call: IncrementalAggregateCall): AccumulatorColumnFactory {
  const factory = call.factory;
  return COLUMNS.get(factory) ?? (() => new ObjectColumn(factory));
}

/** What `#admitted` / `#released` return when a call does not see the row. */
const NOT_COUNTED: unique symbol = Symbol('not counted');

export class GroupAccumulation {
  readonly #calls: readonly IncrementalAggregateCall[];
  readonly #keyCount: number;
  readonly #distinct: StateTable<number>;
  readonly #operator: string;
  readonly #distinctScratch: Value[][];
  /** Whether retracting a DISTINCT tuple the group does not hold is ignored (state TTL dropped it) rather than a broken changelog. */
  readonly #lenient: boolean;

  constructor(calls: readonly IncrementalAggregateCall[], keyCount: number, distinct: StateTable<number>, operator: string, lenient = false) {
    this.#calls = calls;
    this.#lenient = lenient;
    this.#keyCount = keyCount;
    this.#distinct = distinct;
    this.#operator = operator;
    this.#distinctScratch = calls.map((c) => new Array<Value>(c.args.length).fill(null));
  }

  /** Fresh accumulators, one per call. */
  fresh(): PersistentAccumulator[] {
    return this.#calls.map((c) => c.factory());
  }

  /** Adds `row` to group `g` (encoded key `keyBytes`); `onNewDistinct` hears of each DISTINCT entry created. */
  add(g: GroupState, keyBytes: Uint8Array, row: Row, onNewDistinct?: (distinctKey: Uint8Array) => void): void {
    g.rows++;
    for (let c = 0; c < this.#calls.length; c++) {
      const value = this.#admitted(c, keyBytes, row, onNewDistinct);
      if (value !== NOT_COUNTED) g.accs[c]!.add(value);
    }
  }

  /** Takes `row` back out of group `g`: the inverse of one earlier `add` of an equal row. */
  remove(g: GroupState, keyBytes: Uint8Array, row: Row): void {
    g.rows--;
    for (let c = 0; c < this.#calls.length; c++) {
      const value = this.#released(c, keyBytes, row);
      if (value === NOT_COUNTED) continue;
      const acc = g.accs[c]!;
      if (acc.remove === undefined) throw new InternalError('aggregate accumulator cannot retract');
      acc.remove(value);
    }
    if (g.rows === 0) g.accs = this.fresh();
  }

  /**
   * Adds `row` to slot `slot` of `columns` (one per call; the group's encoded
   * key `keyBytes`), as `add` does to a group object; the caller counts rows.
   */
  addToSlot(columns: readonly AccumulatorColumn[], slot: number, keyBytes: Uint8Array, row: Row, onNewDistinct?: (distinctKey: Uint8Array) => void): void {
    for (let c = 0; c < this.#calls.length; c++) {
      const value = this.#admitted(c, keyBytes, row, onNewDistinct);
      if (value !== NOT_COUNTED) columns[c]!.add(slot, value);
    }
  }

  /** Takes `row` back out of slot `slot` of `columns`: the inverse of one earlier `addToSlot` of an equal row. */
  removeFromSlot(columns: readonly AccumulatorColumn[], slot: number, keyBytes: Uint8Array, row: Row): void {
    for (let c = 0; c < this.#calls.length; c++) {
      const value = this.#released(c, keyBytes, row);
      if (value !== NOT_COUNTED) columns[c]!.remove(slot, value);
    }
  }

  /**
   * The argument call `c` accumulates when `row` is added, or NOT_COUNTED when
   * the call does not see it (FILTER false, NULL skipped, a DISTINCT value the
   * group already holds). Counts DISTINCT values as a side effect.
   */
  #admitted(c: number, keyBytes: Uint8Array, row: Row, onNewDistinct?: (distinctKey: Uint8Array) => void): Value | typeof NOT_COUNTED {
    const call = this.#calls[c]!;
    if (call.filter !== undefined && call.filter(row) !== true) return NOT_COUNTED;
    const ac = call.argColumn;
    const value = ac !== undefined ? (row[ac] ?? null) : aggregateArgument(call.args, row);
    if (call.skipNulls && firstArgument(value, call.args.length) === null) return NOT_COUNTED;
    if (call.distinct) {
      const dk = this.#distinctKey(keyBytes, c, value);
      const n = this.#distinct.get(dk) ?? 0;
      this.#distinct.put(dk, n + 1);
      if (n > 0) return NOT_COUNTED;
      onNewDistinct?.(dk);
    }
    return value;
  }

  /** The inverse of `#admitted`: the argument call `c` takes back when `row` is removed, or NOT_COUNTED. */
  #released(c: number, keyBytes: Uint8Array, row: Row): Value | typeof NOT_COUNTED {
    const call = this.#calls[c]!;
    if (call.filter !== undefined && call.filter(row) !== true) return NOT_COUNTED;
    const ac = call.argColumn;
    const value = ac !== undefined ? (row[ac] ?? null) : aggregateArgument(call.args, row);
    if (call.skipNulls && firstArgument(value, call.args.length) === null) return NOT_COUNTED;
    if (call.distinct) {
      const dk = this.#distinctKey(keyBytes, c, value);
      const n = this.#distinct.get(dk);
      if (n === undefined) {
        if (this.#lenient) return NOT_COUNTED;
        throw new InternalError(`${this.#operator} received a retraction of a DISTINCT value it never saw`);
      }
      if (n > 1) {
        this.#distinct.put(dk, n - 1);
        return NOT_COUNTED;
      }
      this.#distinct.delete(dk);
    }
    return value;
  }

  /** The group's output row: its keys followed by the aggregate results. */
  result(g: GroupState): Row {
    const nk = this.#keyCount;
    const nc = this.#calls.length;
    const result: Row = new Array(nk + nc);
    for (let k = 0; k < nk; k++) result[k] = g.key[k] ?? null;
    for (let c = 0; c < nc; c++) result[nk + c] = g.accs[c]!.result();
    return result;
  }

  /**
   * The output row of a group that is done (a fired window): its results
   * written after the keys into `g.key`, which has room for them.
   */
  finish(g: GroupState): Row {
    const nk = this.#keyCount;
    const nc = this.#calls.length;
    const row = g.key as Value[];
    if (row.length !== nk + nc) throw new InternalError('group key row without room for the results');
    for (let c = 0; c < nc; c++) row[nk + c] = g.accs[c]!.result();
    return row;
  }

  #distinctKey(keyBytes: Uint8Array, call: number, value: Value): Uint8Array {
    const c = this.#calls[call]!;
    const ds = this.#distinctScratch[call]!;
    if (c.args.length > 1) for (let i = 0; i < ds.length; i++) ds[i] = (value as readonly Value[])[i] ?? null;
    else ds[0] = value;
    const valueBytes = encodeKey(ds, c.argTypes);
    const out = new Uint8Array(keyBytes.length + 1 + valueBytes.length);
    out.set(keyBytes, 0);
    out[keyBytes.length] = call;
    out.set(valueBytes, keyBytes.length + 1);
    return out;
  }
}

/** The input column of a sole column-reference argument list, else undefined. */
export function soleColumn(args: readonly BoundExpr[]): number | undefined {
  const e = args[0];
  return args.length === 1 && e !== undefined && e.kind === 'column' ? e.index : undefined;
}

/** The states of a group's accumulators (checkpoints only). */
export function saveAccumulators(accs: readonly PersistentAccumulator[]): StateValue[] {
  return accs.map((a) => a.save());
}

/** Fresh accumulators of `calls` restored from `saveAccumulators` output. */
export function loadAccumulators(calls: readonly IncrementalAggregateCall[], state: StateValue | undefined): PersistentAccumulator[] {
  if (!Array.isArray(state) || state.length !== calls.length) throw new InternalError('state: malformed accumulator list');
  const saved = state as readonly StateValue[];
  return calls.map((c, i) => {
    const a = c.factory();
    a.load(saved[i]!);
    return a;
  });
}
