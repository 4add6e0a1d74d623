import { describe, expect, it } from 'vitest';
import { BIGINT } from '../../../catalog/types.ts';
import type { LogicalPlan } from '../../planner/logical-plan.ts';
import { OPTS, T, U, col, join, project } from '../optimizer.test-helpers.ts';
import { emptyPropagation } from './empty-propagation.ts';

const run = (p: LogicalPlan): LogicalPlan => emptyPropagation.apply(p, OPTS);
const none = (p: LogicalPlan): LogicalPlan => ({ kind: 'values', rows: [], schema: p.schema });

describe('empty-propagation', () => {
  it('spreads through row-wise nodes and grouped aggregates', () => {
    const p = project(none(T()), [col(1)], ['b']);
    expect(run(p)).toEqual(none(p));
    const grouped: LogicalPlan = {
      kind: 'aggregate',
      input: none(T()),
      groupKeys: [col(0)],
      aggregates: [{ fn: 'count_star', args: [], distinct: false, orderBy: [], type: BIGINT }],
      schema: [T().schema[0]!, { name: 'n', type: BIGINT, nullable: false }],
    };
    expect(run(grouped)).toEqual(none(grouped));
    const global: LogicalPlan = { ...grouped, groupKeys: [], schema: [{ name: 'n', type: BIGINT, nullable: false }] } as LogicalPlan;
    expect(run(global)).toBe(global);
  });

  it('empties joins only where the empty side decides', () => {
    const emptyRight = (jt: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'SEMI' | 'ANTI'): LogicalPlan => join(jt, T(), none(U()));
    for (const jt of ['INNER', 'RIGHT', 'SEMI'] as const) expect(run(emptyRight(jt)).kind).toBe('values');
    for (const jt of ['LEFT', 'FULL', 'ANTI'] as const) expect(run(emptyRight(jt)).kind).toBe('join');
    expect(run(join('LEFT', none(T()), U())).kind).toBe('values');
    expect(run(join('FULL', none(T()), none(U()))).kind).toBe('values');
  });

  it('drops empty union inputs', () => {
    const un: LogicalPlan = { kind: 'union', inputs: [T(), none(T())], schema: T().schema };
    expect(run(un)).toEqual({ ...un, inputs: [T()] });
    expect(run({ ...un, inputs: [none(T()), none(T())] })).toEqual(none(un));
  });
});
