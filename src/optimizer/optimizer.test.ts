import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, INT } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import type { AggregateCall, LogicalPlan } from '../planner/logical-plan.ts';
import { InternalError } from '../errors.ts';
import { explainPlan } from '../planner/explain.ts';
import { optimize, RULES, type OptimizerRule } from './optimizer.ts';
import {
  FALSE,
  OPTS,
  T,
  TRUE,
  U,
  add,
  and,
  col,
  eq,
  filter,
  gt,
  isNull,
  join,
  lit,
  lt,
  or,
  outer,
  param,
  project,
  runBoth,
  scan,
} from './optimizer.test-helpers.ts';

const countStar: AggregateCall = { fn: 'count_star', args: [], distinct: false, orderBy: [], type: BIGINT };
const sumOf = (e: BoundExpr): AggregateCall => ({ fn: 'sum', args: [e], distinct: false, orderBy: [], type: INT });

function aggregate(input: LogicalPlan, groupKeys: BoundExpr[], aggs: AggregateCall[], names: string[]): LogicalPlan {
  return {
    kind: 'aggregate',
    input,
    groupKeys,
    aggregates: aggs,
    schema: [...groupKeys, ...aggs].map((x, i) => ({ name: names[i]!, type: x.type, nullable: true })),
  };
}

function kinds(p: LogicalPlan): string {
  const kids: LogicalPlan[] =
    p.kind === 'join' || p.kind === 'set-op' ? [p.left, p.right] : p.kind === 'union' ? [...p.inputs] : 'input' in p && p.input !== undefined ? [p.input] : [];
  return kids.length === 0 ? p.kind : `${p.kind}(${kids.map(kinds).join(',')})`;
}

