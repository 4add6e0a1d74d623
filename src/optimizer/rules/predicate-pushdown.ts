/**
 * predicate-pushdown: moves filter conjuncts as close to the scans as their
 * meaning allows. Only pure conjuncts move (no volatile call, no subquery);
 * the others stay where they are.
 *
 * - Filter: its conjuncts join those coming from above.
 * - Project: a conjunct moves below when every column it reads is a pure
 *   projected expression; the expressions are substituted.
 * - Sort, Distinct: conjuncts pass through (rows equal for DISTINCT give equal
 *   predicate results). Union, INTERSECT, EXCEPT: into every input.
 * - Aggregate with group keys: conjuncts reading only pure group keys move
 *   below (substituted); a global aggregate keeps everything above (it yields a
 *   row even for empty input).
 * - Join: conjuncts are sorted by the side whose columns they read.
 *   INNER: the condition's conjuncts join those from above; one-sided ones go
 *   to their side, `l = r` equalities become hash keys, the rest is the
 *   condition. Outer joins never receive conjuncts from above into their
 *   NULL-producing side (LEFT: left-side conjuncts from above go left; the ON
 *   clause's right-side conjuncts go right, which only narrows the candidates;
 *   RIGHT mirrors it; FULL keeps everything). SEMI / ANTI: conjuncts from above
 *   go left; ON conjuncts on the right side go right (and, for SEMI, on the left
 *   side go left).
 * - Scan: 'stored' and 'system' scans take the conjuncts as their `filter`,
 *   which the scan operator applies (src/operators/scan.ts); connector scans
 *   keep a Filter above.
 * - Window: conjuncts reading only columns that every call partitions by go
 *   below (they keep or drop whole partitions). Lateral TableFunction:
 *   conjuncts on the input's columns go into the input. Window TVF: conjuncts on
 *   input columns go below TUMBLE / HOP / CUMULATE (rows are assigned one by
 *   one), below SESSION only when they read its partition keys alone.
 * - Limit and Values stop conjuncts (a Filter stays above).
 */
import type { BoundExpr } from '../../binder/bound-expr.ts';
import { unreachable } from '../../errors.ts';
import type { JoinNode, LogicalPlan } from '../../planner/logical-plan.ts';
import type { OptimizerRule } from '../optimizer.ts';
import {
  columnsOf,
  conjoin,
  conjuncts,
  isPure,
  remapColumns,
  sameType,
  substituteColumns,
  withChildren,
  withCondition,
  withScanFilter,
} from '../rewrite.ts';

export const predicatePushdown: OptimizerRule = {
  name: 'predicate-pushdown',
  apply: (plan) => push(plan, []),
};

/** `plan` with the pure predicates `preds` (over its output) applied, as deep as they can go. */
function push(plan: LogicalPlan, preds: readonly BoundExpr[]): LogicalPlan {
  switch (plan.kind) {
    case 'filter': {
      const own = conjuncts(plan.predicate);
      const pure = own.filter(isPure);
      const stay = own.filter((c) => !isPure(c));
      return wrap(push(plan.input, [...pure, ...preds]), stay);
    }
    case 'project': {
      const down: BoundExpr[] = [];
      const stay: BoundExpr[] = [];
      for (const p of preds) {
        const cols = columnsOf(p);
        if ([...cols].every((i) => isPure(plan.exprs[i]!))) down.push(substituteColumns(p, plan.exprs));
        else stay.push(p);
      }
      return wrap(withChildren(plan, [push(plan.input, down)]), stay);
    }
    case 'sort':
    case 'distinct':
      return withChildren(plan, [push(plan.input, preds)]);
    case 'union':
      return withChildren(plan, plan.inputs.map((i) => push(i, preds)));
    case 'set-op':
      return withChildren(plan, [push(plan.left, preds), push(plan.right, preds)]);
    case 'aggregate': {
      const nk = plan.groupKeys.length;
      const down: BoundExpr[] = [];
      const stay: BoundExpr[] = [];
      for (const p of preds) {
        const cols = [...columnsOf(p)];
        if (nk > 0 && cols.every((i) => i < nk && isPure(plan.groupKeys[i]!))) down.push(substituteColumns(p, plan.groupKeys));
        else stay.push(p);
      }
      return wrap(withChildren(plan, [push(plan.input, down)]), stay);
    }
    case 'join':
      return pushJoin(plan, preds);
    case 'scan':
      if (plan.source === 'connector' || preds.length === 0) return wrap(plan, preds);
      return withScanFilter(plan, conjoin([...(plan.filter === undefined ? [] : conjuncts(plan.filter)), ...preds]));
    case 'values':
      return wrap(plan, preds);
    case 'window': {
      // A conjunct reading only columns every call partitions by keeps or drops whole partitions.
      const w = plan.input.schema.length;
      const partitioned = (i: number): boolean =>
        i < w && plan.calls.every((c) => c.partitionBy.some((e) => e.kind === 'column' && e.index === i));
      const down = preds.filter((p) => [...columnsOf(p)].every(partitioned));
      const stay = preds.filter((p) => !down.includes(p));
      return wrap(withChildren(plan, [push(plan.input, down)]), stay);
    }
    case 'table-function': {
      if (plan.input === undefined) return wrap(plan, preds);
      // Lateral: a conjunct on the input's columns only can drop input rows before the function runs.
      const w = plan.input.schema.length;
      const down = preds.filter((p) => [...columnsOf(p)].every((i) => i < w));
      const stay = preds.filter((p) => !down.includes(p));
      return wrap(withChildren(plan, [push(plan.input, down)]), stay);
    }
    case 'window-tvf': {
      // TUMBLE / HOP / CUMULATE assign each row alone: conjuncts on input columns go below.
      // SESSION merges rows of a partition: only conjuncts on its partition keys keep or drop whole partitions.
      const w = plan.input.schema.length;
      const movable = (i: number): boolean =>
        i < w && (plan.fn !== 'SESSION' || plan.partitionBy.some((e) => e.kind === 'column' && e.index === i));
      const down = preds.filter((p) => [...columnsOf(p)].every(movable));
      const stay = preds.filter((p) => !down.includes(p));
      return wrap(withChildren(plan, [push(plan.input, down)]), stay);
    }
    case 'limit':
      return wrap(withChildren(plan, [push(plan.input, [])]), preds);
    default:
      return unreachable(plan);
  }
}

