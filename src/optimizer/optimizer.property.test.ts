/**
 * Property check: for random joins of t(a, b, c) and u(a, d) (every join type,
 * random ON clauses and WHERE predicates with NULL tests, equalities, OR and
 * NOT, random projections on top), and for random single-table pipelines of
 * Filter, Project, Aggregate, Distinct and Union, the optimized plan returns
 * the same rows.
 */
import { describe, expect, it } from 'vitest';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { BIGINT, INT } from '../../catalog/types.ts';
import type { JoinNode, LogicalPlan } from '../planner/logical-plan.ts';
import { T, U, add, and, col, eq, filter, gt, isNull, join, lit, lt, not, or, project, runBoth } from './optimizer.test-helpers.ts';

/** A small deterministic PRNG (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const JOIN_TYPES: readonly JoinNode['joinType'][] = ['INNER', 'LEFT', 'RIGHT', 'FULL', 'SEMI', 'ANTI'];
const CONSTANTS = [0, 1, 2, 5, 10, 20, 150, 300];

function randomPlan(r: () => number): LogicalPlan {
  const pick = <X,>(xs: readonly X[]): X => xs[Math.floor(r() * xs.length)]!;
  const atom = (width: number, depth: number): BoundExpr => {
    const i = Math.floor(r() * width);
    const k = r();
    if (depth < 2 && k < 0.15) return or(atom(width, depth + 1), atom(width, depth + 1));
    if (depth < 2 && k < 0.25) return not(atom(width, depth + 1));
    if (k < 0.45) return isNull(col(i), r() < 0.5);
    if (k < 0.7) return eq(col(i), col(Math.floor(r() * width)));
    return (r() < 0.5 ? gt : lt)(col(i), lit(pick(CONSTANTS)));
  };
  const conj = (width: number, n: number): BoundExpr => and(...Array.from({ length: n }, () => atom(width, 0)));
  const joinType = pick(JOIN_TYPES);
  const on = r() < 0.8 ? conj(5, 1 + Math.floor(r() * 3)) : undefined;
  let plan: LogicalPlan = join(joinType, T(), U(), on !== undefined ? { condition: on } : {});
  const width = plan.schema.length;
  if (r() < 0.8) plan = filter(plan, conj(width, 1 + Math.floor(r() * 3)));
  if (r() < 0.6) {
    const cols = Array.from({ length: 1 + Math.floor(r() * width) }, () => Math.floor(r() * width));
    plan = project(plan, cols.map((c) => col(c)), cols.map((c, i) => `p${i}_${c}`));
    if (r() < 0.5) plan = filter(plan, atom(cols.length, 0));
  }
  return plan;
}

function randomPipeline(r: () => number): LogicalPlan {
  const pick = <X,>(xs: readonly X[]): X => xs[Math.floor(r() * xs.length)]!;
  const pred = (width: number): BoundExpr => {
    const i = Math.floor(r() * width);
    const k = r();
    if (k < 0.3) return isNull(col(i), r() < 0.5);
    if (k < 0.5) return or(gt(col(i), lit(pick(CONSTANTS))), isNull(col(Math.floor(r() * width))));
    return (r() < 0.5 ? gt : lt)(col(i), lit(pick(CONSTANTS)));
  };
  let plan: LogicalPlan = r() < 0.5 ? T() : U();
  const steps = 1 + Math.floor(r() * 5);
  for (let s = 0; s < steps; s++) {
    const w: number = plan.schema.length;
    const k = r();
    if (k < 0.3) {
      plan = filter(plan, pred(w));
    } else if (k < 0.55) {
      const n = 1 + Math.floor(r() * 3);
      const exprs = Array.from({ length: n }, () => (r() < 0.6 ? col(Math.floor(r() * w)) : add(col(Math.floor(r() * w)), lit(pick(CONSTANTS)))));
      plan = project(plan, exprs, exprs.map((_, i) => `x${i}`));
    } else if (k < 0.75) {
      const keys = r() < 0.2 ? [] : [col(Math.floor(r() * w))];
      const sum = col(Math.floor(r() * w));
      plan = {
        kind: 'aggregate',
        input: plan,
        groupKeys: keys,
        aggregates: [
          { fn: 'count_star', args: [], distinct: false, orderBy: [], type: BIGINT },
          { fn: 'sum', args: [sum], distinct: false, orderBy: [], type: INT },
        ],
        schema: [
          ...keys.map((_, i) => ({ name: `k${i}`, type: INT, nullable: true })),
          { name: 'n', type: BIGINT, nullable: false },
          { name: 's', type: INT, nullable: true },
        ],
      };
      // Keep INT columns only, so the next steps can compare with INT literals.
      plan = project(plan, [...keys.map((_, i) => col(i)), col(keys.length + 1)], [...keys.map((_, i) => `k${i}`), 's']);
    } else if (k < 0.85) {
      plan = { kind: 'distinct', input: plan, schema: plan.schema };
    } else {
      plan = { kind: 'union', inputs: [plan, filter(plan, pred(w))], schema: plan.schema };
    }
  }
  return plan;
}

describe('optimizer property: results unchanged', () => {
  it('holds for 300 random single-table pipelines', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const plan = randomPipeline(rng(seed * 7919));
      const { before, after } = await runBoth(plan);
      expect({ seed, rows: after }).toEqual({ seed, rows: before });
    }
  });

  it('holds for 300 random join plans', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const plan = randomPlan(rng(seed));
      const { before, after } = await runBoth(plan);
      expect({ seed, rows: after }).toEqual({ seed, rows: before });
    }
  });
});
