/**
 * FROM: relations, views, CTEs, subqueries, table functions and joins ->
 * a plan plus the scope relations that name its columns.
 *
 * - Stored tables and materialized views scan their physical columns
 *   (ScanNode.columns are positions among the physical columns); computed
 *   columns are a Project over the scan, so `*` yields all columns in declared
 *   order. Connector tables are scanned the same way with source 'connector';
 *   system relations read every column.
 * - Views and CTEs are bound inline at each reference.
 * - USING / NATURAL joins put the merged columns first (Postgres order), the
 *   merged-away sides stay reachable qualified.
 * - A table function whose arguments use earlier FROM items (LATERAL, explicit
 *   or implied as in Postgres) becomes a TableFunctionNode over them.
 * - Equality conjuncts between the two sides of an ON condition become equiKeys.
 * - Window TVFs (`TABLE(TUMBLE(TABLE t, DESCRIPTOR(ts), ...))`) are bound by bind-window-tvf.ts.
 */
import type { CommonTableExpr, Ident, JoinRef, NamedTableRef, TableAlias, TableRef } from '../../grammar/ast.ts';
import type { CatalogEntry, ColumnDefinition, TableDefinition } from '../../catalog/relation.ts';
import { BIGINT, BOOLEAN, type SqlType } from '../../catalog/types.ts';
import { notSupported, SqlError, SqlState } from '../errors.ts';
import type { JoinNode, LogicalPlan, PlanColumn, Schema } from '../planner/logical-plan.ts';
import { tableFunctionColumns } from '../functions/table-functions.ts';
import type { BoundExpr } from './bound-expr.ts';
import type { BindEnv, CteFrame } from './bind-env.ts';
import { bindBoolean, bindExpr, bindOperator, type ExprScope } from './bind-expr.ts';
import { isZeroBasedVector } from './zero-based-vectors.ts';
import { coerceTo, settle } from './coerce.ts';
import { conjuncts, containsSubquery, forEachColumn, mapColumns, shiftColumns } from './expr-utils.ts';
import { bindQueryPlan, bindScalarIn } from './bind-query.ts';
import { QueryLevel, Scope, shiftRelation, type ScopeColumn, type ScopeRelation } from './scope.ts';
import { bindWindowTvf, windowTvfFunction } from './bind-window-tvf.ts';
import { isProcessingTime } from '../planner/window-aggregation.ts';

/** Where a FROM clause is bound: the enclosing query level's scope for correlated references. */
export interface FromContext {
  readonly env: BindEnv;
  readonly ctes: CteFrame | undefined;
  readonly outer: Scope | undefined;
  readonly level: QueryLevel;
}

export interface FromItem {
  readonly plan: LogicalPlan;
  readonly relations: readonly ScopeRelation[];
}

export function bindFromList(refs: readonly TableRef[], fc: FromContext): FromItem | undefined {
  let acc: FromItem | undefined;
  for (const ref of refs) acc = bindTableRef(ref, fc, acc);
  return acc;
}

/** Binds `ref`; `left` is what comes before it in FROM (for lateral function calls), joined in the result. */
function bindTableRef(ref: TableRef, fc: FromContext, left: FromItem | undefined): FromItem {
  if (ref.kind === 'function' && left !== undefined) return bindFunction(ref, fc, left);
  const item = bindTableRefAlone(ref, fc);
  return left === undefined ? item : crossJoin(left, item);
}

function bindTableRefAlone(ref: TableRef, fc: FromContext): FromItem {
  switch (ref.kind) {
    case 'named':
      return bindNamed(ref, fc);
    case 'subquery': {
      if (ref.lateral) throw notSupported('LATERAL subqueries', ref.pos);
      const plan = bindQueryPlan(ref.query, fc.env, fc.ctes, fc.outer, fc.level);
      return aliased(plan, ref.alias, undefined, undefined, ref.pos);
    }
    case 'function':
      return bindFunction(ref, fc, undefined);
    case 'join':
      return bindJoin(ref, fc);
  }
}

// ---------------------------------------------------------------- relations

function findCte(frame: CteFrame | undefined, name: string): { cte: CommonTableExpr; visible: CteFrame | undefined } | undefined {
  for (let f = frame; f !== undefined; f = f.parent) {
    const c = f.ctes.get(name);
    if (c !== undefined) return c;
  }
  return undefined;
}

