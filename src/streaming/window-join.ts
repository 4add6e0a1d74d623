/**
 * Window join (Flink's window-join.md): INNER / LEFT / RIGHT / FULL / SEMI /
 * ANTI join of two windowed relations on equal window_start and window_end
 * (and further keys), recognised by src/planner/window-join.ts. Input 0 is the
 * left side, input 1 the right side; output rows are the left columns followed
 * by the right columns (SEMI / ANTI: the left columns alone). Each window's
 * rows are joined once, when the watermark passes the window
 * (fireTime(window_end) = window_time <= watermark, as the window aggregate
 * fires), and the window's state is freed: the output is append-only.
 *
 * Key groups (key-groups.ts, ARCHITECTURE decision 8): a row's key group is
 * that of its equi key besides the window (key-codec encoding of the left
 * key types; right keys are cast to them, so equal keys share a group; a join
 * on the window alone keeps everything in the group of the empty key).
 *
 * State: one table (role `windows`), key = key group ++ key-codec encoding of
 * (window_end, window_start), so a scan of a key group from its start meets
 * its windows in firing order; value = the window's end and start and the
 * key group's rows of each side in arrival order, each with its arrival
 * number. A chunk looks each (key group, window) it touches up once and puts
 * it back once, at the end of the chunk. An instance reads and writes only
 * its own key groups; a window fires over all of them at once, their rows
 * merged back into arrival order, so the output is that of one table per
 * window. Arrival numbers count on from the largest in the owned key groups
 * after a restore.
 *
 * Rule per row kind:
 * - +I / +U: the row joins its window's side, unless the window has fired
 *   (then it is late: dropped and counted in `lateRows`). Rows whose
 *   window_start or window_end is NULL belong to no window and are ignored.
 * - -U / -D: an equal row leaves its window's side (the last equal one); for a
 *   fired window the retraction is late (dropped, counted). Retracting a row
 *   an open window does not hold is a broken changelog (internal error).
 *   The halves of an update pair are handled one by one: when its window
 *   changes, the old window loses the row and the new one gains it; when one
 *   of the two windows has fired, only that half is late.
 * - watermark(wm): every fired window joins its sides: for each left row in
 *   arrival order, +I (left, right) for every right row (in arrival order)
 *   with equal keys (SQL `=`: a NULL key part matches nothing) for which the
 *   residual condition is TRUE; an unmatched left row of LEFT / FULL emits
 *   +I (left, NULLs); then every unmatched right row of RIGHT / FULL emits
 *   +I (NULLs, right). SEMI emits +I left for each left row (in arrival
 *   order, duplicates each) that has at least one such right row, ANTI for
 *   each that has none (a NULL key part: none). The window is deleted. The
 *   final watermark fires every window left.
 * - push emits nothing. Output is insert-only; the watermark passes unchanged
 *   (a window's rows go out before the watermark that fired it).
 *
 * At firing the right rows are indexed by their key values (nested Maps, one
 * level per key; values whose JavaScript identity is SQL equality are Map
 * keys as they are, others their key encoding).
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { typesEqual } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import type { JoinNode } from '../planner/logical-plan.ts';
import { windowJoinOf } from '../planner/window-join.ts';
import { InternalError } from '../errors.ts';
import { encodeKey } from '../values/key-codec.ts';
import { bytesKey, keyedByValue } from '../values/map-key.ts';
import { rowsEqual } from '../values/compare.ts';
import { decodeStateValue, encodeStateValue, type StateCodec, type StateValue } from '../state/state-codec.ts';
import { ChangelogBuilder, isAddition, kindAt } from './changelog.ts';
import { memoryStateProvider, stateArray, stateNumber, stateRow, type StateProvider } from './state-provider.ts';
import type { StateTable } from './state-table.ts';
import { inKeyGroup, KEY_GROUPS, keyGroupOf, keyGroupRange, type KeyGroupRange } from './key-groups.ts';
import type { KeyedOperator } from './parallel-operator.ts';
import { ownedKeyGroups } from './state-provider.ts';
import { windowFireTime } from './window-assign-stream.ts';

export interface WindowJoinSpec {
  readonly joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'SEMI' | 'ANTI';
  /** window_start / window_end columns of a left row and of a right row. */
  readonly leftStart: number;
  readonly leftEnd: number;
  readonly rightStart: number;
  readonly rightEnd: number;
  /** Types of window_start and window_end (the state key). */
  readonly windowTypes: readonly [SqlType, SqlType];
  /** The join keys besides the window (right keys cast to the left keys' types). */
  readonly leftKeys: readonly EvalFn[];
  readonly rightKeys: readonly EvalFn[];
  readonly keyTypes: readonly SqlType[];
  /** Residual predicate over left ++ right columns, or undefined. */
  readonly condition: EvalFn | undefined;
  /** Column types of each side (row equality for retractions; widths for padding). */
  readonly leftTypes: readonly SqlType[];
  readonly rightTypes: readonly SqlType[];
  /** window_time of a window_end value, in watermark time (window-assign-stream.ts `windowFireTime`). */
  readonly fireTime: (windowEnd: number) => number;
}

