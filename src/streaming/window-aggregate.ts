/**
 * Event-time window aggregation: `GROUP BY window_start, window_end, k...`
 * over the output of a TUMBLE / HOP / CUMULATE window TVF (Flink's window
 * aggregate). Each group is one window of one key; it emits exactly one final
 * row when the watermark completes its window, and its state is purged.
 *
 * State (state tables, decision 5):
 * - groups: encodeKey([window_end, other keys...]) (= concatKeys of the
 *   window_end encoding and the other keys' encoding) -> { key, rows,
 *   accumulators, emitted: null }. Only read by key.
 * - distinct: group key ++ call index ++ argument tuple -> row count, for
 *   DISTINCT calls, as in incremental-aggregate.ts.
 * - windows: encodeKey([window_end]) -> { end, groups, distinct }: the keys of
 *   the groups and DISTINCT entries created for that window end. Its key order
 *   is the firing order, so `watermark` finds due windows by scanning it from
 *   the start; it has one entry per open window end, which keeps the scan (and
 *   an in-memory table's ordered index) small, while the per-group tables are
 *   only used by key.
 *
 * A window is fired when fireTime(window_end) <= watermark, fireTime giving
 * window_time (end - 1 ms; over TIMESTAMP_LTZ the instant of the zone's
 * wall-clock end - 1 ms), as Flink's TimeWindowUtil.isWindowFired.
 *
 * Rule per row kind:
 * - +I / +U: added to its window's group (accumulator `add`), unless the window
 *   already fired: then the row is late, dropped and counted in `lateRows`.
 * - -U / -D: retracted from its group (accumulator `remove`); a retraction for a
 *   fired window is late (dropped, counted); a retraction for an open window
 *   whose group holds no rows is a broken changelog (internal error). A group
 *   whose rows all got retracted before firing is dropped and never emitted.
 * - Rows whose window_end is NULL belong to no window and are ignored.
 * - watermark(wm): every group whose window fired emits one +I row (group
 *   keys ++ aggregate results), in order of window_end then key encoding, and
 *   its state (and its DISTINCT counts) is deleted. Output is insert-only.
 *   The final watermark (Number.MAX_SAFE_INTEGER) fires everything left.
 * - push emits nothing.
 *
 * ORDER BY inside an aggregate call is refused (not supported yet).
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import type { AggregateNode } from '../planner/logical-plan.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import { createAccumulatorFactory } from '../functions/aggregates.ts';
import { InternalError, notSupported } from '../errors.ts';
import { compareKeys, encodeKey } from '../values/key-codec.ts';
import { aggregateArgument, firstArgument } from '../operators/hash-aggregate.ts';
import { ChangelogBuilder, isAddition, type IncrementalOperator } from './changelog.ts';
import type { AggregateStateTables, GroupState, IncrementalAggregateCall } from './incremental-aggregate.ts';
import { MemoryStateTable, type StateTable } from './state-table.ts';

export interface WindowAggregateSpec {
  /** All group keys of the AggregateNode, in order (window_start and window_end among them). */
  readonly keys: readonly EvalFn[];
  readonly keyTypes: readonly SqlType[];
  readonly calls: readonly IncrementalAggregateCall[];
  /** Index into `keys` of window_end. */
  readonly windowEndKey: number;
  /** window_time (the instant the window is complete) of a window_end value. */
  readonly fireTime: (windowEnd: number) => number;
}

const SEES_NULLS: ReadonlySet<string> = new Set(['count_star', 'array_agg', 'first_value', 'last_value']);

/** The groups and DISTINCT entries created for one window end (some may be gone already). */
export interface WindowState {
  readonly end: number;
  readonly groups: Uint8Array[];
  readonly distinct: Uint8Array[];
}

export interface WindowAggregateStateTables extends AggregateStateTables {
  readonly windows: StateTable<WindowState>;
}

export class WindowAggregate implements IncrementalOperator {
  readonly #spec: WindowAggregateSpec;
  readonly #groups: StateTable<GroupState>;
  readonly #distinct: StateTable<number>;
  readonly #windows: StateTable<WindowState>;
  /** Key evaluation order for the encoding: window_end first, then the other keys in order. */
  readonly #order: readonly number[];
  readonly #encodeTypes: readonly SqlType[];
  readonly #endTypes: readonly SqlType[];
  readonly #encodeScratch: Value[];
  readonly #endScratch: Value[] = [null];
  readonly #distinctScratch: Value[][];
  readonly #out = new ChangelogBuilder();
  /** Windows touched by the current chunk, written back at its end. */
  readonly #touched: WindowState[] = [];
  #window: WindowState | undefined = undefined;
  #wm = Number.NEGATIVE_INFINITY;
  #late = 0;