/** Plans whose results must not change under optimization (t(a,b,c), u(a,d) hold NULLs and duplicates). */
const CASES: { name: string; plan: () => LogicalPlan; params?: unknown[]; ordered?: boolean; shape?: string }[] = [
  {
    name: 'filter over a computed projection',
    plan: () => filter(project(T(), [col(0), add(col(1), lit(1)), col(2)], ['a', 'b1', 'c']), and(gt(col(0), lit(1)), TRUE, gt(col(1), lit(15)))),
    shape: 'project(scan)',
  },
  {
    name: 'LEFT join, predicate on the NULL-producing side',
    plan: () => filter(join('LEFT', T(), U(), { equiKeys: [{ left: col(0), right: col(0) }] }), gt(col(4), lit(4))),
    shape: 'filter(join(scan,scan))',
  },
  {
    name: 'LEFT join, IS NULL on the right side (anti-join idiom)',
    plan: () => project(filter(join('LEFT', T(), U(), { equiKeys: [{ left: col(0), right: col(0) }] }), isNull(col(3))), [col(0), col(2)], ['a', 'c']),
  },
  {
    name: 'LEFT join, left predicate from above and right predicate in ON',
    plan: () =>
      filter(join('LEFT', T(), U(), { equiKeys: [{ left: col(0), right: col(0) }], condition: and(gt(col(4), lit(5)), gt(col(1), lit(10))) }), gt(col(1), lit(5))),
  },
  {
    name: 'cross join with WHERE equality',
    plan: () => project(filter(join('INNER', T(), U()), and(eq(col(0), col(3)), lt(col(4), lit(8)))), [col(2), col(4)], ['c', 'd']),
    shape: 'project(join(scan,scan))',
  },
  {
    name: 'RIGHT join with predicates on both sides above',
    plan: () => filter(join('RIGHT', T(), U(), { equiKeys: [{ left: col(0), right: col(0) }] }), and(gt(col(4), lit(1)), isNull(col(1)))),
  },
  {
    name: 'FULL join with a predicate above',
    plan: () => filter(join('FULL', T(), U(), { equiKeys: [{ left: col(0), right: col(0) }] }), or(isNull(col(0)), gt(col(2), lit(150)))),
  },
  {
    name: 'SEMI and ANTI joins with ON conjuncts on each side',
    plan: () => ({
      kind: 'union',
      inputs: [
        join('SEMI', T(), U(), { condition: and(eq(col(0), col(3)), gt(col(4), lit(5)), gt(col(2), lit(0))) }),
        join('ANTI', T(), U(), { condition: and(eq(col(0), col(3)), gt(col(4), lit(5)), gt(col(2), lit(0))) }),
      ],
      schema: T().schema,
    }),
  },
  {
    name: 'grouped aggregate with a HAVING-like filter on the key and on an aggregate',
    plan: () => project(filter(aggregate(T(), [col(0)], [countStar, sumOf(col(1)), sumOf(col(2))], ['a', 'n', 'sb', 'sc']), and(gt(col(0), lit(1)), gt(col(3), lit(0)))), [col(1)], ['n']),
  },
  {
    name: 'global aggregate under a false parameter predicate',
    plan: () => filter(aggregate(T(), [], [countStar], ['n']), gt(param(0), lit(0))),
    params: [0],
  },
  {
    name: 'global aggregate over an empty filter',
    plan: () => aggregate(filter(T(), and(gt(col(0), lit(1)), FALSE)), [], [countStar, sumOf(col(0))], ['n', 's']),
  },
  {
    name: 'union and distinct with a filter above',
    plan: () =>
      project(
        filter({ kind: 'distinct', input: { kind: 'union', inputs: [T(), T()], schema: T().schema }, schema: T().schema }, gt(col(1), lit(10))),
        [col(1)],
        ['b'],
      ),
  },
  {
    name: 'filter above ORDER BY ... LIMIT stays above',
    plan: () =>
      filter(
        { kind: 'limit', input: { kind: 'sort', input: T(), keys: [{ expr: col(2), desc: true, nullsFirst: false }], schema: T().schema }, limit: lit(3, BIGINT), schema: T().schema },
        gt(col(0), lit(1)),
      ),
    ordered: true,
  },
  {
    name: 'correlated scalar subquery over a pruned input',
    plan: () => {
      const inner = aggregate(filter(U(), eq(col(0), outer(0))), [], [sumOf(col(1))], ['s']);
      const sq: BoundExpr = { kind: 'subquery', type: INT, mode: 'scalar', plan: inner, correlated: true };
      return project(filter(T(), gt(col(2), lit(100))), [col(2), sq], ['c', 's']);
    },
  },
  {
    name: 'EXISTS subquery in a filter over a join',
    plan: () => {
      const inner = filter(U(), and(eq(col(0), outer(0)), gt(col(1), outer(4))));
      const sq: BoundExpr = { kind: 'subquery', type: BOOLEAN, mode: 'exists', plan: inner, correlated: true };
      return project(filter(join('INNER', T(), U(), { equiKeys: [{ left: col(0), right: col(0) }] }), or(sq, isNull(col(1)))), [col(2)], ['c']);
    },
  },
  {
    name: 'window partitioned by a filtered column, only some calls read',
    plan: () => {
      const w: LogicalPlan = {
        kind: 'window',
        input: T(),
        calls: [
          { fn: 'row_number', args: [], partitionBy: [col(0)], orderBy: [{ expr: col(2), desc: false, nullsFirst: false }], type: BIGINT },
          { fn: 'sum', args: [col(1)], partitionBy: [col(0)], orderBy: [], type: INT },
        ],
        schema: [...T().schema, { name: 'rn', type: BIGINT, nullable: false }, { name: 's', type: INT, nullable: true }],
      };
      return project(filter(w, and(gt(col(0), lit(1)), gt(col(2), lit(100)))), [col(0), col(4)], ['a', 's']);
    },
    shape: 'project(filter(window(scan)))',
  },
  {
    name: 'window whose calls are all unread disappears',
    plan: () => {
      const w: LogicalPlan = {
        kind: 'window',
        input: T(),
        calls: [{ fn: 'row_number', args: [], partitionBy: [col(0)], orderBy: [], type: BIGINT }],
        schema: [...T().schema, { name: 'rn', type: BIGINT, nullable: false }],
      };
      return project(w, [col(1)], ['b']);
    },
    shape: 'scan',
  },
  {
    name: 'lateral table function with a filter on input and function columns',
    plan: () => {
      const tf: LogicalPlan = {
        kind: 'table-function',
        input: filter(U(), isNull(col(1), true)),
        fn: 'generate_series',
        args: [lit(1), col(0)],
        ordinality: false,
        schema: [...U().schema, { name: 'g', type: INT, nullable: false }],
      };
      return project(filter(tf, and(gt(col(1), lit(4)), gt(col(2), lit(1)))), [col(2)], ['g']);
    },
  },
  {
    name: 'ORDER BY under a projection with LIMIT becomes a top-N',
    plan: () => ({
      kind: 'limit',
      input: project({ kind: 'sort', input: T(), keys: [{ expr: col(2), desc: true, nullsFirst: false }], schema: T().schema }, [add(col(0), lit(1))], ['x']),
      limit: lit(2n, BIGINT),
      offset: lit(1n, BIGINT),
      schema: [{ name: 'x', type: INT, nullable: true }],
    }),
    ordered: true,
    shape: 'project(limit(sort(scan)))',
  },
  {
    name: 'constant over a global aggregate whose calls are all unread',
    plan: () => project(aggregate(filter(T(), gt(col(0), lit(99))), [], [countStar, sumOf(col(1))], ['n', 's']), [lit(1)], ['one']),
  },
  {
    name: 'count over a union of projections',
    plan: () =>
      aggregate(
        { kind: 'union', inputs: [project(T(), [col(2), col(0)], ['c', 'a']), project(U(), [col(1), col(0)], ['d', 'a'])], schema: [{ name: 'c', type: INT, nullable: true }, { name: 'a', type: INT, nullable: true }] },
        [col(1)],
        [countStar],
        ['a', 'n'],
      ),
  },
  {
    name: 'empty inputs: joins of each type, grouped and global aggregates, union',
    plan: () => {
      const none = filter(U(), and(gt(col(1), lit(0)), FALSE));
      const parts: LogicalPlan[] = (['INNER', 'LEFT', 'RIGHT', 'FULL', 'SEMI', 'ANTI'] as const).flatMap((jt) => {
        const semi = jt === 'SEMI' || jt === 'ANTI';
        const keys = { equiKeys: [{ left: col(0), right: col(0) }] };
        const withEmptyRight = join(jt, T(), none, keys);
        const withEmptyLeft = join(jt, filter(T(), FALSE), U(), keys);
        return [withEmptyRight, withEmptyLeft].map((j) => project(j, [col(0), semi ? col(1) : col(3)], ['x', 'y']));
      });
      const grouped = aggregate(none, [col(0)], [countStar], ['a', 'n']);
      const global = aggregate(none, [], [countStar], ['n']);
      return {
        kind: 'union',
        inputs: [...parts, project(grouped, [col(0), lit(7)], ['x', 'y']), project(global, [lit(8), lit(9)], ['x', 'y'])],
        schema: parts[0]!.schema,
      };
    },
  },
  {
    name: 'constant CASE and COALESCE in a projection over values',
    plan: () =>
      project(
        { kind: 'values', rows: [[lit(1), lit(null)], [lit(2), lit(5)]], schema: [{ name: 'x', type: INT, nullable: false }, { name: 'y', type: INT, nullable: true }] },
        [
          { kind: 'coalesce', type: INT, args: [col(1), lit(null), lit(7)] },
          { kind: 'case', type: INT, whens: [{ when: FALSE, then: lit(1) }, { when: gt(col(0), lit(1)), then: col(0) }], else: lit(0) },
        ],
        ['c', 'k'],
      ),
  },
];

