/**
 * SELECT: FROM -> WHERE -> GROUP BY / aggregates -> HAVING -> window functions
 * -> select list (+ hidden ORDER BY columns) -> DISTINCT -> ORDER BY.
 *
 * Select-list, HAVING and ORDER BY expressions are bound against the FROM
 * row first; aggregates and window calls in them become placeholders. When the
 * query groups, each expression is then rewritten over the aggregate's output:
 * subtrees equal to a GROUP BY key become its column, placeholders become the
 * aggregate columns, and any other column left over is 42803. Window
 * placeholders become the WindowNode's trailing columns.
 *
 * The result keeps ORDER BY columns that are not in the select list as hidden
 * trailing columns (`visible` says how many are real); the query binder drops
 * them after LIMIT.
 */
import type { Expr, OrderItem, Select, SelectItem, WindowSpec } from '../../grammar/ast.ts';
import { BIGINT, INT, pgTypeOid, type RowField, type SqlType } from '../../catalog/types.ts';
import { pgTypeByOid } from '../../catalog/pg-catalog/type-table.ts';
import { notSupported, SqlError, SqlState } from '../errors.ts';
import type { AggregateCall, LogicalPlan, PlanColumn, SortKey, WindowCall } from '../planner/logical-plan.ts';
import type { BoundExpr } from './bound-expr.ts';
import { bindBoolean, bindExpr, bindOperator, requireBoolean, sortKey, type AggregateSink, type ExprScope } from './bind-expr.ts';
import { settle } from './coerce.ts';
import { exprKey, transform } from './expr-utils.ts';
import { bindFromList, type FromContext } from './bind-from.ts';
import { resolveTypeName } from './type-name.ts';
import { Scope } from './scope.ts';
import { remapOuterInPlan } from './outer-refs.ts';
import { bindLegacyWindowInput, rewriteLegacyGroupWindow } from './bind-window-tvf.ts';

export interface SelectResult {
  readonly plan: LogicalPlan;
  /** Leading columns that are the select list; the rest are hidden sort columns. */
  readonly visible: number;
  /** The FROM scope (LIMIT / OFFSET are checked against it). */
  readonly scope: Scope;
}

interface OutputItem {
  expr: BoundExpr;
  readonly name: string;
  readonly pos: number;
}

class Sink implements AggregateSink {
  readonly aggregates: AggregateCall[] = [];
  readonly windowCalls: WindowCall[] = [];
  readonly placeholders = new Map<BoundExpr, { kind: 'agg' | 'win' | 'srf' | 'grouping'; index: number }>();
  readonly windows: ReadonlyMap<string, WindowSpec>;

  constructor(windows: ReadonlyMap<string, WindowSpec>) {
    this.windows = windows;
  }

  addAggregate(call: AggregateCall): BoundExpr {
    const p: BoundExpr = { kind: 'column', type: call.type, index: -1 - this.aggregates.length };
    this.placeholders.set(p, { kind: 'agg', index: this.aggregates.length });
    this.aggregates.push(call);
    return p;
  }

  readonly tableFunctions: {
    fn: string;
    args: readonly BoundExpr[];
    type: SqlType;
    pos: number;
    columns: readonly RowField[] | undefined;
    placeholder: BoundExpr;
  }[] = [];

  /** Calls of one function with equal arguments share one placeholder: Postgres runs them in lockstep. */
  addTableFunction(fn: string, args: readonly BoundExpr[], type: SqlType, pos: number, columns?: readonly RowField[]): BoundExpr {
    const key = args.map(exprKey).join('\u0000');
    const same = this.tableFunctions.find((t) => t.fn === fn && t.args.length === args.length && t.args.map(exprKey).join('\u0000') === key);
    if (same !== undefined) return same.placeholder;
    const p: BoundExpr = { kind: 'column', type, index: -2_000_000 - this.tableFunctions.length };
    this.placeholders.set(p, { kind: 'srf', index: this.tableFunctions.length });
    this.tableFunctions.push({ fn, args, type, pos, columns, placeholder: p });
    return p;
  }

  readonly groupings: { args: readonly BoundExpr[]; pos: number }[] = [];