/** One open window of one key group (or, at firing, of all owned ones): its bounds and each side's rows in arrival order, with their arrival numbers. */
export interface WindowJoinWindow {
  readonly end: number;
  readonly start: number;
  readonly left: Row[];
  readonly right: Row[];
  readonly leftSeq: number[];
  readonly rightSeq: number[];
}

/** A window at a checkpoint: [end, start, left rows, right rows, left arrival numbers, right arrival numbers]. */
export const windowJoinCodec: StateCodec<WindowJoinWindow> = {
  encode: (w) => encodeStateValue([w.end, w.start, w.left as StateValue, w.right as StateValue, w.leftSeq, w.rightSeq]),
  decode: (bytes) => {
    const [end, start, left, right, leftSeq, rightSeq] = stateArray(decodeStateValue(bytes), 'window join window', 6);
    const rows = (v: StateValue | undefined): Row[] => stateArray(v, 'window join rows').map((r) => stateRow(r, 'window join row'));
    const seqs = (v: StateValue | undefined, n: number): number[] => stateArray(v, 'window join arrival numbers', n).map((x) => stateNumber(x, 'window join arrival number'));
    const l = rows(left);
    const r = rows(right);
    return { end: stateNumber(end, 'window join end'), start: stateNumber(start, 'window join start'), left: l, right: r, leftSeq: seqs(leftSeq, l.length), rightSeq: seqs(rightSeq, r.length) };
  },
};

/** A (key group, window) a chunk touched: its state key and value. */
interface Touched {
  readonly key: Uint8Array;
  readonly window: WindowJoinWindow;
}

/** The (key group, window) entries of one window a chunk touched, by key group. */
interface TouchedWindow {
  readonly start: number;
  readonly byGroup: (Touched | undefined)[];
  readonly list: Touched[];
}

const LEFT = 0;
const RIGHT = 1;

/** A nested key index level: level key -> next level, or -> right row positions at the last level. */
type KeyIndex = Map<Value, KeyIndex | number[]>;

export class WindowJoin implements KeyedOperator {
  readonly #spec: WindowJoinSpec;
  readonly #windows: StateTable<WindowJoinWindow>;
  readonly #keyGroups: KeyGroupRange;
  /** The arrival number of the next row; null until the owned state was looked at (after a restore it counts on from there). */
  #seq: number | null = null;
  readonly #outer: readonly [boolean, boolean];
  /** SEMI / ANTI: emit each left row alone, when it has a match (true: SEMI) or has none (false: ANTI). */
  readonly #emitMatched: boolean | undefined;
  readonly #byValue: readonly boolean[];
  readonly #leftNulls: Row;
  readonly #rightNulls: Row;
  /** (Key group, window) entries touched by the current chunk, by end (then start and key group); put back after it. */
  readonly #touched = new Map<number, TouchedWindow[]>();
  /** The (key group, window) of the previous row of the chunk, and its key group. */
  #last: WindowJoinWindow | undefined = undefined;
  #lastGroup = -1;
  readonly #windowScratch: Value[] = [null, null];
  readonly #levelScratch: Value[] = [null];
  readonly #keyScratch: Value[];
  readonly #out = new ChangelogBuilder();
  #wm = -Infinity;
  #late = 0;

