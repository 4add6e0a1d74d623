/**
 * Feeding rows to a group's accumulators and taking them back, shared by the
 * regular and the window aggregation: per call, rows whose FILTER is not TRUE
 * are skipped and strict aggregates skip NULL first arguments (as the batch
 * operator, src/operators/hash-aggregate.ts); DISTINCT calls count each
 * argument tuple per group in a state table (group key ++ call index ++
 * tuple -> rows carrying it), so the accumulator sees a tuple when its count
 * goes 0 -> 1 and loses it when it goes 1 -> 0.
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import type { PersistentAccumulator } from '../compiler/exec-context.ts';
import type { StateValue } from '../state/state-codec.ts';
import type { AggregateFunctionName, AggregateNode } from '../planner/logical-plan.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import { notSupported } from '../errors.ts';
import { createAccumulatorFactory } from '../functions/aggregates.ts';
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

/** The accumulator factory of an aggregate call in an incremental operator. */
export function incrementalAccumulatorFactory(fn: AggregateFunctionName, argTypes: readonly SqlType[], returnType: SqlType): () => PersistentAccumulator {
  if (fn === 'count' || fn === 'count_star') return numberCount;
  return createAccumulatorFactory(fn, argTypes, returnType);
}

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
    const calls = this.#calls;
    for (let c = 0; c < calls.length; c++) {
      const call = calls[c]!;
      if (call.filter !== undefined && call.filter(row) !== true) continue;
      const ac = call.argColumn;
      const value = ac !== undefined ? (row[ac] ?? null) : aggregateArgument(call.args, row);
      if (call.skipNulls && firstArgument(value, call.args.length) === null) continue;
      if (call.distinct) {
        const dk = this.#distinctKey(keyBytes, c, value);
        const n = this.#distinct.get(dk) ?? 0;
        this.#distinct.put(dk, n + 1);
        if (n > 0) continue;
        onNewDistinct?.(dk);
      }
      g.accs[c]!.add(value);
    }
  }

  /** Takes `row` back out of group `g`: the inverse of one earlier `add` of an equal row. */
  remove(g: GroupState, keyBytes: Uint8Array, row: Row): void {
    g.rows--;
    const calls = this.#calls;
    for (let c = 0; c < calls.length; c++) {
      const call = calls[c]!;
      if (call.filter !== undefined && call.filter(row) !== true) continue;
      const ac = call.argColumn;
      const value = ac !== undefined ? (row[ac] ?? null) : aggregateArgument(call.args, row);
      if (call.skipNulls && firstArgument(value, call.args.length) === null) continue;
      if (call.distinct) {
        const dk = this.#distinctKey(keyBytes, c, value);
        const n = this.#distinct.get(dk);
        if (n === undefined) {
          if (this.#lenient) continue;
          throw new InternalError(`${this.#operator} received a retraction of a DISTINCT value it never saw`);
        }
        if (n > 1) {
          this.#distinct.put(dk, n - 1);
          continue;
        }
        this.#distinct.delete(dk);
      }
      const acc = g.accs[c]!;
      if (acc.remove === undefined) throw new InternalError('aggregate accumulator cannot retract');
      acc.remove(value);
    }
    if (g.rows === 0) g.accs = this.fresh();
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