  addGrouping(args: readonly BoundExpr[], pos: number): BoundExpr {
    const p: BoundExpr = { kind: 'column', type: INT, index: -3_000_000 - this.groupings.length };
    this.placeholders.set(p, { kind: 'grouping', index: this.groupings.length });
    this.groupings.push({ args, pos });
    return p;
  }

  addWindow(call: WindowCall): BoundExpr {
    const p: BoundExpr = { kind: 'column', type: call.type, index: -1_000_000 - this.windowCalls.length };
    this.placeholders.set(p, { kind: 'win', index: this.windowCalls.length });
    this.windowCalls.push(call);
    return p;
  }
}

export function bindSelect(original: Select, originalOrderBy: readonly OrderItem[], fc: FromContext): SelectResult {
  const env = fc.env;
  // Legacy group windows (GROUP BY TUMBLE(ts, ...)): a window node over FROM, auxiliary functions as its columns.
  const legacy = rewriteLegacyGroupWindow(original, originalOrderBy);
  const select = legacy?.select ?? original;
  const orderBy = legacy?.orderBy ?? originalOrderBy;
  let from = bindFromList(select.from, fc);
  if (legacy !== undefined) from = bindLegacyWindowInput(legacy.window, from, fc);
  let plan: LogicalPlan = from?.plan ?? { kind: 'values', rows: [[]], schema: [] };
  const scope = new Scope(from?.relations ?? [], fc.outer, fc.level);
  checkDistinctNames(scope, select);
  const base = { env, scope, ctes: fc.ctes };

  if (select.where !== undefined) {
    const predicate = bindBoolean(select.where, { ...base, clause: 'WHERE' }, 'WHERE');
    plan = { kind: 'filter', input: plan, predicate, schema: plan.schema };
  }

  const windows = new Map<string, WindowSpec>();
  for (const w of select.windows) {
    if (windows.has(w.name.value)) {
      throw new SqlError('42P20', `window "${w.name.value}" is already defined`, { position: w.name.pos });
    }
    windows.set(w.name.value, w.spec);
  }
  const sink = new Sink(windows);
  const withSink = (clause: string): ExprScope => ({ ...base, sink, clause });

  // Select list.
  const items: OutputItem[] = [];
  for (const item of select.items) expandItem(item, scope, withSink('SELECT'), items);

  // GROUP BY: the grouping sets (one, unless ROLLUP / CUBE / GROUPING SETS) over the distinct keys.
  const groupKeys: BoundExpr[] = [];
  let grouped = false;
  let sets: BoundExpr[][] = [[]];
  const key = (e: Expr): BoundExpr => bindGroupKey(e, items, select.items, { ...base, clause: 'GROUP BY' }, sink);
  for (const g of select.groupBy) {
    grouped = true;
    let options: BoundExpr[][];
    switch (g.kind) {
      case 'empty':
        options = [[]];
        break;
      case 'expr':
        options = [[key(g.expr)]];
        break;
      case 'rollup': {
        const lists = g.sets.map((l) => l.map(key));
        options = lists.map((_, i) => lists.slice(0, lists.length - i).flat());
        options.push([]);
        break;
      }
      case 'cube': {
        const lists = g.sets.map((l) => l.map(key));
        if (lists.length > 12) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, 'CUBE is limited to 12 elements', { position: g.pos });
        options = [];
        for (let mask = (1 << lists.length) - 1; mask >= 0; mask--) options.push(lists.filter((_, i) => (mask & (1 << i)) !== 0).flat());
        break;
      }
      case 'grouping-sets':
        options = g.sets.map((l) => l.map(key));
        break;
    }
    sets = sets.flatMap((prefix) => options.map((o) => [...prefix, ...o]));
  }
  for (const k of sets.flat()) if (!groupKeys.some((x) => exprKey(x) === exprKey(k))) groupKeys.push(k);
  const setIndices = sets.map((set) => {
    const idx = new Set(set.map((k) => groupKeys.findIndex((x) => exprKey(x) === exprKey(k))));
    return [...idx].sort((a, b) => a - b);
  });

  const having =
    select.having === undefined ? undefined : requireBoolean(bindExpr(select.having, withSink('HAVING')), env, 'HAVING', select.having.pos);
  if (having !== undefined) grouped = true;

  // ORDER BY: output column references or expressions (hidden columns when not in the list).
  const visible = items.length;
  const keys: { index: number; item: OrderItem }[] = [];
  const hidden: BoundExpr[] = [];
  for (const o of orderBy) {
    const ref = outputReference(o.expr, items);
    if (ref !== undefined) {
      keys.push({ index: ref, item: o });
      continue;
    }
    const e = settle(bindExpr(o.expr, withSink('ORDER BY')), env, o.pos);
    const k = exprKey(e);
    const same = items.findIndex((it) => exprKey(it.expr) === k);
    if (same >= 0 && !sink.placeholders.has(e)) {
      keys.push({ index: same, item: o });
      continue;
    }
    keys.push({ index: visible + hidden.length, item: o });
    hidden.push(e);
  }

  // DISTINCT ON: output columns or hidden ones, like ORDER BY items.
  const distinctOn: number[] = [];
  for (const d of select.distinctOn) {
    let index = outputReference(d, items);
    if (index === undefined) {
      const e = settle(bindExpr(d, withSink('DISTINCT ON')), env, d.pos);
      const k = exprKey(e);
      index = items.findIndex((it) => exprKey(it.expr) === k);
      if (index < 0) {
        const h = hidden.findIndex((x) => exprKey(x) === k);
        index = visible + (h >= 0 ? h : hidden.push(e) - 1);
      }
    }
    if (!distinctOn.includes(index)) distinctOn.push(index);
  }
  if (distinctOn.length > 0) {
    const leading = keys.slice(0, distinctOn.length);
    const unmatched = leading.find((k) => !distinctOn.includes(k.index));
    if (unmatched !== undefined) {
      throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, 'SELECT DISTINCT ON expressions must match initial ORDER BY expressions', {
        position: unmatched.item.pos,
      });
    }
  }

  const meta = items.map((it) => columnMeta(it, env));
  let outputs: BoundExpr[] = [...items.map((it) => it.expr), ...hidden];
  let windowCalls = sink.windowCalls;

  if (sink.tableFunctions.length > 0) {
    const srfs = sink.tableFunctions;
    if (grouped || sink.aggregates.length > 0) throw notSupported('set-returning functions in a grouped select list', srfs[0]!.pos);
    for (const t of srfs) {
      for (const a of t.args) {
        let nested = false;
        transform(a, (x) => {
          if (sink.placeholders.get(x)?.kind === 'srf') nested = true;
          return undefined;
        });
        if (nested) throw notSupported('set-returning functions nested in set-returning function arguments', t.pos);
      }
    }
    const width = plan.schema.length;
    // Several functions run in lockstep: one node, each function's columns after the previous one's.
    const columnsOf = (t: (typeof srfs)[number]): readonly { name: string; type: SqlType }[] => t.columns ?? [{ name: t.fn, type: t.type }];
    const starts: number[] = [];
    let next = width;
    for (const t of srfs) {
      starts.push(next);
      next += columnsOf(t).length;
    }
    const lockstep = srfs.length === 1 ? undefined : srfs.map((t) => ({ fn: t.fn, argc: t.args.length, width: columnsOf(t).length }));
    plan = {
      kind: 'table-function',
      input: plan,
      fn: lockstep === undefined ? srfs[0]!.fn : `rows from(${lockstep.map((m) => m.fn).join(', ')})`,
      args: srfs.flatMap((t) => t.args),
      ordinality: false,
      ...(lockstep === undefined ? {} : { lockstep }),
      schema: [...plan.schema, ...srfs.flatMap((t) => columnsOf(t).map((c) => ({ name: c.name, type: c.type, nullable: true })))],
    };
    // A function of several columns stands for the ROW of them.
    const values: BoundExpr[] = srfs.map((srf, k) =>
      srf.columns === undefined
        ? { kind: 'column', type: srf.type, index: starts[k]! }
        : {
            kind: 'call',
            type: srf.type,
            fn: 'row_constructor',
            name: 'ROW',
            args: srf.columns.map((c, j): BoundExpr => ({ kind: 'column', type: c.type, index: starts[k]! + j })),
            volatile: false,
          },
    );
    const replace = (e: BoundExpr): BoundExpr =>
      transform(e, (x) => {
        const ph = sink.placeholders.get(x);
        return ph?.kind === 'srf' ? values[ph.index] : undefined;
      });
    outputs = outputs.map(replace);
    windowCalls = windowCalls.map((w) => ({
      ...w,
      args: w.args.map(replace),
      partitionBy: w.partitionBy.map(replace),
      orderBy: w.orderBy.map((k) => ({ ...k, expr: replace(k.expr) })),
    }));
  }

  if (sink.groupings.length > 0) grouped = true;
  if (grouped || sink.aggregates.length > 0) {
    const nk = groupKeys.length;
    const keyIndex = new Map(groupKeys.map((k, i) => [exprKey(k), i]));
    const na = sink.aggregates.length;
    // GROUPING(args) per grouping set: bit (n-1-i) set when argument i is not grouped in that set.
    const groupingArgs = sink.groupings.map((g) =>
      g.args.map((a) => {
        const k = keyIndex.get(exprKey(a));
        if (k === undefined) {
          throw new SqlError(SqlState.GROUPING_ERROR, 'arguments to GROUPING must be grouping expressions of the associated query level', {
            position: g.pos,
          });
        }
        return k;
      }),
    );
    const groupingValues = (set: readonly number[]): number[] =>
      groupingArgs.map((ks) => ks.reduce((mask, k) => (mask << 1) | (set.includes(k) ? 0 : 1), 0));
    const post = (e: BoundExpr): BoundExpr =>
      transform(e, (x) => {
        const ph = sink.placeholders.get(x);
        if (ph !== undefined) {
          if (ph.kind === 'agg') return { kind: 'column', type: x.type, index: nk + ph.index };
          if (ph.kind === 'grouping') return { kind: 'column', type: x.type, index: nk + na + ph.index };
          return x;
        }
        const k = keyIndex.get(exprKey(x));
        if (k !== undefined) return { kind: 'column', type: x.type, index: k };
        if (x.kind === 'column') {
          const origin = env.origins.get(x);
          const name = origin === undefined ? `${x.index}` : origin.table === undefined ? origin.name : `${origin.table}.${origin.name}`;
          const pos = env.positions.get(x);
          throw new SqlError(SqlState.GROUPING_ERROR, `column "${name}" must appear in the GROUP BY clause or be used in an aggregate function`, {
            ...(pos === undefined ? {} : { position: pos }),
          });
        }
        if (x.kind === 'subquery' && x.correlated) {
          const plan = remapOuterInPlan(x.plan, 1, (i, o) => {
            const k = keyIndex.get(exprKey({ kind: 'column', type: o.type, index: i }));
            if (k === undefined) {
              throw new SqlError(SqlState.GROUPING_ERROR, `subquery uses ungrouped column "${columnName(scope, i)}" from outer query`);
            }
            return { ...o, index: k };
          });
          return { ...x, plan, ...(x.operand === undefined ? {} : { operand: post(x.operand) }) };
        }
        return undefined;
      });
    const aggSchema: PlanColumn[] = [
      ...groupKeys.map((k, i) => ({ name: `group${i}`, type: k.type, nullable: true })),
      ...sink.aggregates.map((a) => ({ name: a.fn, type: a.type, nullable: a.fn !== 'count' && a.fn !== 'count_star' })),
    ];
    plan = groupingPlan(plan, groupKeys, setIndices, sink.aggregates, aggSchema, groupingValues);
    if (having !== undefined) plan = { kind: 'filter', input: plan, predicate: post(having), schema: plan.schema };
    outputs = outputs.map(post);
    windowCalls = windowCalls.map((w) => ({
      ...w,
      args: w.args.map(post),
      partitionBy: w.partitionBy.map(post),
      orderBy: w.orderBy.map((k) => ({ ...k, expr: post(k.expr) })),
    }));
  }

  if (windowCalls.length > 0) {
    const width = plan.schema.length;
    plan = {
      kind: 'window',
      input: plan,
      calls: windowCalls,
      schema: [...plan.schema, ...windowCalls.map((w, i) => ({ name: `${w.fn}${i}`, type: w.type, nullable: true }))],
    };
    outputs = outputs.map((e) =>
      transform(e, (x) => {
        const ph = sink.placeholders.get(x);
        return ph?.kind === 'win' ? { kind: 'column', type: x.type, index: width + ph.index } : undefined;
      }),
    );
  }

  const schema: PlanColumn[] = [
    ...meta,
    ...hidden.map((e, i) => ({ name: `?sort${i}?`, type: e.type, nullable: true })),
  ];
  plan = { kind: 'project', input: plan, exprs: outputs, schema };

  const sortKeys: SortKey[] = keys.map((k) => sortKey({ kind: 'column', type: schema[k.index]!.type, index: k.index }, k.item));
  if (distinctOn.length > 0) {
    // The first row of each DISTINCT ON group in ORDER BY order: row_number() = 1.
    const width = schema.length;
    const rn: WindowCall = {
      fn: 'row_number',
      args: [],
      partitionBy: distinctOn.map((i): BoundExpr => ({ kind: 'column', type: schema[i]!.type, index: i })),
      orderBy: sortKeys,
      type: BIGINT,
    };
    plan = { kind: 'window', input: plan, calls: [rn], schema: [...schema, { name: 'row_number', type: BIGINT, nullable: false }] };
    const first = bindOperator(
      '=',
      [
        { kind: 'column', type: BIGINT, index: width },
        { kind: 'literal', type: BIGINT, value: 1n },
      ],
      select.pos,
      { ...base, clause: 'DISTINCT ON' },
      '=',
    );
    plan = { kind: 'filter', input: plan, predicate: first, schema: plan.schema };
    plan = { kind: 'project', input: plan, exprs: schema.map((c, i): BoundExpr => ({ kind: 'column', type: c.type, index: i })), schema };
  } else if (select.distinct) {
    if (hidden.length > 0) {
      throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, 'for SELECT DISTINCT, ORDER BY expressions must appear in select list', {
        position: keys.find((k) => k.index >= visible)?.item.pos ?? select.pos,
      });
    }
    plan = { kind: 'distinct', input: plan, schema: plan.schema };
  }
  if (keys.length > 0) {
    plan = { kind: 'sort', input: plan, keys: sortKeys, schema: plan.schema };
  }
  return { plan, visible, scope };
}

