/**
 * Logical plan -> dataflow of incremental operators (a continuous query).
 *
 * Each plan node becomes a stage whose output port is its parent's input:
 * - scan, values: sources (stream-sources.ts);
 * - filter, project, TUMBLE / HOP / CUMULATE assignment: stateless stages;
 * - aggregate grouped by a window's window_start and window_end: window
 *   aggregation, firing by watermark (append-only output); over a SESSION
 *   window: the fused session window aggregation;
 * - other aggregates and DISTINCT: retracting group aggregation; an
 *   aggregation whose output goes, through Projects only, to a consumer that
 *   upserts by exactly its GROUP BY columns (`upsertKey`) emits no -U
 *   (upsert mode, changelog-mode.ts `upsertChainOf`);
 * - joins (INNER, LEFT, RIGHT, FULL, SEMI, ANTI; without an equality they keep one
 *   bucket): the incremental join, the window join (window-join.ts) on equal
 *   window_start and window_end of windowed inputs, or the interval join when both
 *   inputs are append-only event-time streams bounded by a time interval; UNION ALL: a merge;
 * - FOR SYSTEM_TIME AS OF: the temporal join (event time) or the lookup join (processing time);
 * - ORDER BY ... LIMIT: incremental Top-N (a retracting result);
 * - a filter `rn <= N` over ROW_NUMBER() OVER (PARTITION BY ... ORDER BY ...):
 *   Top-N per partition and deduplication (rank-top-n.ts), in upsert mode
 *   like the aggregation when the sink's key is its unique key; IN / EXISTS
 *   subqueries arrive here as SEMI / ANTI joins (optimizer rule subquery-to-join);
 * - LIMIT (with OFFSET) over an append-only input: passes its rows, then ends the query;
 * - INTERSECT / EXCEPT [ALL]: per-row counts on each side (incremental-set-op.ts);
 * - aggregates OVER one window ordered by a time attribute: OVER aggregation (over-aggregate.ts).
 * Anything else is refused here with 0A000 before the query starts, so no
 * continuous query silently produces a wrong changelog.
 */
import type { Row } from '../../catalog/types.ts';
import { childrenOf, type AggregateNode, type FilterNode, type JoinNode, type LogicalPlan } from '../planner/logical-plan.ts';
import { readsColumn, rowNumberTopNOf, windowTopNOf, type RowNumberTopN } from '../planner/row-number-top-n.ts';
import { conjoin } from '../optimizer/rewrite.ts';
import { rankRange, rankTopNOf } from './rank-top-n.ts';
import { windowTopNOperator } from './window-top-n.ts';
import { isProcessingTime, windowAggregationOf } from '../planner/window-aggregation.ts';
import { changelogMode, isUnbounded, upsertChainOf } from '../planner/changelog-mode.ts';
import { evaluateConstant, type ExecEnv } from '../compiler/compile.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import { InternalError, SqlError, SqlState, notSupported } from '../errors.ts';
import { incrementalAggregateOf, type IncrementalAggregate } from './incremental-aggregate.ts';
import { incrementalFilterOf } from './incremental-filter.ts';
import { incrementalProjectOf } from './incremental-project.ts';
import { incrementalJoinOf } from './incremental-join.ts';
import { temporalJoinOf } from './temporal-join.ts';
import { lookupBeforeProbe, lookupJoinOf, probeSideTime } from './lookup-join.ts';
import { intervalJoinOf, isRowtime } from './interval-join.ts';
import { overAggregateOf } from './over-aggregate.ts';
import { overAggregationOf, overAggregationRefusal } from '../planner/over-aggregation.ts';
import { windowJoinOperatorOf } from './window-join.ts';
import { incrementalSetOpOf } from './incremental-set-op.ts';
import { incrementalTopNOf } from './incremental-top-n.ts';
import { windowAggregateOf } from './window-aggregate.ts';
import { sessionWindowAggregateOf } from './session-window-aggregate.ts';
import { windowAssignStreamOf, windowFireTime } from './window-assign-stream.ts';
import { ChangelogBuilder, kindAt, type IncrementalOperator } from './changelog.ts';
import { MAX_WATERMARK, MergeStage, OperatorStage, passThrough, type Port } from './dataflow.ts';
import { parallelOperatorOf, type KeyedOperator, type ParallelOperator } from './parallel-operator.ts';
import { memoryStateProvider, stateArray, stateNumber, type StateProvider } from './state-provider.ts';
import type { StateTable } from './state-table.ts';
import type { StateTtl } from './state-ttl.ts';
import { decodeStateValue, encodeStateValue, type StateCodec } from '../state/state-codec.ts';
import { rowsSource, scanSource, type StreamInputs, type StreamSource } from './stream-sources.ts';

