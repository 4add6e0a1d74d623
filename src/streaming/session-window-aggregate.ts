/**
 * SESSION window aggregation: the SESSION window TVF fused with the
 * `GROUP BY window_start, window_end, ...` over it, since a row's session is
 * only known once no later row can extend it.
 *
 * Input: rows of the TVF's input (not assigned yet). Per partition key (the
 * TVF's PARTITION BY) the open sessions are kept with their rows; a row at
 * time t contributes [t, t + gap) and every open session of its partition that
 * overlaps or touches that interval (start <= t + gap and end >= t) merges with
 * it, as mergeSessions does for bounded input. A session is [earliest time,
 * latest time + gap); times are wall-clock µs (over TIMESTAMP_LTZ the session
 * time zone's wall clock, as window-assign.ts).
 *
 * Key groups (key-groups.ts, ARCHITECTURE decision 8): a partition's key
 * group is that of encodeKey(partition) (without PARTITION BY: the group of
 * the empty key, so one instance holds every session).
 *
 * State (state tables, decision 5); every key starts with its key group:
 * - sessions: key group ++ encodeKey(partition) ++ encodeKey([start]) ->
 *   { partition, start, end, rows, times }: an open session and its input
 *   rows in arrival order.
 * - timers: key group ++ encodeKey([end]) ++ session key without its key group
 *   -> session key. Within a key group its key order is the firing order, so
 *   `watermark` finds the due sessions of each owned key group by a scan from
 *   the group's start, and fires them all in order of (end, partition, start).
 *
 * Firing: a session fires when window_time (end - 1 ms; over TIMESTAMP_LTZ the
 * instant of that wall-clock time) <= watermark. Its rows, each followed by
 * window_start, window_end, window_time, go through the projections / filters
 * between the TVF and the aggregate, are grouped by the aggregate's keys and
 * aggregated; each group emits one +I row (keys ++ aggregate results), then
 * the session's state is deleted. Output is insert-only, ordered by
 * window_end, then partition, then start, then first appearance of the group.
 *
 * Lateness (Flink's merging window rule, WindowOperator: merge first, then drop
 * the merged window if it is late): a row that merges with an open session is
 * never late (an open session has not fired, so neither has anything it grows
 * into); a row that joins no open session is late, dropped and counted in
 * `lateRows`, when its own session [t, t + gap) would already have fired. A row
 * whose time lies inside a session that fired but whose own session is still
 * open starts a new session, as in Flink (the fired session's state is gone).
 *
 * Rule per row kind:
 * - +I / +U: added as above.
 * - -U / -D: the equal row is removed from the open session holding its time;
 *   the session's remaining rows are re-split into sessions (a removed row may
 *   have bridged two), a session left without rows is deleted; a part that is
 *   already due fires at the next watermark advance. A retraction for
 *   a fired session (its own [t, t + gap) fired) is late: dropped, counted. Any
 *   other retraction of a row the operator does not hold is a broken changelog
 *   (internal error).
 * - Rows whose time is NULL belong to no session and are ignored.
 * - push emits nothing; watermark(wm) emits what fired; the final watermark
 *   (Number.MAX_SAFE_INTEGER) fires every open session.
 *
 * ORDER BY inside an aggregate call is refused (not supported yet).
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { timestamp } from '../../catalog/types.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import { KeyTable } from '../dataflow/key-table.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import type { Accumulator } from '../compiler/exec-context.ts';
import type { AggregateNode, LogicalPlan, WindowTvfNode } from '../planner/logical-plan.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import { InternalError, notSupported } from '../errors.ts';
import { prefixRange, type StateTable } from './state-table.ts';
import { compareKeys } from '../values/key-codec.ts';
import { ALL_KEY_GROUPS, keyGroupOf, keyGroupRange, withoutKeyGroup, type KeyGroupRange } from './key-groups.ts';
import type { KeyedOperator } from './parallel-operator.ts';
import { decodeStateValue, encodeStateValue, type StateCodec } from '../state/state-codec.ts';
import { bytesCodec, memoryStateProvider, ownedKeyGroups, stateArray, stateNumber, stateRow, type StateProvider } from './state-provider.ts';
import { encodeKey } from '../values/key-codec.ts';
import { rowsEqual } from '../values/compare.ts';
import { localToUtcMicros, utcToLocalMicros } from '../values/datetime.ts';
import { mergeSessions } from '../operators/window-assign.ts';
import { aggregateArgument, firstArgument } from '../operators/hash-aggregate.ts';
import { ChangelogBuilder, isAddition } from './changelog.ts';
import type { IncrementalAggregateCall } from './incremental-aggregate.ts';
import { incrementalAggregateCalls } from './group-accumulation.ts';

const MICROS_PER_MILLI = 1000;
const TIME_TYPES: readonly SqlType[] = [timestamp(6)];

export interface SessionState {
  readonly partition: Row;
  readonly start: number;
  readonly end: number;
  /** Input rows in arrival order, and their wall-clock times. */
  readonly rows: Row[];
  readonly times: number[];
}