  constructor(spec: WindowJoinSpec, state: StateProvider = memoryStateProvider) {
    if (spec.leftKeys.length !== spec.rightKeys.length || spec.leftKeys.length !== spec.keyTypes.length) {
      throw new InternalError('window join: key lists differ in length');
    }
    this.#spec = spec;
    this.#windows = state.table('windows', windowJoinCodec);
    this.#keyGroups = ownedKeyGroups(state);
    const t = spec.joinType;
    this.#outer = [t === 'LEFT' || t === 'FULL', t === 'RIGHT' || t === 'FULL'];
    this.#emitMatched = t === 'SEMI' ? true : t === 'ANTI' ? false : undefined;
    this.#byValue = spec.keyTypes.map(keyedByValue);
    this.#leftNulls = new Array<Value>(spec.leftTypes.length).fill(null);
    this.#rightNulls = new Array<Value>(spec.rightTypes.length).fill(null);
    this.#keyScratch = new Array<Value>(spec.keyTypes.length).fill(null);
  }

  /** Rows (and retractions) dropped because their window had fired. */
  get lateRows(): number {
    return this.#late;
  }

  /** Rows held in state, both sides (for tests: it scans the owned key groups). */
  get stateSize(): number {
    let n = 0;
    for (let g = this.#keyGroups.first; g <= this.#keyGroups.last; g++) for (const [, w] of this.#windows.scan(keyGroupRange(g))) n += w.left.length + w.right.length;
    return n;
  }

  /** The key group of a row of `input`: that of its equi key besides the window (in the left key types). */
  keyGroupOf(input: number, row: Row): number {
    const keys = input === LEFT ? this.#spec.leftKeys : this.#spec.rightKeys;
    const values = this.#keyScratch;
    for (let k = 0; k < keys.length; k++) values[k] = keys[k]!(row);
    return keyGroupOf(encodeKey(values, this.#spec.keyTypes));
  }

  /** The next arrival number (the first call after a restore finds the largest one in the owned key groups). */
  #nextSeq(): number {
    if (this.#seq === null) {
      let max = -1;
      for (let g = this.#keyGroups.first; g <= this.#keyGroups.last; g++) {
        for (const [, w] of this.#windows.scan(keyGroupRange(g))) {
          for (const x of w.leftSeq) if (x > max) max = x;
          for (const x of w.rightSeq) if (x > max) max = x;
        }
      }
      this.#seq = max + 1;
    }
    return this.#seq++;
  }

  push(input: number, chunk: Chunk): Chunk[] {
    if (input !== LEFT && input !== RIGHT) throw new InternalError(`window join has two inputs, got input ${input}`);
    const spec = this.#spec;
    const startCol = input === LEFT ? spec.leftStart : spec.rightStart;
    const endCol = input === LEFT ? spec.leftEnd : spec.rightEnd;
    const rows = chunk.rows;
    try {
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        const end = row[endCol];
        const start = row[startCol];
        if (typeof end !== 'number' || typeof start !== 'number') continue;
        if (spec.fireTime(end) <= this.#wm) {
          this.#late++;
          continue;
        }
        const w = this.#window(end, start, this.keyGroupOf(input, row));
        const side = input === LEFT ? w.left : w.right;
        const seqs = input === LEFT ? w.leftSeq : w.rightSeq;
        if (isAddition(kindAt(chunk, i))) {
          side.push(row);
          seqs.push(this.#nextSeq());
        } else this.#retract(input, side, seqs, row);
      }
      for (const windows of this.#touched.values()) {
        for (const { list } of windows) {
          for (const { key, window } of list) {
            if (window.left.length === 0 && window.right.length === 0) this.#windows.delete(key);
            else this.#windows.put(key, window);
          }
        }
      }
    } finally {
      this.#touched.clear();
      this.#last = undefined;
    }
    return [];
  }

  watermark(wm: number): Chunk[] {
    if (wm <= this.#wm) return [];
    this.#wm = wm;
    const fire = this.#spec.fireTime;
    const due: [Uint8Array, WindowJoinWindow][] = [];
    for (let g = this.#keyGroups.first; g <= this.#keyGroups.last; g++) {
      for (const entry of this.#windows.scan(keyGroupRange(g))) {
        if (fire(entry[1].end) > wm) break;
        due.push(entry);
      }
    }
    if (due.length === 0) return [];
    // Window by window in firing order (key groups in order within one).
    due.sort((a, b) => a[1].end - b[1].end || a[1].start - b[1].start || a[0][0]! - b[0][0]!);
    try {
      for (let i = 0; i < due.length; ) {
        let j = i + 1;
        while (j < due.length && due[j]![1].end === due[i]![1].end && due[j]![1].start === due[i]![1].start) j++;
        this.#join(j === i + 1 ? due[i]![1] : merged(due.slice(i, j).map((e) => e[1])));
        for (let k = i; k < j; k++) this.#windows.delete(due[k]![0]);
        i = j;
      }
    } catch (err) {
      this.#out.discard();
      throw err;
    }
    return this.#out.take();
  }

  /** Key group `kg`'s part of the open window (end, start), from this chunk's touched entries or the state (created when absent). */
  #window(end: number, start: number, kg: number): WindowJoinWindow {
    const last = this.#last;
    if (last !== undefined && last.end === end && last.start === start && this.#lastGroup === kg) return last;
    let windows = this.#touched.get(end);
    if (windows === undefined) {
      windows = [];
      this.#touched.set(end, windows);
    }
    let touched: TouchedWindow | undefined;
    for (let j = 0; j < windows.length; j++) {
      if (windows[j]!.start === start) {
        touched = windows[j]!;
        break;
      }
    }
    if (touched === undefined) {
      touched = { start, byGroup: new Array<Touched | undefined>(KEY_GROUPS).fill(undefined), list: [] };
      windows.push(touched);
    }
    this.#lastGroup = kg;
    const known = touched.byGroup[kg];
    if (known !== undefined) return (this.#last = known.window);
    const scratch = this.#windowScratch;
    scratch[0] = end;
    scratch[1] = start;
    const key = inKeyGroup(kg, encodeKey(scratch, this.#spec.windowTypes));
    const window = this.#windows.get(key) ?? { end, start, left: [], right: [], leftSeq: [], rightSeq: [] };
    const entry: Touched = { key, window };
    touched.byGroup[kg] = entry;
    touched.list.push(entry);
    return (this.#last = window);
  }

  #retract(input: number, side: Row[], seqs: number[], row: Row): void {
    const types = input === LEFT ? this.#spec.leftTypes : this.#spec.rightTypes;
    for (let j = side.length - 1; j >= 0; j--) {
      if (rowsEqual(side[j]!, row, types)) {
        side.splice(j, 1);
        seqs.splice(j, 1);
        return;
      }
    }
    throw new InternalError('window join: retraction of a row its window does not hold');
  }

  /** Joins the sides of a fired window, emitting its output rows. */
  #join(w: WindowJoinWindow): void {
    const { left, right } = w;
    const { condition, leftKeys } = this.#spec;
    const [outerLeft, outerRight] = this.#outer;
    const emitMatched = this.#emitMatched;
    const matched = outerRight && right.length > 0 ? new Uint8Array(right.length) : undefined;
    const index = left.length > 0 && right.length > 0 ? this.#index(right) : undefined;
    const keys = this.#keyScratch;
    for (let i = 0; i < left.length; i++) {
      const l = left[i]!;
      let any = false;
      if (index !== undefined) {
        let candidates: readonly number[] | undefined;
        if (leftKeys.length === 0) candidates = undefined;
        else {
          let nullKey = false;
          for (let k = 0; k < leftKeys.length; k++) {
            const v = leftKeys[k]!(l);
            keys[k] = v;
            if (v === null) nullKey = true;
          }
          candidates = nullKey ? EMPTY : (this.#lookup(index, keys) ?? EMPTY);
        }
        const n = candidates === undefined ? right.length : candidates.length;
        if (emitMatched !== undefined && condition === undefined) any = n > 0;
        else {
          for (let c = 0; c < n; c++) {
            const j = candidates === undefined ? c : candidates[c]!;
            const joined = l.concat(right[j]!);
            if (condition !== undefined && condition(joined) !== true) continue;
            any = true;
            if (emitMatched !== undefined) break;
            this.#out.emit(RowKind.INSERT, joined);
            if (matched !== undefined) matched[j] = 1;
          }
        }
      }
      if (emitMatched !== undefined) {
        if (any === emitMatched) this.#out.emit(RowKind.INSERT, l);
      } else if (!any && outerLeft) this.#out.emit(RowKind.INSERT, l.concat(this.#rightNulls));
    }
    if (outerRight) {
      for (let j = 0; j < right.length; j++) if (matched === undefined || matched[j] === 0) this.#out.emit(RowKind.INSERT, this.#leftNulls.concat(right[j]!));
    }
  }

  /** Right rows by key values (empty index without keys); rows with a NULL key part are left out. */
  #index(right: readonly Row[]): KeyIndex {
    const index: KeyIndex = new Map();
    const rightKeys = this.#spec.rightKeys;
    const nl = rightKeys.length;
    if (nl === 0) return index;
    rows: for (let j = 0; j < right.length; j++) {
      const row = right[j]!;
      let level = index;
      for (let l = 0; l < nl; l++) {
        const v = rightKeys[l]!(row);
        if (v === null) continue rows;
        const lk = this.#levelKey(l, v);
        if (l === nl - 1) {
          const at = level.get(lk) as number[] | undefined;
          if (at === undefined) level.set(lk, [j]);
          else at.push(j);
        } else {
          let next = level.get(lk) as KeyIndex | undefined;
          if (next === undefined) {
            next = new Map();
            level.set(lk, next);
          }
          level = next;
        }
      }
    }
    return index;
  }

  #lookup(index: KeyIndex, keys: readonly Value[]): readonly number[] | undefined {
    let level: KeyIndex | number[] | undefined = index;
    for (let l = 0; l < keys.length; l++) {
      level = (level as KeyIndex).get(this.#levelKey(l, keys[l]!));
      if (level === undefined) return undefined;
    }
    return level as number[];
  }

  /** The Map key of non-NULL key value `v` at level `l`: the value, or its encoding as a string. */
  #levelKey(l: number, v: Value): Value {
    if (this.#byValue[l]) return v;
    this.#levelScratch[0] = v;
    return bytesKey(encodeKey(this.#levelScratch, [this.#spec.keyTypes[l]!]));
  }
}

const EMPTY: readonly number[] = [];

/** The parts (one per key group) of one window as one: each side's rows in arrival order. */
function merged(parts: readonly WindowJoinWindow[]): WindowJoinWindow {
  const side = (rowsOf: (w: WindowJoinWindow) => Row[], seqsOf: (w: WindowJoinWindow) => number[]): [Row[], number[]] => {
    const all: [number, Row][] = [];
    for (const p of parts) {
      const rows = rowsOf(p);
      const seqs = seqsOf(p);
      for (let i = 0; i < rows.length; i++) all.push([seqs[i]!, rows[i]!]);
    }
    all.sort((a, b) => a[0] - b[0]);
    return [all.map((e) => e[1]), all.map((e) => e[0])];
  };
  const [left, leftSeq] = side((w) => w.left, (w) => w.leftSeq);
  const [right, rightSeq] = side((w) => w.right, (w) => w.rightSeq);
  return { end: parts[0]!.end, start: parts[0]!.start, left, right, leftSeq, rightSeq };
}

/**
 * The window join of a plan node (src/planner/window-join.ts `windowJoinOf`),
 * or undefined when the node is not one.
 */
export function windowJoinOperatorOf(node: JoinNode, env: ExecEnv, state: StateProvider = memoryStateProvider): WindowJoin | undefined {
  const shape = windowJoinOf(node);
  if (shape === undefined) return undefined;
  const rest = node.equiKeys.filter((_, k) => k !== shape.startKey && k !== shape.endKey);
  const rightKeys = rest.map((k): BoundExpr =>
    typesEqual(k.left.type, k.right.type) ? k.right : { kind: 'cast', type: k.left.type, operand: k.right, try: false },
  );
  const leftTypes = node.left.schema.map((c) => c.type);
  const startType = leftTypes[shape.leftStart];
  const endType = leftTypes[shape.leftEnd];
  if (startType === undefined || endType === undefined) throw new InternalError('window join: window column out of range');
  return new WindowJoin(
    {
      joinType: shape.joinType,
      leftStart: shape.leftStart,
      leftEnd: shape.leftEnd,
      rightStart: shape.rightStart,
      rightEnd: shape.rightEnd,
      windowTypes: [endType, startType],
      leftKeys: rest.map((k) => compileExpr(k.left, env)),
      rightKeys: rightKeys.map((e) => compileExpr(e, env)),
      keyTypes: rest.map((k) => k.left.type),
      condition: node.condition === undefined ? undefined : compileExpr(node.condition, env),
      leftTypes,
      rightTypes: node.right.schema.map((c) => c.type),
      fireTime: windowFireTime(shape.localTime ? env.ctx.timeZone : undefined),
    },
    state,
  );
}