export interface CompiledStream {
  readonly sources: { readonly source: StreamSource; readonly port: Port }[];
  /** Stages driven by the wall clock (processing-time windows): the runtime calls them periodically. */
  readonly clocks: { tick(nowMicros: number): void }[];
  /** Operators that drop late rows, for the count users see. */
  readonly lateCounters: { readonly lateRows: number }[];
  /** Aggregates whose first output comes before any input (a materialized global aggregate). */
  readonly initial: { op: IncrementalAggregate; port: Port }[];
}

export interface StreamCompileOptions {
  /** How stored tables and materialized views are read: current rows then end, or current rows then changes. */
  readonly storedReading: 'snapshot' | 'changelog';
  /** A global aggregate keeps the batch answer for empty input (one row, COUNT 0), as a Postgres view would. */
  readonly emptyInputRow: boolean;
  /** Called by a LIMIT stage when the query has produced everything it will. */
  readonly finish: () => void;
  /**
   * Where operators get their state tables (default: in memory). Table names
   * are `${ordinal}.${role}`, the ordinal counting stateful operators in
   * compile order, so compiling the same plan again finds the same tables.
   */
  readonly state?: StateProvider;
  /**
   * State TTL (`table.exec.state.ttl`) of unwindowed aggregations, DISTINCT
   * and regular joins; absent or 0 ms: state never expires. Window operators
   * and interval joins free their state by watermark and ignore it.
   */
  readonly stateTtl?: StateTtl;
  /**
   * The sink replaces rows by these output columns (a job's TableSink on a
   * table with a PRIMARY KEY: changelog-mode.ts `sinkUpsertKey`); absent: the
   * sink needs every -U. Where `upsertChainOf` finds a producer for it, that
   * producer runs in upsert mode. Its state is the same in both modes.
   */
  readonly upsertKey?: readonly number[] | undefined;
  /**
   * Instances of every keyed operator (parallel-operator.ts; default 1): rows
   * are routed to the instance owning their key group, the state is shared.
   */
  readonly parallelism?: number;
}

/** Compiles `plan` so that its output goes to `out`. Throws 0A000 for plans without an incremental form. */
export function compileStream(plan: LogicalPlan, env: ExecEnv, inputs: StreamInputs, out: Port, options: StreamCompileOptions): CompiledStream {
  const compiled: CompiledStream = { sources: [], clocks: [], lateCounters: [], initial: [] };
  const chain = options.upsertKey === undefined ? [] : upsertChainOf(plan, options.upsertKey, options.storedReading);
  const upsertProducer = chain[chain.length - 1]?.node;
  compileNode(plan, out, { env, inputs, options, compiled, top: true, operators: { count: 0 }, upsertProducer });
  return compiled;
}

interface Cx {
  readonly env: ExecEnv;
  readonly inputs: StreamInputs;
  readonly options: StreamCompileOptions;
  readonly compiled: CompiledStream;
  /** Whether the node is the root, or only has row-by-row stages above it. */
  readonly top: boolean;
  /** Stateful operators compiled so far (shared by every Cx of one compile). */
  readonly operators: { count: number };
  /** The node that emits upserts (no -U) for the sink's key, if any. */
  readonly upsertProducer: LogicalPlan | undefined;
}

/**
 * The state of the next stateful operator: the options' provider with table
 * names prefixed by the operator's ordinal. Called once per stateful plan node,
 * in compile order, before the node's operator is built.
 */
function operatorState(cx: Cx): StateProvider {
  const provider = cx.options.state ?? memoryStateProvider;
  const ordinal = cx.operators.count++;
  return { table: (role, codec, options) => provider.table(`${ordinal}.${role}`, codec, options) };
}

/**
 * The next keyed operator, as `parallelism` instances (each owning a range of
 * key groups over the same state tables) when the query runs with more than
 * one; `build` is called once per instance, or once when there is one.
 */
