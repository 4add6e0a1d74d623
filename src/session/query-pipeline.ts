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
import { checkUnboundedInput } from '../planner/bounded-input.ts';
import { compileExpr, compileQuery, evaluateConstant, type ExecEnv } from '../compiler/compile.ts';
import { functions } from '../functions/functions.ts';
import { coercion } from '../functions/coercion.ts';
import type { EvalContext } from '../functions/eval-context.ts';
import { castFunction } from '../values/cast.ts';
import type { Database } from '../database.ts';
import type { SqlSession } from './session.ts';
import { rowSource } from './row-source.ts';

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
  plan(query: Query, paramTypes: readonly (SqlType | undefined)[]): { plan: LogicalPlan; paramTypes: SqlType[] } {
    const bound = bindQuery(query, this.binderContext(paramTypes));
    const disabled = (this.#session.settings.get('millrace.optimizer.disabled_rules') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0);
    const ctx = this.evalContext();
    const plan = optimize(bound.plan, {
      disabledRules: disabled,
      fold: (call: BoundCall) => this.#fold(call, ctx),
    });
    checkUnboundedInput(plan);
    return { plan, paramTypes: bound.paramTypes };
  }

  bindScalar(expr: Expr, schema: Schema, paramTypes: readonly (SqlType | undefined)[], relationName?: string): BoundExpr {
    return bindScalar(expr, schema, this.binderContext(paramTypes), relationName);
  }

  execEnv(params: readonly Value[], signal: AbortSignal, ctx: EvalContext = this.evalContext()): ExecEnv {
    return {
      ctx,
      params,
      source: rowSource(this.#db, this.#session.user),
      functions,
      cast: castFunction,
      signal,
    } as ExecEnv;
  }

  /** Runs a planned query, returning its result batches. */
  run(plan: LogicalPlan, params: readonly Value[], signal: AbortSignal): AsyncIterable<Row[]> {
    return compileQuery(plan, this.execEnv(params, signal)).run();
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
