/**
 * OVER aggregation on a time attribute (Flink's over-agg.md): for every input
 * row, the row followed by the aggregates over its frame in its partition,
 *
 *   agg(x) OVER (PARTITION BY p ORDER BY t {ROWS | RANGE} BETWEEN ... PRECEDING AND CURRENT ROW)
 *
 * - RANGE BETWEEN d PRECEDING: the partition's rows with t' in [t - d, t];
 *   rows with equal times are peers: each sees all of them (d = Infinity:
 *   UNBOUNDED PRECEDING, every row with t' <= t);
 * - ROWS BETWEEN n PRECEDING: the row and the n rows before it in time order
 *   (equal times in arrival order).
 *
 * Event time (`eager` false): a row waits until the watermark passes its time,
 * then the partition's rows are processed in time order, so the result does not
 * depend on arrival order within the watermark's bound. Processing time
 * (`eager`): each chunk's rows are processed when they arrive (rows of one
 * chunk with equal times are peers). Output: append-only, one +I per input row.
 *
 * State (every key starts with its key group, key-groups.ts: the group of
 * the partition key, the key-codec encoding of the PARTITION BY values):
 * - `pending` (used by key only): key group, then key-codec (t, partition
 *   values) -> { t, rows in arrival order } (in processing time rows wait
 *   there only within one chunk; an entry whose rows were all retracted stays,
 *   empty, until its time comes);
 * - `waiting` (used by key only): key group alone -> the group's `pending`
 *   keys with their times;
 * - `partitions` (used by key only): key group, partition key -> {
 *   accumulators over the current frame, the frame's rows with their times
 *   (bounded frames only) }. Rows leave the frame by the accumulators'
 *   `remove`, or, for an aggregate that cannot retract, by recomputing the
 *   accumulators over the rows left.
 *
 * Parallel instances: rows are routed by their partition's key group; an
 * instance owns a range of key groups and touches only their keys. It reads
 * the `waiting` entries of its own groups at first use (a fresh operator, or
 * one restored from a checkpoint) and keeps their keys in memory in a queue
 * by (time, partition key): no table is ever scanned.
 *
 * Rule per row kind:
 * - +I, +U: a row whose time is NULL is dropped (it has no place in time
 *   order); a row whose time is <= the watermark is late: dropped and counted
 *   in `lateRows` (Flink drops late rows the same way); otherwise it waits in
 *   `pending` (processed at once when `eager`).
 * - -D, -U: a row still waiting is taken out of `pending` (a retraction of a
 *   waiting row that is not there is a broken changelog: internal error); a row
 *   already processed cannot be taken back from emitted results (Flink refuses
 *   retracting input to OVER): the retraction is dropped and counted as late.
 * - watermark(wm): every waiting (t, partition) with t <= wm, in t order
 *   (then partition key order, over all owned key groups), joins its
 *   partition's frame and emits its rows.
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import type { PersistentAccumulator } from '../compiler/exec-context.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import { InternalError, SqlError, SqlState } from '../errors.ts';
import { aggregateArgument, firstArgument } from '../operators/hash-aggregate.ts';
import { isOverAggregate, type OverAggregation } from '../planner/over-aggregation.ts';
import { rowsEqual } from '../values/compare.ts';
import { encodeKey, numberKeyWidth } from '../values/key-codec.ts';
import { decodeStateValue, encodeStateValue, type StateCodec, type StateValue } from '../state/state-codec.ts';
import { ChangelogBuilder, isAddition, kindAt } from './changelog.ts';
import { incrementalAccumulatorFactory, loadAccumulators, saveAccumulators, soleColumn } from './group-accumulation.ts';
import type { IncrementalAggregateCall } from './incremental-aggregate.ts';
import { inKeyGroup, KEY_GROUPS, keyGroupOf, type KeyGroupRange } from './key-groups.ts';
import type { KeyedOperator } from './parallel-operator.ts';
import { memoryStateProvider, ownedKeyGroups, stateArray, stateNumber, stateRow, type StateProvider } from './state-provider.ts';
import type { StateTable } from './state-table.ts';

export interface OverAggregateSpec {
  readonly partition: readonly EvalFn[];
  readonly partitionTypes: readonly SqlType[];
  /** The ORDER BY time attribute's column in the input (µs values). */
  readonly timeColumn: number;
  readonly timeType: SqlType;
  readonly units: 'ROWS' | 'RANGE';
  /** Rows (ROWS) or µs (RANGE) the frame reaches back; Infinity: UNBOUNDED PRECEDING. */
  readonly preceding: number;
  readonly calls: readonly IncrementalAggregateCall[];
  /** Input column types (a retraction finds its waiting row by equality). */
  readonly types: readonly SqlType[];
  /** Processing time: rows are processed as they arrive instead of by watermark. */
  readonly eager: boolean;
}