export interface SessionStateTables {
  readonly sessions: StateTable<SessionState>;
  readonly timers: StateTable<Uint8Array>;
  /** The key groups the instance owns; absent: all. */
  readonly keyGroups?: KeyGroupRange;
}

/** A session at a checkpoint: [partition, start, end, rows, times]. */
export const sessionStateCodec: StateCodec<SessionState> = {
  encode: (s) => encodeStateValue([s.partition, s.start, s.end, s.rows, s.times]),
  decode: (bytes) => {
    const [partition, start, end, rows, times] = stateArray(decodeStateValue(bytes), 'session', 5);
    const savedRows = stateArray(rows, 'session rows');
    const savedTimes = stateArray(times, 'session times', savedRows.length);
    return {
      partition: stateRow(partition, 'session partition'),
      start: stateNumber(start, 'session start'),
      end: stateNumber(end, 'session end'),
      rows: savedRows.map((r) => stateRow(r, 'session row')),
      times: savedTimes.map((t) => stateNumber(t, 'session row time')),
    };
  },
};

/** The session aggregate's tables from `state`: roles `sessions` and `timers`, and the instance's key groups. */
export function sessionStateTables(state: StateProvider): SessionStateTables {
  return { sessions: state.table('sessions', sessionStateCodec), timers: state.table('timers', bytesCodec), keyGroups: ownedKeyGroups(state) };
}

/** One step between the TVF's output and the aggregate's input. */
export type SessionRowStep = { readonly kind: 'project'; readonly exprs: readonly EvalFn[] } | { readonly kind: 'filter'; readonly predicate: EvalFn };

export interface SessionWindowAggregateSpec {
  readonly time: EvalFn;
  readonly gap: number;
  readonly partition: readonly EvalFn[];
  readonly partitionTypes: readonly SqlType[];
  /** Types of the input rows (for matching retractions). */
  readonly inputTypes: readonly SqlType[];
  /** Set for a TIMESTAMP_LTZ time column: the zone sessions are computed in. */
  readonly timeZone: string | undefined;
  /** Applied, in order, to each assigned row (input row ++ window_start, window_end, window_time). */
  readonly steps: readonly SessionRowStep[];
  readonly keys: readonly EvalFn[];
  readonly keyTypes: readonly SqlType[];
  readonly calls: readonly IncrementalAggregateCall[];
}

interface Group {
  readonly key: Row;
  readonly accs: Accumulator[];
  readonly seen: (KeyTable<{ key: Row }> | null)[];
}

/** A due timer: its key without the key group (the firing order), its key, its session's key. */
type DueTimer = [Uint8Array, Uint8Array, Uint8Array];

export class SessionWindowAggregate implements KeyedOperator {
  readonly #spec: SessionWindowAggregateSpec;
  readonly #sessions: StateTable<SessionState>;
  readonly #timers: StateTable<Uint8Array>;
  readonly #keyGroups: KeyGroupRange;
  readonly #partitionScratch: Value[];
  readonly #timeScratch: Value[] = [null];
  readonly #keyScratch: Value[];
  readonly #out = new ChangelogBuilder();
  readonly #overlapping: [Uint8Array, SessionState][] = [];
  #wm = Number.NEGATIVE_INFINITY;
  #late = 0;