function bindNamed(ref: NamedTableRef, fc: FromContext): FromItem {
  const parts = ref.name.parts.map((p) => p.value);
  if (ref.asOf !== undefined) {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'FOR SYSTEM_TIME AS OF is only supported on the right side of a JOIN', {
      position: ref.asOf.pos,
      hint: 'Write FROM o [LEFT] JOIN t FOR SYSTEM_TIME AS OF o.time_column AS r ON o.k = r.k.',
    });
  }
  if (parts.length === 1) {
    const c = findCte(fc.ctes, parts[0]!);
    if (c !== undefined) {
      const plan = bindQueryPlan(c.cte.query, fc.env, c.visible, fc.outer, fc.level);
      const named = renameColumns(plan, c.cte.columns, c.cte.name.value, c.cte.pos);
      return aliased(named, ref.alias, c.cte.name.value, undefined, ref.pos);
    }
  }
  const entry = fc.env.ctx.lookup(parts);
  if (entry === undefined) {
    throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${parts.join('.')}" does not exist`, { position: ref.name.pos });
  }
  const plan = relationPlan(entry, fc.env);
  return aliased(plan, ref.alias, entry.name, entry.schema, ref.pos);
}

/** A view's (or materialized view's) query bound in place of the view, its columns named as the view's. */
function expandedView(entry: CatalogEntry & { readonly query: string }, env: BindEnv): LogicalPlan {
  const stmts = env.ctx.parseSql(entry.query);
  const stmt = stmts[0];
  if (stmts.length !== 1 || stmt === undefined || stmt.kind !== 'query-statement') {
    throw new SqlError(SqlState.INVALID_OBJECT_DEFINITION, `view "${entry.name}" has an invalid definition`);
  }
  let plan: LogicalPlan;
  try {
    plan = bindQueryPlan(stmt.query, env, undefined, undefined, new QueryLevel());
  } catch (err) {
    // Positions inside the stored definition mean nothing in the user's text.
    if (!(err instanceof SqlError) || err.position === undefined) throw err;
    throw new SqlError(err.code, err.message, {
      detail: `while expanding view "${entry.name}"`,
      ...(err.hint === undefined ? {} : { hint: err.hint }),
    });
  }
  return {
    kind: 'project',
    input: plan,
    exprs: plan.schema.map((c, i) => ({ kind: 'column', type: c.type, index: i })),
    schema: plan.schema.map((c, i) => ({ name: entry.columns[i]?.name ?? c.name, type: c.type, nullable: c.nullable })),
  };
}

function columnOf(c: ColumnDefinition, entry: CatalogEntry, attnum: number): PlanColumn {
  return { name: c.name, type: c.type, nullable: c.nullable, tableOid: entry.id, attnum };
}

/** The plan reading a catalog relation: all its columns in declared order. */
export function relationPlan(entry: CatalogEntry, env: BindEnv): LogicalPlan {
  switch (entry.kind) {
    case 'system':
      return {
        kind: 'scan',
        source: 'system',
        relationId: entry.id,
        relationName: entry.name,
        columns: entry.columns.map((_, i) => i),
        unbounded: false,
        schema: entry.columns.map((c, i) => columnOf(c, entry, i + 1)),
      };
    case 'view':
      return expandedView(entry, env);
    case 'table':
    case 'materialized-view': {
      if (entry.kind === 'materialized-view' && env.ctx.expandMaterializedViews === true) return expandedView(entry, env);
      const physical: { def: ColumnDefinition; attnum: number }[] = [];
      entry.columns.forEach((def, i) => {
        if (def.kind === 'physical') physical.push({ def, attnum: i + 1 });
      });
      const connector = entry.kind === 'table' ? entry.options['connector'] : undefined;
      const scan: Extract<LogicalPlan, { kind: 'scan' }> = {
        kind: 'scan',
        source: connector === undefined ? 'stored' : 'connector',
        relationId: entry.id,
        relationName: entry.name,
        columns: physical.map((_, i) => i),
        unbounded: entry.kind === 'table' && connector !== undefined && !(env.ctx.connectorBounded?.(entry) ?? (connector !== 'datagen' || datagenBounded(entry.options))),
        schema: physical.map((p) => columnOf(p.def, entry, p.attnum)),
      };
      const exprs: BoundExpr[] = [];
      const schema: PlanColumn[] = [];
      let next = 0;
      entry.columns.forEach((def, i) => {
        if (def.kind === 'physical') {
          exprs.push({ kind: 'column', type: def.type, index: next++ });
          schema.push(columnOf(def, entry, i + 1));
        } else if (def.kind === 'computed' && def.expr !== undefined) {
          exprs.push(coerceTo(computedColumn(def, scan.schema, env), def.type, env, 0));
          schema.push({ name: def.name, type: def.type, nullable: true });
        } else {
          exprs.push({ kind: 'literal', type: def.type, value: null });
          schema.push({ name: def.name, type: def.type, nullable: true });
        }
      });
      const watermarked = entry.kind === 'table' && entry.watermark !== undefined ? { ...scan, watermark: watermarkOf(entry, schema, exprs, env) } : scan;
      if (physical.length === entry.columns.length) return watermarked;
      return { kind: 'project', input: watermarked, exprs, schema };
    }
  }
}