describe('optimize preserves results', () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const r = await runBoth(c.plan(), { ...(c.params !== undefined ? { params: c.params } : {}), ...(c.ordered === true ? { ordered: true } : {}) });
      expect(r.after).toEqual(r.before);
      expect(r.optimized.schema.map((x) => [x.name, x.type])).toEqual(c.plan().schema.map((x) => [x.name, x.type]));
      if (c.shape !== undefined) expect(kinds(r.optimized)).toBe(c.shape);
    });
  }

  it('matches the golden EXPLAIN text of every case (regenerate with vitest -u)', async () => {
    const text = CASES.map((c) => {
      const plan = c.plan();
      return `-- ${c.name}\n${explainPlan(plan)}\n=>\n${explainPlan(optimize(plan, OPTS))}\n`;
    }).join('\n');
    await expect(text).toMatchFileSnapshot('./optimizer.golden.txt');
  });

  it('the results are not trivially empty', async () => {
    const r = await runBoth(CASES[2]!.plan());
    expect(r.before.length).toBeGreaterThan(0);
  });
});

describe('optimize', () => {
  it('runs the rules in order and skips disabled ones', () => {
    const p = filter(T(), and(gt(col(0), add(lit(1), lit(1))), TRUE));
    expect(kinds(optimize(p, OPTS))).toBe('scan');
    expect(kinds(optimize(p, { ...OPTS, disabledRules: ['predicate-pushdown'] }))).toBe('filter(scan)');
    const folded = optimize(p, { ...OPTS, disabledRules: ['predicate-pushdown'] });
    expect(folded.kind === 'filter' && folded.predicate).toEqual(gt(col(0), lit(2)));
    const nothing = optimize(p, { ...OPTS, disabledRules: RULES.map((r) => r.name) });
    expect(nothing).toBe(p);
  });

  it('has uniquely named rules', () => {
    const names = RULES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(['constant-folding', 'simplify-filters', 'empty-propagation', 'merge-filters', 'subquery-to-join', 'predicate-pushdown', 'projection-pruning', 'merge-projects', 'limit-pushdown']);
  });

  it('optimizes subquery plans too', () => {
    const inner = filter(U(), gt(col(1), add(lit(1), lit(2))));
    const sq: BoundExpr = { kind: 'subquery', type: BOOLEAN, mode: 'exists', plan: inner, correlated: false };
    const out = optimize(filter(T(), sq), { ...OPTS, disabledRules: ['subquery-to-join'] });
    expect(out.kind).toBe('filter');
    if (out.kind === 'filter' && out.predicate.kind === 'subquery') {
      expect(out.predicate.plan).toEqual({ ...U(), filter: gt(col(1), lit(3)) });
    } else {
      expect.unreachable('subquery predicate expected');
    }
    // With every rule, the EXISTS becomes a SEMI join over the optimized subquery plan.
    const joined = optimize(filter(T(), sq), OPTS);
    expect(joined.kind === 'join' && joined.joinType).toBe('SEMI');
    if (joined.kind === 'join' && joined.right.kind === 'scan') expect(joined.right.filter).toEqual(gt(col(0), lit(3)));
    else expect.unreachable('a SEMI join over the pruned scan expected');
  });

  it('keeps connector scans readable and Filter above them', () => {
    const p = project(filter(scan(9, 'gen', ['x', 'y'], 'connector'), gt(col(0), lit(1))), [col(1)], ['y']);
    expect(kinds(optimize(p, OPTS))).toBe('project(filter(scan))');
  });

  it('reports a rule that makes an insert-only result retracting, allows the reverse', () => {
    const stream = { ...T(), unbounded: true };
    const inner = join('INNER', stream, U(), { equiKeys: [{ left: col(0), right: col(0) }] });
    const bad: OptimizerRule = { name: 'bad', apply: (p) => (p.kind === 'join' ? { ...p, joinType: 'LEFT' } : p) };
    const rules = RULES as OptimizerRule[];
    rules.push(bad);
    try {
      expect(() => optimize(inner, OPTS)).toThrow(/insert-only/);
    } finally {
      rules.pop();
    }
    const agg = aggregate(filter(stream, FALSE), [col(0)], [countStar], ['a', 'n']);
    expect(kinds(optimize(agg, OPTS))).toBe('values');
  });

  it('reports a rule that changes the result columns', () => {
    const bad: OptimizerRule = { name: 'bad', apply: (p) => project(p, [lit(1)], ['one']) };
    const rules = RULES as OptimizerRule[];
    rules.push(bad);
    try {
      expect(() => optimize(T(), OPTS)).toThrow(InternalError);
    } finally {
      rules.pop();
    }
  });
});
