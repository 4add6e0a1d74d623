/**
 * Event-time window aggregation: `GROUP BY window_start, window_end, k...`
 * over the output of a TUMBLE / HOP / CUMULATE window TVF (Flink's window
 * aggregate). Each group is one window of one key; it emits exactly one final
 * row when the watermark completes its window, and its state is purged.
 *
 * State (state tables, decision 5):
 * - windows: encodeKey([window_end]) -> WindowState { end, groups, index,
 *   distinct }, one entry per open window end. Its key order is the firing
 *   order, so `watermark` finds due windows by scanning it from the start.
 *   The value is a structure: `groups` lists the window's groups in creation
 *   order (key row, input row count, accumulators); `index` finds a group from
 *   the other group keys' values (one nested Map level per key, see
 *   `levelKey`) and is derived from `groups`; `distinct` lists the DISTINCT
 *   entries created for the window. The operator puts a window back once per
 *   chunk that touched it. A checkpoint saves a window as its end and its
 *   groups (key row through key-codec, row count, accumulator states) and
 *   rebuilds `index` on restore.
 * - distinct: group key encoding (window_end first) ++ call index ++ argument
 *   tuple -> row count, for DISTINCT calls, as in incremental-aggregate.ts.
 *
 * Per row nothing is encoded or allocated unless the row creates a group: the
 * window is found by its end (cached while consecutive rows share it), the
 * group by Map lookups on the key values themselves.
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
 *   whose rows all got retracted before firing is not emitted (it stays in its
 *   window, empty, until the window fires, and takes rows again if some come).
 * - Rows whose window_end is NULL belong to no window and are ignored.
 * - watermark(wm): every group whose window fired emits one +I row (group
 *   keys ++ aggregate results), in order of window_end, then of the group's
 *   creation (its first row) within the window, and the window's state (and
 *   its DISTINCT counts) is deleted. Output is insert-only. The final
 *   watermark (Number.MAX_SAFE_INTEGER) fires everything left.
 * - push emits nothing.
 *
 * ORDER BY inside an aggregate call is refused (not supported yet).
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import type { AggregateNode } from '../planner/logical-plan.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import { windowAggregationOf } from '../planner/window-aggregation.ts';
import { windowStart } from '../operators/window-assign.ts';
import { columnsOf } from '../optimizer/rewrite.ts';
import { InternalError, notSupported } from '../errors.ts';
import { encodeKey } from '../values/key-codec.ts';
import { ChangelogBuilder, isAddition, type IncrementalOperator } from './changelog.ts';
import type { GroupState, IncrementalAggregateCall } from './incremental-aggregate.ts';
import type { StateTable } from './state-table.ts';
import { GroupAccumulation, incrementalAggregateCalls, loadAccumulators, saveAccumulators } from './group-accumulation.ts';
import { decodeStateValue, encodeStateValue, type StateCodec, type StateValue } from '../state/state-codec.ts';
import { countCodec, memoryStateProvider, stateArray, stateNumber, stateRow, type StateProvider } from './state-provider.ts';

export interface WindowAggregateSpec {
  /** All group keys of the AggregateNode, in order (window_start and window_end among them). */
  readonly keys: readonly EvalFn[];
  /** Per key: the input column it is, read as `row[column]` instead of through `keys`; -1 for other expressions. */
  readonly keyColumns?: readonly number[];
  readonly keyTypes: readonly SqlType[];
  readonly calls: readonly IncrementalAggregateCall[];
  /** Index into `keys` of window_end. */
  readonly windowEndKey: number;
  /**
   * Index into `keys` of window_start of the same window TVF, if grouped by:
   * window_end determines it, so groups are not looked up by it.
   */
  readonly windowStartKey?: number;
  /** window_time (the instant the window is complete) of a window_end value. */
  readonly fireTime: (windowEnd: number) => number;
  /**
   * Set when the operator is fed the rows of a TUMBLE's input (over a
   * TIMESTAMP time column) instead of its output: window_end is computed from
   * the time column (window_start = window_end - size), and `keys` /
   * `calls` read only the input's columns, which keep their positions in the
   * TUMBLE's output. Saves the window assignment's row copy.
   */
  readonly tumble?: { readonly time: EvalFn; readonly size: number; readonly offset: number };
}

