/**
 * Subquery evaluation for compiled expressions.
 *
 * A SubqueryEval owns the compiled inner plan and a cache of its results by
 * outer binding: the values of every enclosing-query column the inner plan
 * reads (at any depth). An uncorrelated subquery has an empty binding, so it
 * runs once per statement. `prepare(rows)` runs the inner plan for bindings
 * of `rows` not cached yet (sequentially: the inner plan's scope row is set
 * for the duration of one run); the per-row evaluator then only looks the
 * binding up. Scalar subqueries returning several rows fail with 21000 when
 * their value is used.
 */
import { BOOLEAN, type Row, type SqlType, type Value } from '../../catalog/types.ts';
import type { BoundExpr, BoundSubquery } from '../binder/bound-expr.ts';
import { childrenOf, nodeExprs, type LogicalPlan } from '../planner/logical-plan.ts';
import { InternalError, SqlError, SqlState, unreachable } from '../errors.ts';
import { hashRow, rowsEqual } from '../values/compare.ts';
import type { StreamFactory } from '../dataflow/stream.ts';
import { throwIfAborted } from './cancel.ts';
import type { ExecContext, Scope } from './exec-context.ts';
import type { EvalFn } from './expr-compiler.ts';

/** An enclosing-query column the inner plan reads; `depth` counts from the subquery (1 = the owning row). */
interface OuterRef {
  readonly depth: number;
  readonly index: number;
  readonly type: SqlType;
}

interface CacheEntry {
  readonly binding: Row;
  /** Scalar value, EXISTS boolean, ARRAY value, or the column's values for ANY/ALL. */
  readonly value: Value;
  readonly values: readonly Value[] | null;
  readonly tooMany: boolean;
}

const TOO_MANY = 'more than one row returned by a subquery used as an expression';

export class SubqueryEval {
  readonly #sq: BoundSubquery;
  readonly #ownerScope: Scope;
  readonly #innerScope: Scope;
  readonly #factory: StreamFactory;
  readonly #refs: readonly OuterRef[];
  readonly #refTypes: readonly SqlType[];
  readonly #cache = new Map<number, CacheEntry | CacheEntry[]>();
  readonly #scratch: Row;
  readonly #operand: EvalFn | undefined;
  readonly #compare: ((args: readonly Value[]) => Value) | undefined;
  readonly #signal: AbortSignal;

  constructor(sq: BoundSubquery, cx: ExecContext, operand: EvalFn | undefined) {
    this.#sq = sq;
    this.#ownerScope = cx.scope;
    this.#innerScope = { row: null, parent: cx.scope };
    this.#factory = cx.compilePlan(sq.plan, { ...cx, scope: this.#innerScope });
    const refs: OuterRef[] = [];
    collectPlanRefs(sq.plan, 0, refs);
    this.#refs = refs;
    this.#refTypes = refs.map((r) => r.type);
    this.#scratch = new Array<Value>(refs.length).fill(null);
    this.#operand = operand;
    this.#signal = cx.env.signal;
    if (sq.mode === 'any' || sq.mode === 'all') {
      if (sq.operand === undefined || sq.op === undefined || operand === undefined) {
        throw new InternalError(`${sq.mode} subquery without operand or operator`);
      }
      const colType = sq.plan.schema[0]?.type;
      if (colType === undefined) throw new InternalError('ANY/ALL subquery without columns');
      const impl = cx.env.functions.instantiateScalar(sq.op, [sq.operand.type, colType], BOOLEAN);
      const ctx = cx.env.ctx;
      this.#compare = (args) => impl(args, ctx);
    } else {
      this.#compare = undefined;
    }
  }