/**
 * One AggregateNode for plain GROUP BY; for several grouping sets, a UNION ALL
 * of one aggregate per set, keys missing from a set filled with NULL so every
 * branch has the layout keys ++ aggregates.
 */
function groupingPlan(
  input: LogicalPlan,
  groupKeys: readonly BoundExpr[],
  sets: readonly (readonly number[])[],
  aggregates: readonly AggregateCall[],
  aggSchema: PlanColumn[],
  groupingValues: (set: readonly number[]) => number[],
): LogicalPlan {
  const only = sets[0];
  const nk = groupKeys.length;
  const extras = (set: readonly number[]): BoundExpr[] => groupingValues(set).map((v) => ({ kind: 'literal', type: INT, value: v }));
  const schema = [...aggSchema, ...groupingValues([]).map((_, i) => ({ name: `grouping${i}`, type: INT, nullable: false }))];
  if (sets.length === 1 && only !== undefined && only.length === groupKeys.length) {
    const agg: LogicalPlan = { kind: 'aggregate', input, groupKeys, aggregates, schema: aggSchema };
    const g = extras(only);
    if (g.length === 0) return agg;
    return { kind: 'project', input: agg, exprs: [...aggSchema.map((c, i): BoundExpr => ({ kind: 'column', type: c.type, index: i })), ...g], schema };
  }
  const branches = sets.map((set): LogicalPlan => {
    const agg: LogicalPlan = {
      kind: 'aggregate',
      input,
      groupKeys: set.map((i) => groupKeys[i]!),
      aggregates,
      schema: [...set.map((i) => aggSchema[i]!), ...aggSchema.slice(nk)],
    };
    const exprs: BoundExpr[] = groupKeys.map((k, i): BoundExpr => {
      const at = set.indexOf(i);
      return at < 0 ? { kind: 'literal', type: k.type, value: null } : { kind: 'column', type: k.type, index: at };
    });
    aggregates.forEach((a, j) => exprs.push({ kind: 'column', type: a.type, index: set.length + j }));
    exprs.push(...extras(set));
    return { kind: 'project', input: agg, exprs, schema };
  });
  return { kind: 'union', inputs: branches, schema };
}