/** The WATERMARK strategy over the physical columns: bound over all columns, computed ones inlined. */
function watermarkOf(entry: TableDefinition, all: Schema, exprs: readonly BoundExpr[], env: BindEnv): BoundExpr {
  const def = entry.watermark!;
  try {
    const bound = bindScalarIn(env.ctx.parseExpression(def.expr), all, env);
    return mapColumns(bound, (c) => exprs[c.index]!);
  } catch (err) {
    if (!(err instanceof SqlError)) throw err;
    throw new SqlError(err.code, err.message, { detail: `while computing the watermark of "${entry.name}"` });
  }
}

/**
 * A computed column's expression over the physical columns. PROCTIME() reads
 * the statement clock when the library has no function of that name.
 */
function computedColumn(def: ColumnDefinition, physical: Schema, env: BindEnv): BoundExpr {
  if (def.proctime === true) {
    const fns = env.ctx.functions;
    for (const name of ['proctime', 'now', 'current_timestamp']) {
      let r;
      try {
        r = fns.resolveScalar(name, []);
      } catch {
        r = undefined;
      }
      if (r !== undefined) return { kind: 'call', type: r.returnType, fn: r.id, name, args: [], volatile: true };
    }
  }
  try {
    return bindScalarIn(env.ctx.parseExpression(def.expr!), physical, env);
  } catch (err) {
    if (!(err instanceof SqlError)) throw err;
    throw new SqlError(err.code, err.message, {
      detail: `while computing column "${def.name}"`,
      ...(err.hint === undefined ? {} : { hint: err.hint }),
    });
  }
}

/** A datagen table ends after `number-of-rows` rows or with its first `sequence` column. */
function datagenBounded(options: Readonly<Record<string, string>>): boolean {
  if (options['number-of-rows'] !== undefined) return true;
  return Object.entries(options).some(([k, v]) => /^fields\..+\.kind$/.test(k) && v.trim().toLowerCase() === 'sequence');
}

/** Applies a column alias list: renames the first columns. */
function renameColumns(plan: LogicalPlan, names: readonly Ident[], relName: string, pos: number): LogicalPlan {
  if (names.length === 0) return plan;
  if (names.length > plan.schema.length) {
    throw new SqlError(
      SqlState.INVALID_COLUMN_REFERENCE,
      `table "${relName}" has ${plan.schema.length} columns available but ${names.length} columns specified`,
      { position: pos },
    );
  }
  return {
    kind: 'project',
    input: plan,
    exprs: plan.schema.map((c, i) => ({ kind: 'column', type: c.type, index: i })),
    schema: plan.schema.map((c, i) => {
      const n = names[i];
      return n === undefined ? c : { ...c, name: n.value };
    }),
  };
}

export function aliased(plan: LogicalPlan, alias: TableAlias | undefined, name: string | undefined, schema: string | undefined, pos: number): FromItem {
  const relName = alias?.name.value ?? name;
  const p = alias === undefined ? plan : renameColumns(plan, alias.columns, relName ?? '', pos);
  return { plan: p, relations: [relationOf(p.schema, relName, alias === undefined ? schema : undefined)] };
}

function relationOf(schema: Schema, name: string | undefined, schemaName: string | undefined): ScopeRelation {
  return {
    name,
    ...(schemaName === undefined ? {} : { schema: schemaName }),
    columns: schema.map((c, i) => ({
      name: c.name,
      type: c.type,
      index: i,
      nullable: c.nullable,
      ...(name === undefined ? {} : { table: name }),
      ...(c.tableOid === undefined ? {} : { tableOid: c.tableOid }),
      ...(c.attnum === undefined ? {} : { attnum: c.attnum }),
    })),
  };
}

