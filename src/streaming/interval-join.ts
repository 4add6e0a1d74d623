/**
 * Interval join (Flink's time-windowed join) of two append-only inputs:
 * `... ON l.k = r.k AND l.ts BETWEEN r.ts - INTERVAL '1' HOUR AND r.ts`.
 * Input 0 is the left side, input 1 the right side; output rows are the left
 * columns followed by the right columns. A pair joins when its keys are equal
 * (SQL `=`: a NULL part joins nothing), its times satisfy
 *     r.time + lower <= l.time <= r.time + upper     (µs, both bounds inclusive)
 * and the residual `condition` is TRUE.
 *
 * State, per side: `rows`: encoded join key -> the side's rows with that key
 * that can still join a future row, each with its time and whether it found a
 * match (outer sides); `timers`: encoded start of a one-second slot -> the
 * timers (expiry, key) of the rows that expire within that slot. A left row expires
 * once the watermark reaches `l.time - lower` (every right row that could
 * match it has arrived), a right row at `r.time + upper`; its timer (expiry,
 * key) goes to the slot of that expiry. Timers are visited by point lookups
 * from the lowest pending slot up to the watermark's slot, so the timer tables
 * are only scanned when the watermark jumps over more slots than they hold
 * (the final MAX watermark).
 *
 * Rule per row kind:
 * - +I (and a lone +U): joined with the other side's stored rows, emitting +I
 *   (left, right) for every match; kept in state unless it already expired. A
 *   row whose time is <= the current watermark is late: dropped and counted in
 *   `lateRows` (some of its partners may be gone). A row with a NULL key or
 *   NULL time joins nothing and is not kept.
 * - -U / -D: the inputs must be append-only; a retraction is an internal error.
 * - watermark(wm): expired rows leave the state; on an outer side (left of
 *   LEFT, right of RIGHT, both of FULL) each expired row that never matched
 *   emits +I padded with NULLs. A row that can never match (NULL key or time,
 *   or expired on arrival without a match) is padded at once.
 * Output is append-only (+I only).
 *
 * Key groups (key-groups.ts): a row's key group is that of its encoded join
 * key (NULL parts included), the same on both sides. Every key of the row
 * tables is that group's byte then the encoded key; a timer key is the group
 * of the rows it expires, then the slot: each instance visits the slots of
 * its own key groups only, group by group (`GroupTimes` keeps, per owned
 * group, how many slots it holds and a lower bound of the first). Padded rows
 * of one watermark come out group by group, each group in expiry-slot order.
 */
import { timestamp, typesEqual, type Row, type SqlType, type Value } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import type { JoinNode, LogicalPlan } from '../planner/logical-plan.ts';
import { columnsOf } from '../optimizer/rewrite.ts';
import { changelogMode, isUnbounded, type StoredReading } from '../planner/changelog-mode.ts';
import { InternalError } from '../errors.ts';
import { encodeKey } from '../values/key-codec.ts';
import { ChangelogBuilder, isAddition, kindAt } from './changelog.ts';
import type { StateTable } from './state-table.ts';
import { decodeStateValue, encodeStateValue, type StateCodec, type StateValue } from '../state/state-codec.ts';
import { memoryStateProvider, ownedKeyGroups, stateArray, stateNumber, stateRow, type StateProvider } from './state-provider.ts';
import { ALL_KEY_GROUPS, inKeyGroup, keyGroupOf, keyGroupRange, scanKeyGroups, type KeyGroupRange } from './key-groups.ts';
import type { KeyedOperator } from './parallel-operator.ts';
import { GroupTimes, timeOfKey } from './group-times.ts';

export interface IntervalJoinSpec {
  readonly joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL';
  readonly leftKeys: readonly EvalFn[];
  readonly rightKeys: readonly EvalFn[];
  /** Types of the join keys (both sides' key expressions have these types). */
  readonly keyTypes: readonly SqlType[];
  /** Event time (µs) of a left row / of a right row. */
  readonly leftTime: EvalFn;
  readonly rightTime: EvalFn;
  /** right.time + lower <= left.time <= right.time + upper (µs). */
  readonly lower: number;
  readonly upper: number;
  /** Residual predicate over left ++ right columns, or undefined. */
  readonly condition: EvalFn | undefined;
  readonly leftWidth: number;
  readonly rightWidth: number;
}

