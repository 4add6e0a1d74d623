/**
 * Rule `subquery-to-join`: WHERE conjuncts that test a subquery become SEMI /
 * ANTI joins, so that the subquery runs once as a join input instead of once
 * per outer row, and continuous queries can maintain them (incremental join).
 *
 * Only top-level conjuncts of a Filter are rewritten: there a NULL and a FALSE
 * both drop the row, which is what makes the rewrites exact. With S the
 * subquery's rows satisfying its correlation predicates, y its column and
 * `op` a comparison (strict: NULL when either side is NULL):
 * - EXISTS S               -> SEMI  on corr
 * - NOT EXISTS S           -> ANTI  on corr
 * - x op ANY S (x IN S)    -> SEMI  on corr AND x op y
 * - NOT (x op ANY S)       -> ANTI  on corr AND (x op y OR x IS NULL OR y IS NULL)
 *   (x NOT IN S)              TRUE only when S is empty, or x is not NULL, no
 *                             y is NULL and no y matches: the null-aware anti join;
 * - x op ALL S             -> ANTI  on corr AND (NOT (x op y) OR x IS NULL OR y IS NULL)
 *
 * The subquery qualifies when its references to the filtered row sit in
 * Filter / Scan-filter conjuncts reached from its root through Projects,
 * Filters and window TVFs only (an Aggregate, Limit, Distinct, Join, ... between them changes
 * what "the rows of S" means, so such subqueries stay per-row), the Projects on
 * that path are deterministic, and nothing in it reaches further out than the
 * filtered row. The correlated conjuncts move into the join condition
 * (outer column i -> left column i, subquery column j -> column lw + j); the
 * uncorrelated ones move there too and predicate pushdown (which runs after
 * this rule) sends them back into the right side and turns `=` into hash keys.
 */
import { BOOLEAN } from '../../../catalog/types.ts';
import type { BoundExpr, BoundSubquery } from '../../binder/bound-expr.ts';
import { transform } from '../../binder/expr-utils.ts';
import type { FilterNode, JoinNode, LogicalPlan } from '../../planner/logical-plan.ts';
import { childrenOf, nodeExprs } from '../../planner/logical-plan.ts';
import type { OptimizerRule } from '../optimizer.ts';
import { conjoin, conjuncts, isPure, rewritePlan, someExpr, substituteColumns, withScanFilter } from '../rewrite.ts';

export const subqueryToJoin: OptimizerRule = {
  name: 'subquery-to-join',
  apply: (plan) => rewritePlan(plan, (p) => (p.kind === 'filter' ? rewriteFilter(p) : p)),
};

function rewriteFilter(f: FilterNode): LogicalPlan {
  const keep: BoundExpr[] = [];
  const joins: JoinParts[] = [];
  const lw = f.input.schema.length;
  for (const c of conjuncts(f.predicate)) {
    const j = asJoin(c, lw);
    if (j === undefined) keep.push(c);
    else joins.push(j);
  }
  if (joins.length === 0) return f;
  let plan: LogicalPlan = keep.length === 0 ? f.input : { kind: 'filter', input: f.input, predicate: conjoin(keep), schema: f.schema };
  for (const j of joins) {
    const base: JoinNode = { kind: 'join', joinType: j.type, left: plan, right: j.right, equiKeys: [], schema: f.schema };
    plan = j.condition === undefined ? base : { ...base, condition: j.condition };
  }
  return plan;
}

interface JoinParts {
  readonly type: 'SEMI' | 'ANTI';
  readonly right: LogicalPlan;
  /** Over left ++ right columns; undefined: every right row matches. */
  readonly condition: BoundExpr | undefined;
}

/** The SEMI / ANTI join a conjunct stands for, or undefined when it does not qualify. */
function asJoin(c: BoundExpr, lw: number): JoinParts | undefined {
  const negated = c.kind === 'not';
  const sq = negated ? c.operand : c;
  if (sq.kind !== 'subquery') return undefined;
  if (sq.mode === 'exists') {
    const d = decorrelate(sq.plan, lw);
    if (d === undefined) return undefined;
    return { type: negated ? 'ANTI' : 'SEMI', right: d.right, condition: d.preds.length === 0 ? undefined : conjoin(d.preds) };
  }
  if (sq.mode !== 'any' && sq.mode !== 'all') return undefined;
  if (negated && sq.mode === 'all') return undefined;
  const cmp = comparison(sq);
  if (cmp === undefined) return undefined;
  const d = decorrelate(sq.plan, lw);
  if (d === undefined) return undefined;
  const x = cmp.operand;
  const y = d.output[0];
  if (y === undefined) return undefined;
  const test: BoundExpr = { kind: 'call', type: BOOLEAN, fn: cmp.fn, name: cmp.name, args: [x, y], volatile: false };
  if (sq.mode === 'any' && !negated) return { type: 'SEMI', right: d.right, condition: conjoin([...d.preds, test]) };
  // Null-aware: a row is dropped when some y makes the comparison TRUE (NOT IN) / not TRUE (ALL), or NULL.
  const hit: BoundExpr = sq.mode === 'all' ? { kind: 'not', type: BOOLEAN, operand: test } : test;
  const nullAware: BoundExpr = {
    kind: 'or',
    type: BOOLEAN,
    args: [hit, { kind: 'is-null', type: BOOLEAN, operand: x, not: false }, { kind: 'is-null', type: BOOLEAN, operand: y, not: false }],
  };
  return { type: 'ANTI', right: d.right, condition: conjoin([...d.preds, nullAware]) };
}