function keyedOperator<T extends IncrementalOperator>(cx: Cx, build: (state: StateProvider) => T): T | ParallelOperator {
  const state = operatorState(cx);
  const parallelism = cx.options.parallelism ?? 1;
  if (parallelism === 1) return build(state);
  return parallelOperatorOf(parallelism, state, (instanceState) => asKeyed(build(instanceState)));
}

function asKeyed(op: IncrementalOperator): KeyedOperator {
  if (!('keyGroupOf' in op)) throw new InternalError('a keyed operator without keyGroupOf');
  return op as KeyedOperator;
}

function stage(op: IncrementalOperator, out: Port): Port {
  return new OperatorStage(op, out);
}

function compileNode(plan: LogicalPlan, out: Port, cx: Cx): void {
  const below: Cx = { ...cx, top: false };
  switch (plan.kind) {
    case 'scan':
      cx.compiled.sources.push({ source: scanSource(plan, cx.env, cx.inputs, cx.options.storedReading), port: out });
      return;
    case 'values': {
      const rows: Row[] = plan.rows.map((r) => r.map((e) => evaluateConstant(e, cx.env)));
      cx.compiled.sources.push({ source: rowsSource(rows), port: out });
      return;
    }
    case 'filter': {
      const topN = rowNumberTopNOf(plan);
      if (topN !== undefined) {
        compileRankTopN(topN, true, plan === cx.upsertProducer, out, below);
        return;
      }
      compileNode(plan.input, stage(incrementalFilterOf(plan, cx.env), out), cx);
      return;
    }
    case 'project': {
      // A Top-N whose row number nothing above reads emits only the rows entering and leaving.
      const topN = plan.input.kind === 'filter' ? rowNumberTopNOf(plan.input) : undefined;
      if (topN !== undefined && !plan.exprs.some((e) => readsColumn(e, topN.rankColumn))) {
        compileRankTopN(topN, false, plan.input === cx.upsertProducer, stage(incrementalProjectOf(plan, cx.env), out), below);
        return;
      }
      compileNode(plan.input, stage(incrementalProjectOf(plan, cx.env), out), cx);
      return;
    }
    case 'window-tvf':
      if (plan.fn === 'SESSION') {
        throw notSupported('SESSION windows without an aggregation over them in a continuous query', undefined, 'Aggregate over the windows: GROUP BY window_start, window_end, ...');
      }
      compileNode(plan.input, stage(windowAssignStreamOf(plan, cx.env), out), below);
      return;
    case 'aggregate':
      compileAggregate(plan, out, below);
      return;
    case 'distinct': {
      const keys = plan.schema.map((c, i) => ({ kind: 'column' as const, type: c.type, index: i }));
      const agg: AggregateNode = { kind: 'aggregate', input: plan.input, groupKeys: keys, aggregates: [], schema: plan.schema };
      compileNode(plan.input, stage(keyedOperator(cx, (state) => incrementalAggregateOf(agg, cx.env, state, { ttl: cx.options.stateTtl })), out), below);
      return;
    }
    case 'join': {
      if (plan.temporal !== undefined) {
        compileTemporalJoin(plan, plan.temporal.kind, out, below);
        return;
      }
      // Window joins and event-time interval joins keep rows only while the watermark allows a match; others keep all.
      const op = keyedOperator(cx, (state) => windowJoinOperatorOf(plan, cx.env, state) ?? intervalJoinOf(plan, cx.env, cx.options.storedReading, state) ?? incrementalJoinOf(plan, cx.env, state, cx.options.stateTtl));
      if ('lateRows' in op) cx.compiled.lateCounters.push(op);
      const merge = new MergeStage(op, 2, out);
      compileNode(plan.left, merge.port(0), below);
      compileNode(plan.right, merge.port(1), below);
      return;
    }
    case 'union': {
      const merge = new MergeStage(passThrough, plan.inputs.length, out);
      plan.inputs.forEach((input, i) => compileNode(input, merge.port(i), cx));
      return;
    }
    case 'limit': {
      if (plan.input.kind === 'sort') {
        // Top-N: the operator evaluates the sort keys itself; its output retracts rows that leave the top.
        compileNode(plan.input.input, stage(keyedOperator(cx, (state) => incrementalTopNOf(plan, cx.env, state)), out), below);
        return;
      }
      if (cx.options.storedReading === 'changelog' || changelogMode(plan.input) !== 'insert-only') {
        throw notSupported('LIMIT over a continuous query whose rows change', undefined, 'Use SUBSCRIBE to see every change, or LIMIT an append-only query (window aggregation, filters, projections).');
      }
      const limit = plan.limit === undefined ? null : count(evaluateConstant(plan.limit, cx.env), 'LIMIT');
      const offset = plan.offset === undefined ? 0 : count(evaluateConstant(plan.offset, cx.env), 'OFFSET') ?? 0;
      compileNode(plan.input, stage(new LimitOperator(limit ?? Infinity, offset, cx.options.finish, operatorState(cx)), out), below);
      return;
    }
    case 'sort':
      if (cx.top) {
        // ORDER BY on the final result of a continuous query: the rows come in the order they are produced.
        compileNode(plan.input, out, cx);
        return;
      }
      throw notSupported('ORDER BY inside a continuous query');
    case 'set-op': {
      // INTERSECT / EXCEPT [ALL]: per distinct row a count on each side (incremental-set-op.ts); a retracting result.
      const merge = new MergeStage(keyedOperator(cx, (state) => incrementalSetOpOf(plan, state)), 2, out);
      compileNode(plan.left, merge.port(0), below);
      compileNode(plan.right, merge.port(1), below);
      return;
    }
    case 'window': {
      // OVER aggregation on a time attribute: rows in time order once the watermark passes them (append-only).
      const over = overAggregationOf(plan);
      if (over === undefined) {
        const refusal = overAggregationRefusal(plan) ?? { message: 'window functions (OVER) in a continuous query', hint: '' };
        throw notSupported(refusal.message, undefined, refusal.hint);
      }
      const proctime = isProcessingTime(plan.input, over.timeColumn);
      if (!proctime && !isRowtime(plan.input, over.timeColumn)) {
        throw notSupported(
          'OVER aggregation not ordered by a time attribute in a continuous query',
          undefined,
          'ORDER BY a column the table declares a WATERMARK for (event time), or a PROCTIME() column.',
        );
      }
      const op = keyedOperator(cx, (state) => overAggregateOf(over, proctime, cx.env, state));
      cx.compiled.lateCounters.push(op);
      compileNode(plan.input, stage(op, out), below);
      return;
    }
    case 'table-function':
      throw notSupported('table functions in a continuous query');
  }
}