export interface IntervalEntry {
  readonly row: Row;
  readonly time: number;
  matched: boolean;
}

export type IntervalBucket = IntervalEntry[];

/** A stored row's expiry: the watermark `at` which it leaves the bucket `key`. */
export interface IntervalTimer {
  readonly at: number;
  readonly key: Uint8Array;
}

export interface IntervalJoinState {
  readonly left: StateTable<IntervalBucket>;
  readonly right: StateTable<IntervalBucket>;
  readonly leftTimers: StateTable<IntervalTimer[]>;
  readonly rightTimers: StateTable<IntervalTimer[]>;
  /** The key groups the instance owns (absent: all). */
  readonly keyGroups?: KeyGroupRange;
}

/** A bucket at a checkpoint: [row, time, matched] per entry, in arrival order. */
export const intervalBucketCodec: StateCodec<IntervalBucket> = {
  encode: (bucket) => encodeStateValue(bucket.map((e): StateValue => [e.row, e.time, e.matched])),
  decode: (bytes) =>
    stateArray(decodeStateValue(bytes), 'interval join bucket').map((saved): IntervalEntry => {
      const [row, time, matched] = stateArray(saved, 'interval join entry', 3);
      if (typeof matched !== 'boolean') throw new InternalError('state: malformed interval join entry');
      return { row: stateRow(row, 'interval join row'), time: stateNumber(time, 'interval join row time'), matched };
    }),
};

/** A timer slot at a checkpoint: [at, key] per timer, in insertion order. */
export const intervalTimersCodec: StateCodec<IntervalTimer[]> = {
  encode: (timers) => encodeStateValue(timers.map((t): StateValue => [t.at, t.key])),
  decode: (bytes) =>
    stateArray(decodeStateValue(bytes), 'interval join timers').map((saved): IntervalTimer => {
      const [at, key] = stateArray(saved, 'interval join timer', 2);
      if (!(key instanceof Uint8Array)) throw new InternalError('state: malformed interval join timer');
      return { at: stateNumber(at, 'interval join timer'), key };
    }),
};

/** The interval join's tables from `state`: roles `left`, `right`, `leftTimers`, `rightTimers`; and the key groups it owns. */
export function intervalJoinStateTables(state: StateProvider): IntervalJoinState {
  return {
    left: state.table('left', intervalBucketCodec),
    right: state.table('right', intervalBucketCodec),
    leftTimers: state.table('leftTimers', intervalTimersCodec),
    rightTimers: state.table('rightTimers', intervalTimersCodec),
    keyGroups: ownedKeyGroups(state),
  };
}

const LEFT = 0;
const RIGHT = 1;
/** Timer slot width: one second of event time. */
const SLOT = 1_000_000;
const SLOT_TYPES: readonly SqlType[] = [timestamp(6)];

export class IntervalJoin implements KeyedOperator {
  readonly #spec: IntervalJoinSpec;
  readonly #rows: readonly [StateTable<IntervalBucket>, StateTable<IntervalBucket>];
  readonly #timers: readonly [StateTable<IntervalTimer[]>, StateTable<IntervalTimer[]>];
  readonly #keyGroups: KeyGroupRange;
  /** Per side, the timer slots held in each owned key group. */
  readonly #slots: readonly [GroupTimes, GroupTimes];
  readonly #outer: readonly [boolean, boolean];
  readonly #keys: readonly [readonly EvalFn[], readonly EvalFn[]];
  readonly #times: readonly [EvalFn, EvalFn];
  readonly #keyScratch: Value[];
  readonly #slotScratch: Value[] = [null];
  readonly #leftNulls: Row;
  readonly #rightNulls: Row;
  readonly #out = new ChangelogBuilder();
  #wm = -Infinity;
  #late = 0;