/** Rows of one partition with one time, waiting for the watermark. */
export interface PendingRows {
  readonly time: number;
  readonly rows: Row[];
}

/** A row of a bounded frame and its time. */
export interface FrameRow {
  readonly time: number;
  readonly row: Row;
}

/** A partition: accumulators over its current frame, and the frame's rows (oldest first, from `head`). */
export interface OverPartition {
  accs: PersistentAccumulator[];
  readonly frame: FrameRow[];
  head: number;
}

/** Waiting rows at a checkpoint: [time, rows]. */
export const pendingRowsCodec: StateCodec<PendingRows> = {
  encode: (p) => encodeStateValue([p.time, p.rows]),
  decode: (bytes) => {
    const [time, rows] = stateArray(decodeStateValue(bytes), 'over aggregate pending rows', 2);
    return { time: stateNumber(time, 'over aggregate time'), rows: stateArray(rows, 'over aggregate rows').map((r) => stateRow(r, 'over aggregate row')) };
  },
};

/** A key group's pending keys (the same key objects the operator queues) and their times. */
export type WaitingKeys = Map<Uint8Array, number>;

/** Waiting keys at a checkpoint: [key, time]... */
export const waitingKeysCodec: StateCodec<WaitingKeys> = {
  encode: (w) => {
    const out: StateValue[] = [];
    for (const [key, time] of w) out.push([key, time]);
    return encodeStateValue(out);
  },
  decode: (bytes) => {
    const out: WaitingKeys = new Map();
    for (const saved of stateArray(decodeStateValue(bytes), 'over aggregate waiting keys')) {
      const [key, time] = stateArray(saved, 'over aggregate waiting key', 2);
      if (!(key instanceof Uint8Array)) throw new InternalError('state: malformed over aggregate waiting key');
      out.set(key, stateNumber(time, 'over aggregate waiting time'));
    }
    return out;
  },
};

/** A pending key in the firing queue. */
interface QueuedKey {
  readonly time: number;
  readonly key: Uint8Array;
}

/** Firing order: by time, then by the key after its key group (time, partition key). */
function queuedBefore(a: QueuedKey, b: QueuedKey): boolean {
  if (a.time !== b.time) return a.time < b.time;
  const x = a.key;
  const y = b.key;
  const n = x.length < y.length ? x.length : y.length;
  for (let i = 1; i < n; i++) if (x[i] !== y[i]) return x[i]! < y[i]!;
  return x.length < y.length;
}

/** A binary min-heap of pending keys in firing order. */
class FiringQueue {
  readonly #heap: QueuedKey[] = [];

  get size(): number {
    return this.#heap.length;
  }

  peek(): QueuedKey | undefined {
    return this.#heap[0];
  }

  push(q: QueuedKey): void {
    const heap = this.#heap;
    let i = heap.length;
    heap.push(q);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!queuedBefore(q, heap[parent]!)) break;
      heap[i] = heap[parent]!;
      i = parent;
    }
    heap[i] = q;
  }

  pop(): QueuedKey {
    const heap = this.#heap;
    const top = heap[0]!;
    const last = heap.pop()!;
    const n = heap.length;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && queuedBefore(heap[r]!, heap[l]!) ? r : l;
      if (!queuedBefore(heap[c]!, last)) break;
      heap[i] = heap[c]!;
      i = c;
    }
    heap[i] = last;
    return top;
  }
}

/** A partition at a checkpoint: [accumulator states, [time, row]... of the frame]. */
export function overPartitionCodec(calls: readonly IncrementalAggregateCall[]): StateCodec<OverPartition> {
  return {
    encode: (p) => {
      const frame: StateValue[] = [];
      for (let i = p.head; i < p.frame.length; i++) frame.push([p.frame[i]!.time, p.frame[i]!.row]);
      return encodeStateValue([saveAccumulators(p.accs), frame]);
    },
    decode: (bytes) => {
      const [accs, frame] = stateArray(decodeStateValue(bytes), 'over aggregate partition', 2);
      return {
        accs: loadAccumulators(calls, accs),
        frame: stateArray(frame, 'over aggregate frame').map((f): FrameRow => {
          const [time, row] = stateArray(f, 'over aggregate frame row', 2);
          return { time: stateNumber(time, 'over aggregate frame time'), row: stateRow(row, 'over aggregate frame row') };
        }),
        head: 0,
      };
    },
  };
}

