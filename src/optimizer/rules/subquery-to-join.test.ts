import { describe, expect, it } from 'vitest';
import { BOOLEAN, INT, type Row } from '../../../catalog/types.ts';
import type { BoundExpr } from '../../binder/bound-expr.ts';
import type { LogicalPlan } from '../../planner/logical-plan.ts';
import { runQuery } from '../../compiler/query-runner.ts';
import { FAKE_DEPS, MemorySource, testEnv } from '../../compiler/plan.test-helpers.ts';
import { functions } from '../../functions/functions.ts';
import { prng } from '../../streaming/streaming.test-helpers.ts';
import { OPTS, T, U, col, filter, lit, not, outer, project } from '../optimizer.test-helpers.ts';
import { optimize } from '../optimizer.ts';
import { subqueryToJoin } from './subquery-to-join.ts';

const cmp = (op: string, a: BoundExpr, b: BoundExpr): BoundExpr => ({ kind: 'call', fn: `cmp${op}`, name: op, args: [a, b], type: BOOLEAN, volatile: false });
const exists = (plan: LogicalPlan): BoundExpr => ({ kind: 'subquery', type: BOOLEAN, mode: 'exists', plan, correlated: true });
const quantified = (mode: 'any' | 'all', operand: BoundExpr, op: string, plan: LogicalPlan): BoundExpr => ({
  kind: 'subquery',
  type: BOOLEAN,
  mode,
  plan,
  operand,
  op: `cmp${op}`,
  correlated: true,
});
const run = (p: LogicalPlan): LogicalPlan => subqueryToJoin.apply(p, OPTS);

/** u.d where u.a = t.a (correlated), projected to one column. */
const correlatedD = (): LogicalPlan => project(filter(U(), cmp('=', col(0), outer(0))), [col(1)], ['d']);

describe('subquery-to-join', () => {
  it('turns EXISTS / NOT EXISTS / IN / NOT IN / ALL conjuncts into SEMI and ANTI joins', () => {
    const semi = run(filter(T(), exists(correlatedD())));
    expect(semi.kind === 'join' && semi.joinType).toBe('SEMI');
    if (semi.kind === 'join') {
      expect(semi.right).toEqual(U());
      expect(semi.condition).toEqual(cmp('=', col(3), col(0)));
      expect(semi.schema).toEqual(T().schema);
    }
    const anti = run(filter(T(), not(exists(correlatedD()))));
    expect(anti.kind === 'join' && anti.joinType).toBe('ANTI');
    const notIn = run(filter(T(), not(quantified('any', col(1), '=', correlatedD()))));
    expect(notIn.kind === 'join' && notIn.joinType).toBe('ANTI');
    if (notIn.kind === 'join') {
      expect(notIn.condition).toEqual({
        kind: 'and',
        type: BOOLEAN,
        args: [
          cmp('=', col(3), col(0)),
          {
            kind: 'or',
            type: BOOLEAN,
            args: [cmp('=', col(1), col(4)), { kind: 'is-null', type: BOOLEAN, operand: col(1), not: false }, { kind: 'is-null', type: BOOLEAN, operand: col(4), not: false }],
          },
        ],
      });
    }
    const all = run(filter(T(), quantified('all', col(1), '>', correlatedD())));
    expect(all.kind === 'join' && all.joinType).toBe('ANTI');
  });

  it('keeps the other conjuncts and leaves subqueries it cannot decorrelate per row', () => {
    const p = run(filter(T(), { kind: 'and', type: BOOLEAN, args: [cmp('>', col(0), lit(1)), exists(correlatedD())] }));
    expect(p.kind === 'join' && p.left.kind).toBe('filter');
    // Under OR, NOT ALL, or with an aggregate between the correlation and the root: unchanged.
    const under = filter(T(), { kind: 'or', type: BOOLEAN, args: [exists(correlatedD()), cmp('>', col(0), lit(1))] });
    expect(run(under)).toBe(under);
    const notAll = filter(T(), not(quantified('all', col(1), '>', correlatedD())));
    expect(run(notAll)).toBe(notAll);
    const counted: LogicalPlan = {
      kind: 'aggregate',
      input: filter(U(), cmp('=', col(0), outer(0))),
      groupKeys: [],
      aggregates: [{ fn: 'count_star', args: [], distinct: false, orderBy: [], type: INT }],
      schema: [{ name: 'n', type: INT, nullable: false }],
    };
    const agg = filter(T(), quantified('any', col(1), '=', counted));
    expect(run(agg)).toBe(agg);
    // A reference past the filtered row (depth 2) stays per row.
    const deep = filter(T(), exists(filter(U(), cmp('=', col(0), outer(0, 2)))));
    expect(run(deep)).toBe(deep);
  });

  it('gives the per-row answers on random data with NULLs (real comparison functions)', async () => {
    const ops = ['=', '<>', '<', '>='];
    for (let seed = 1; seed <= 40; seed++) {
      const rnd = prng(seed);
      const val = (): number | null => (rnd(4) === 0 ? null : rnd(4));
      const tables: Record<number, Row[]> = {
        1: Array.from({ length: 1 + rnd(6) }, () => [val(), val(), val()]),
        2: Array.from({ length: rnd(5) }, () => [val(), val()]),
      };
      const op = ops[rnd(ops.length)]!;
      const correlated = rnd(2) === 0;
      const inner = correlated ? correlatedD() : project(filter(U(), cmp('>', col(0), lit(rnd(3)))), [col(1)], ['d']);
      const forms: BoundExpr[] = [
        exists(inner),
        not(exists(inner)),
        quantified('any', col(1), op, inner),
        not(quantified('any', col(1), op, inner)),
        quantified('all', col(2), op, inner),
      ];
      for (const form of forms) {
        const plan = filter(T(), form);
        const optimized = optimize(plan, OPTS);
        expect(optimized.kind, `seed ${seed}`).not.toBe('filter');
        const want = await rows(plan, tables);
        const got = await rows(optimized, tables);
        expect(got, `seed ${seed} ${JSON.stringify(form).slice(0, 80)}`).toEqual(want);
      }
    }
  });
});

async function rows(plan: LogicalPlan, tables: Record<number, Row[]>): Promise<string[]> {
  const env = { ...testEnv(new MemorySource(tables)), functions };
  const out: string[] = [];
  for await (const batch of runQuery(plan, env, FAKE_DEPS).run()) for (const r of batch) out.push(JSON.stringify(r));
  return out.sort();
}
