/**
 * Logical plan -> dataflow of incremental operators (a continuous query).
 *
 * Each plan node becomes a stage whose output port is its parent's input:
 * - scan, values: sources (stream-sources.ts);
 * - filter, project, TUMBLE / HOP / CUMULATE assignment: stateless stages;
 * - aggregate grouped by a window's window_start and window_end: window
 *   aggregation, firing by watermark (append-only output); over a SESSION
 *   window: the fused session window aggregation;
 * - other aggregates and DISTINCT: retracting group aggregation;
 * - joins (INNER, LEFT, RIGHT, FULL, SEMI, ANTI; without an equality they keep one
 *   bucket): the incremental join, or the interval join when both inputs are
 *   append-only event-time streams bounded by a time interval; UNION ALL: a merge;
 * - ORDER BY ... LIMIT: incremental Top-N (a retracting result);
 * - LIMIT (with OFFSET) over an append-only input: passes its rows, then ends the query.
 * Anything else is refused here with 0A000 before the query starts, so no
 * continuous query silently produces a wrong changelog.
 */
import type { Row } from '../../catalog/types.ts';
import type { AggregateNode, LogicalPlan } from '../planner/logical-plan.ts';
import { isProcessingTime, windowAggregationOf } from '../planner/window-aggregation.ts';
import { changelogMode } from '../planner/changelog-mode.ts';
import { evaluateConstant, type ExecEnv } from '../compiler/compile.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import { SqlError, SqlState, notSupported } from '../errors.ts';
import { incrementalAggregateOf, type IncrementalAggregate } from './incremental-aggregate.ts';
import { incrementalFilterOf } from './incremental-filter.ts';
import { incrementalProjectOf } from './incremental-project.ts';
import { incrementalJoinOf } from './incremental-join.ts';
import { intervalJoinOf } from './interval-join.ts';
import { incrementalTopNOf } from './incremental-top-n.ts';
import { windowAggregateOf } from './window-aggregate.ts';
import { sessionWindowAggregateOf } from './session-window-aggregate.ts';
import { windowAssignStreamOf, windowFireTime } from './window-assign-stream.ts';
import { ChangelogBuilder, kindAt, type IncrementalOperator } from './changelog.ts';
import { MAX_WATERMARK, MergeStage, OperatorStage, passThrough, type Port } from './dataflow.ts';
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
}

/** Compiles `plan` so that its output goes to `out`. Throws 0A000 for plans without an incremental form. */
export function compileStream(plan: LogicalPlan, env: ExecEnv, inputs: StreamInputs, out: Port, options: StreamCompileOptions): CompiledStream {
  const compiled: CompiledStream = { sources: [], clocks: [], lateCounters: [], initial: [] };
  compileNode(plan, out, { env, inputs, options, compiled, top: true });
  return compiled;
}

interface Cx {
  readonly env: ExecEnv;
  readonly inputs: StreamInputs;
  readonly options: StreamCompileOptions;
  readonly compiled: CompiledStream;
  /** Whether the node is the root, or only has row-by-row stages above it. */
  readonly top: boolean;
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
    case 'filter':
      compileNode(plan.input, stage(incrementalFilterOf(plan, cx.env), out), cx);
      return;
    case 'project':
      compileNode(plan.input, stage(incrementalProjectOf(plan, cx.env), out), cx);
      return;
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
      compileNode(plan.input, stage(incrementalAggregateOf(agg, cx.env), out), below);
      return;
    }
    case 'join': {
      // Event-time interval joins keep rows only while the watermark allows a match; others keep all.
      const interval = intervalJoinOf(plan, cx.env, cx.options.storedReading);
      if (interval !== undefined) cx.compiled.lateCounters.push(interval);
      const merge = new MergeStage(interval ?? incrementalJoinOf(plan, cx.env), 2, out);
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
        compileNode(plan.input.input, stage(incrementalTopNOf(plan, cx.env), out), below);
        return;
      }
      if (cx.options.storedReading === 'changelog' || changelogMode(plan.input) !== 'insert-only') {
        throw notSupported('LIMIT over a continuous query whose rows change', undefined, 'Use SUBSCRIBE to see every change, or LIMIT an append-only query (window aggregation, filters, projections).');
      }
      const limit = plan.limit === undefined ? null : count(evaluateConstant(plan.limit, cx.env), 'LIMIT');
      const offset = plan.offset === undefined ? 0 : count(evaluateConstant(plan.offset, cx.env), 'OFFSET') ?? 0;
      compileNode(plan.input, stage(new LimitOperator(limit ?? Infinity, offset, cx.options.finish), out), below);
      return;
    }
    case 'sort':
      if (cx.top) {
        // ORDER BY on the final result of a continuous query: the rows come in the order they are produced.
        compileNode(plan.input, out, cx);
        return;
      }
      throw notSupported('ORDER BY inside a continuous query');
    case 'set-op':
      throw notSupported(`${plan.op} in a continuous query`);
    case 'window':
      throw notSupported('window functions (OVER) in a continuous query');
    case 'table-function':
      throw notSupported('table functions in a continuous query');
  }
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
      const op = sessionWindowAggregateOf(plan, window, cx.env);
      cx.compiled.lateCounters.push(op);
      compileNode(window.input, timed(op), cx);
      return;
    }
    const zone = window.timeCol.type.kind === 'TIMESTAMP_LTZ' ? cx.env.ctx.timeZone : undefined;
    const op = windowAggregateOf(plan, windowed.endKey, windowFireTime(zone), cx.env);
    cx.compiled.lateCounters.push(op);
    compileNode(plan.input, timed(op), cx);
    return;
  }
  const global = plan.groupKeys.length === 0 && cx.options.emptyInputRow;
  const op = incrementalAggregateOf(plan, cx.env, undefined, { emptyInputRow: global });
  if (global) cx.compiled.initial.push({ op, port: out });
  compileNode(plan.input, stage(op, out), cx);
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
}

/** LIMIT / OFFSET over an append-only stream: the query ends with its last row. */
class LimitOperator implements IncrementalOperator {
  #skip: number;
  #remaining: number;
  readonly #finish: () => void;
  readonly #out = new ChangelogBuilder();

  constructor(limit: number, offset: number, finish: () => void) {
    this.#remaining = limit;
    this.#skip = offset;
    this.#finish = finish;
    if (limit === 0) queueMicrotask(finish);
  }

  push(_input: number, chunk: Chunk): Chunk[] {
    if (this.#remaining <= 0) return [];
    for (let i = 0; i < chunk.rows.length && this.#remaining > 0; i++) {
      if (kindAt(chunk, i) !== RowKind.INSERT) continue;
      if (this.#skip > 0) {
        this.#skip--;
        continue;
      }
      this.#out.emit(RowKind.INSERT, chunk.rows[i]!);
      if (--this.#remaining === 0) queueMicrotask(this.#finish);
    }
    return this.#out.take();
  }
}