export class OverAggregate implements KeyedOperator {
  readonly #spec: OverAggregateSpec;
  readonly #pending: StateTable<PendingRows>;
  readonly #partitions: StateTable<OverPartition>;
  readonly #keyGroups: KeyGroupRange;
  readonly #waiting: StateTable<WaitingKeys>;
  /** The waiting keys of the owned key groups (by key group), once read. */
  readonly #waitingOf: (WaitingKeys | undefined)[] = new Array<WaitingKeys | undefined>(KEY_GROUPS).fill(undefined);
  readonly #groupKey = new Uint8Array(1);
  /** The owned groups' pending keys in firing order. */
  readonly #queue = new FiringQueue();
  #loaded = false;
  /** Bytes of the time at the start of a pending key without its group; the partition key follows. */
  readonly #timeWidth: number;
  readonly #out = new ChangelogBuilder();
  readonly #pendingScratch: Value[];
  readonly #pendingTypes: readonly SqlType[];
  readonly #partScratch: Value[];
  /** Every call's accumulator can take a row back; else bounded frames recompute. */
  readonly #retracts: boolean;
  /** Whether the frame keeps its rows (a bounded start). */
  readonly #bounded: boolean;
  readonly #results: Value[];
  #watermark = Number.NEGATIVE_INFINITY;
  #late = 0;

  constructor(spec: OverAggregateSpec, state: StateProvider = memoryStateProvider) {
    this.#spec = spec;
    this.#pending = state.table('pending', pendingRowsCodec, { pointOnly: true });
    this.#waiting = state.table('waiting', waitingKeysCodec, { pointOnly: true });
    this.#partitions = state.table('partitions', overPartitionCodec(spec.calls), { pointOnly: true });
    this.#keyGroups = ownedKeyGroups(state);
    this.#timeWidth = numberKeyWidth(spec.timeType);
    this.#pendingScratch = new Array<Value>(spec.partition.length + 1).fill(null);
    this.#pendingTypes = [spec.timeType, ...spec.partitionTypes];
    this.#partScratch = new Array<Value>(spec.partition.length).fill(null);
    this.#retracts = spec.calls.every((c) => c.factory().remove !== undefined);
    this.#bounded = spec.preceding !== Infinity;
    this.#results = new Array<Value>(spec.calls.length).fill(null);
  }

  /** Rows dropped because the watermark had passed their time, and retractions of rows already processed. */
  get lateRows(): number {
    return this.#late;
  }