// ---------------------------------------------------------------- table functions

function bindFunction(ref: Extract<TableRef, { kind: 'function' }>, fc: FromContext, left: FromItem | undefined): FromItem {
  const env = fc.env;
  const call = ref.call;
  const name = call.name.parts[call.name.parts.length - 1]!.value;
  const windowFn = call.name.parts.length === 1 ? windowTvfFunction(name) : undefined;
  const tvfArgs = call.args.some((a) => a.kind === 'table-arg' || a.kind === 'descriptor' || a.kind === 'named-arg');
  if (windowFn !== undefined && (ref.tableWrapper || tvfArgs)) {
    const item = bindWindowTvf(ref, windowFn, fc);
    return left === undefined ? item : crossJoin(left, item);
  }
  if (ref.tableWrapper || call.args.some((a) => a.kind === 'table-arg' || a.kind === 'descriptor')) {
    throw notSupported(`table-valued function ${name.toUpperCase()}`, ref.pos);
  }
  const scope = new Scope(left?.relations ?? [], fc.outer, fc.level);
  const s: ExprScope = { env, scope, ctes: fc.ctes, clause: 'functions in FROM' };
  if (!env.ctx.functions.isTableFunction(name)) return bindScalarFunction(ref, s, left);
  const args = call.args.map((a) => settle(bindExpr(a, s), env, a.pos));
  let usesLeft = false;
  for (const a of args) forEachColumn(a, () => (usesLeft = true));
  let cols: { name: string; type: SqlType }[];
  try {
    cols = tableFunctionColumns(name, args.map((a) => a.type));
  } catch (err) {
    if (err instanceof SqlError) throw err.at(call.pos);
    throw err;
  }
  const fnSchema: PlanColumn[] = cols.map((c) => ({ name: c.name, type: c.type, nullable: true }));
  if (ref.ordinality) fnSchema.push({ name: 'ordinality', type: BIGINT, nullable: false });
  const alias = ref.alias;
  if (alias !== undefined) {
    if (alias.columns.length > fnSchema.length) {
      throw new SqlError(
        SqlState.INVALID_COLUMN_REFERENCE,
        `table "${alias.name.value}" has ${fnSchema.length} columns available but ${alias.columns.length} columns specified`,
        { position: ref.pos },
      );
    }
    alias.columns.forEach((c, i) => (fnSchema[i] = { ...fnSchema[i]!, name: c.value }));
    // Postgres: a single-column function aliased without column names names its column after the alias.
    if (alias.columns.length === 0 && cols.length === 1) fnSchema[0] = { ...fnSchema[0]!, name: alias.name.value };
  }
  const relName = alias?.name.value ?? name;
  if (usesLeft && left !== undefined) {
    const lw = left.plan.schema.length;
    const plan: LogicalPlan = {
      kind: 'table-function',
      input: left.plan,
      fn: name,
      args,
      ordinality: ref.ordinality,
      schema: [...left.plan.schema, ...fnSchema],
    };
    return { plan: zeroBasedSubscripts(plan, name, args, lw, s), relations: [...left.relations, shiftRelation(relationOf(fnSchema, relName, undefined), lw)] };
  }
  const plan = zeroBasedSubscripts({ kind: 'table-function', fn: name, args, ordinality: ref.ordinality, schema: fnSchema }, name, args, 0, s);
  const item: FromItem = { plan, relations: [relationOf(fnSchema, relName, undefined)] };
  return left === undefined ? item : crossJoin(left, item);
}

/**
 * A function that is not set-returning, in FROM: one row holding its value, one column named after
 * the alias (or the function), as in Postgres (`FROM string_to_array(current_setting('search_path'),
 * ',') s` gives column `s`). Arguments over earlier FROM items are evaluated per row of those.
 */
