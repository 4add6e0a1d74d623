/**
 * EXPLAIN text of a logical plan: one node per line, children indented by two
 * spaces below their parent.
 *
 * Expressions print as SQL-like text: columns by the name they have in the
 * node's input schema (`name#index` when the name is ambiguous or empty),
 * operators infix and parenthesised, functions as `name(args)`, literals as
 * SQL literals (`'text'`, `42`, `NULL`, `'2024-01-02'::DATE`), parameters as
 * `$n`. A subquery prints as `subquery#k` in the expression and its plan as a
 * `Subquery#k` line under the node that uses it; its outer references print as
 * `outer.name`, resolved against the enclosing node's input. Nodes over
 * unbounded input end with their changelog mode (`[insert-only]`, `[retract]`,
 * `[upsert (key: k, ...)]` for the nodes that emit no -U because the plan's
 * consumer replaces rows by that key, see changelog-mode.ts; bounded nodes are
 * all insert-only and show none); a window join over
 * unbounded input prints as `WindowJoin`. The format is for people
 * and tests, not a stable interface.
 */
import { flinkTypeName, type SqlType, type Value } from '../../catalog/types.ts';
import type { BoundExpr, BoundSubquery } from '../binder/bound-expr.ts';
import { unreachable } from '../errors.ts';
import { formatValue } from '../values/text-format.ts';
import type { AggregateCall, LogicalPlan, Schema, SortKey, WindowCall } from './logical-plan.ts';
import { childrenOf } from './logical-plan.ts';
import { changelogMode, isUnbounded, upsertChainOf, type StoredReading } from './changelog-mode.ts';
import { windowJoinOf } from './window-join.ts';

/** Where the plan's output goes, when that decides a changelog mode. */
export interface ExplainConsumer {
  /** The consumer replaces rows by these output columns (an INSERT job into a table with a PRIMARY KEY: `sinkUpsertKey`). */
  readonly upsertKey?: readonly number[] | undefined;
}

/**
 * The plan as text, one node per line, with each node's changelog mode when
 * its input is endless under `reading`; `consumer` tells which nodes upsert.
 */
export function explainPlan(plan: LogicalPlan, reading: StoredReading = 'snapshot', consumer: ExplainConsumer = {}): string {
  const out: string[] = [];
  const upserts = new Map<LogicalPlan, readonly number[]>();
  if (consumer.upsertKey !== undefined) for (const u of upsertChainOf(plan, consumer.upsertKey, reading)) upserts.set(u.node, u.key);
  new Explainer(out, reading, upserts).node(plan, 0, []);
  return out.join('\n');
}

const INFIX: Readonly<Record<string, string>> = {
  '+': '+', '-': '-', '*': '*', '/': '/', '%': '%', '||': '||',
  '=': '=', '<>': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
  '~': '~', '!~': '!~', '~*': '~*', '!~*': '!~*',
  like: 'LIKE', ilike: 'ILIKE', similar: 'SIMILAR TO', is_distinct_from: 'IS DISTINCT FROM',
};

/** How the expressions of one node see columns: its input schema, and the enclosing queries' rows. */
interface Scope {
  readonly columns: Schema;
  /** Innermost enclosing input first. */
  readonly outer: readonly Schema[];
}

function columnName(schema: Schema, index: number): string {
  const c = schema[index];
  if (c === undefined || c.name === '') return `#${index}`;
  let count = 0;
  for (const x of schema) if (x.name === c.name) count++;
  return count === 1 ? quoteIdent(c.name) : `${quoteIdent(c.name)}#${index}`;
}

function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replaceAll('"', '""')}"`;
}

export function formatLiteral(value: Value, type: SqlType): string {
  if (value === null) return 'NULL';
  switch (type.kind) {
    case 'BOOLEAN':
      return value === true ? 'TRUE' : 'FALSE';
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DECIMAL':
    case 'NUMERIC': {
      const text = formatValue(value, type, { timeZone: 'UTC' });
      return /^-?[0-9.e+-]+$/.test(text) ? text : `'${text}'::${flinkTypeName(type)}`;
    }
    case 'CHAR':
    case 'VARCHAR':
      return quoteString(value as string);
    default:
      return `${quoteString(formatValue(value, type, { timeZone: 'UTC' }))}::${flinkTypeName(type)}`;
  }
}