const NO_BYTES = new Uint8Array(0);

/** One group of a window. */
export interface WindowGroup extends GroupState {
  /** The group key's encoding (window_end first), for DISTINCT entries; empty without DISTINCT calls. */
  readonly keyBytes: Uint8Array;
}

/** A nested group index level: level key -> next level, or -> group at the last level. */
export type GroupIndex = Map<Value, GroupIndex | WindowGroup>;

/** The state of one open window end. */
export interface WindowState {
  readonly end: number;
  /** Groups in creation order (the firing order). */
  readonly groups: WindowGroup[];
  /** Derived from `groups`: the group of the other keys' level keys. */
  readonly index: GroupIndex;
  /** DISTINCT entries created for this window, deleted with it. */
  readonly distinct: Uint8Array[];
}

export interface WindowAggregateStateTables {
  readonly windows: StateTable<WindowState>;
  readonly distinct: StateTable<number>;
}

/**
 * Whether equal key encodings and SameValueZero-equal JS values coincide for
 * a type, so its values can be Map keys as they are (-0 and 0, every NaN: equal
 * in both). Others are keyed by their encoding (a rare, slower path).
 */
function keyedByValue(type: SqlType): boolean {
  switch (type.kind) {
    case 'BOOLEAN':
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'DATE':
    case 'INTERVAL_YEAR_MONTH':
    case 'OID':
    case 'REGCLASS':
    case 'REGTYPE':
    case 'REGPROC':
    case 'BIGINT':
    case 'TIME':
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
    case 'INTERVAL_DAY_TIME':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DECIMAL':
    case 'CHAR':
    case 'VARCHAR':
    case 'NAME':
    case 'PG_CHAR':
    case 'JSON':
      return true;
    default:
      return false;
  }
}

/**
 * How a window's groups are indexed: the keys nested on (all but window_end
 * and window_start, which window_end determines) and their Map keys. Shared
 * by the operator and the codec that rebuilds a restored window's index.
 */
class WindowLevels {
  /** Group key indexes (spec order) of the index levels, outermost first. */
  readonly levels: readonly number[];
  /** Per level: its values are Map keys as they are. */
  readonly byValue: readonly boolean[];
  readonly #types: readonly SqlType[][];
  readonly #scratch: Value[] = [null];

  constructor(spec: WindowAggregateSpec) {
    const levels: number[] = [];
    for (let k = 0; k < spec.keys.length; k++) if (k !== spec.windowEndKey && k !== spec.windowStartKey) levels.push(k);
    this.levels = levels;
    this.byValue = levels.map((k) => keyedByValue(spec.keyTypes[k]!));
    this.#types = levels.map((k) => [spec.keyTypes[k]!]);
  }