/** Postgres: two FROM items of one level may not share a name (42712). */
function checkDistinctNames(scope: Scope, select: Select): void {
  const seen = new Set<string>();
  for (const r of scope.relations) {
    if (r.name === undefined) continue;
    const key = `${r.schema ?? ''}.${r.name}`;
    if (seen.has(key) || (r.schema === undefined && [...seen].some((k) => k.endsWith(`.${r.name}`)))) {
      throw new SqlError('42712', `table name "${r.name}" specified more than once`, { position: select.pos });
    }
    seen.add(key);
  }
}

function columnName(scope: Scope, index: number): string {
  for (const r of scope.relations) {
    for (const c of r.columns) if (c.index === index) return r.name === undefined ? c.name : `${r.name}.${c.name}`;
  }
  return `${index}`;
}

function expandItem(item: SelectItem, scope: Scope, s: ExprScope, out: OutputItem[]): void {
  const env = s.env;
  if (item.kind === 'star') {
    let cols;
    if (item.qualifier === undefined) {
      if (scope.relations.length === 0) {
        throw new SqlError(SqlState.SYNTAX_ERROR, 'SELECT * with no tables specified is not valid', { position: item.pos });
      }
      cols = scope.starColumns();
    } else {
      const q = item.qualifier.parts.map((p) => p.value);
      const rels = scope.findRelations(q);
      if (rels.length === 0) {
        throw new SqlError(SqlState.UNDEFINED_TABLE, `missing FROM-clause entry for table "${q[q.length - 1]}"`, { position: item.pos });
      }
      if (rels.length > 1) {
        throw new SqlError(SqlState.AMBIGUOUS_COLUMN, `table reference "${q[q.length - 1]}" is ambiguous`, { position: item.pos });
      }
      cols = rels[0]!.columns;
    }
    for (const c of cols) {
      const expr: BoundExpr = { kind: 'column', type: c.type, index: c.index };
      env.origins.set(expr, c);
      env.positions.set(expr, item.pos);
      out.push({ expr, name: c.name, pos: item.pos });
    }
    return;
  }
  const expr = settle(bindExpr(item.expr, s), env, item.pos);
  out.push({ expr, name: item.alias?.value ?? deriveName(item.expr), pos: item.pos });
}