  /** Runs the inner plan for every binding of `rows` that is not cached yet. */
  async prepare(rows: readonly Row[]): Promise<void> {
    if (this.#refs.length === 0) {
      if (this.#cache.size === 0) await this.#fill(0, [], null);
      return;
    }
    for (const row of rows) {
      this.#bind(row);
      const h = hashRow(this.#scratch, this.#refTypes);
      if (this.#find(h) !== undefined) continue;
      await this.#fill(h, this.#scratch.slice(), row);
    }
  }

  /** The per-row evaluator; valid for rows passed to `prepare` first. */
  evaluator(): EvalFn {
    const sq = this.#sq;
    switch (sq.mode) {
      case 'scalar':
        return (row) => {
          const e = this.#lookup(row);
          if (e.tooMany) throw new SqlError(SqlState.CARDINALITY_VIOLATION, TOO_MANY);
          return e.value;
        };
      case 'exists':
      case 'array':
        return (row) => this.#lookup(row).value;
      case 'any':
      case 'all': {
        const operand = this.#operand!;
        const compare = this.#compare!;
        const any = sq.mode === 'any';
        const argv: Value[] = [null, null];
        return (row) => {
          const values = this.#lookup(row).values!;
          if (values.length === 0) return !any;
          const v = operand(row);
          if (v === null) return null;
          let sawNull = false;
          argv[0] = v;
          for (let i = 0; i < values.length; i++) {
            const x = values[i]!;
            if (x === null) {
              sawNull = true;
              continue;
            }
            argv[1] = x;
            const r = compare(argv);
            if (r === null) sawNull = true;
            else if (r === any) return any;
          }
          return sawNull ? null : !any;
        };
      }
      default:
        return unreachable(sq.mode);
    }
  }

  #bind(row: Row): void {
    const refs = this.#refs;
    for (let i = 0; i < refs.length; i++) {
      const r = refs[i]!;
      if (r.depth === 1) {
        this.#scratch[i] = row[r.index] ?? null;
      } else {
        let s: Scope | null = this.#ownerScope;
        for (let d = 2; d < r.depth && s !== null; d++) s = s.parent;
        this.#scratch[i] = s?.row?.[r.index] ?? null;
      }
    }
  }

  #find(h: number): CacheEntry | undefined {
    const b = this.#cache.get(h);
    if (b === undefined) return undefined;
    if (!Array.isArray(b)) return rowsEqual((b as CacheEntry).binding, this.#scratch, this.#refTypes) ? (b as CacheEntry) : undefined;
    for (const e of b) if (rowsEqual(e.binding, this.#scratch, this.#refTypes)) return e;
    return undefined;
  }

  #lookup(row: Row): CacheEntry {
    let h = 0;
    if (this.#refs.length > 0) {
      this.#bind(row);
      h = hashRow(this.#scratch, this.#refTypes);
    }
    const e = this.#find(h);
    if (e === undefined) throw new InternalError('subquery evaluated before its chunk was prepared');
    return e;
  }

  async #fill(h: number, binding: Row, row: Row | null): Promise<void> {
    const entry = await this.#run(binding, row);
    const b = this.#cache.get(h);
    if (b === undefined) this.#cache.set(h, entry);
    else if (Array.isArray(b)) b.push(entry);
    else this.#cache.set(h, [b as CacheEntry, entry]);
  }

  async #run(binding: Row, row: Row | null): Promise<CacheEntry> {
    const mode = this.#sq.mode;
    const limit = mode === 'exists' ? 1 : mode === 'scalar' ? 2 : Infinity;
    const values: Value[] = [];
    let count = 0;
    const saved = this.#innerScope.row;
    this.#innerScope.row = row;
    try {
      outer: for await (const chunk of this.#factory()) {
        throwIfAborted(this.#signal);
        for (const r of chunk.rows) {
          values.push(r[0] ?? null);
          if (++count >= limit) break outer;
        }
      }
    } finally {
      this.#innerScope.row = saved;
    }
    switch (mode) {
      case 'exists':
        return { binding, value: count > 0, values: null, tooMany: false };
      case 'scalar':
        return { binding, value: values[0] ?? null, values: null, tooMany: count > 1 };
      case 'array':
        return { binding, value: values, values: null, tooMany: false };
      case 'any':
      case 'all':
        return { binding, value: null, values, tooMany: false };
      default:
        return unreachable(mode);
    }
  }
}


/** Collects outer references of `plan` (nested `level` subqueries deep) that reach above the subquery. */
function collectPlanRefs(plan: LogicalPlan, level: number, out: OuterRef[]): void {
  for (const e of nodeExprs(plan)) collectExprRefs(e, level, out);
  for (const c of childrenOf(plan)) collectPlanRefs(c, level, out);
}

function collectExprRefs(e: BoundExpr, level: number, out: OuterRef[]): void {
  switch (e.kind) {
    case 'literal':
    case 'column':
    case 'param':
      return;
    case 'outer': {
      const depth = e.depth - level;
      if (depth >= 1 && !out.some((r) => r.depth === depth && r.index === e.index)) {
        out.push({ depth, index: e.index, type: e.type });
      }
      return;
    }
    case 'call':
    case 'and':
    case 'or':
    case 'coalesce':
      for (const a of e.args) collectExprRefs(a, level, out);
      return;
    case 'cast':
    case 'not':
    case 'is-null':
      collectExprRefs(e.operand, level, out);
      return;
    case 'case':
      for (const w of e.whens) {
        collectExprRefs(w.when, level, out);
        collectExprRefs(w.then, level, out);
      }
      collectExprRefs(e.else, level, out);
      return;
    case 'in-list':
      collectExprRefs(e.operand, level, out);
      for (const x of e.list) collectExprRefs(x, level, out);
      return;
    case 'subquery':
      if (e.operand !== undefined) collectExprRefs(e.operand, level, out);
      collectPlanRefs(e.plan, level + 1, out);
      return;
    default:
      unreachable(e);
  }
}