  /** The Map key of value `v` at level `l`: the value, or its encoding as a string for types not keyed by value. */
  levelKey(l: number, v: Value): Value {
    if (this.byValue[l]) return v;
    this.#scratch[0] = v;
    const bytes = encodeKey(this.#scratch, this.#types[l]!);
    let s = '';
    for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }

  /** Enters group `g` (its key in spec order) into `index`. */
  insert(index: GroupIndex, g: WindowGroup): void {
    const levels = this.levels;
    const nl = levels.length;
    if (nl === 0) return;
    let level = index;
    for (let l = 0; ; l++) {
      const lk = this.levelKey(l, g.key[levels[l]!] ?? null);
      if (l === nl - 1) {
        level.set(lk, g);
        return;
      }
      let next = level.get(lk) as GroupIndex | undefined;
      if (next === undefined) {
        next = new Map();
        level.set(lk, next);
      }
      level = next;
    }
  }
}

/**
 * A window at a checkpoint: [end, groups, DISTINCT entries], each group
 * [key row (with room for the results), row count, accumulator states, key
 * encoding]. Decoding restores the accumulators into fresh ones of the spec's
 * calls and rebuilds the group index.
 */
export function windowStateCodec(spec: WindowAggregateSpec): StateCodec<WindowState> {
  const levels = new WindowLevels(spec);
  return {
    encode: (w) => {
      const groups: StateValue[] = w.groups.map((g) => [g.key, g.rows, saveAccumulators(g.accs), g.keyBytes]);
      return encodeStateValue([w.end, groups, w.distinct]);
    },
    decode: (bytes) => {
      const [end, groups, distinct] = stateArray(decodeStateValue(bytes), 'window', 3);
      const w: WindowState = { end: stateNumber(end, 'window end'), groups: [], index: new Map(), distinct: [] };
      for (const saved of stateArray(groups, 'window groups')) {
        const [key, rows, accs, keyBytes] = stateArray(saved, 'window group', 4);
        if (!(keyBytes instanceof Uint8Array)) throw new InternalError('state: malformed window group key encoding');
        const g: WindowGroup = {
          key: stateRow(key, 'window group key'),
          rows: stateNumber(rows, 'window group row count'),
          accs: loadAccumulators(spec.calls, accs),
          emitted: null,
          keyBytes,
        };
        w.groups.push(g);
        levels.insert(w.index, g);
      }
      for (const dk of stateArray(distinct, 'window DISTINCT entries')) {
        if (!(dk instanceof Uint8Array)) throw new InternalError('state: malformed window DISTINCT entry');
        w.distinct.push(dk);
      }
      return w;
    },
  };
}

/** The window aggregate's tables from `state`: roles `windows` and `distinct`. */
export function windowAggregateStateTables(state: StateProvider, spec: WindowAggregateSpec): WindowAggregateStateTables {
  return { windows: state.table('windows', windowStateCodec(spec)), distinct: state.table('distinct', countCodec) };
}

export class WindowAggregate implements IncrementalOperator {
  readonly #spec: WindowAggregateSpec;
  readonly #distinct: StateTable<number>;
  readonly #windows: StateTable<WindowState>;
  /** Key evaluation order for the encoding: window_end first, then the other keys in order. */
  readonly #order: readonly number[];
  readonly #encodeTypes: readonly SqlType[];
  readonly #endTypes: readonly SqlType[];
  readonly #index: WindowLevels;
  /** The keys (spec indexes) the index is nested by (see WindowLevels). */
  readonly #levels: readonly number[];
  /** Per level: the input column it reads directly, or -1. */
  readonly #levelColumns: readonly number[];
  /** Per level: its values are Map keys as they are. */
  readonly #byValue: readonly boolean[];
  readonly #hasDistinct: boolean;
  readonly #encodeScratch: Value[];
  readonly #endScratch: Value[] = [null];
  readonly #acc: GroupAccumulation;
  /** window_end of an input row. */
  readonly #endOf: EvalFn;
  /** The window of the row being added, for DISTINCT entries it creates. */
  #rowWindow: WindowState | undefined = undefined;
  readonly #onNewDistinct = (dk: Uint8Array): void => {
    this.#rowWindow!.distinct.push(dk);
  };
  readonly #out = new ChangelogBuilder();
  /** Windows touched by the current chunk, written back at its end. */
  readonly #touched: WindowState[] = [];
  #wm = Number.NEGATIVE_INFINITY;
  #late = 0;