function bindScalarFunction(ref: Extract<TableRef, { kind: 'function' }>, s: ExprScope, left: FromItem | undefined): FromItem {
  const env = s.env;
  const call = ref.call;
  const name = call.name.parts[call.name.parts.length - 1]!.value;
  const value = settle(bindExpr(call, s), env, call.pos);
  const alias = ref.alias;
  const width = ref.ordinality ? 2 : 1;
  if (alias !== undefined && alias.columns.length > width) {
    throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `table "${alias.name.value}" has ${width} columns available but ${alias.columns.length} columns specified`, {
      position: ref.pos,
    });
  }
  const fnSchema: PlanColumn[] = [{ name: alias?.columns[0]?.value ?? alias?.name.value ?? name, type: value.type, nullable: true }];
  const exprs: BoundExpr[] = [value];
  if (ref.ordinality) {
    fnSchema.push({ name: alias?.columns[1]?.value ?? 'ordinality', type: BIGINT, nullable: false });
    exprs.push({ kind: 'literal', type: BIGINT, value: 1n });
  }
  const relName = alias?.name.value ?? name;
  let usesLeft = false;
  forEachColumn(value, () => (usesLeft = true));
  if (usesLeft && left !== undefined) {
    const lw = left.plan.schema.length;
    const passThrough = left.plan.schema.map((c, i): BoundExpr => ({ kind: 'column', type: c.type, index: i }));
    const plan: LogicalPlan = { kind: 'project', input: left.plan, exprs: [...passThrough, ...exprs], schema: [...left.plan.schema, ...fnSchema] };
    return { plan, relations: [...left.relations, shiftRelation(relationOf(fnSchema, relName, undefined), lw)] };
  }
  const item: FromItem = { plan: { kind: 'values', rows: [exprs], schema: fnSchema }, relations: [relationOf(fnSchema, relName, undefined)] };
  return left === undefined ? item : crossJoin(left, item);
}

/** generate_subscripts over an int2vector / oidvector catalog column counts from 0, as in Postgres. */
function zeroBasedSubscripts(plan: LogicalPlan, name: string, args: readonly BoundExpr[], at: number, s: ExprScope): LogicalPlan {
  if (name !== 'generate_subscripts' || !isZeroBasedVector(args[0], s.env)) return plan;
  const exprs = plan.schema.map((c, i): BoundExpr => {
    const col: BoundExpr = { kind: 'column', type: c.type, index: i };
    return i === at ? bindOperator('-', [col, { kind: 'literal', type: c.type, value: 1 }], 0, s, '-') : col;
  });
  return { kind: 'project', input: plan, exprs, schema: plan.schema };
}

// ---------------------------------------------------------------- joins

function nullableSchema(schema: Schema): Schema {
  return schema.map((c) => (c.nullable ? c : { ...c, nullable: true }));
}

function nullableRelations(rs: readonly ScopeRelation[]): ScopeRelation[] {
  return rs.map((r) => ({ ...r, columns: r.columns.map((c) => ({ ...c, nullable: true })) }));
}

function crossJoin(left: FromItem, right: FromItem): FromItem {
  const lw = left.plan.schema.length;
  return {
    plan: { kind: 'join', joinType: 'INNER', left: left.plan, right: right.plan, equiKeys: [], schema: [...left.plan.schema, ...right.plan.schema] },
    relations: [...left.relations, ...right.relations.map((r) => shiftRelation(r, lw))],
  };
}

function bindJoin(ref: JoinRef, fc: FromContext): FromItem {
  const env = fc.env;
  const left = bindTableRefAlone(ref.left, fc);
  if (ref.right.kind === 'function' && (ref.right.lateral || ref.joinType === 'CROSS' || ref.joinType === 'INNER') && ref.on === undefined && ref.using.length === 0 && !ref.natural) {
    return bindFunction(ref.right, fc, left);
  }
  if (ref.right.kind === 'named' && ref.right.asOf !== undefined) return bindTemporalJoin(ref, ref.right, left, fc);
  const right = bindTableRefAlone(ref.right, fc);
  const lw = left.plan.schema.length;
  const jt = ref.joinType === 'CROSS' ? 'INNER' : ref.joinType;
  const leftNull = jt === 'RIGHT' || jt === 'FULL';
  const rightNull = jt === 'LEFT' || jt === 'FULL';
  const lrels = leftNull ? nullableRelations(left.relations) : left.relations;
  const rrels = (rightNull ? nullableRelations(right.relations) : right.relations).map((r) => shiftRelation(r, lw));
  const schema = [
    ...(leftNull ? nullableSchema(left.plan.schema) : left.plan.schema),
    ...(rightNull ? nullableSchema(right.plan.schema) : right.plan.schema),
  ];
  const relations = [...lrels, ...rrels];
  const scope = new Scope(relations, fc.outer, fc.level);
  const s: ExprScope = { env, scope, ctes: fc.ctes, clause: 'JOIN conditions' };

  if (ref.natural || ref.using.length > 0) return bindUsingJoin(ref, left, right, jt, lrels, rrels, schema, s);

  let condition: BoundExpr | undefined;
  if (ref.on !== undefined) condition = bindBoolean(ref.on, s, 'JOIN/ON');
  else if (ref.joinType !== 'CROSS' && ref.joinType !== 'INNER') {
    throw new SqlError(SqlState.SYNTAX_ERROR, `${ref.joinType} JOIN requires a join condition`, { position: ref.pos });
  }
  return { plan: makeJoin(jt, left.plan, right.plan, condition, schema), relations };
}

