/**
 * Queries: WITH, the body (SELECT / VALUES / set operations / nested query),
 * ORDER BY, LIMIT / OFFSET.
 *
 * - CTEs are non-recursive; each one sees the CTEs before it and is bound
 *   inline wherever it is referenced.
 * - Set operations unify column types with coercion.commonType (42804 when
 *   there is none), casting each side by a Project; UNION ALL flattens into
 *   one UnionNode, UNION is Distinct over it.
 * - ORDER BY over a non-SELECT body sees the output columns by name/ordinal
 *   and expressions over them.
 * - LIMIT / OFFSET are constant expressions or parameters, cast to BIGINT.
 */
import type { Expr, OrderItem, Query, QueryBody, ValuesBody } from '../../grammar/ast.ts';
import { BIGINT } from '../../catalog/types.ts';
import { notSupported, SqlError, SqlState } from '../errors.ts';
import { pgTypeDisplayName } from '../functions/type-names.ts';
import type { LogicalPlan, PlanColumn, Schema, SortKey } from '../planner/logical-plan.ts';
import type { BoundExpr } from './bound-expr.ts';
import type { BindEnv, CteFrame } from './bind-env.ts';
import { bindExpr, sortKey } from './bind-expr.ts';
import { coerceTo, settle, unify } from './coerce.ts';
import { exprKey, forEachColumn } from './expr-utils.ts';
import { bindSelect } from './bind-select.ts';
import type { FromContext } from './bind-from.ts';
import { QueryLevel, Scope, type ScopeRelation } from './scope.ts';

/** Binds a query whose correlated references resolve in `outer` (same query level as `level`'s owner). */
export function bindQueryPlan(
  q: Query,
  env: BindEnv,
  ctes: CteFrame | undefined,
  outer: Scope | undefined,
  level: QueryLevel,
): LogicalPlan {
  if (q.recursive) throw notSupported('WITH RECURSIVE', q.pos);
  let frame = ctes;
  const names = new Set<string>();
  for (const cte of q.with) {
    if (names.has(cte.name.value)) {
      throw new SqlError('42712', `WITH query name "${cte.name.value}" specified more than once`, { position: cte.pos });
    }
    names.add(cte.name.value);
    frame = { ctes: new Map([[cte.name.value, { cte, visible: frame }]]), parent: frame };
  }
  const fc: FromContext = { env, ctes: frame, outer, level };
  let plan: LogicalPlan;
  let visible: number;
  let scope = new Scope([], undefined, new QueryLevel());
  if (q.body.kind === 'select') {
    const r = bindSelect(q.body, q.orderBy, fc);
    plan = r.plan;
    visible = r.visible;
    scope = new Scope(r.scope.relations, undefined, new QueryLevel());
  } else {
    plan = bindBody(q.body, fc);
    visible = plan.schema.length;
    if (q.orderBy.length > 0) plan = sortOutput(plan, q.orderBy, fc);
  }
  if (q.limit !== undefined || q.offset !== undefined) {
    const limit = q.limit === undefined ? undefined : limitValue(q.limit, 'LIMIT', fc, scope);
    const offset = q.offset === undefined ? undefined : limitValue(q.offset, 'OFFSET', fc, scope);
    plan = {
      kind: 'limit',
      input: plan,
      ...(limit === undefined ? {} : { limit }),
      ...(offset === undefined ? {} : { offset }),
      schema: plan.schema,
    };
  }
  if (visible < plan.schema.length) {
    const schema = plan.schema.slice(0, visible);
    plan = { kind: 'project', input: plan, exprs: schema.map((c, i) => ({ kind: 'column', type: c.type, index: i })), schema };
  }
  return plan;
}

/** A subquery expression's plan: a new query level whose outer scope is the expression's scope. */
export function bindSubqueryPlan(q: Query, env: BindEnv, ctes: CteFrame | undefined, scope: Scope, level: QueryLevel): LogicalPlan {
  return bindQueryPlan(q, env, ctes, scope, level);
}

