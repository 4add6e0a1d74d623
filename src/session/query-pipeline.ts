/**
 * The path of a query: bind -> optimize -> compile -> run, with the
 * session's collaborators wired in. Used by SELECT, INSERT ... SELECT,
 * EXPLAIN, DECLARE CURSOR and the DML statements.
 */
import type { Expr, Query } from '../../grammar/ast.ts';
import { parseExpression, parseSql } from '../../grammar/parse.ts';
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import type { BoundExpr, BoundCall } from '../binder/bound-expr.ts';
import { bindQuery, bindScalar, type BinderContext } from '../binder/binder.ts';
import type { LogicalPlan, Schema } from '../planner/logical-plan.ts';
import { optimize } from '../optimizer/optimizer.ts';
import { needsContinuousRuntime } from '../planner/bounded-input.ts';
import { changelogMode, isUnbounded } from '../planner/changelog-mode.ts';
import { declareState, startDataflow, type Dataflow, type DataflowOptions } from '../streaming/stream-runtime.ts';
import type { StateProvider } from '../streaming/state-provider.ts';
import { parseTtlMs } from '../streaming/state-ttl.ts';
import { ResultQueue } from '../streaming/result-queue.ts';
import type { Port } from '../streaming/dataflow.ts';
import { SqlError, SqlState, notSupported } from '../errors.ts';
import { compileExpr, compileQuery, evaluateConstant, type ExecEnv } from '../compiler/compile.ts';
import { functions } from '../functions/functions.ts';
import { coercion } from '../functions/coercion.ts';
import type { EvalContext } from '../functions/eval-context.ts';
import { castFunction } from '../values/cast.ts';
import type { Database } from '../database.ts';
import type { SqlSession } from './session.ts';
import { rowSource } from './row-source.ts';
import type { TableAccess } from './table-access.ts';
import { KEY_GROUPS } from '../streaming/key-groups.ts';

export class QueryPipeline {
  readonly #db: Database;
  readonly #session: SqlSession;

  constructor(db: Database, session: SqlSession) {
    this.#db = db;
    this.#session = session;
  }

  binderContext(paramTypes: readonly (SqlType | undefined)[]): BinderContext {
    const catalog = this.#db.catalog;
    return {
      lookup: (parts) => catalog.lookup(parts),
      functions,
      coercion,
      parseSql,
      parseExpression,
      paramTypes: [...paramTypes],
      timeZone: this.#session.settings.timeZone,
      connectorBounded: (entry) => {
        const connector = this.#db.connectors.get(entry.options['connector'] ?? '');
        // A sink-only connector is never read (its scan is refused), so it counts as bounded.
        return connector === undefined || connector.bounded(entry.columns.filter((c) => c.kind === 'physical'), entry.options);
      },
    };
  }

  evalContext(): EvalContext {
    const session = this.#session;
    return {
      user: session.user,
      database: session.database,
      timeZone: session.settings.timeZone,
      statementTime: Date.now() * 1000,
      setting: (name) => session.settings.get(name),
      catalog: this.#db.lookup,
      backendPid: session.pid,
    };
  }