/**
 * FOR SYSTEM_TIME AS OF: the event-time temporal join (temporal-join.ts) or
 * the processing-time lookup join (lookup-join.ts). While the left side is
 * endless the right table is read as a changelog, so versions keep coming.
 */
function compileTemporalJoin(plan: JoinNode, kind: 'event-time' | 'processing-time', out: Port, cx: Cx): void {
  const reading = cx.options.storedReading;
  const right: Cx = isUnbounded(plan.left, reading) ? { ...cx, options: { ...cx.options, storedReading: 'changelog' } } : cx;
  if (kind === 'event-time') {
    let versioned: LogicalPlan | undefined;
    const op = keyedOperator(cx, (state) => {
      const t = temporalJoinOf(plan, cx.env, cx.inputs, state);
      versioned = t.right;
      return t.operator;
    });
    cx.compiled.lateCounters.push(op);
    const merge = new MergeStage(op, 2, out);
    compileNode(plan.left, merge.port(0), cx);
    compileNode(versioned!, merge.port(1), right);
    return;
  }
  const merge = new MergeStage(keyedOperator(cx, (state) => lookupJoinOf(plan, cx.env, changelogMode(plan.left, reading) === 'retract', state)), 2, out);
  const sources = cx.compiled.sources;
  const start = sources.length;
  compileNode(plan.left, merge.port(0), cx);
  const middle = sources.length;
  compileNode(plan.right, probeSideTime(merge.port(1)), right);
  lookupBeforeProbe(sources, { from: start, to: middle }, { from: middle, to: sources.length });
}