/**
 * `left [LEFT] JOIN t FOR SYSTEM_TIME AS OF left.time [AS r] ON ...` (Flink's
 * temporal join). The AS OF column decides the kind: a PROCTIME() column
 * gives a processing-time join (a lookup of t's current rows, t any table or
 * materialized view, an equality required); a rowtime (a column the left
 * table declares its WATERMARK for) gives an event-time join, where t must be
 * a versioned table: PRIMARY KEY and WATERMARK, the key equated in ON. Its
 * condition gets `r.rowtime <= left.time` (true of the version valid at that
 * time; over a table's current rows, as a bounded query reads it, it keeps
 * exactly the rows already valid then).
 */
function bindTemporalJoin(ref: JoinRef, named: NamedTableRef, left: FromItem, fc: FromContext): FromItem {
  const env = fc.env;
  const asOf = named.asOf!;
  if (ref.joinType !== 'INNER' && ref.joinType !== 'LEFT') {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `FOR SYSTEM_TIME AS OF is not supported in a ${ref.joinType} JOIN`, {
      position: ref.pos,
      hint: 'A temporal join is an INNER or LEFT JOIN with an ON condition.',
    });
  }
  if (ref.on === undefined) {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'a temporal join (FOR SYSTEM_TIME AS OF) needs an ON condition', {
      position: ref.pos,
      hint: 'Write ON o.k = r.k instead of USING or NATURAL.',
    });
  }
  const parts = named.name.parts.map((p) => p.value);
  const notTable = (): SqlError =>
    new SqlError(SqlState.WRONG_OBJECT_TYPE, `"${parts.join('.')}" is not a table: FOR SYSTEM_TIME AS OF reads a table's versions`, {
      position: named.name.pos,
      hint: 'Join a table or a materialized view; for event time a table with a PRIMARY KEY and a WATERMARK.',
    });
  if (parts.length === 1 && findCte(fc.ctes, parts[0]!) !== undefined) throw notTable();
  const entry = env.ctx.lookup(parts);
  if (entry === undefined) throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${parts.join('.')}" does not exist`, { position: named.name.pos });
  if (entry.kind === 'view' || entry.kind === 'system') throw notTable();
  const { asOf: _asOf, ...plain } = named;
  const right = bindNamed(plain, fc);
  const lw = left.plan.schema.length;
  const time = bindExpr(asOf, { env, scope: new Scope(left.relations, fc.outer, fc.level), ctes: fc.ctes, clause: 'FOR SYSTEM_TIME AS OF' });
  const timeIndex = time.kind === 'column' ? time.index : -1;
  const kind = timeIndex < 0 ? undefined : timeAttributeOf(left.plan, timeIndex);
  if (kind === undefined) {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'FOR SYSTEM_TIME AS OF must name a time attribute of the left side of the join', {
      position: asOf.pos,
      hint: 'Use the left table\'s rowtime (the column of its WATERMARK) or a PROCTIME() column.',
    });
  }
  const jt = ref.joinType;
  const rightNull = jt === 'LEFT';
  const rrels = (rightNull ? nullableRelations(right.relations) : right.relations).map((r) => shiftRelation(r, lw));
  const schema = [...left.plan.schema, ...(rightNull ? nullableSchema(right.plan.schema) : right.plan.schema)];
  const relations = [...left.relations, ...rrels];
  const s: ExprScope = { env, scope: new Scope(relations, fc.outer, fc.level), ctes: fc.ctes, clause: 'JOIN conditions' };
  let condition = bindBoolean(ref.on, s, 'JOIN/ON');
  const columnIndex = (name: string): number => entry.columns.findIndex((c) => c.name === name);
  if (kind === 'event-time') {
    const pk = entry.primaryKey;
    const watermark = entry.kind === 'table' ? entry.watermark : undefined;
    if (pk.length === 0 || watermark === undefined) {
      throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `"${entry.name}" is not a versioned table: an event-time temporal join needs ${pk.length === 0 ? 'its PRIMARY KEY' : 'its WATERMARK'}`, {
        position: named.name.pos,
        hint: 'Declare PRIMARY KEY (...) NOT ENFORCED and WATERMARK FOR <rowtime> AS ... on the table, or join FOR SYSTEM_TIME AS OF a PROCTIME() column.',
      });
    }
    const rowtime: BoundExpr = { kind: 'column', type: right.plan.schema[columnIndex(watermark.column)]!.type, index: lw + columnIndex(watermark.column) };
    condition = { kind: 'and', type: BOOLEAN, args: [condition, bindOperator('<=', [rowtime, time], asOf.pos, s, '<=')] };
    const join = makeJoin(jt, left.plan, right.plan, condition, schema);
    for (const name of pk) {
      const i = columnIndex(name);
      if (!join.equiKeys.some((k) => k.right.kind === 'column' && k.right.index === i)) {
        throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `the ON condition of an event-time temporal join must equate the primary key column "${name}" of "${entry.name}"`, {
          position: ref.on.pos,
          hint: `Add ${right.relations[0]?.name ?? entry.name}.${name} = <left column> to the ON condition.`,
        });
      }
    }
    return { plan: { ...join, temporal: { kind } }, relations };
  }
  const join = makeJoin(jt, left.plan, right.plan, condition, schema);
  if (join.equiKeys.length === 0) {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'a processing-time temporal join needs an equality between the two sides in its ON condition', {
      position: ref.on.pos,
      hint: 'Add r.k = o.k: the right table is looked up by that key.',
    });
  }
  return { plan: { ...join, temporal: { kind } }, relations };
}