  constructor(spec: WindowAggregateSpec, state?: WindowAggregateStateTables) {
    const nk = spec.keys.length;
    if (spec.windowEndKey < 0 || spec.windowEndKey >= nk) throw new InternalError('window aggregate: window_end is not a group key');
    if (spec.calls.length > 255) throw notSupported('more than 255 aggregates in one window aggregation');
    this.#spec = spec;
    const tables = state ?? windowAggregateStateTables(memoryStateProvider, spec);
    this.#distinct = tables.distinct;
    this.#windows = tables.windows;
    const order = [spec.windowEndKey];
    for (let k = 0; k < nk; k++) if (k !== spec.windowEndKey) order.push(k);
    this.#order = order;
    this.#encodeTypes = order.map((k) => spec.keyTypes[k]!);
    this.#endTypes = [spec.keyTypes[spec.windowEndKey]!];
    this.#index = new WindowLevels(spec);
    this.#levels = this.#index.levels;
    this.#levelColumns = this.#levels.map((k) => spec.keyColumns?.[k] ?? -1);
    this.#byValue = this.#index.byValue;
    this.#hasDistinct = spec.calls.some((c) => c.distinct);
    const tumble = spec.tumble;
    if (tumble !== undefined) {
      if (spec.windowStartKey === undefined) throw new InternalError('fused TUMBLE aggregation without window_start');
      const { time, size, offset } = tumble;
      this.#endOf = (row) => {
        const t = time(row);
        return t === null ? null : windowStart(t as number, offset, size) + size;
      };
    } else {
      const ec = spec.keyColumns?.[spec.windowEndKey] ?? -1;
      this.#endOf = ec >= 0 ? (row) => row[ec] ?? null : spec.keys[spec.windowEndKey]!;
    }
    this.#encodeScratch = new Array<Value>(nk).fill(null);
    this.#acc = new GroupAccumulation(spec.calls, nk, this.#distinct, 'window aggregate');
  }

  /** Rows dropped because their window had already fired when they arrived. */
  get lateRows(): number {
    return this.#late;
  }

  push(_input: number, chunk: Chunk): Chunk[] {
    try {
      this.#accumulate(chunk);
    } finally {
      const touched = this.#touched;
      for (let i = 0; i < touched.length; i++) this.#windows.put(this.#windowKey(touched[i]!.end), touched[i]!);
      touched.length = 0;
      this.#rowWindow = undefined;
    }
    return [];
  }

  #accumulate(chunk: Chunk): void {
    const { keys, fireTime } = this.#spec;
    const endKey = this.#endOf;
    const levels = this.#levels;
    const levelColumns = this.#levelColumns;
    const nl = levels.length;
    const byValue = this.#byValue;
    const acc = this.#acc;
    const rows = chunk.rows;
    const kinds = chunk.kinds;
    const wm = this.#wm;
    let curEnd: Value = null;
    let w: WindowState | undefined;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const end = endKey(row);
      if (end === null) continue;
      if (end !== curEnd) {
        curEnd = end;
        w = fireTime(end as number) <= wm ? undefined : this.#windowOf(end as number);
      }
      if (w === undefined) {
        this.#late++;
        continue;
      }
      const add = kinds === null || isAddition(kinds[i]!);
      let g: WindowGroup | undefined;
      let level: GroupIndex = w.index;
      let lk: Value = null;
      if (nl === 0) {
        g = w.groups[0];
      } else {
        for (let l = 0; ; l++) {
          const lc = levelColumns[l]!;
          const v = lc >= 0 ? (row[lc] ?? null) : keys[levels[l]!]!(row);
          lk = byValue[l] ? v : this.#index.levelKey(l, v);
          if (l === nl - 1) break;
          let next = level.get(lk) as GroupIndex | undefined;
          if (next === undefined) {
            next = new Map();
            level.set(lk, next);
          }
          level = next;
        }
        g = level.get(lk) as WindowGroup | undefined;
      }
      if (g === undefined || g.rows === 0) {
        if (!add) throw new InternalError(`window aggregate received a retraction for group (${this.#keyOf(row).join(', ')}) that holds no rows`);
        if (g === undefined) g = this.#newGroup(w, level, lk, row);
      }
      this.#rowWindow = w;
      if (add) acc.add(g, g.keyBytes, row, this.#onNewDistinct);
      else acc.remove(g, g.keyBytes, row);
    }
  }

  /** The group key of `row` in encoding order (window_end first). */
  #keyOf(row: Row): Value[] {
    const { keys, tumble, windowStartKey } = this.#spec;
    const order = this.#order;
    const enc = this.#encodeScratch;
    for (let k = 0; k < order.length; k++) enc[k] = keys[order[k]!]!(row);
    if (tumble !== undefined) {
      const end = this.#endOf(row);
      enc[0] = end;
      if (windowStartKey !== undefined) enc[order.indexOf(windowStartKey)] = end === null ? null : (end as number) - tumble.size;
    }
    return enc;
  }

  /** Creates the group of `row` in window `w`; it is found at level key `lk` of index level `level`. */
  #newGroup(w: WindowState, level: GroupIndex, lk: Value, row: Row): WindowGroup {
    const enc = this.#keyOf(row);
    const g: WindowGroup = {
      key: this.#specOrder(enc),
      rows: 0,
      accs: this.#acc.fresh(),
      emitted: null,
      keyBytes: this.#hasDistinct ? encodeKey(enc, this.#encodeTypes) : NO_BYTES,
    };
    w.groups.push(g);
    if (this.#levels.length > 0) level.set(lk, g);
    return g;
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
    const acc = this.#acc;
    for (const [windowKey, w] of due) {
      const groups = w.groups;
      for (let i = 0; i < groups.length; i++) {
        const g = groups[i]!;
        if (g.rows > 0) out.emit(RowKind.INSERT, acc.finish(g));
      }
      for (const dk of w.distinct) this.#distinct.delete(dk);
      this.#windows.delete(windowKey);
    }
    return out.take();
  }

  /** The state of the window ending at `end`, created on first use; marked touched. */
  #windowOf(end: number): WindowState {
    const touched = this.#touched;
    for (let i = 0; i < touched.length; i++) if (touched[i]!.end === end) return touched[i]!;
    const key = this.#windowKey(end);
    let w = this.#windows.get(key);
    if (w === undefined) {
      w = { end, groups: [], index: new Map(), distinct: [] };
      this.#windows.put(key, w);
    }
    touched.push(w);
    return w;
  }

  #windowKey(end: number): Uint8Array {
    this.#endScratch[0] = end;
    return encodeKey(this.#endScratch, this.#endTypes);
  }

  /**
   * The group key in the spec's order, from the encoding order, with room for
   * the aggregate results after it: the output row, filled when the window fires.
   */
  #specOrder(enc: readonly Value[]): Row {
    const order = this.#order;
    const key: Row = new Array(order.length + this.#spec.calls.length).fill(null);
    for (let k = 0; k < order.length; k++) key[order[k]!] = enc[k] ?? null;
    return key;
  }
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
  state: StateProvider = memoryStateProvider,
): WindowAggregate {
  const window = windowAggregationOf(node);
  const spec: WindowAggregateSpec = {
    keys: node.groupKeys.map((e) => compileExpr(e, env)),
    keyColumns: node.groupKeys.map((e) => (e.kind === 'column' ? e.index : -1)),
    keyTypes: node.groupKeys.map((e) => e.type),
    calls: incrementalAggregateCalls(node, env, 'in a window aggregation'),
    windowEndKey,
    ...(window !== undefined && window.endKey === windowEndKey ? { windowStartKey: window.startKey } : {}),
    fireTime,
  };
  return new WindowAggregate(spec, windowAggregateStateTables(state, spec));
}