  constructor(spec: WindowAggregateSpec, state?: WindowAggregateStateTables) {
    const nk = spec.keys.length;
    if (spec.windowEndKey < 0 || spec.windowEndKey >= nk) throw new InternalError('window aggregate: window_end is not a group key');
    if (spec.calls.length > 255) throw notSupported('more than 255 aggregates in one window aggregation');
    this.#spec = spec;
    this.#groups = state?.groups ?? new MemoryStateTable<GroupState>();
    this.#distinct = state?.distinct ?? new MemoryStateTable<number>();
    this.#windows = state?.windows ?? new MemoryStateTable<WindowState>();
    const order = [spec.windowEndKey];
    for (let k = 0; k < nk; k++) if (k !== spec.windowEndKey) order.push(k);
    this.#order = order;
    this.#encodeTypes = order.map((k) => spec.keyTypes[k]!);
    this.#endTypes = [spec.keyTypes[spec.windowEndKey]!];
    this.#encodeScratch = new Array<Value>(nk).fill(null);
    this.#distinctScratch = spec.calls.map((c) => new Array<Value>(c.args.length).fill(null));
  }

  /** Rows dropped because their window had already fired when they arrived. */
  get lateRows(): number {
    return this.#late;
  }

  push(_input: number, chunk: Chunk): Chunk[] {
    try {
      this.#accumulate(chunk);
    } finally {
      for (const w of this.#touched) this.#windows.put(this.#windowKey(w.end), w);
      this.#touched.length = 0;
      this.#window = undefined;
    }
    return [];
  }

  #accumulate(chunk: Chunk): void {
    const { keys, fireTime } = this.#spec;
    const order = this.#order;
    const nk = order.length;
    const enc = this.#encodeScratch;
    const types = this.#encodeTypes;
    const groups = this.#groups;
    const rows = chunk.rows;
    const kinds = chunk.kinds;
    const wm = this.#wm;
    let lastKey: Uint8Array | null = null;
    let g: GroupState | undefined;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const end = keys[order[0]!]!(row);
      if (end === null) continue;
      const add = kinds === null || isAddition(kinds[i]!);
      if (fireTime(end as number) <= wm) {
        this.#late++;
        continue;
      }
      enc[0] = end;
      for (let k = 1; k < nk; k++) enc[k] = keys[order[k]!]!(row);
      const keyBytes = encodeKey(enc, types);
      if (lastKey === null || g === undefined || compareKeys(lastKey, keyBytes) !== 0) {
        if (g !== undefined && lastKey !== null) this.#store(lastKey, g);
        g = groups.get(keyBytes);
        lastKey = keyBytes;
      }
      if (g === undefined || g.rows === 0) {
        if (!add) throw new InternalError(`window aggregate received a retraction for group (${enc.join(', ')}) that holds no rows`);
        if (g === undefined) {
          g = { key: this.#specOrder(enc), rows: 0, accs: this.#spec.calls.map((c) => c.factory()), emitted: null };
          groups.put(keyBytes, g);
          this.#windowOf(end as number).groups.push(keyBytes);
        }
      }
      if (add) this.#add(g, keyBytes, row);
      else this.#remove(g, keyBytes, row);
    }
    if (g !== undefined && lastKey !== null) this.#store(lastKey, g);
  }

  watermark(wm: number): Chunk[] {
    if (wm <= this.#wm) return [];
    this.#wm = wm;
    const fireTime = this.#spec.fireTime;
    const due: [Uint8Array, WindowState][] = [];
    for (const entry of this.#windows.scan()) {
      if (fireTime(entry[1].end) > wm) break;
      due.push(entry);
    }
    const out = this.#out;
    for (const [windowKey, w] of due) {
      w.groups.sort(compareKeys);
      for (const keyBytes of w.groups) {
        const g = this.#groups.get(keyBytes);
        if (g === undefined) continue;
        out.emit(RowKind.INSERT, this.#result(g));
        this.#groups.delete(keyBytes);
      }
      for (const dk of w.distinct) this.#distinct.delete(dk);
      this.#windows.delete(windowKey);
    }
    return out.take();
  }

  /** The state of the window ending at `end`, created on first use; marked touched. */
  #windowOf(end: number): WindowState {
    const cached = this.#window;
    if (cached !== undefined && cached.end === end) return cached;
    const key = this.#windowKey(end);
    let w = this.#windows.get(key);
    if (w === undefined) {
      w = { end, groups: [], distinct: [] };
      this.#windows.put(key, w);
    }
    if (!this.#touched.includes(w)) this.#touched.push(w);
    this.#window = w;
    return w;
  }

  #windowKey(end: number): Uint8Array {
    this.#endScratch[0] = end;
    return encodeKey(this.#endScratch, this.#endTypes);
  }

  /** Writes a mutated group back, or drops it when retractions emptied it. */
  #store(keyBytes: Uint8Array, g: GroupState): void {
    if (g.rows === 0) this.#groups.delete(keyBytes);
    else this.#groups.put(keyBytes, g);
  }

  /** The group key in the spec's order, from the encoding order. */
  #specOrder(enc: readonly Value[]): Row {
    const order = this.#order;
    const key: Row = new Array(order.length);
    for (let k = 0; k < order.length; k++) key[order[k]!] = enc[k] ?? null;
    return key;
  }

