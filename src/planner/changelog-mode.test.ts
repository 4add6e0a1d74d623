import { describe, expect, it } from 'vitest';
import { BIGINT } from '../../catalog/types.ts';
import type { LogicalPlan, ScanNode } from './logical-plan.ts';
import { changelogMode, isUnbounded } from './changelog-mode.ts';
import { explainPlan } from './explain.ts';
import { T, U, col, filter, gt, join, lit, project } from '../optimizer/optimizer.test-helpers.ts';

const S = (): ScanNode => ({ ...T(), relationName: 'events', unbounded: true });
const count = (input: LogicalPlan): LogicalPlan => ({
  kind: 'aggregate',
  input,
  groupKeys: [col(0)],
  aggregates: [{ fn: 'count_star', args: [], distinct: false, orderBy: [], type: BIGINT }],
  schema: [input.schema[0]!, { name: 'n', type: BIGINT, nullable: false }],
});

describe('changelogMode', () => {
  it('is insert-only for every bounded plan', () => {
    expect(isUnbounded(count(T()))).toBe(false);
    expect(changelogMode(count(T()))).toBe('insert-only');
    expect(changelogMode(join('FULL', T(), U()))).toBe('insert-only');
  });

  it('passes through row-wise nodes over streams and retracts for aggregates and outer joins', () => {
    expect(changelogMode(project(filter(S(), gt(col(0), lit(1))), [col(0)], ['a']))).toBe('insert-only');
    expect(changelogMode(count(S()))).toBe('retract');
    expect(changelogMode(project(count(S()), [col(1)], ['n']))).toBe('retract');
    expect(changelogMode(join('INNER', S(), U()))).toBe('insert-only');
    expect(changelogMode(join('LEFT', S(), U()))).toBe('retract');
    expect(changelogMode({ kind: 'union', inputs: [S(), count(S())], schema: S().schema } as LogicalPlan)).toBe('retract');
    expect(changelogMode({ kind: 'limit', input: S(), limit: lit(1n, BIGINT), schema: S().schema })).toBe('insert-only');
  });

  it('shows in EXPLAIN for nodes over unbounded input', () => {
    expect(explainPlan(project(count(S()), [col(1)], ['n'])).split('\n')).toEqual([
      'Project [n] [retract]',
      '  Aggregate group=[a] aggs=[count(*)] [retract]',
      '    Scan events (stored, unbounded) columns=[a, b, c] [insert-only]',
    ]);
  });
});