/**
 * The window aggregation of a plan node grouped by window_start and
 * window_end of a TUMBLE directly below it over a TIMESTAMP column, fused with
 * the window assignment: it is fed the TUMBLE's input rows. Undefined for
 * every other shape (then: window assignment stage + windowAggregateOf).
 */
export function fusedTumbleAggregateOf(
  node: AggregateNode,
  fireTime: (end: number) => number,
  env: ExecEnv,
  state: StateProvider = memoryStateProvider,
): WindowAggregate | undefined {
  const tvf = node.input;
  if (tvf.kind !== 'window-tvf' || tvf.fn !== 'TUMBLE' || tvf.timeCol.type.kind !== 'TIMESTAMP') return undefined;
  const window = windowAggregationOf(node);
  if (window === undefined || window.tvf !== tvf) return undefined;
  // Everything else may read only the TUMBLE's input columns (not window_start, window_end, window_time).
  const base = tvf.input.schema.length;
  const exprs = node.groupKeys.filter((_e, i) => i !== window.startKey && i !== window.endKey);
  for (const a of node.aggregates) exprs.push(...a.args, ...(a.filter === undefined ? [] : [a.filter]));
  for (const e of exprs) for (const c of columnsOf(e)) if (c >= base) return undefined;
  const spec: WindowAggregateSpec = {
    keys: node.groupKeys.map((e, i) => (i === window.startKey || i === window.endKey ? () => null : compileExpr(e, env))),
    keyColumns: node.groupKeys.map((e, i) => (i === window.startKey || i === window.endKey || e.kind !== 'column' ? -1 : e.index)),
    keyTypes: node.groupKeys.map((e) => e.type),
    calls: incrementalAggregateCalls(node, env, 'in a window aggregation'),
    windowEndKey: window.endKey,
    windowStartKey: window.startKey,
    fireTime,
    tumble: { time: compileExpr(tvf.timeCol, env), size: tvf.size, offset: tvf.offset },
  };
  return new WindowAggregate(spec, windowAggregateStateTables(state, spec));
}