  #add(g: GroupState, keyBytes: Uint8Array, row: Row): void {
    g.rows++;
    const calls = this.#spec.calls;
    for (let c = 0; c < calls.length; c++) {
      const call = calls[c]!;
      if (call.filter !== undefined && call.filter(row) !== true) continue;
      const value = aggregateArgument(call.args, row);
      if (call.skipNulls && firstArgument(value, call.args.length) === null) continue;
      if (call.distinct) {
        const dk = this.#distinctKey(keyBytes, c, value);
        const n = this.#distinct.get(dk) ?? 0;
        this.#distinct.put(dk, n + 1);
        if (n > 0) continue;
        this.#windowOf(g.key[this.#spec.windowEndKey] as number).distinct.push(dk);
      }
      g.accs[c]!.add(value);
    }
  }

  #remove(g: GroupState, keyBytes: Uint8Array, row: Row): void {
    g.rows--;
    const calls = this.#spec.calls;
    for (let c = 0; c < calls.length; c++) {
      const call = calls[c]!;
      if (call.filter !== undefined && call.filter(row) !== true) continue;
      const value = aggregateArgument(call.args, row);
      if (call.skipNulls && firstArgument(value, call.args.length) === null) continue;
      if (call.distinct) {
        const dk = this.#distinctKey(keyBytes, c, value);
        const n = this.#distinct.get(dk);
        if (n === undefined) throw new InternalError('window aggregate received a retraction of a DISTINCT value it never saw');
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
    if (g.rows === 0) g.accs = calls.map((c) => c.factory());
  }

  #result(g: GroupState): Row {
    const nk = this.#spec.keys.length;
    const nc = this.#spec.calls.length;
    const result: Row = new Array(nk + nc);
    for (let k = 0; k < nk; k++) result[k] = g.key[k] ?? null;
    for (let c = 0; c < nc; c++) result[nk + c] = g.accs[c]!.result();
    return result;
  }

  #distinctKey(keyBytes: Uint8Array, call: number, value: Value): Uint8Array {
    const c = this.#spec.calls[call]!;
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

/** The aggregate calls of a plan node, compiled (no ORDER BY inside a call). */
export function windowAggregateCalls(node: AggregateNode, env: ExecEnv): IncrementalAggregateCall[] {
  return node.aggregates.map((a): IncrementalAggregateCall => {
    if (a.orderBy.length > 0) throw notSupported(`ORDER BY inside ${a.fn}() in a window aggregation`);
    const argTypes = a.args.map((e) => e.type);
    return {
      factory: createAccumulatorFactory(a.fn, argTypes, a.type),
      args: a.args.map((e) => compileExpr(e, env)),
      argTypes,
      filter: a.filter === undefined ? undefined : compileExpr(a.filter, env),
      distinct: a.distinct,
      skipNulls: !SEES_NULLS.has(a.fn),
      resultType: a.type,
    };
  });
}

/**
 * The window aggregation of a plan node whose input is a TUMBLE / HOP /
 * CUMULATE window TVF (possibly under projections); `windowEndKey` indexes
 * `node.groupKeys`.
 */
export function windowAggregateOf(
  node: AggregateNode,
  windowEndKey: number,
  fireTime: (end: number) => number,
  env: ExecEnv,
  state?: WindowAggregateStateTables,
): WindowAggregate {
  return new WindowAggregate(
    {
      keys: node.groupKeys.map((e) => compileExpr(e, env)),
      keyTypes: node.groupKeys.map((e) => e.type),
      calls: windowAggregateCalls(node, env),
      windowEndKey,
      fireTime,
    },
    state,
  );
}