function columnMeta(it: OutputItem, env: FromContext['env']): PlanColumn {
  const origin = it.expr.kind === 'column' ? env.origins.get(it.expr) : undefined;
  if (origin !== undefined) {
    return {
      name: it.name,
      type: it.expr.type,
      nullable: origin.nullable,
      ...(origin.tableOid === undefined ? {} : { tableOid: origin.tableOid }),
      ...(origin.attnum === undefined ? {} : { attnum: origin.attnum }),
    };
  }
  const nullable = !(it.expr.kind === 'literal' && it.expr.value !== null);
  return { name: it.name, type: it.expr.type, nullable };
}

/** An ORDER BY item naming an output column: an ordinal or a bare output column name. */
function outputReference(e: Expr, items: readonly OutputItem[]): number | undefined {
  if (e.kind === 'number' && /^\d+$/.test(e.text)) {
    const n = Number(e.text);
    if (n < 1 || n > items.length) {
      throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `ORDER BY position ${n} is not in select list`, { position: e.pos });
    }
    return n - 1;
  }
  if (e.kind === 'column' && e.name.parts.length === 1) {
    const name = e.name.parts[0]!.value;
    const matches = items.map((it, i) => (it.name === name ? i : -1)).filter((i) => i >= 0);
    if (matches.length === 0) return undefined;
    if (matches.length > 1) {
      const first = exprKey(items[matches[0]!]!.expr);
      if (!matches.every((i) => exprKey(items[i]!.expr) === first)) {
        throw new SqlError(SqlState.AMBIGUOUS_COLUMN, `ORDER BY "${name}" is ambiguous`, { position: e.pos });
      }
    }
    return matches[0];
  }
  return undefined;
}

