import { describe, expect, it } from 'vitest';
import { BIGINT } from '../../../catalog/types.ts';
import type { LogicalPlan } from '../../planner/logical-plan.ts';
import { OPTS, T, add, col, lit, param, project } from '../optimizer.test-helpers.ts';
import { limitPushdown } from './limit-pushdown.ts';

const push = (p: LogicalPlan): LogicalPlan => limitPushdown.apply(p, OPTS);
const limit = (input: LogicalPlan, n: number, offset?: number): LogicalPlan => ({
  kind: 'limit',
  input,
  limit: lit(BigInt(n), BIGINT),
  ...(offset !== undefined ? { offset: lit(BigInt(offset), BIGINT) } : {}),
  schema: input.schema,
});

describe('limit-pushdown', () => {
  it('moves a Limit below a Project, next to the Sort', () => {
    const sort: LogicalPlan = { kind: 'sort', input: T(), keys: [{ expr: col(2), desc: false, nullsFirst: false }], schema: T().schema };
    const p = limit(project(sort, [add(col(0), lit(1))], ['x']), 2, 1);
    expect(push(p)).toEqual(project(limit(sort, 2, 1), [add(col(0), lit(1))], ['x']));
  });

  it('limits every UNION ALL input when there is no offset', () => {
    const un: LogicalPlan = { kind: 'union', inputs: [T(), T()], schema: T().schema };
    const p = limit(un, 2);
    const out = push(p);
    expect(out).toEqual(limit({ ...un, inputs: [limit(T(), 2), limit(T(), 2)] } as LogicalPlan, 2));
    expect(push(out)).toEqual(out);
    const withOffset = limit(un, 2, 1);
    expect(push(withOffset)).toBe(withOffset);
    const byParam: LogicalPlan = { kind: 'limit', input: un, limit: param(0, BIGINT), schema: un.schema };
    expect(push(byParam)).toEqual({ ...byParam, input: { ...un, inputs: [{ ...byParam, input: T() }, { ...byParam, input: T() }] } });
  });
});