function wrap(plan: LogicalPlan, preds: readonly BoundExpr[]): LogicalPlan {
  if (preds.length === 0) return plan;
  return { kind: 'filter', input: plan, predicate: conjoin(preds), schema: plan.schema };
}

type Side = 'none' | 'left' | 'right' | 'both';

function sideOf(e: BoundExpr, leftWidth: number): Side {
  let l = false;
  let r = false;
  for (const i of columnsOf(e)) {
    if (i < leftWidth) l = true;
    else r = true;
  }
  return l ? (r ? 'both' : 'left') : r ? 'right' : 'none';
}

function pushJoin(j: JoinNode, preds: readonly BoundExpr[]): LogicalPlan {
  const lw = j.left.schema.length;
  const width = lw + j.right.schema.length;
  const toRight = Array.from({ length: width }, (_, i) => i - lw);
  const leftPreds: BoundExpr[] = [];
  const rightPreds: BoundExpr[] = [];
  const above: BoundExpr[] = [];
  const condition: BoundExpr[] = [];
  const equiKeys = [...j.equiKeys];

  const own = j.condition === undefined ? [] : conjuncts(j.condition);
  const ownPure = own.filter(isPure);
  for (const c of own) if (!isPure(c)) condition.push(c);

  /** A mixed conjunct in the ON clause: a hash key if it is `l = r`, else residual condition. */
  const onMixed = (c: BoundExpr): void => {
    const key = equiKey(c, lw, toRight);
    if (key !== undefined) equiKeys.push(key);
    else condition.push(c);
  };

  switch (j.joinType) {
    case 'INNER':
      for (const c of [...ownPure, ...preds]) {
        const s = sideOf(c, lw);
        if (s === 'left' || s === 'none') leftPreds.push(c);
        else if (s === 'right') rightPreds.push(remapColumns(c, toRight));
        else onMixed(c);
      }
      break;
    case 'LEFT':
    case 'RIGHT': {
      const preserved: Side = j.joinType === 'LEFT' ? 'left' : 'right';
      const preservedPreds = preserved === 'left' ? leftPreds : rightPreds;
      const nullablePreds = preserved === 'left' ? rightPreds : leftPreds;
      const norm = (c: BoundExpr, s: Side): BoundExpr => (s === 'right' ? remapColumns(c, toRight) : c);
      for (const p of preds) {
        const s = sideOf(p, lw);
        if (s === preserved || s === 'none') preservedPreds.push(norm(p, preserved));
        else above.push(p);
      }
      const nullable: Side = preserved === 'left' ? 'right' : 'left';
      for (const c of ownPure) {
        const s = sideOf(c, lw);
        if (s === nullable || s === 'none') nullablePreds.push(norm(c, nullable));
        else if (s === 'both') onMixed(c);
        else condition.push(c);
      }
      break;
    }
    case 'FULL':
      above.push(...preds);
      for (const c of ownPure) {
        if (sideOf(c, lw) === 'both') onMixed(c);
        else condition.push(c);
      }
      break;
    case 'SEMI':
    case 'ANTI':
      // The output is the left columns: every conjunct from above reads the left side only.
      leftPreds.push(...preds);
      for (const c of ownPure) {
        const s = sideOf(c, lw);
        if (s === 'right' || s === 'none') rightPreds.push(remapColumns(c, toRight));
        else if (s === 'left' && j.joinType === 'SEMI') leftPreds.push(c);
        else if (s === 'both') onMixed(c);
        else condition.push(c);
      }
      break;
    default:
      return unreachable(j.joinType);
  }

  const left = push(j.left, leftPreds);
  const right = push(j.right, rightPreds);
  const joined = withCondition({ ...j, left, right, equiKeys }, condition.length === 0 ? undefined : conjoin(condition));
  return wrap(joined, above);
}

/** `l = r` (either order) with one side reading only left columns and the other only right ones. */
function equiKey(c: BoundExpr, lw: number, toRight: readonly number[]): { left: BoundExpr; right: BoundExpr } | undefined {
  if (c.kind !== 'call' || c.name !== '=' || c.args.length !== 2 || c.volatile) return undefined;
  const [a, b] = c.args as [BoundExpr, BoundExpr];
  if (!sameType(a.type, b.type) || !hashable(a)) return undefined;
  const sa = sideOf(a, lw);
  const sb = sideOf(b, lw);
  if (sa === 'left' && sb === 'right') return { left: a, right: remapColumns(b, toRight) };
  if (sa === 'right' && sb === 'left') return { left: b, right: remapColumns(a, toRight) };
  return undefined;
}

/** Types whose `=` is exactly the hash join's key equality. */
function hashable(e: BoundExpr): boolean {
  switch (e.type.kind) {
    case 'FLOAT':
    case 'DOUBLE':
    case 'ARRAY':
    case 'MAP':
    case 'ROW':
    case 'JSON':
    case 'NULL':
      return false;
    default:
      return true;
  }
}