/**
 * The kind of time attribute column `index` of `plan` is: a PROCTIME()
 * column (processing time) or the column a scanned table declares its
 * WATERMARK for, and only that column (event time); traced through filters,
 * column projections and the left side of temporal joins, whose left columns
 * keep their attribute.
 */
function timeAttributeOf(plan: LogicalPlan, index: number): 'event-time' | 'processing-time' | undefined {
  switch (plan.kind) {
    case 'filter':
      return timeAttributeOf(plan.input, index);
    case 'project': {
      const e = plan.exprs[index];
      if (e?.kind === 'column') return timeAttributeOf(plan.input, e.index);
      return isProcessingTime(plan, index) ? 'processing-time' : undefined;
    }
    case 'join':
      return plan.temporal !== undefined && index < plan.left.schema.length ? timeAttributeOf(plan.left, index) : undefined;
    case 'scan': {
      const physical = plan.columns[index];
      if (plan.watermark === undefined || physical === undefined) return undefined;
      const read = new Set<number>();
      forEachColumn(plan.watermark, (i) => read.add(i));
      return read.size === 1 && read.has(physical) ? 'event-time' : undefined;
    }
    default:
      return undefined;
  }
}

/** Builds a JoinNode, moving `l = r` conjuncts between the sides into equiKeys. */
export function makeJoin(
  joinType: JoinNode['joinType'],
  left: LogicalPlan,
  right: LogicalPlan,
  condition: BoundExpr | undefined,
  schema: Schema,
): JoinNode {
  const lw = left.schema.length;
  const equiKeys: { left: BoundExpr; right: BoundExpr }[] = [];
  const rest: BoundExpr[] = [];
  for (const c of condition === undefined ? [] : conjuncts(condition)) {
    if (c.kind === 'call' && c.name === '=' && c.args.length === 2 && !containsSubquery(c)) {
      const [a, b] = c.args as [BoundExpr, BoundExpr];
      const sa = side(a, lw);
      const sb = side(b, lw);
      if (sa === 'L' && sb === 'R' && a.type.kind === b.type.kind) {
        equiKeys.push({ left: a, right: shiftColumns(b, -lw) });
        continue;
      }
      if (sa === 'R' && sb === 'L' && a.type.kind === b.type.kind) {
        equiKeys.push({ left: b, right: shiftColumns(a, -lw) });
        continue;
      }
    }
    rest.push(c);
  }
  const cond: BoundExpr | undefined =
    rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : { kind: 'and', type: BOOLEAN, args: rest };
  return {
    kind: 'join',
    joinType,
    left,
    right,
    equiKeys,
    ...(cond === undefined ? {} : { condition: cond }),
    schema,
  };
}