/** An expression over the columns of `schema` by name (computed columns, UPDATE / DELETE). */
export function bindScalarIn(e: Expr, schema: Schema, env: BindEnv, relationName?: string): BoundExpr {
  const rel: ScopeRelation = {
    name: relationName,
    columns: schema.map((c, i) => ({ name: c.name, type: c.type, index: i, nullable: c.nullable })),
  };
  const scope = new Scope([rel], undefined, new QueryLevel());
  return settle(bindExpr(e, { env, scope, ctes: undefined, clause: 'this context' }), env, e.pos);
}

function bindBody(body: QueryBody, fc: FromContext): LogicalPlan {
  switch (body.kind) {
    case 'select':
      return bindSelect(body, [], fc).plan;
    case 'nested':
      return bindQueryPlan(body.query, fc.env, fc.ctes, fc.outer, fc.level);
    case 'values':
      return bindValues(body, fc);
    case 'set-op':
      return bindSetOp(body, fc);
  }
}

function bindValues(body: ValuesBody, fc: FromContext): LogicalPlan {
  const env = fc.env;
  const width = body.rows[0]?.length ?? 0;
  const scope = new Scope([], fc.outer, fc.level);
  const rows = body.rows.map((r) => {
    if (r.length !== width) {
      throw new SqlError(SqlState.SYNTAX_ERROR, 'VALUES lists must all be the same length', { position: r[0]?.pos ?? body.pos });
    }
    return r.map((e) => bindExpr(e, { env, scope, ctes: fc.ctes, clause: 'VALUES' }));
  });
  const schema: PlanColumn[] = [];
  const columns: BoundExpr[][] = [];
  for (let c = 0; c < width; c++) {
    const { type, exprs } = unify(
      rows.map((r) => r[c]!),
      env,
      body.rows[0]![c]!.pos,
      'VALUES',
    );
    columns.push(exprs);
    schema.push({ name: `column${c + 1}`, type, nullable: exprs.some((e) => !(e.kind === 'literal' && e.value !== null)) });
  }
  return { kind: 'values', rows: rows.map((_, r) => columns.map((col) => col[r]!)), schema };
}

function castColumns(plan: LogicalPlan, schema: Schema): LogicalPlan {
  if (plan.schema.every((c, i) => c.type.kind === schema[i]!.type.kind && JSON.stringify(c.type) === JSON.stringify(schema[i]!.type))) {
    return plan;
  }
  return {
    kind: 'project',
    input: plan,
    exprs: plan.schema.map((c, i): BoundExpr => {
      const col: BoundExpr = { kind: 'column', type: c.type, index: i };
      const t = schema[i]!.type;
      return JSON.stringify(c.type) === JSON.stringify(t) ? col : { kind: 'cast', type: t, operand: col, try: false };
    }),
    schema: plan.schema.map((c, i) => ({ name: c.name, type: schema[i]!.type, nullable: c.nullable })),
  };
}

function bindSetOp(body: Extract<QueryBody, { kind: 'set-op' }>, fc: FromContext): LogicalPlan {
  const env = fc.env;
  const left = bindBody(body.left, fc);
  const right = bindBody(body.right, fc);
  if (left.schema.length !== right.schema.length) {
    throw new SqlError(SqlState.SYNTAX_ERROR, `each ${body.op} query must have the same number of columns`, { position: body.pos });
  }
  const schema: PlanColumn[] = left.schema.map((l, i) => {
    const r = right.schema[i]!;
    const t = env.ctx.coercion.commonType([l.type, r.type]);
    if (t === undefined) {
      throw new SqlError(
        SqlState.DATATYPE_MISMATCH,
        `${body.op} types ${pgTypeDisplayName(l.type)} and ${pgTypeDisplayName(r.type)} cannot be matched`,
        { position: body.pos },
      );
    }
    return { name: l.name, type: t, nullable: l.nullable || r.nullable };
  });
  const l = castColumns(left, schema);
  const r = castColumns(right, schema);
  if (body.op === 'UNION') {
    const inputs = [...(l.kind === 'union' && body.all ? l.inputs : [l]), ...(r.kind === 'union' && body.all ? r.inputs : [r])];
    const union: LogicalPlan = { kind: 'union', inputs, schema };
    return body.all ? union : { kind: 'distinct', input: union, schema };
  }
  return { kind: 'set-op', op: body.op, all: body.all, left: l, right: r, schema };
}

