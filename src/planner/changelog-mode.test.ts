import { describe, expect, it } from 'vitest';
import { BIGINT } from '../../catalog/types.ts';
import type { LogicalPlan, ScanNode } from './logical-plan.ts';
import { changelogMode, isUnbounded, sinkUpsertKey, uniqueKeyOf, upsertChainOf } from './changelog-mode.ts';
import { explainPlan } from './explain.ts';
import { T, U, col, filter, gt, join, lit, project } from '../optimizer/optimizer.test-helpers.ts';
import type { SortNode, WindowNode } from './logical-plan.ts';

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

/** SELECT b, a, count(*) ... GROUP BY a, b: group keys at output 0 (a) and 1 (b). */
const count2 = (input: LogicalPlan): LogicalPlan => ({
  kind: 'aggregate',
  input,
  groupKeys: [col(0), col(1)],
  aggregates: [{ fn: 'count_star', args: [], distinct: false, orderBy: [], type: BIGINT }],
  schema: [input.schema[0]!, input.schema[1]!, { name: 'n', type: BIGINT, nullable: false }],
});

/** ROW_NUMBER() OVER (PARTITION BY a ORDER BY b) AS rn ... WHERE rn <= n. */
const topN = (input: LogicalPlan, n: number): LogicalPlan => {
  const window: WindowNode = {
    kind: 'window',
    input,
    calls: [{ fn: 'row_number', args: [], partitionBy: [col(0)], orderBy: [{ expr: col(1), desc: false, nullsFirst: false }], type: BIGINT }],
    schema: [...input.schema, { name: 'rn', type: BIGINT, nullable: false }],
  } as WindowNode;
  const rn = { kind: 'column' as const, index: input.schema.length, type: BIGINT };
  return { kind: 'filter', input: window, predicate: { kind: 'call', fn: 'le', name: '<=', args: [rn, lit(BigInt(n), BIGINT)], type: BIGINT, volatile: false }, schema: window.schema };
};

describe('uniqueKeyOf', () => {
  it('is the group keys of an aggregate, followed through projections that keep them', () => {
    expect(uniqueKeyOf(count(S()))).toEqual([0]);
    expect(uniqueKeyOf(count2(S()))).toEqual([0, 1]);
    expect(uniqueKeyOf(project(count2(S()), [col(2), col(1), col(0)], ['n', 'b', 'a']))).toEqual([1, 2]);
    expect(uniqueKeyOf(project(count2(S()), [col(2), col(1)], ['n', 'b']))).toBeUndefined();
    expect(uniqueKeyOf(filter(count(S()), gt(col(1), lit(1))))).toEqual([0]);
    expect(uniqueKeyOf({ kind: 'distinct', input: S(), schema: S().schema })).toEqual([0, 1, 2]);
  });

  it('is unknown for scans and joins, and partition key (+ row number) for Top-N', () => {
    expect(uniqueKeyOf(S())).toBeUndefined();
    expect(uniqueKeyOf(join('INNER', count(S()), U()))).toBeUndefined();
    expect(uniqueKeyOf(topN(S(), 3))).toEqual([0, 3]);
    expect(uniqueKeyOf(topN(S(), 1))).toEqual([0]);
  });
});

describe('sinkUpsertKey', () => {
  it('maps the primary key columns to the INSERT source positions', () => {
    expect(sinkUpsertKey([0], [0, 1])).toEqual([0]);
    expect(sinkUpsertKey([2, 0], [2, 1, 0])).toEqual([0, 2]);
    expect(sinkUpsertKey([], [0, 1])).toBeUndefined();
    expect(sinkUpsertKey([1], [0, 2])).toBeUndefined();
  });
});

describe('upsertChainOf', () => {
  const modes = (plan: LogicalPlan, key: readonly number[]): string[] => upsertChainOf(plan, key).map((u) => `${u.node.kind} ${u.key.join(',')}`);

  it('puts a group aggregation into upsert mode when the consumer key is its group key', () => {
    expect(modes(count(S()), [0])).toEqual(['aggregate 0']);
    const p = project(count2(S()), [col(2), col(1), col(0)], ['n', 'b', 'a']);
    expect(modes(p, [2, 1])).toEqual(['project 1,2', 'aggregate 0,1']);
    const sorted: SortNode = { kind: 'sort', input: count(S()), keys: [{ expr: col(1), desc: true, nullsFirst: true }], schema: count(S()).schema };
    expect(modes(project(sorted, [col(0), col(1)], ['a', 'n']), [0])).toEqual(['project 0', 'sort 0', 'aggregate 0']);
  });

  it('keeps retract for another key, a filter in between, computed key columns, bounded input and other nodes', () => {
    expect(modes(count2(S()), [0])).toEqual([]);
    expect(modes(count(S()), [0, 1])).toEqual([]);
    expect(modes(filter(count(S()), gt(col(1), lit(1))), [0])).toEqual([]);
    expect(modes(project(count(S()), [{ kind: 'call', fn: 'add', name: '+', args: [col(0), lit(1)], type: col(0).type, volatile: false }, col(1)], ['a1', 'n']), [0])).toEqual([]);
    expect(modes(count(T()), [0])).toEqual([]);
    expect(modes(join('LEFT', S(), U()), [0])).toEqual([]);
    expect(modes(topN(S(), 3), [0])).toEqual([]);
    expect(modes(count(S()), [])).toEqual([]);
  });

  it('puts a ROW_NUMBER Top-N into upsert mode keyed by partition (+ row number unless it keeps rank 1)', () => {
    expect(modes(topN(S(), 1), [0])).toEqual(['filter 0']);
    expect(modes(topN(S(), 3), [0, 3])).toEqual(['filter 0,3']);
    expect(modes(project(topN(S(), 1), [col(1), col(0)], ['b', 'a']), [1])).toEqual(['project 1', 'filter 0']);
    expect(modes(project(topN(S(), 3), [col(0), col(1)], ['a', 'b']), [0])).toEqual([]);
    expect(modes(topN(T(), 1), [0])).toEqual([]);
  });

  it('shows in EXPLAIN with the key by name', () => {
    const p = project(count(S()), [col(1), col(0)], ['n', 'a']);
    expect(explainPlan(p, 'snapshot', { upsertKey: [1] }).split('\n')).toEqual([
      'Project [n, a] [upsert (key: a)]',
      '  Aggregate group=[a] aggs=[count(*)] [upsert (key: a)]',
      '    Scan events (stored, unbounded) columns=[a, b, c] [insert-only]',
    ]);
    expect(explainPlan(p, 'snapshot', { upsertKey: [0] }).split('\n')[0]).toBe('Project [n, a] [retract]');
  });
});