  constructor(spec: IntervalJoinSpec, state?: IntervalJoinState) {
    this.#spec = spec;
    const tables = state ?? intervalJoinStateTables(memoryStateProvider);
    this.#rows = [tables.left, tables.right];
    this.#timers = [tables.leftTimers, tables.rightTimers];
    this.#keyGroups = tables.keyGroups ?? ALL_KEY_GROUPS;
    this.#slots = [
      new GroupTimes(tables.leftTimers, this.#keyGroups, slotIndexOf),
      new GroupTimes(tables.rightTimers, this.#keyGroups, slotIndexOf),
    ];
    const t = spec.joinType;
    this.#outer = [t === 'LEFT' || t === 'FULL', t === 'RIGHT' || t === 'FULL'];
    this.#keys = [spec.leftKeys, spec.rightKeys];
    this.#times = [spec.leftTime, spec.rightTime];
    this.#keyScratch = new Array<Value>(spec.keyTypes.length).fill(null);
    this.#leftNulls = new Array<Value>(spec.leftWidth).fill(null);
    this.#rightNulls = new Array<Value>(spec.rightWidth).fill(null);
  }

  /** Rows dropped because they arrived at or behind the watermark. */
  get lateRows(): number {
    return this.#late;
  }

  /**
   * How far the output's time attributes may trail the input watermark: a
   * left time joins right rows newer than the watermark down to `lower`
   * behind them, a right time left rows up to `upper` behind. The watermark
   * forwarded downstream should be the input watermark minus this (Flink
   * holds the interval join's output watermark back the same way).
   */
  get watermarkDelay(): number {
    return Math.max(0, -this.#spec.lower, this.#spec.upper);
  }

  /** Rows held in state, both sides (for tests: it scans the state). */
  get stateSize(): number {
    let n = 0;
    for (const table of this.#rows) for (const [, , bucket] of scanKeyGroups(table, this.#keyGroups)) n += bucket.length;
    return n;
  }

  /** The key group of the row's join key (NULL parts included). */
  keyGroupOf(input: number, row: Row): number {
    const keys = this.#keys[input === LEFT ? LEFT : RIGHT];
    for (let k = 0; k < keys.length; k++) this.#keyScratch[k] = keys[k]!(row);
    return keyGroupOf(encodeKey(this.#keyScratch, this.#spec.keyTypes));
  }

  push(input: number, chunk: Chunk): Chunk[] {
    if (input !== LEFT && input !== RIGHT) throw new InternalError(`interval join has two inputs, got input ${input}`);
    try {
      const rows = chunk.rows;
      for (let i = 0; i < rows.length; i++) {
        if (!isAddition(kindAt(chunk, i))) throw new InternalError('interval join received a retraction: its inputs must be append-only');
        this.#arrive(input, rows[i]!);
      }
    } catch (err) {
      this.#out.discard();
      throw err;
    }
    return this.#out.take();
  }

  watermark(wm: number): Chunk[] {
    if (wm <= this.#wm) return [];
    this.#wm = wm;
    this.#expire(LEFT, wm);
    this.#expire(RIGHT, wm);
    return this.#out.take();
  }

  #arrive(side: 0 | 1, row: Row): void {
    const time = this.#times[side]!(row) as number | null;
    let joinable = time !== null;
    const keys = this.#keys[side]!;
    for (let k = 0; k < keys.length; k++) {
      const v = keys[k]!(row);
      this.#keyScratch[k] = v;
      if (v === null) joinable = false;
    }
    if (!joinable) {
      if (this.#outer[side]) this.#emitPadded(side, row);
      return;
    }
    const t = time!;
    if (t <= this.#wm) {
      this.#late++;
      return;
    }
    const encoded = encodeKey(this.#keyScratch, this.#spec.keyTypes);
    const group = keyGroupOf(encoded);
    const key = inKeyGroup(group, encoded);
    const matched = this.#probe(side, row, t, key);
    const expires = this.#expiry(side, t);
    if (expires <= this.#wm) {
      if (!matched && this.#outer[side]) this.#emitPadded(side, row);
      return;
    }
    const table = this.#rows[side]!;
    const bucket = table.get(key) ?? [];
    bucket.push({ row, time: t, matched });
    table.put(key, bucket);
    this.#addTimer(side, expires, group, key);
  }

  /** Joins `row` (time `t`) with the other side's rows under `key`; whether any matched. */
  #probe(side: 0 | 1, row: Row, t: number, key: Uint8Array): boolean {
    const otherTable = this.#rows[1 - side]!;
    const partners = otherTable.get(key);
    if (partners === undefined) return false;
    const { lower, upper, condition } = this.#spec;
    const otherOuter = this.#outer[1 - side]!;
    let any = false;
    let touched = false;
    for (let j = 0; j < partners.length; j++) {
      const p = partners[j]!;
      const lt = side === LEFT ? t : p.time;
      const rt = side === LEFT ? p.time : t;
      if (lt < rt + lower || lt > rt + upper) continue;
      const joined = side === LEFT ? row.concat(p.row) : p.row.concat(row);
      if (condition !== undefined && condition(joined) !== true) continue;
      any = true;
      this.#out.emit(RowKind.INSERT, joined);
      if (otherOuter && !p.matched) {
        p.matched = true;
        touched = true;
      }
    }
    if (touched) otherTable.put(key, partners);
    return any;
  }

  /** The watermark at which a row of `side` with time `t` can match nothing more. */
  #expiry(side: 0 | 1, t: number): number {
    return side === LEFT ? t - this.#spec.lower : t + this.#spec.upper;
  }

  /** The timer key of slot `slot` in key group `group`. */
  #slotKey(group: number, slot: number): Uint8Array {
    this.#slotScratch[0] = slot * SLOT;
    return inKeyGroup(group, encodeKey(this.#slotScratch, SLOT_TYPES));
  }

  #addTimer(side: 0 | 1, at: number, group: number, key: Uint8Array): void {
    const timers = this.#timers[side]!;
    const slot = Math.floor(at / SLOT);
    const tk = this.#slotKey(group, slot);
    const list = timers.get(tk);
    if (list === undefined) {
      timers.put(tk, [{ at, key }]);
      this.#slots[side]!.added(group, slot);
    } else {
      list.push({ at, key });
      timers.put(tk, list);
    }
  }

  #expire(side: 0 | 1, wm: number): void {
    const slots = this.#slots[side]!;
    const wmSlot = Math.floor(wm / SLOT);
    if (slots.lowest() > wmSlot) return;
    const { first, last } = this.#keyGroups;
    for (let g = first; g <= last; g++) {
      const from = slots.first(g);
      if (from > wmSlot) continue;
      slots.raise(g, this.#expireGroup(side, g, from, wmSlot, wm));
    }
    slots.settle();
  }

  /**
   * Runs the timers <= wm of key group `g` (slots `from`..`wmSlot`): by point
   * lookups, or by a scan of the group when it holds fewer slots than that.
   * Returns a lower bound of the group's first slot left.
   */
  #expireGroup(side: 0 | 1, g: number, from: number, wmSlot: number, wm: number): number {
    const timers = this.#timers[side]!;
    const slots = this.#slots[side]!;
    const due: [Uint8Array, IntervalTimer[]][] = [];
    let next = wmSlot;
    if (wmSlot - from >= slots.count(g)) {
      next = Infinity;
      for (const [tk, list] of timers.scan(keyGroupRange(g))) {
        const slot = slotIndexOf(tk.subarray(1));
        if (slot > wmSlot) {
          next = slot;
          break;
        }
        due.push([tk, list]);
      }
    } else {
      for (let s = from; s <= wmSlot; s++) {
        const tk = this.#slotKey(g, s);
        const list = timers.get(tk);
        if (list !== undefined) due.push([tk, list]);
      }
    }
    for (const [tk, list] of due) {
      // The watermark's own slot may hold timers that are not due yet: they stay.
      let kept = 0;
      for (let i = 0; i < list.length; i++) {
        const timer = list[i]!;
        if (timer.at <= wm) this.#expireKey(side, timer.key, wm);
        else list[kept++] = timer;
      }
      if (kept === 0) {
        timers.delete(tk);
        slots.removed(g);
      } else {
        if (kept < list.length) {
          list.length = kept;
          timers.put(tk, list);
        }
        next = Math.min(next, wmSlot);
      }
    }
    return next;
  }

  /** Removes the rows under `key` of `side` that expired at `wm`, padding unmatched outer rows. */
  #expireKey(side: 0 | 1, key: Uint8Array, wm: number): void {
    const table = this.#rows[side]!;
    const bucket = table.get(key);
    if (bucket === undefined) return;
    const outer = this.#outer[side]!;
    let kept = 0;
    for (let j = 0; j < bucket.length; j++) {
      const e = bucket[j]!;
      if (this.#expiry(side, e.time) <= wm) {
        if (outer && !e.matched) this.#emitPadded(side, e.row);
      } else {
        bucket[kept++] = e;
      }
    }
    if (kept === bucket.length) return;
    if (kept === 0) table.delete(key);
    else {
      bucket.length = kept;
      table.put(key, bucket);
    }
  }

  #emitPadded(side: 0 | 1, row: Row): void {
    this.#out.emit(RowKind.INSERT, side === LEFT ? row.concat(this.#rightNulls) : this.#leftNulls.concat(row));
  }
}

/** The slot of a timer key without its key group. */
function slotIndexOf(tk: Uint8Array): number {
  return Math.floor(timeOfKey(tk) / SLOT);
}

// ---------------------------------------------------------------------------
// Recognising an interval join in a plan node.

export interface IntervalBounds {
  /** Index of the time column in the left row / in the right row. */
  readonly leftTime: number;
  readonly rightTime: number;
  /** right.time + lower <= left.time <= right.time + upper (µs). */
  readonly lower: number;
  readonly upper: number;
}

/** A time column plus a constant day-time interval: `col`, `col + INTERVAL ...`, `col - INTERVAL ...`. */
interface TimeTerm {
  readonly index: number;
  readonly offset: number;
  readonly kind: 'TIMESTAMP' | 'TIMESTAMP_LTZ';
}

function timeTerm(e: BoundExpr): TimeTerm | undefined {
  switch (e.kind) {
    case 'column':
      return e.type.kind === 'TIMESTAMP' || e.type.kind === 'TIMESTAMP_LTZ' ? { index: e.index, offset: 0, kind: e.type.kind } : undefined;
    case 'cast': {
      // Only casts that keep the value: same kind, no loss of precision.
      const inner = timeTerm(e.operand);
      const from = e.operand.type;
      const to = e.type;
      if (inner === undefined || from.kind !== to.kind || (to.kind !== 'TIMESTAMP' && to.kind !== 'TIMESTAMP_LTZ')) return undefined;
      return from.kind === to.kind && 'precision' in from && to.precision >= from.precision ? inner : undefined;
    }
    case 'call': {
      if ((e.name !== '+' && e.name !== '-') || e.args.length !== 2) return undefined;
      const [a, b] = e.args as [BoundExpr, BoundExpr];
      const ia = intervalLiteral(b);
      if (ia !== undefined) {
        const t = timeTerm(a);
        return t === undefined ? undefined : { ...t, offset: t.offset + (e.name === '+' ? ia : -ia) };
      }
      const ib = intervalLiteral(a);
      if (ib !== undefined && e.name === '+') {
        const t = timeTerm(b);
        return t === undefined ? undefined : { ...t, offset: t.offset + ib };
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

function intervalLiteral(e: BoundExpr): number | undefined {
  return e.kind === 'literal' && e.type.kind === 'INTERVAL_DAY_TIME' && typeof e.value === 'number' ? e.value : undefined;
}

function conjuncts(e: BoundExpr | undefined, out: BoundExpr[]): BoundExpr[] {
  if (e === undefined) return out;
  if (e.kind === 'and') for (const a of e.args) conjuncts(a, out);
  else out.push(e);
  return out;
}

const FLIP: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

/**
 * The time bounds of an interval join, from the join's condition: conjuncts
 * comparing a left time column with a right time column plus or minus a
 * constant day-time interval (`<`, `<=`, `>`, `>=`; BETWEEN binds to two such
 * conjuncts), or an equi-key equating them. Both a lower and an upper bound
 * on the same pair of columns are needed; undefined otherwise. The bounds
 * only narrow the candidates: the whole condition is still evaluated.
 */
export function intervalJoinBounds(node: JoinNode): IntervalBounds | undefined {
  const leftWidth = node.left.schema.length;
  const found = new Map<string, { l: number; r: number; lower: number; upper: number }>();
  const order: string[] = [];
  const bound = (l: number, r: number, lower: number, upper: number) => {
    const id = `${l}:${r}`;
    let b = found.get(id);
    if (b === undefined) {
      b = { l, r, lower: -Infinity, upper: Infinity };
      found.set(id, b);
      order.push(id);
    }
    b.lower = Math.max(b.lower, lower);
    b.upper = Math.min(b.upper, upper);
  };
  for (const k of node.equiKeys) {
    const a = timeTerm(k.left);
    const b = timeTerm(k.right);
    // l + a = r + b  <=>  l = r + (b - a)
    if (a !== undefined && b !== undefined && a.kind === b.kind) bound(a.index, b.index, b.offset - a.offset, b.offset - a.offset);
  }
  for (const c of conjuncts(node.condition, [])) {
    if (c.kind !== 'call' || c.args.length !== 2 || FLIP[c.name] === undefined) continue;
    let a = timeTerm(c.args[0]!);
    let b = timeTerm(c.args[1]!);
    if (a === undefined || b === undefined || a.kind !== b.kind) continue;
    let op = c.name;
    if (a.index >= leftWidth && b.index < leftWidth) {
      [a, b] = [b, a];
      op = FLIP[op]!;
    }
    if (a.index >= leftWidth || b.index < leftWidth) continue;
    // l + a.offset OP r + b.offset  <=>  l OP r + d; times are whole µs, so strict bounds move by one.
    const d = b.offset - a.offset;
    const r = b.index - leftWidth;
    if (op === '>=') bound(a.index, r, d, Infinity);
    else if (op === '>') bound(a.index, r, d + 1, Infinity);
    else if (op === '<=') bound(a.index, r, -Infinity, d);
    else bound(a.index, r, -Infinity, d - 1);
  }
  for (const id of order) {
    const b = found.get(id)!;
    if (Number.isFinite(b.lower) && Number.isFinite(b.upper)) return { leftTime: b.l, rightTime: b.r, lower: b.lower, upper: b.upper };
  }
  return undefined;
}

/**
 * Whether column `index` of `plan` is an event-time attribute: traced through
 * filters and column projections to a scan whose WATERMARK expression reads
 * that column and no other (`WATERMARK FOR ts AS ts - INTERVAL ...`). Rows of
 * other columns are not ordered by the watermark, so the interval join must
 * not drop or expire by them.
 */
export function isRowtime(plan: LogicalPlan, index: number): boolean {
  switch (plan.kind) {
    case 'filter':
      return isRowtime(plan.input, index);
    case 'project': {
      const e = plan.exprs[index];
      return e !== undefined && e.kind === 'column' && isRowtime(plan.input, e.index);
    }
    case 'scan': {
      const physical = plan.columns[index];
      if (plan.watermark === undefined || physical === undefined) return false;
      const cols = columnsOf(plan.watermark);
      return cols.size === 1 && cols.has(physical);
    }
    default:
      return false;
  }
}

/**
 * The interval join of a plan node, or undefined when the node is not one:
 * an INNER / LEFT / RIGHT / FULL join of two append-only inputs, at least one
 * of them endless, whose condition bounds the two sides' event-time attributes
 * (see `intervalJoinBounds`, `isRowtime`). The caller falls back to the
 * regular join, which gives the same rows but keeps its state.
 */
export function intervalJoinOf(
  node: JoinNode,
  env: ExecEnv,
  reading: StoredReading = 'snapshot',
  state: StateProvider = memoryStateProvider,
): IntervalJoin | undefined {
  const joinType = node.joinType;
  if (joinType === 'SEMI' || joinType === 'ANTI') return undefined;
  if (changelogMode(node.left, reading) !== 'insert-only' || changelogMode(node.right, reading) !== 'insert-only') return undefined;
  if (!isUnbounded(node.left, reading) && !isUnbounded(node.right, reading)) return undefined;
  const bounds = intervalJoinBounds(node);
  if (bounds === undefined || !isRowtime(node.left, bounds.leftTime) || !isRowtime(node.right, bounds.rightTime)) return undefined;
  const keyTypes = node.equiKeys.map((k) => k.left.type);
  const rightKeys = node.equiKeys.map((k): BoundExpr =>
    typesEqual(k.left.type, k.right.type) ? k.right : { kind: 'cast', type: k.left.type, operand: k.right, try: false },
  );
  const leftTime = bounds.leftTime;
  const rightTime = bounds.rightTime;
  return new IntervalJoin(
    {
      joinType,
      leftKeys: node.equiKeys.map((k) => compileExpr(k.left, env)),
      rightKeys: rightKeys.map((e) => compileExpr(e, env)),
      keyTypes,
      leftTime: (row) => row[leftTime] ?? null,
      rightTime: (row) => row[rightTime] ?? null,
      lower: bounds.lower,
      upper: bounds.upper,
      condition: node.condition === undefined ? undefined : compileExpr(node.condition, env),
      leftWidth: node.left.schema.length,
      rightWidth: node.right.schema.length,
    },
    intervalJoinStateTables(state),
  );
}