/** ORDER BY over a set operation / VALUES / nested query: output columns by name, ordinal or expression. */
function sortOutput(plan: LogicalPlan, orderBy: readonly OrderItem[], fc: FromContext): LogicalPlan {
  const env = fc.env;
  const rel: ScopeRelation = {
    name: undefined,
    columns: plan.schema.map((c, i) => ({ name: c.name, type: c.type, index: i, nullable: c.nullable })),
  };
  const scope = new Scope([rel], fc.outer, fc.level);
  const width = plan.schema.length;
  const extra: BoundExpr[] = [];
  const keys: SortKey[] = orderBy.map((o) => {
    if (o.expr.kind === 'number' && /^\d+$/.test(o.expr.text)) {
      const n = Number(o.expr.text);
      if (n < 1 || n > width) {
        throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `ORDER BY position ${n} is not in select list`, { position: o.expr.pos });
      }
      return sortKey({ kind: 'column', type: plan.schema[n - 1]!.type, index: n - 1 }, o);
    }
    const e = settle(bindExpr(o.expr, { env, scope, ctes: fc.ctes, clause: 'ORDER BY' }), env, o.pos);
    if (e.kind === 'column') return sortKey(e, o);
    const k = exprKey(e);
    let i = extra.findIndex((x) => exprKey(x) === k);
    if (i < 0) {
      i = extra.length;
      extra.push(e);
    }
    return sortKey({ kind: 'column', type: e.type, index: width + i }, o);
  });
  let input = plan;
  if (extra.length > 0) {
    input = {
      kind: 'project',
      input: plan,
      exprs: [...plan.schema.map((c, i): BoundExpr => ({ kind: 'column', type: c.type, index: i })), ...extra],
      schema: [...plan.schema, ...extra.map((e, i) => ({ name: `?sort${i}?`, type: e.type, nullable: true }))],
    };
  }
  const sorted: LogicalPlan = { kind: 'sort', input, keys, schema: input.schema };
  if (extra.length === 0) return sorted;
  return { kind: 'project', input: sorted, exprs: plan.schema.map((c, i) => ({ kind: 'column', type: c.type, index: i })), schema: plan.schema };
}

/** LIMIT / OFFSET: names resolve against FROM only to report 42P10, as Postgres does. */
function limitValue(e: Expr, what: string, fc: FromContext, scope: Scope): BoundExpr {
  const env = fc.env;
  const b = bindExpr(e, { env, scope, ctes: fc.ctes, clause: what });
  let usesColumns = false;
  forEachColumn(b, () => (usesColumns = true));
  if (usesColumns) {
    throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `argument of ${what} must not contain variables`, { position: e.pos });
  }
  if (b.type.kind === 'BIGINT') return b;
  if (!env.isUnknown(b) && b.type.kind !== 'NULL' && !env.ctx.coercion.canImplicitlyCast(b.type, BIGINT) && b.type.kind !== 'DECIMAL' && b.type.kind !== 'NUMERIC' && b.type.kind !== 'DOUBLE') {
    throw new SqlError(SqlState.DATATYPE_MISMATCH, `argument of ${what} must be type bigint, not type ${pgTypeDisplayName(b.type)}`, {
      position: e.pos,
    });
  }
  return coerceTo(b, BIGINT, env, e.pos);
}