function bindGroupKey(e: Expr, items: readonly OutputItem[], ast: readonly SelectItem[], s: ExprScope, sink: Sink): BoundExpr {
  let key: BoundExpr | undefined;
  if (e.kind === 'number' && /^\d+$/.test(e.text)) {
    const n = Number(e.text);
    if (n < 1 || n > items.length) {
      throw new SqlError(SqlState.INVALID_COLUMN_REFERENCE, `GROUP BY position ${n} is not in select list`, { position: e.pos });
    }
    key = items[n - 1]!.expr;
  } else if (e.kind === 'column' && e.name.parts.length === 1) {
    try {
      key = settle(bindExpr(e, s), s.env, e.pos);
    } catch (err) {
      if (!(err instanceof SqlError) || err.code !== SqlState.UNDEFINED_COLUMN) throw err;
      const name = e.name.parts[0]!.value;
      const i = ast.findIndex((it) => it.kind === 'expr' && it.alias?.value === name);
      if (i < 0) throw err;
      key = items.find((it) => it.name === name)?.expr;
      if (key === undefined) throw err;
    }
  } else {
    key = settle(bindExpr(e, s), s.env, e.pos);
  }
  if (containsPlaceholder(key, sink)) {
    throw new SqlError(SqlState.GROUPING_ERROR, 'aggregate functions are not allowed in GROUP BY', { position: e.pos });
  }
  return key;
}