  /** Binds and optimizes a query. */
  /** `expandMaterializedViews`: bind materialized views as their queries (bind-env.ts). */
  plan(query: Query, paramTypes: readonly (SqlType | undefined)[], expandMaterializedViews = false): { plan: LogicalPlan; paramTypes: SqlType[] } {
    const bound = bindQuery(query, { ...this.binderContext(paramTypes), expandMaterializedViews });
    const disabled = (this.#session.settings.get('millrace.optimizer.disabled_rules') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    const ctx = this.evalContext();
    const plan = optimize(bound.plan, {
      disabledRules: disabled,
      fold: (call: BoundCall) => this.#fold(call, ctx),
    });
    return { plan, paramTypes: bound.paramTypes };
  }

  /** Stored-table reads and writes of the current statement (staged inside a transaction block). */
  tables(): TableAccess {
    return this.#session.tableAccess();
  }

  bindScalar(expr: Expr, schema: Schema, paramTypes: readonly (SqlType | undefined)[], relationName?: string): BoundExpr {
    return bindScalar(expr, schema, this.binderContext(paramTypes), relationName);
  }

  /**
   * What compiled code runs with. `tables` is how scans read stored tables:
   * by default as the session's transaction block sees them; dataflows that
   * outlive the statement (materialized views, jobs, continuous queries) read
   * committed rows only.
   */
  execEnv(params: readonly Value[], signal: AbortSignal, ctx: EvalContext = this.evalContext(), tables: TableAccess = this.#session.tableAccess()): ExecEnv {
    return {
      ctx,
      params,
      source: rowSource(this.#db, this.#session.user, () => this.#session.sqlCursorList(), tables),
      functions,
      cast: castFunction,
      signal,
    } as ExecEnv;
  }

  /**
   * Runs a planned query, returning its result batches. A query whose
   * operators need the end of an unbounded input runs continuously: its rows
   * arrive as windows close (stored tables are read as their current rows).
   */
  run(plan: LogicalPlan, params: readonly Value[], signal: AbortSignal): AsyncIterable<Row[]> {
    if (isUnbounded(plan) && this.#session.settings.get('execution.runtime-mode')?.toLowerCase() === 'batch') {
      throw notSupported('reading an endless source in batch mode', undefined, "SET 'execution.runtime-mode' = 'streaming' to run continuous queries, or make the source bounded (datagen: 'number-of-rows').");
    }
    if (!needsContinuousRuntime(plan)) return compileQuery(plan, this.execEnv(params, signal)).run();
    if (changelogMode(plan) !== 'insert-only') {
      throw notSupported(
        'a continuous SELECT whose result rows change as events arrive',
        undefined,
        'Use SUBSCRIBE TO (SELECT ...) to see every change with its kind, aggregate over windows (GROUP BY window_start, window_end, ...), or CREATE MATERIALIZED VIEW and query it.',
      );
    }
    return this.#continuous(plan, params, signal, 'snapshot', false);
  }

  /**
   * The change stream of a query (SUBSCRIBE): rows prefixed with their kind
   * (+I, -U, +U, -D); stored tables and materialized views are read as their
   * current rows, then every change.
   */
  subscribe(plan: LogicalPlan, params: readonly Value[], signal: AbortSignal, snapshot = true): AsyncIterable<Row[]> {
    return this.#continuous(plan, params, signal, 'changelog', true, snapshot);
  }

  /** Starts a server-owned dataflow (materialized views, jobs) whose output goes to `sink`. */
  /** Flink's execution.savepoint.path: the savepoint a new job starts from (unset or empty: none). */
  savepointPath(): string | undefined {
    const v = this.#session.settings.get('execution.savepoint.path')?.trim();
    return v === undefined || v === '' ? undefined : v;
  }

  /** The session settings a job keeps to be planned the same way after a restart. */
  jobSettings(): Record<string, string> {
    return this.#session.settings.forJobs();
  }

  /** Compiles `plan` as `startDataflow` would, without running it, telling `state` of every state table. */
  declareState(plan: LogicalPlan, state: StateProvider, options: Pick<DataflowOptions, 'storedReading' | 'emptyInputRow' | 'upsertKey'>): void {
    const never = new AbortController().signal;
    declareState(plan, this.execEnv([], never, this.evalContext(), this.#db.tables), this.#db.streamInputs, state, { stateTtlMs: this.#stateTtlMs(), parallelism: this.#parallelism(), ...options });
  }

  startDataflow(plan: LogicalPlan, sink: Port, options: DataflowOptions): Dataflow {
    const never = new AbortController().signal;
    let flow: Dataflow | undefined = undefined;
    const ctx: EvalContext = { ...this.evalContext(), currentWatermark: () => flow?.watermark ?? null };
    flow = startDataflow(plan, this.execEnv([], never, ctx, this.#db.tables), this.#db.streamInputs, sink, {
      idleTimeoutMs: this.#idleTimeoutMs(),
      stateTtlMs: this.#stateTtlMs(),
      parallelism: this.#parallelism(),
      ...options,
    });
    return flow;
  }

  #continuous(plan: LogicalPlan, params: readonly Value[], signal: AbortSignal, storedReading: 'snapshot' | 'changelog', withOp: boolean, snapshot = true): AsyncIterable<Row[]> {
    const queue = new ResultQueue(withOp);
    queue.suppress = !snapshot;
    let flow: Dataflow | undefined = undefined;
    const ctx: EvalContext = { ...this.evalContext(), currentWatermark: () => flow?.watermark ?? null };
    flow = startDataflow(plan, this.execEnv(params, signal, ctx, this.#db.tables), this.#db.streamInputs, queue, {
      storedReading,
      idleTimeoutMs: this.#idleTimeoutMs(),
      stateTtlMs: this.#stateTtlMs(),
      parallelism: this.#parallelism(),
      ready: () => queue.ready(),
      onCaughtUp: () => (queue.suppress = false),
    });
    flow.done.catch((err: unknown) => queue.fail(err));
    return queue.read(signal, () => flow.stop());
  }

  /** Flink's table.exec.source.idle-timeout, in milliseconds (0 = sources never count as idle); 22023 when unreadable. */
  #idleTimeoutMs(): number {
    const raw = this.#session.settings.get('table.exec.source.idle-timeout');
    if (raw === undefined) return 0;
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|milli|millis|s|sec|second|seconds|min|minute|minutes)?\s*$/i.exec(raw);
    if (m === null) {
      throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for table.exec.source.idle-timeout: "${raw}"`, {
        hint: "Write a duration such as '5 s', '500 ms' or '1 min' (0 turns idleness detection off).",
      });
    }
    const n = Number(m[1]);
    const unit = (m[2] ?? 'ms').toLowerCase();
    return unit.startsWith('s') ? n * 1000 : unit.startsWith('min') ? n * 60_000 : n;
  }

  /**
   * Flink's parallelism.default: how many instances run each keyed operator
   * (key-groups.ts; 1..KEY_GROUPS, default 1); 22023 when unreadable.
   */
  #parallelism(): number {
    const raw = this.#session.settings.get('parallelism.default');
    if (raw === undefined || raw.trim() === '') return 1;
    const n = /^\s*\d+\s*$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(n >= 1 && n <= KEY_GROUPS)) {
      throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for parallelism.default: "${raw}"`, {
        hint: `Write a whole number of instances from 1 to ${KEY_GROUPS} (the number of key groups).`,
      });
    }
    return n;
  }