function side(e: BoundExpr, lw: number): 'L' | 'R' | 'both' | 'none' {
  let l = false;
  let r = false;
  forEachColumn(e, (i) => {
    if (i < lw) l = true;
    else r = true;
  });
  return l && r ? 'both' : l ? 'L' : r ? 'R' : 'none';
}

function visibleColumn(rels: readonly ScopeRelation[], name: string, sideName: string, pos: number): ScopeColumn | undefined {
  let found: ScopeColumn | undefined;
  for (const r of rels) {
    for (const c of r.columns) {
      if (c.name !== name || c.merged === true) continue;
      if (found !== undefined) {
        throw new SqlError(SqlState.AMBIGUOUS_COLUMN, `common column name "${name}" appears more than once in ${sideName} table`, { position: pos });
      }
      found = c;
    }
  }
  return found;
}

function bindUsingJoin(
  ref: JoinRef,
  left: FromItem,
  right: FromItem,
  jt: JoinNode['joinType'],
  lrels: readonly ScopeRelation[],
  rrels: readonly ScopeRelation[],
  schema: Schema,
  s: ExprScope,
): FromItem {
  const env = s.env;
  let names: { value: string; pos: number }[];
  if (ref.natural) {
    const rightNames = new Set(rrels.flatMap((r) => r.columns.filter((c) => c.merged !== true).map((c) => c.name)));
    const seen = new Set<string>();
    names = [];
    for (const r of lrels)
      for (const c of r.columns)
        if (c.merged !== true && rightNames.has(c.name) && !seen.has(c.name)) {
          seen.add(c.name);
          names.push({ value: c.name, pos: ref.pos });
        }
  } else {
    names = ref.using.map((u) => ({ value: u.value, pos: u.pos }));
  }
  const conds: BoundExpr[] = [];
  const mergedCols: PlanColumn[] = [];
  const mergedExprs: BoundExpr[] = [];
  const leftMerged = new Set<number>();
  const rightMerged = new Set<number>();
  for (const n of names) {
    const l = visibleColumn(lrels, n.value, 'left', n.pos);
    if (l === undefined) {
      throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${n.value}" specified in USING clause does not exist in left table`, { position: n.pos });
    }
    const r = visibleColumn(rrels, n.value, 'right', n.pos);
    if (r === undefined) {
      throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${n.value}" specified in USING clause does not exist in right table`, { position: n.pos });
    }
    leftMerged.add(l.index);
    rightMerged.add(r.index);
    const le: BoundExpr = { kind: 'column', type: l.type, index: l.index };
    const re: BoundExpr = { kind: 'column', type: r.type, index: r.index };
    const eq = bindOperator('=', [le, re], n.pos, s, '=');
    conds.push(eq);
    const type = env.ctx.coercion.commonType([l.type, r.type]) ?? l.type;
    const lc = coerceTo(le, type, env, n.pos);
    const rc = coerceTo(re, type, env, n.pos);
    mergedExprs.push(jt === 'FULL' ? { kind: 'coalesce', type, args: [lc, rc] } : jt === 'RIGHT' ? rc : lc);
    mergedCols.push({ name: n.value, type, nullable: jt === 'FULL' ? l.nullable && r.nullable : jt === 'RIGHT' ? r.nullable : l.nullable });
  }
  const condition: BoundExpr | undefined =
    conds.length === 0 ? undefined : conds.length === 1 ? conds[0] : { kind: 'and', type: BOOLEAN, args: conds };
  const join = makeJoin(jt, left.plan, right.plan, condition, schema);
  const m = mergedCols.length;
  const plan: LogicalPlan = {
    kind: 'project',
    input: join,
    exprs: [...mergedExprs, ...schema.map((c, i): BoundExpr => ({ kind: 'column', type: c.type, index: i }))],
    schema: [...mergedCols, ...schema],
  };
  const mark = (rs: readonly ScopeRelation[], merged: Set<number>): ScopeRelation[] =>
    rs.map((r) => ({ ...r, columns: r.columns.map((c) => (merged.has(c.index) ? { ...c, merged: true } : c)) }));
  const mergedRel: ScopeRelation = {
    name: undefined,
    columns: mergedCols.map((c, i) => ({ name: c.name, type: c.type, index: i, nullable: c.nullable })),
  };
  const relations = [
    mergedRel,
    ...mark(lrels, leftMerged).map((r) => shiftRelation(r, m)),
    ...mark(rrels, rightMerged).map((r) => shiftRelation(r, m)),
  ];
  return { plan, relations };
}