/** A window duration (µs) as an interval literal. */
function duration(us: number): string {
  return formatLiteral(us, { kind: 'INTERVAL_DAY_TIME' });
}

function quoteString(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

class Explainer {
  readonly #out: string[];
  readonly #reading: StoredReading;
  /** Nodes in upsert mode and the key they upsert by. */
  readonly #upserts: ReadonlyMap<LogicalPlan, readonly number[]>;
  #subqueries = 0;

  constructor(out: string[], reading: StoredReading, upserts: ReadonlyMap<LogicalPlan, readonly number[]>) {
    this.#out = out;
    this.#reading = reading;
    this.#upserts = upserts;
  }

  mode(plan: LogicalPlan): string {
    if (!isUnbounded(plan, this.#reading)) return '';
    const key = this.#upserts.get(plan);
    if (key === undefined) return ` [${changelogMode(plan, this.#reading)}]`;
    return ` [upsert (key: ${key.map((k) => columnName(plan.schema, k)).join(', ')})]`;
  }

  node(plan: LogicalPlan, depth: number, outer: readonly Schema[]): void {
    const subs: { id: number; sq: BoundSubquery; scope: Scope }[] = [];
    const ex = (e: BoundExpr, columns: Schema): string => this.expr(e, { columns, outer }, subs);
    const line = this.describe(plan, ex);
    this.#out.push(`${'  '.repeat(depth)}${line}${this.mode(plan)}`);
    for (const s of subs) {
      const flags = [s.sq.mode, ...(s.sq.correlated ? ['correlated'] : [])].join(', ');
      this.#out.push(`${'  '.repeat(depth + 1)}Subquery#${s.id} (${flags})`);
      this.node(s.sq.plan, depth + 2, [s.scope.columns, ...s.scope.outer]);
    }
    for (const c of childrenOf(plan)) this.node(c, depth + 1, outer);
  }

  describe(plan: LogicalPlan, ex: (e: BoundExpr, columns: Schema) => string): string {
    switch (plan.kind) {
      case 'scan': {
        const flags = [plan.source, ...(plan.unbounded ? ['unbounded'] : [])].join(', ');
        const cols = plan.schema.map((_, i) => columnName(plan.schema, i)).join(', ');
        const filter = plan.filter === undefined ? '' : ` filter=${ex(plan.filter, plan.schema)}`;
        return `Scan ${plan.relationName} (${flags}) columns=[${cols}]${filter}`;
      }
      case 'values': {
        const rows = plan.rows.map((r) => `(${r.map((e) => ex(e, [])).join(', ')})`);
        const shown = rows.length > 3 ? [...rows.slice(0, 3), '...'] : rows;
        return `Values ${plan.rows.length} row${plan.rows.length === 1 ? '' : 's'} ${shown.join(', ')}`.trimEnd();
      }
      case 'project': {
        const input = plan.input.schema;
        const items = plan.exprs.map((e, i) => {
          const text = ex(e, input);
          const name = plan.schema[i]?.name ?? '';
          return e.kind === 'column' && input[e.index]?.name === name ? text : `${text} AS ${quoteIdent(name)}`;
        });
        return `Project [${items.join(', ')}]`;
      }
      case 'filter':
        return `Filter ${ex(plan.predicate, plan.input.schema)}`;
      case 'aggregate': {
        const input = plan.input.schema;
        const keys = plan.groupKeys.map((k) => ex(k, input)).join(', ');
        const aggs = plan.aggregates.map((a) => this.aggregate(a, (e) => ex(e, input))).join(', ');
        return `Aggregate group=[${keys}] aggs=[${aggs}]`;
      }
      case 'join': {
        const both = [...plan.left.schema, ...plan.right.schema];
        const lw = plan.left.schema.length;
        const keys = plan.equiKeys.map((k) => `${ex(k.left, both)} = ${ex(shiftColumns(k.right, lw), both)}`);
        // A window join over endless input joins each window once, when the watermark passes it.
        const windowed = isUnbounded(plan, this.#reading) && windowJoinOf(plan) !== undefined;
        const parts = [`${windowed ? 'WindowJoin' : 'Join'} ${plan.joinType}`];
        if (plan.temporal !== undefined) parts.push(`temporal=${plan.temporal.kind}`);
        if (keys.length > 0) parts.push(`keys=[${keys.join(', ')}]`);
        if (plan.condition !== undefined) parts.push(`condition=${ex(plan.condition, both)}`);
        return parts.join(' ');
      }
      case 'sort':
        return `Sort [${plan.keys.map((k) => this.sortKey(k, (e) => ex(e, plan.input.schema))).join(', ')}]`;
      case 'limit': {
        const parts = ['Limit'];
        if (plan.limit !== undefined) parts.push(`limit=${ex(plan.limit, [])}`);
        if (plan.offset !== undefined) parts.push(`offset=${ex(plan.offset, [])}`);
        return parts.join(' ');
      }
      case 'distinct':
        return 'Distinct';
      case 'union':
        return 'Union all';
      case 'set-op':
        return `${plan.op === 'INTERSECT' ? 'Intersect' : 'Except'}${plan.all ? ' all' : ''}`;
      case 'table-function': {
        const input = plan.input?.schema ?? [];
        const args = plan.args.map((a) => ex(a, input)).join(', ');
        const flags = [...(plan.input !== undefined ? ['lateral'] : []), ...(plan.ordinality ? ['with ordinality'] : [])];
        return `TableFunction ${plan.fn}(${args})${flags.length > 0 ? ` (${flags.join(', ')})` : ''}`;
      }
      case 'window': {
        const input = plan.input.schema;
        const w = input.length;
        const calls = plan.calls.map(
          (c, i) => `${this.windowCall(c, (e) => ex(e, input))} AS ${quoteIdent(plan.schema[w + i]?.name ?? '')}`,
        );
        return `Window [${calls.join(', ')}]`;
      }
      case 'window-tvf': {
        const input = plan.input.schema;
        const parts = [`${plan.fn}(time=${ex(plan.timeCol, input)}`];
        if (plan.partitionBy.length > 0) parts.push(`partition by ${plan.partitionBy.map((e) => ex(e, input)).join(', ')}`);
        if (plan.fn === 'SESSION') parts.push(`gap=${duration(plan.size)}`);
        else if (plan.fn === 'TUMBLE') parts.push(`size=${duration(plan.size)}`);
        else parts.push(`${plan.fn === 'HOP' ? 'slide' : 'step'}=${duration(plan.slide)}`, `size=${duration(plan.size)}`);
        if (plan.offset !== 0) parts.push(`offset=${duration(plan.offset)}`);
        return `WindowTvf ${parts.join(', ')})`;
      }
      default:
        return unreachable(plan);
    }
  }

  aggregate(a: AggregateCall, ex: (e: BoundExpr) => string): string {
    if (a.fn === 'count_star') return `count(*)${a.filter === undefined ? '' : ` FILTER (WHERE ${ex(a.filter)})`}`;
    const args = a.args.map(ex).join(', ');
    const order = a.orderBy.length === 0 ? '' : ` ORDER BY ${a.orderBy.map((k) => this.sortKey(k, ex)).join(', ')}`;
    const filter = a.filter === undefined ? '' : ` FILTER (WHERE ${ex(a.filter)})`;
    return `${a.fn}(${a.distinct ? 'DISTINCT ' : ''}${args}${order})${filter}`;
  }

  windowCall(c: WindowCall, ex: (e: BoundExpr) => string): string {
    const over: string[] = [];
    if (c.partitionBy.length > 0) over.push(`PARTITION BY ${c.partitionBy.map(ex).join(', ')}`);
    if (c.orderBy.length > 0) over.push(`ORDER BY ${c.orderBy.map((k) => this.sortKey(k, ex)).join(', ')}`);
    if (c.frame !== undefined) {
      const bound = (b: NonNullable<WindowCall['frame']>['start']): string => {
        const off = b.offset === undefined || b.offset === null ? '' : `${String(b.offset)} `;
        switch (b.kind) {
          case 'unbounded':
            return 'UNBOUNDED';
          case 'current':
            return 'CURRENT ROW';
          case 'preceding':
            return `${off}PRECEDING`;
          case 'following':
            return `${off}FOLLOWING`;
          default:
            return unreachable(b.kind);
        }
      };
      over.push(`${c.frame.units} BETWEEN ${bound(c.frame.start)} AND ${bound(c.frame.end)}`);
    }
    return `${c.fn}(${c.args.map(ex).join(', ')}) OVER (${over.join(' ')})`;
  }

  sortKey(k: SortKey, ex: (e: BoundExpr) => string): string {
    const nulls = k.nullsFirst === k.desc ? '' : k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST';
    return `${ex(k.expr)}${k.desc ? ' DESC' : ''}${nulls}`;
  }

  expr(e: BoundExpr, scope: Scope, subs: { id: number; sq: BoundSubquery; scope: Scope }[]): string {
    const r = (x: BoundExpr): string => this.expr(x, scope, subs);
    switch (e.kind) {
      case 'literal':
        return formatLiteral(e.value, e.type);
      case 'column':
        return columnName(scope.columns, e.index);
      case 'outer': {
        const schema = scope.outer[e.depth - 1];
        return schema === undefined ? `outer${e.depth}#${e.index}` : `outer.${columnName(schema, e.index)}`;
      }
      case 'param':
        return `$${e.index + 1}`;
      case 'call': {
        const op = INFIX[e.name];
        if (op !== undefined && e.args.length === 2) return `(${r(e.args[0]!)} ${op} ${r(e.args[1]!)})`;
        if ((e.name === 'neg' || e.name === '-') && e.args.length === 1) return `-${r(e.args[0]!)}`;
        return `${e.name}(${e.args.map(r).join(', ')})`;
      }
      case 'cast':
        return `${e.try ? 'TRY_CAST' : 'CAST'}(${r(e.operand)} AS ${flinkTypeName(e.type)})`;
      case 'and':
      case 'or':
        return `(${e.args.map(r).join(e.kind === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return `NOT ${r(e.operand)}`;
      case 'is-null':
        return `(${r(e.operand)} IS ${e.not ? 'NOT ' : ''}NULL)`;
      case 'case':
        return `CASE ${e.whens.map((w) => `WHEN ${r(w.when)} THEN ${r(w.then)}`).join(' ')} ELSE ${r(e.else)} END`;
      case 'coalesce':
        return `COALESCE(${e.args.map(r).join(', ')})`;
      case 'in-list':
        return `(${r(e.operand)} ${e.not ? 'NOT IN' : 'IN'} (${e.list.map(r).join(', ')}))`;
      case 'subquery': {
        const id = ++this.#subqueries;
        subs.push({ id, sq: e, scope });
        const ref = `subquery#${id}`;
        switch (e.mode) {
          case 'scalar':
            return ref;
          case 'exists':
            return `EXISTS(${ref})`;
          case 'array':
            return `ARRAY(${ref})`;
          case 'any':
          case 'all': {
            const op = e.op === undefined ? '?' : (INFIX[opName(e.op)] ?? e.op);
            return `(${e.operand === undefined ? '?' : r(e.operand)} ${op} ${e.mode.toUpperCase()}(${ref}))`;
          }
          default:
            return unreachable(e.mode);
        }
      }
      default:
        return unreachable(e);
    }
  }
}

/** The operator symbol of a comparison overload id such as '=(INT,INT)'. */
function opName(id: string): string {
  const p = id.indexOf('(');
  return p <= 0 ? id : id.slice(0, p);
}

/** Shifts column refs by `by` (a join's right key, printed against left ++ right). */
function shiftColumns(e: BoundExpr, by: number): BoundExpr {
  switch (e.kind) {
    case 'column':
      return { ...e, index: e.index + by };
    case 'literal':
    case 'outer':
    case 'param':
      return e;
    case 'call':
    case 'and':
    case 'or':
    case 'coalesce':
      return { ...e, args: e.args.map((a) => shiftColumns(a, by)) };
    case 'cast':
    case 'not':
    case 'is-null':
      return { ...e, operand: shiftColumns(e.operand, by) };
    case 'case':
      return {
        ...e,
        whens: e.whens.map((w) => ({ when: shiftColumns(w.when, by), then: shiftColumns(w.then, by) })),
        else: shiftColumns(e.else, by),
      };
    case 'in-list':
      return { ...e, operand: shiftColumns(e.operand, by), list: e.list.map((x) => shiftColumns(x, by)) };
    case 'subquery':
      return e.operand === undefined ? e : { ...e, operand: shiftColumns(e.operand, by) };
    default:
      return unreachable(e);
  }
}
