import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, INT, STRING } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import type { LogicalPlan } from './logical-plan.ts';
import { explainPlan, formatLiteral } from './explain.ts';
import { OPTS, T, U, add, and, col, eq, filter, gt, isNull, join, lit, outer, param, project } from '../optimizer/optimizer.test-helpers.ts';
import { optimize } from '../optimizer/optimizer.ts';

describe('explainPlan', () => {
  it('prints one node per line, children indented', () => {
    const agg: LogicalPlan = {
      kind: 'aggregate',
      input: { ...T(), filter: gt(col(0), lit(1)) },
      groupKeys: [col(1)],
      aggregates: [{ fn: 'count_star', args: [], distinct: false, orderBy: [], type: BIGINT }],
      schema: [
        { name: 'b', type: INT, nullable: true },
        { name: 'count', type: BIGINT, nullable: false },
      ],
    };
    expect(explainPlan(project(agg, [col(0), col(1)], ['b', 'count']))).toBe(
      ['Project [b, count]', '  Aggregate group=[b] aggs=[count(*)]', '    Scan t (stored) columns=[a, b, c] filter=(a > 1)'].join('\n'),
    );
  });

  it('prints joins with keys and conditions, disambiguating equal names', () => {
    const j = join('LEFT', T(), U(), { equiKeys: [{ left: col(0), right: col(0) }], condition: and(gt(col(4), lit(3)), isNull(col(1))) });
    expect(explainPlan(j)).toBe(
      [
        'Join LEFT keys=[a#0 = a#3] condition=((d > 3) AND (b IS NULL))',
        '  Scan t (stored) columns=[a, b, c]',
        '  Scan u (stored) columns=[a, d]',
      ].join('\n'),
    );
  });

  it('prints literals as SQL literals and parameters as $n', () => {
    expect(formatLiteral('it\'s', STRING)).toBe("'it''s'");
    expect(formatLiteral(null, INT)).toBe('NULL');
    expect(formatLiteral(true, BOOLEAN)).toBe('TRUE');
    expect(formatLiteral(12n, BIGINT)).toBe('12');
    expect(formatLiteral(1234n, { kind: 'DECIMAL', precision: 6, scale: 2 })).toBe('12.34');
    expect(formatLiteral(0, { kind: 'DATE' })).toBe("'1970-01-01'::DATE");
    expect(explainPlan(filter(T(), eq(col(2), param(0))))).toBe('Filter (c = $1)\n  Scan t (stored) columns=[a, b, c]');
  });

  it('prints sort, limit, project aliases, casts and functions', () => {
    const p: LogicalPlan = {
      kind: 'limit',
      input: {
        kind: 'sort',
        input: project(T(), [add(col(0), lit(1)), { kind: 'cast', type: STRING, operand: col(1), try: false }, { kind: 'call', fn: 'upper', name: 'upper', args: [lit('x', STRING)], type: STRING, volatile: false }], ['x', 'b', 'u']),
        keys: [
          { expr: col(0), desc: true, nullsFirst: true },
          { expr: col(1), desc: false, nullsFirst: true },
        ],
        schema: [],
      },
      limit: lit(10n, BIGINT),
      offset: param(0, BIGINT),
      schema: [],
    };
    expect(explainPlan(p).split('\n')).toEqual([
      'Limit limit=10 offset=$1',
      '  Sort [x DESC, b NULLS FIRST]',
      "    Project [(a + 1) AS x, CAST(b AS STRING) AS b, upper('x') AS u]",
      '      Scan t (stored) columns=[a, b, c]',
    ]);
  });

  it('prints subquery plans under the node that uses them, with outer references', () => {
    const inner = filter(U(), eq(col(0), outer(2)));
    const sq: BoundExpr = { kind: 'subquery', type: BOOLEAN, mode: 'exists', plan: inner, correlated: true };
    expect(explainPlan(filter(T(), sq)).split('\n')).toEqual([
      'Filter EXISTS(subquery#1)',
      '  Subquery#1 (exists, correlated)',
      '    Filter (a = outer.c)',
      '      Scan u (stored) columns=[a, d]',
      '  Scan t (stored) columns=[a, b, c]',
    ]);
  });

  it('shows what the optimizer did', () => {
    const plan = project(filter(join('INNER', T(), U()), and(eq(col(0), col(3)), gt(col(4), lit(1)))), [col(2), col(4)], ['c', 'd']);
    expect(explainPlan(optimize(plan, OPTS)).split('\n')).toEqual([
      'Project [c, d]',
      '  Join INNER keys=[a#0 = a#2]',
      '    Scan t (stored) columns=[a, c]',
      '    Scan u (stored) columns=[a, d] filter=(d > 1)',
    ]);
  });

  it('prints values, union, distinct and set operations', () => {
    const v: LogicalPlan = { kind: 'values', rows: [[lit(1)], [lit(null)]], schema: [{ name: 'x', type: INT, nullable: true }] };
    const p: LogicalPlan = { kind: 'distinct', input: { kind: 'union', inputs: [v, { kind: 'set-op', op: 'EXCEPT', all: true, left: v, right: v, schema: v.schema }], schema: v.schema }, schema: v.schema };
    expect(explainPlan(p).split('\n')).toEqual([
      'Distinct',
      '  Union all',
      '    Values 2 rows (1), (NULL)',
      '    Except all',
      '      Values 2 rows (1), (NULL)',
      '      Values 2 rows (1), (NULL)',
    ]);
  });

  it('shows upsert mode only for nodes over endless input that the consumer key reaches', () => {
    const agg = (unbounded: boolean): LogicalPlan => ({
      kind: 'aggregate',
      input: { ...T(), unbounded },
      groupKeys: [col(1)],
      aggregates: [{ fn: 'count_star', args: [], distinct: false, orderBy: [], type: BIGINT }],
      schema: [
        { name: 'b', type: INT, nullable: true },
        { name: 'count', type: BIGINT, nullable: false },
      ],
    });
    expect(explainPlan(agg(true), 'snapshot', { upsertKey: [0] }).split('\n')).toEqual([
      'Aggregate group=[b] aggs=[count(*)] [upsert (key: b)]',
      '  Scan t (stored, unbounded) columns=[a, b, c] [insert-only]',
    ]);
    expect(explainPlan(agg(true), 'snapshot', { upsertKey: [1] }).split('\n')[0]).toBe('Aggregate group=[b] aggs=[count(*)] [retract]');
    expect(explainPlan(agg(false), 'snapshot', { upsertKey: [0] })).toBe(explainPlan(agg(false)));
  });
});