  constructor(spec: SessionWindowAggregateSpec, state?: SessionStateTables) {
    if (!(spec.gap > 0)) throw new InternalError('session gap must be positive');
    this.#spec = spec;
    const tables = state ?? sessionStateTables(memoryStateProvider);
    this.#sessions = tables.sessions;
    this.#timers = tables.timers;
    this.#keyGroups = tables.keyGroups ?? ALL_KEY_GROUPS;
    this.#partitionScratch = new Array<Value>(spec.partition.length).fill(null);
    this.#keyScratch = new Array<Value>(spec.keys.length).fill(null);
  }

  /** Rows dropped because the session they would belong to had already fired. */
  get lateRows(): number {
    return this.#late;
  }

  /** The key group of an input row: that of its PARTITION BY values. */
  keyGroupOf(_input: number, row: Row): number {
    return keyGroupOf(this.#partitionOf(row));
  }

  /** encodeKey of the row's PARTITION BY values (they stay in the partition scratch). */
  #partitionOf(row: Row): Uint8Array {
    const { partition, partitionTypes } = this.#spec;
    const ps = this.#partitionScratch;
    for (let k = 0; k < ps.length; k++) ps[k] = partition[k]!(row);
    return encodeKey(ps, partitionTypes);
  }

  push(_input: number, chunk: Chunk): Chunk[] {
    const { time, timeZone } = this.#spec;
    const rows = chunk.rows;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const tv = time(row);
      if (tv === null) continue;
      const t = timeZone === undefined ? (tv as number) : utcToLocalMicros(tv as number, timeZone);
      const partitionBytes = this.#partitionOf(row);
      const kg = keyGroupOf(partitionBytes);
      if (chunk.kinds === null || isAddition(chunk.kinds[i]!)) this.#add(kg, partitionBytes, row, t);
      else this.#retract(kg, partitionBytes, row, t);
    }
    return [];
  }

  watermark(wm: number): Chunk[] {
    if (wm <= this.#wm) return [];
    this.#wm = wm;
    const due: DueTimer[] = [];
    const groups = this.#keyGroups;
    for (let g = groups.first; g <= groups.last; g++) {
      for (const [timerKey, sessionKey] of this.#timers.scan(keyGroupRange(g))) {
        const s = this.#sessions.get(sessionKey);
        if (s === undefined) throw new InternalError('session window timer without its session');
        if (this.#fireTime(s.end) > wm) break;
        due.push([withoutKeyGroup(timerKey), timerKey, sessionKey]);
      }
    }
    if (due.length === 0) return [];
    due.sort((a, b) => compareKeys(a[0], b[0]));
    for (const [, timerKey, sessionKey] of due) {
      this.#emitSession(this.#sessions.get(sessionKey)!);
      this.#sessions.delete(sessionKey);
      this.#timers.delete(timerKey);
    }
    return this.#out.take();
  }

  #fireTime(end: number): number {
    const zone = this.#spec.timeZone;
    return zone === undefined ? end - MICROS_PER_MILLI : localToUtcMicros(end - MICROS_PER_MILLI, zone);
  }

  #add(kg: number, partitionBytes: Uint8Array, row: Row, t: number): void {
    const gap = this.#spec.gap;
    const overlapping = this.#overlapping;
    overlapping.length = 0;
    for (const entry of this.#sessions.scan(keyGroupRange(kg, prefixRange(partitionBytes)))) {
      const s = entry[1];
      if (s.start > t + gap) break;
      if (s.end >= t) overlapping.push(entry);
    }
    if (overlapping.length === 0) {
      if (this.#fireTime(t + gap) <= this.#wm) {
        this.#late++;
        return;
      }
      this.#put(kg, partitionBytes, { partition: this.#partitionScratch.slice(), start: t, end: t + gap, rows: [row], times: [t] });
      return;
    }
    let start = t;
    let end = t + gap;
    const rows: Row[] = [];
    const times: number[] = [];
    for (const [key, s] of overlapping) {
      if (s.start < start) start = s.start;
      if (s.end > end) end = s.end;
      for (let j = 0; j < s.rows.length; j++) {
        rows.push(s.rows[j]!);
        times.push(s.times[j]!);
      }
      this.#drop(key, s);
    }
    rows.push(row);
    times.push(t);
    this.#put(kg, partitionBytes, { partition: overlapping[0]![1].partition, start, end, rows, times });
  }

  #retract(kg: number, partitionBytes: Uint8Array, row: Row, t: number): void {
    let found: [Uint8Array, SessionState] | undefined;
    for (const entry of this.#sessions.scan(keyGroupRange(kg, prefixRange(partitionBytes)))) {
      if (entry[1].start > t) break;
      if (t < entry[1].end) found = entry;
    }
    const index = found === undefined ? -1 : this.#indexOf(found[1], row, t);
    if (found === undefined || index < 0) {
      if (this.#fireTime(t + this.#spec.gap) <= this.#wm) {
        this.#late++;
        return;
      }
      throw new InternalError('session window aggregate received a retraction of a row it does not hold');
    }
    const [key, s] = found;
    this.#drop(key, s);
    const rows = s.rows.filter((_r, j) => j !== index);
    const times = s.times.filter((_r, j) => j !== index);
    if (rows.length === 0) return;
    const indices = rows.map((_r, j) => j);
    const starts = new Float64Array(rows.length);
    const ends = new Float64Array(rows.length);
    mergeSessions(indices, times, this.#spec.gap, starts, ends);
    const split = new Map<number, SessionState>();
    for (let j = 0; j < rows.length; j++) {
      let part = split.get(starts[j]!);
      if (part === undefined) {
        part = { partition: s.partition, start: starts[j]!, end: ends[j]!, rows: [], times: [] };
        split.set(part.start, part);
      }
      part.rows.push(rows[j]!);
      part.times.push(times[j]!);
    }
    for (const part of split.values()) this.#put(kg, partitionBytes, part);
  }

  #indexOf(s: SessionState, row: Row, t: number): number {
    const types = this.#spec.inputTypes;
    for (let j = 0; j < s.rows.length; j++) if (s.times[j] === t && rowsEqual(s.rows[j]!, row, types)) return j;
    return -1;
  }

  /** Key group ++ partition ++ start. */
  #sessionKey(kg: number, partitionBytes: Uint8Array, start: number): Uint8Array {
    this.#timeScratch[0] = start;
    const time = encodeKey(this.#timeScratch, TIME_TYPES);
    const key = new Uint8Array(1 + partitionBytes.length + time.length);
    key[0] = kg;
    key.set(partitionBytes, 1);
    key.set(time, 1 + partitionBytes.length);
    return key;
  }

  /** Key group ++ end ++ the session key without its key group. */
  #timerKey(sessionKey: Uint8Array, end: number): Uint8Array {
    this.#timeScratch[0] = end;
    const time = encodeKey(this.#timeScratch, TIME_TYPES);
    const key = new Uint8Array(sessionKey.length + time.length);
    key[0] = sessionKey[0]!;
    key.set(time, 1);
    key.set(withoutKeyGroup(sessionKey), 1 + time.length);
    return key;
  }

  #put(kg: number, partitionBytes: Uint8Array, s: SessionState): void {
    const key = this.#sessionKey(kg, partitionBytes, s.start);
    this.#sessions.put(key, s);
    this.#timers.put(this.#timerKey(key, s.end), key);
  }

  #drop(key: Uint8Array, s: SessionState): void {
    this.#sessions.delete(key);
    this.#timers.delete(this.#timerKey(key, s.end));
  }

  #emitSession(s: SessionState): void {
    const { steps, keys, keyTypes, calls, timeZone } = this.#spec;
    const groups = new KeyTable<Group>(keyTypes);
    const ks = this.#keyScratch;
    const windowTime = timeZone === undefined ? s.end - MICROS_PER_MILLI : localToUtcMicros(s.end - MICROS_PER_MILLI, timeZone);
    rows: for (const input of s.rows) {
      let row: Row = [...input, s.start, s.end, windowTime];
      for (const step of steps) {
        if (step.kind === 'filter') {
          if (step.predicate(row) !== true) continue rows;
        } else {
          const next: Row = new Array(step.exprs.length);
          for (let e = 0; e < next.length; e++) next[e] = step.exprs[e]!(row);
          row = next;
        }
      }
      for (let k = 0; k < ks.length; k++) ks[k] = keys[k]!(row);
      const h = groups.hash(ks);
      let g = groups.find(ks, h);
      if (g === undefined) {
        g = {
          key: ks.slice(),
          accs: calls.map((c) => c.factory()),
          seen: calls.map((c) => (c.distinct ? new KeyTable<{ key: Row }>(c.argTypes) : null)),
        };
        groups.insert(g, h);
      }
      for (let c = 0; c < calls.length; c++) {
        const call = calls[c]!;
        if (call.filter !== undefined && call.filter(row) !== true) continue;
        const value = aggregateArgument(call.args, row);
        if (call.skipNulls && firstArgument(value, call.args.length) === null) continue;
        const seen = g.seen[c];
        if (seen != null) {
          const tuple: Row = call.args.length > 1 ? (value as Value[]) : [value];
          const dh = seen.hash(tuple);
          if (seen.find(tuple, dh) !== undefined) continue;
          seen.insert({ key: tuple }, dh);
        }
        g.accs[c]!.add(value);
      }
    }
    for (const g of groups.entries) {
      const out: Row = new Array(g.key.length + calls.length);
      for (let k = 0; k < g.key.length; k++) out[k] = g.key[k] ?? null;
      for (let c = 0; c < calls.length; c++) out[g.key.length + c] = g.accs[c]!.result();
      this.#out.emit(RowKind.INSERT, out);
    }
  }
}