function containsPlaceholder(e: BoundExpr, sink: Sink): boolean {
  let found = false;
  transform(e, (x) => {
    if (sink.placeholders.has(x)) found = true;
    return undefined;
  });
  return found;
}

// ---------------------------------------------------------------- column names

/** The result column name Postgres gives an unaliased select-list expression. */
export function deriveName(e: Expr): string {
  return figureName(e)[0];
}

/**
 * Postgres' FigureColname: a name and its strength. Column, function and
 * subquery names (2) beat the type name of a cast or the word `case` (1); an
 * outer cast renames anything weaker than 2, so `'o'::regclass::oid` is `oid`.
 */
function figureName(e: Expr): [string, number] {
  switch (e.kind) {
    case 'column':
      return [e.name.parts[e.name.parts.length - 1]!.value, 2];
    case 'call':
      return [e.name.parts[e.name.parts.length - 1]!.value, 2];
    case 'cast': {
      const inner = figureName(e.operand);
      if (inner[1] > 1) return inner;
      const t = typeDisplayName(resolveTypeNameSafe(e));
      return t === '?column?' ? inner : [t, 1];
    }
    case 'typed-literal': {
      const t = typeDisplayName(resolveTypeNameSafe(e));
      return t === '?column?' ? ['?column?', 0] : [t, 1];
    }
    case 'interval':
      return ['interval', 1];
    case 'case':
      return ['case', 1];
    case 'exists':
      return ['exists', 2];
    case 'array':
      return ['array', 2];
    case 'row':
      return ['row', 2];
    case 'extract':
      return ['extract', 2];
    case 'subquery': {
      if (e.array) return ['array', 2];
      const body = e.query.body;
      if (body.kind === 'select' && body.items.length === 1 && body.items[0]!.kind === 'expr') {
        const it = body.items[0]!;
        return it.alias === undefined ? figureName(it.expr) : [it.alias.value, 2];
      }
      return ['?column?', 0];
    }
    case 'subscript':
    case 'collate':
      return figureName(e.operand);
    case 'field':
      return [e.field.value, 2];
    default:
      return ['?column?', 0];
  }
}

function resolveTypeNameSafe(e: Extract<Expr, { kind: 'cast' | 'typed-literal' }>): SqlType | undefined {
  try {
    return resolveTypeName(e.type);
  } catch {
    return undefined;
  }
}

function typeDisplayName(t: SqlType | undefined): string {
  if (t === undefined) return '?column?';
  return pgTypeByOid(pgTypeOid(t))?.name ?? '?column?';
}