  keyGroupOf(_input: number, row: Row): number {
    return keyGroupOf(this.#partitionKey(row));
  }

  push(_input: number, chunk: Chunk): Chunk[] {
    try {
      const rows = chunk.rows;
      const tc = this.#spec.timeColumn;
      for (let i = 0; i < rows.length; i++) {
        const row = rows[i]!;
        const t = row[tc] ?? null;
        if (t === null) continue;
        const time = t as number;
        const add = isAddition(kindAt(chunk, i));
        if (time <= this.#watermark && !this.#spec.eager) {
          this.#late++;
          continue;
        }
        if (add) this.#wait(time, row);
        else if (!this.#unwait(time, row)) {
          if (!this.#spec.eager) throw new InternalError('over aggregate: retraction of a row it does not hold (broken changelog)');
          this.#late++;
        }
      }
      if (this.#spec.eager) this.#fire(Number.POSITIVE_INFINITY);
      return this.#out.take();
    } catch (err) {
      this.#out.discard();
      throw err;
    }
  }

  watermark(wm: number): Chunk[] {
    if (wm <= this.#watermark) return [];
    this.#watermark = wm;
    try {
      this.#fire(wm);
      return this.#out.take();
    } catch (err) {
      this.#out.discard();
      throw err;
    }
  }

  /** The pending key of `row` at `time`: key group, time, partition values. */
  #pendingKey(time: number, row: Row): Uint8Array {
    const s = this.#pendingScratch;
    const p = this.#spec.partition;
    s[0] = time;
    for (let i = 0; i < p.length; i++) s[i + 1] = p[i]!(row);
    const key = encodeKey(s, this.#pendingTypes);
    const kg = keyGroupOf(key.subarray(this.#timeWidth));
    if (kg < this.#keyGroups.first || kg > this.#keyGroups.last) {
      throw new InternalError(`over aggregate instance owning key groups ${this.#keyGroups.first}..${this.#keyGroups.last} received a row of key group ${kg}`);
    }
    return inKeyGroup(kg, key);
  }

  #wait(time: number, row: Row): void {
    if (!this.#loaded) this.#load();
    const key = this.#pendingKey(time, row);
    const p = this.#pending.get(key);
    if (p === undefined) {
      this.#pending.put(key, { time, rows: [row] });
      const g = key[0]!;
      let waiting = this.#waitingOf[g];
      if (waiting === undefined) {
        waiting = new Map();
        this.#waitingOf[g] = waiting;
      }
      waiting.set(key, time);
      this.#groupKey[0] = g;
      this.#waiting.put(this.#groupKey, waiting);
      this.#queue.push({ time, key });
      return;
    }
    p.rows.push(row);
    this.#pending.put(key, p);
  }

  /** Takes a waiting row back out; false when no equal row waits. */
  #unwait(time: number, row: Row): boolean {
    const key = this.#pendingKey(time, row);
    const p = this.#pending.get(key);
    if (p === undefined) return false;
    for (let i = p.rows.length - 1; i >= 0; i--) {
      if (!rowsEqual(p.rows[i]!, row, this.#spec.types)) continue;
      p.rows.splice(i, 1);
      this.#pending.put(key, p);
      return true;
    }
    return false;
  }

  /**
   * Processes every waiting group of rows with time <= `upTo`, in time order
   * (then by partition key) over all owned key groups.
   */
  #fire(upTo: number): void {
    if (!this.#loaded) this.#load();
    const queue = this.#queue;
    const pending = this.#pending;
    const waitingOf = this.#waitingOf;
    const changed: number[] = [];
    while (queue.size > 0 && queue.peek()!.time <= upTo) {
      const { key } = queue.pop();
      const p = pending.get(key);
      if (p === undefined) throw new InternalError('over aggregate: a queued pending key is missing from its state');
      pending.delete(key);
      const g = key[0]!;
      const waiting = waitingOf[g]!;
      if (waiting.delete(key) && waiting.size === 0) waitingOf[g] = undefined;
      if (changed.length === 0 || changed[changed.length - 1] !== g) changed.push(g);
      if (p.rows.length > 0) this.#process(key, p);
    }
    for (const g of changed) {
      this.#groupKey[0] = g;
      const waiting = waitingOf[g];
      if (waiting === undefined) this.#waiting.delete(this.#groupKey);
      else this.#waiting.put(this.#groupKey, waiting);
    }
  }

  /** Reads the waiting keys of the owned key groups (what a restored table holds) into the queue. */
  #load(): void {
    this.#loaded = true;
    for (let g = this.#keyGroups.first; g <= this.#keyGroups.last; g++) {
      this.#groupKey[0] = g;
      const waiting = this.#waiting.get(this.#groupKey);
      this.#waitingOf[g] = waiting;
      if (waiting !== undefined) for (const [key, time] of waiting) this.#queue.push({ time, key });
    }
  }

  /** The `partitions` key of a pending key: its key group, then the partition key after the time. */
  #partitionStateKey(pendingKey: Uint8Array): Uint8Array {
    const from = 1 + this.#timeWidth;
    const out = new Uint8Array(pendingKey.length - this.#timeWidth);
    out[0] = pendingKey[0]!;
    out.set(pendingKey.subarray(from), 1);
    return out;
  }

  #partitionKey(row: Row): Uint8Array {
    const p = this.#spec.partition;
    const s = this.#partScratch;
    for (let i = 0; i < p.length; i++) s[i] = p[i]!(row);
    return encodeKey(s, this.#spec.partitionTypes);
  }

  /** The rows of one partition with one time (pending key `key`) join the frame, each emitted with its aggregates. */
  #process(key: Uint8Array, p: PendingRows): void {
    const spec = this.#spec;
    const rows = p.rows;
    const pkey = this.#partitionStateKey(key);
    const part = this.#partitions.get(pkey) ?? { accs: this.#fresh(), frame: [], head: 0 };
    if (spec.units === 'RANGE') {
      for (let i = 0; i < rows.length; i++) this.#enter(part, p.time, rows[i]!);
      const from = p.time - spec.preceding;
      let n = 0;
      while (part.head + n < part.frame.length && part.frame[part.head + n]!.time < from) n++;
      this.#evict(part, n);
      this.#result(part);
      for (let i = 0; i < rows.length; i++) this.#emit(rows[i]!);
    } else {
      const keep = spec.preceding + 1;
      for (let i = 0; i < rows.length; i++) {
        this.#enter(part, p.time, rows[i]!);
        this.#evict(part, Math.max(0, part.frame.length - part.head - keep));
        this.#result(part);
        this.#emit(rows[i]!);
      }
    }
    if (part.head > 64 && part.head * 2 > part.frame.length) {
      part.frame.splice(0, part.head);
      part.head = 0;
    }
    this.#partitions.put(pkey, part);
  }

  #fresh(): PersistentAccumulator[] {
    return this.#spec.calls.map((c) => c.factory());
  }

  #enter(part: OverPartition, time: number, row: Row): void {
    feed(this.#spec.calls, part.accs, row, false);
    if (this.#bounded) part.frame.push({ time, row });
  }

  /** Takes `n` rows from the front of the frame. */
  #evict(part: OverPartition, n: number): void {
    if (!this.#bounded || n === 0) return;
    for (let end = part.head + n; part.head < end; part.head++) {
      if (this.#retracts) feed(this.#spec.calls, part.accs, part.frame[part.head]!.row, true);
    }
    if (this.#retracts) return;
    // An aggregate that cannot take a row back: recompute over the rows left.
    part.accs = this.#fresh();
    for (let i = part.head; i < part.frame.length; i++) feed(this.#spec.calls, part.accs, part.frame[i]!.row, false);
  }

  #result(part: OverPartition): void {
    const r = this.#results;
    for (let c = 0; c < r.length; c++) r[c] = part.accs[c]!.result();
  }

  #emit(row: Row): void {
    const r = this.#results;
    const out = row.slice();
    for (let c = 0; c < r.length; c++) out.push(r[c]!);
    this.#out.emit(RowKind.INSERT, out);
  }
}

/** Adds `row` to (or, `remove`, takes it from) each call's accumulator; strict aggregates skip NULL arguments. */
function feed(calls: readonly IncrementalAggregateCall[], accs: readonly PersistentAccumulator[], row: Row, remove: boolean): void {
  for (let c = 0; c < calls.length; c++) {
    const call = calls[c]!;
    const ac = call.argColumn;
    const value = ac !== undefined ? (row[ac] ?? null) : aggregateArgument(call.args, row);
    if (call.skipNulls && firstArgument(value, call.args.length) === null) continue;
    const acc = accs[c]!;
    if (!remove) acc.add(value);
    else if (acc.remove !== undefined) acc.remove(value);
    else throw new InternalError('over aggregate: accumulator cannot retract');
  }
}

/** The OVER aggregation operator of a recognised plan (src/planner/over-aggregation.ts). */
export function overAggregateOf(over: OverAggregation, eager: boolean, env: ExecEnv, state: StateProvider = memoryStateProvider): OverAggregate {
  const input = over.window.input;
  const timeType = input.schema[over.timeColumn]?.type;
  if (timeType === undefined) throw new InternalError('over aggregate: time column out of range');
  if (timeType.kind !== 'TIMESTAMP' && timeType.kind !== 'TIMESTAMP_LTZ') {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'OVER aggregation in a continuous query must be ordered by a time attribute', {
      hint: 'ORDER BY a column with a WATERMARK (event time) or a PROCTIME() column.',
    });
  }
  const calls = over.window.calls.map((c): IncrementalAggregateCall => {
    if (!isOverAggregate(c.fn)) throw new InternalError(`over aggregate: ${c.fn} is no aggregate`);
    const argTypes = c.args.map((e) => e.type);
    return {
      factory: incrementalAccumulatorFactory(c.fn, argTypes, c.type),
      args: c.args.map((e) => compileExpr(e, env)),
      argColumn: soleColumn(c.args),
      argTypes,
      filter: undefined,
      distinct: false,
      skipNulls: c.fn !== 'count_star' && c.fn !== 'array_agg',
      resultType: c.type,
    };
  });
  return new OverAggregate(
    {
      partition: over.partitionBy.map((e) => compileExpr(e, env)),
      partitionTypes: over.partitionBy.map((e) => e.type),
      timeColumn: over.timeColumn,
      timeType,
      units: over.units,
      preceding: over.preceding,
      calls,
      types: input.schema.map((c) => c.type),
      eager,
    },
    state,
  );
}