/**
 * The session window aggregation of `agg` over the SESSION window TVF `tvf`;
 * `agg.input` is `tvf` or a chain of projections and filters over it. The
 * operator's input is `tvf.input`.
 */
export function sessionWindowAggregateOf(
  agg: AggregateNode,
  tvf: WindowTvfNode,
  env: ExecEnv,
  state: StateProvider = memoryStateProvider,
): SessionWindowAggregate {
  if (tvf.fn !== 'SESSION') throw new InternalError(`session window aggregate over a ${tvf.fn} window`);
  const chain: LogicalPlan[] = [];
  let node: LogicalPlan = agg.input;
  while (node !== tvf) {
    if (node.kind !== 'project' && node.kind !== 'filter') throw notSupported(`a ${node.kind} between a SESSION window and its aggregation`);
    chain.push(node);
    node = node.input;
  }
  const steps = chain.reverse().map((n): SessionRowStep => {
    if (n.kind === 'project') return { kind: 'project', exprs: n.exprs.map((e) => compileExpr(e, env)) };
    if (n.kind === 'filter') return { kind: 'filter', predicate: compileExpr(n.predicate, env) };
    throw new InternalError('unexpected node in a session window chain');
  });
  return new SessionWindowAggregate(
    {
      time: compileExpr(tvf.timeCol, env),
      gap: tvf.size,
      partition: tvf.partitionBy.map((e) => compileExpr(e, env)),
      partitionTypes: tvf.partitionBy.map((e) => e.type),
      inputTypes: tvf.input.schema.map((c) => c.type),
      timeZone: tvf.timeCol.type.kind === 'TIMESTAMP_LTZ' ? env.ctx.timeZone : undefined,
      steps,
      keys: agg.groupKeys.map((e) => compileExpr(e, env)),
      keyTypes: agg.groupKeys.map((e) => e.type),
      calls: incrementalAggregateCalls(agg, env, 'in a window aggregation'),
    },
    sessionStateTables(state),
  );
}