  /**
   * Flink's table.exec.state.ttl, in milliseconds: how long unwindowed
   * aggregation and join state lives unwritten (0 = forever, the default);
   * 22023 when unreadable.
   */
  #stateTtlMs(): number {
    const raw = this.#session.settings.get('table.exec.state.ttl');
    if (raw === undefined || raw.trim() === '') return 0;
    const ms = parseTtlMs(raw);
    if (ms === undefined) {
      throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid value for table.exec.state.ttl: "${raw}"`, {
        hint: "Write a duration such as '1 h', '10 min', '30 s' or '500 ms' (0 keeps state forever).",
      });
    }
    return ms;
  }

  /** Runs a planned query to completion and returns all rows. */
  async collect(plan: LogicalPlan, params: readonly Value[], signal: AbortSignal): Promise<Row[]> {
    const rows: Row[] = [];
    for await (const batch of this.run(plan, params, signal)) for (const r of batch) rows.push(r);
    return rows;
  }

  compileScalar(expr: BoundExpr, params: readonly Value[], signal: AbortSignal): (row: Row) => Value {
    return compileExpr(expr, this.execEnv(params, signal));
  }

  #fold(call: BoundCall, ctx: EvalContext): BoundExpr | undefined {
    if (call.volatile) return undefined;
    try {
      const value = evaluateConstant(call, this.execEnv([], new AbortController().signal, ctx));
      return { kind: 'literal', type: call.type, value };
    } catch {
      // Leave it to run time, where the error gets reported with the row that caused it.
      return undefined;
    }
  }
}