/**
 * ROW_NUMBER Top-N (rank-top-n.ts) over the window's input, then the filter's
 * other conjuncts. The rank column is NULL unless `withRank` or a residual reads it.
 * `upsert`: its output goes to a sink keyed on its unique key (no -U), which
 * can show a changing Top-N, so it is not refused then.
 */
function compileRankTopN(topN: RowNumberTopN, withRank: boolean, upsert: boolean, out: Port, cx: Cx): void {
  const input = topN.window.input;
  const rank = withRank || topN.residual.some((e) => readsColumn(e, topN.rankColumn));
  // Only the first N rows of a partition are kept when no row can ever be retracted.
  const appendOnly = changelogMode(input, cx.options.storedReading) === 'insert-only' && !hasWindow(input);
  const windowed = appendOnly ? windowTopNOf(topN) : undefined;
  let op: IncrementalOperator;
  if (windowed !== undefined) {
    // Window Top-N: each window's rows once, final, when the watermark passes it (append-only).
    const zone = windowed.tvf.timeCol.type.kind === 'TIMESTAMP_LTZ' ? cx.env.ctx.timeZone : undefined;
    const w = keyedOperator(cx, (state) => windowTopNOperator(topN, windowed.endColumn, windowFireTime(zone), rank, cx.env, state));
    cx.compiled.lateCounters.push(w);
    op = w;
  } else {
    if (cx.options.storedReading === 'snapshot' && isUnbounded(input) && !upsert && !(appendOnly && keepsFirstByProcTime(topN, cx.env))) {
      // Its rows change as events arrive, which a plain continuous SELECT or an INSERT job cannot show.
      throw notSupported(
        'Top-N (ROW_NUMBER) over an endless source in a continuous SELECT or INSERT',
        undefined,
        'Use SUBSCRIBE TO (SELECT ...) to see every change with its kind, or CREATE MATERIALIZED VIEW and query it; a Top-N per window (PARTITION BY window_start, window_end) is append-only.',
      );
    }
    op = keyedOperator(cx, (state) => rankTopNOf(topN, cx.env, rank, appendOnly, state, !upsert));
  }
  let next = out;
  if (topN.residual.length > 0) {
    const residual: FilterNode = { kind: 'filter', input: topN.window, predicate: conjoin(topN.residual), schema: topN.window.schema };
    next = stage(incrementalFilterOf(residual, cx.env), next);
  }
  compileNode(input, stage(op, next), cx);
}

/**
 * Deduplication keeping the first row by processing time: over an insert-only
 * input a later row never ranks before the kept one, so the output is insert-only.
 */
function keepsFirstByProcTime(topN: RowNumberTopN, env: ExecEnv): boolean {
  const order = topN.call.orderBy;
  const key = order[0]?.expr;
  if (order.length !== 1 || order[0]!.desc || key?.kind !== 'column' || !isProcessingTime(topN.window.input, key.index)) return false;
  const { first, last } = rankRange(topN, env);
  return first === 1 && last === 1;
}

function hasWindow(plan: LogicalPlan): boolean {
  return plan.kind === 'window' || childrenOf(plan).some(hasWindow);
}

function count(v: unknown, what: 'LIMIT' | 'OFFSET'): number | null {
  if (v === null) return null;
  const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? Math.round(v) : Number.NaN;
  if (Number.isNaN(n)) throw new SqlError(SqlState.DATATYPE_MISMATCH, `argument of ${what} must be a number`);
  if (n < 0) throw new SqlError(what === 'LIMIT' ? SqlState.INVALID_ROW_COUNT_IN_LIMIT_CLAUSE : '2201X', `${what} must not be negative`);
  return n;
}