/** The comparison of an ANY / ALL subquery: a strict built-in comparison over a pure, subquery-free operand. */
function comparison(sq: BoundSubquery): { fn: string; name: string; operand: BoundExpr } | undefined {
  const op = sq.op;
  const operand = sq.operand;
  if (op === undefined || operand === undefined || !isPure(operand)) return undefined;
  const name = COMPARISONS.get(op);
  return name === undefined ? undefined : { fn: op, name, operand };
}

const COMPARISONS: ReadonlyMap<string, string> = new Map(['=', '<>', '<', '<=', '>', '>='].map((o) => [`cmp${o}`, o]));

interface Decorrelated {
  /** The subquery without its correlated part: the join's right input. */
  readonly right: LogicalPlan;
  /** Conjuncts over left ++ right columns. */
  readonly preds: readonly BoundExpr[];
  /** The subquery's output columns as expressions over left ++ right columns. */
  readonly output: readonly BoundExpr[];
}

/**
 * Splits a subquery plan into an input free of references to the filtered
 * row and the conjuncts (over left ++ that input) that held them.
 */
function decorrelate(plan: LogicalPlan, lw: number): Decorrelated | undefined {
  let node = plan;
  let output: BoundExpr[] = plan.schema.map((col, i) => ({ kind: 'column', type: col.type, index: i }));
  let preds: BoundExpr[] = [];
  for (;;) {
    if (!reachesOut(node)) break;
    if (node.kind === 'project') {
      const exprs = node.exprs;
      if (!exprs.every((e) => isPure(e) && !hasOuter(e))) return undefined;
      output = output.map((e) => substituteColumns(e, exprs));
      preds = preds.map((e) => substituteColumns(e, exprs));
      node = node.input;
    } else if (node.kind === 'filter') {
      const own = conjuncts(node.predicate);
      if (!own.every(movable)) return undefined;
      preds = [...preds, ...own];
      node = node.input;
    } else {
      const stripped = stripInPlace(node);
      if (stripped === undefined) return undefined;
      preds = [...preds, ...stripped.preds];
      node = stripped.plan;
    }
  }
  const shift = (e: BoundExpr): BoundExpr =>
    transform(e, (x) => {
      if (x.kind === 'column') return { ...x, index: x.index + lw };
      if (x.kind === 'outer') return { kind: 'column', type: x.type, index: x.index };
      return undefined;
    });
  return { right: node, preds: preds.map(shift), output: output.map(shift) };
}

/**
 * Takes the correlated conjuncts out of a subtree whose output columns start
 * with its input's (Filter, a Scan's pushed filter, a window TVF, which only
 * appends its window columns), so conjuncts found below read the same columns
 * above it. A filter commutes with a window TVF: both keep or drop a row on
 * its own columns.
 */
function stripInPlace(node: LogicalPlan): { plan: LogicalPlan; preds: BoundExpr[] } | undefined {
  if (!reachesOut(node)) return { plan: node, preds: [] };
  switch (node.kind) {
    case 'filter': {
      const own = conjuncts(node.predicate);
      if (!own.every(movable)) return undefined;
      const below = stripInPlace(node.input);
      return below === undefined ? undefined : { plan: below.plan, preds: [...own, ...below.preds] };
    }
    case 'scan': {
      if (node.filter === undefined) return undefined;
      const own = conjuncts(node.filter);
      if (!own.every(movable)) return undefined;
      return { plan: withScanFilter(node, undefined), preds: own };
    }
    case 'window-tvf': {
      if ([node.timeCol, ...node.partitionBy].some((e) => exprReachesOut(e, 0))) return undefined;
      const below = stripInPlace(node.input);
      return below === undefined ? undefined : { plan: { ...node, input: below.plan }, preds: below.preds };
    }
    default:
      return undefined;
  }
}

/** A conjunct that may move to the join: deterministic, no subquery, outer references only to the filtered row. */
function movable(e: BoundExpr): boolean {
  return isPure(e) && !someExpr(e, (x) => x.kind === 'outer' && x.depth !== 1);
}

function hasOuter(e: BoundExpr): boolean {
  return someExpr(e, (x) => x.kind === 'outer');
}

/** Whether any expression in `plan` (nested subqueries included) refers to a row outside it. */
function reachesOut(plan: LogicalPlan, level = 0): boolean {
  for (const e of nodeExprs(plan)) if (exprReachesOut(e, level)) return true;
  return childrenOf(plan).some((c) => reachesOut(c, level));
}

function exprReachesOut(e: BoundExpr, level: number): boolean {
  return someExpr(e, (x) => {
    if (x.kind === 'outer') return x.depth > level;
    if (x.kind === 'subquery') return reachesOut(x.plan, level + 1);
    return false;
  });
}