function compileAggregate(plan: AggregateNode, out: Port, cx: Cx): void {
  const windowed = windowAggregationOf(plan);
  if (windowed !== undefined) {
    const window = windowed.tvf;
    const processingTime = window.timeCol.kind === 'column' && isProcessingTime(window.input, window.timeCol.index);
    const timed = (op: IncrementalOperator): Port => {
      if (!processingTime) return stage(op, out);
      const clocked = new WallClockStage(op, out);
      cx.compiled.clocks.push(clocked);
      return clocked;
    };
    if (window.fn === 'SESSION') {
      const op = keyedOperator(cx, (state) => sessionWindowAggregateOf(plan, window, cx.env, state));
      cx.compiled.lateCounters.push(op);
      compileNode(window.input, timed(op), cx);
      return;
    }
    const zone = window.timeCol.type.kind === 'TIMESTAMP_LTZ' ? cx.env.ctx.timeZone : undefined;
    const op = keyedOperator(cx, (state) => windowAggregateOf(plan, windowed.endKey, windowFireTime(zone), cx.env, state));
    cx.compiled.lateCounters.push(op);
    compileNode(plan.input, timed(op), cx);
    return;
  }
  const global = plan.groupKeys.length === 0 && cx.options.emptyInputRow;
  const options = { emptyInputRow: global, ttl: cx.options.stateTtl, updateBefore: plan !== cx.upsertProducer };
  if (global) {
    // One group: a single instance, whose first output comes before any input.
    const op = incrementalAggregateOf(plan, cx.env, operatorState(cx), options);
    cx.compiled.initial.push({ op, port: out });
    compileNode(plan.input, stage(op, out), cx);
    return;
  }
  compileNode(plan.input, stage(keyedOperator(cx, (state) => incrementalAggregateOf(plan, cx.env, state, options)), out), cx);
}

/**
 * A processing-time window operator: the wall clock, not the watermark,
 * completes its windows (`tick`, called periodically by the runtime). Event-time
 * watermarks pass through unchanged; the end of a bounded input still fires
 * everything left.
 */
class WallClockStage implements Port {
  readonly #op: IncrementalOperator;
  readonly #out: Port;

  constructor(op: IncrementalOperator, out: Port) {
    this.#op = op;
    this.#out = out;
  }

  tick(nowMicros: number): void {
    for (const c of this.#op.watermark?.(nowMicros) ?? []) if (c.rows.length > 0) this.#out.chunk(c);
  }

  chunk(c: Chunk): void {
    for (const o of this.#op.push(0, c)) if (o.rows.length > 0) this.#out.chunk(o);
  }

  watermark(wm: number): void {
    if (wm >= MAX_WATERMARK) this.tick(wm);
    this.#out.watermark(wm);
  }

  end(): void {
    this.#out.end();
  }

  idle(idle: boolean): void {
    this.#out.idle(idle);
  }

  barrier(id: number): void {
    this.#out.barrier(id);
  }
}

/** How far a LIMIT has got: rows still to skip (OFFSET) and to pass. */
interface LimitState {
  skip: number;
  remaining: number;
}

/** [skip, remaining] (remaining may be Infinity). */
const limitStateCodec: StateCodec<LimitState> = {
  encode: (s) => encodeStateValue([s.skip, s.remaining]),
  decode: (bytes) => {
    const [skip, remaining] = stateArray(decodeStateValue(bytes), 'limit', 2);
    return { skip: stateNumber(skip, 'limit offset'), remaining: stateNumber(remaining, 'limit count') };
  },
};

const LIMIT_KEY = new Uint8Array(0);

/**
 * LIMIT / OFFSET over an append-only stream: the query ends with its last row.
 * State: one entry (role `limit`), the rows still to skip and to pass, put
 * back after every chunk.
 */
class LimitOperator implements IncrementalOperator {
  readonly #limit: number;
  readonly #offset: number;
  readonly #state: StateTable<LimitState>;
  readonly #finish: () => void;
  readonly #out = new ChangelogBuilder();

  constructor(limit: number, offset: number, finish: () => void, state: StateProvider) {
    this.#limit = limit;
    this.#offset = offset;
    this.#state = state.table('limit', limitStateCodec);
    this.#finish = finish;
    if (limit === 0) queueMicrotask(finish);
  }

  push(_input: number, chunk: Chunk): Chunk[] {
    const s = this.#state.get(LIMIT_KEY) ?? { skip: this.#offset, remaining: this.#limit };
    if (s.remaining <= 0) return [];
    for (let i = 0; i < chunk.rows.length && s.remaining > 0; i++) {
      if (kindAt(chunk, i) !== RowKind.INSERT) continue;
      if (s.skip > 0) {
        s.skip--;
        continue;
      }
      this.#out.emit(RowKind.INSERT, chunk.rows[i]!);
      if (--s.remaining === 0) queueMicrotask(this.#finish);
    }
    this.#state.put(LIMIT_KEY, s);
    return this.#out.take();
  }
}

