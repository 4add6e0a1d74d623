/**
 * The core check: for random inserts, updates and deletes on an input table,
 * the changelog fed through filter -> project -> aggregate and materialized
 * equals computing the same query from scratch on the current input, after
 * every chunk.
 */
import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, INT, STRING, type Row, type SqlType, type Value } from '../../catalog/types.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import { createAccumulatorFactory } from '../functions/aggregates.ts';
import type { AggregateFunctionName } from '../planner/logical-plan.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import { changelogChunk, kindAt, OperatorChain } from './changelog.ts';
import { IncrementalFilter } from './incremental-filter.ts';
import { IncrementalProject } from './incremental-project.ts';
import { IncrementalAggregate, type GroupState, type IncrementalAggregateCall } from './incremental-aggregate.ts';
import { MemoryStateTable } from './state-table.ts';
import { MaterializedTable } from './materialize.ts';
import { prng } from './streaming.test-helpers.ts';

// Input rows: [id INT, grp STRING NULL, val INT NULL, tag STRING]
type InputRow = [number, string | null, number | null, string];

function randomRow(rnd: (n: number) => number, id: number): InputRow {
  const grp = rnd(8) === 0 ? null : `g${rnd(5)}`;
  const val = rnd(6) === 0 ? null : rnd(21) - 10;
  return [id, grp, val, `t${rnd(4)}`];
}

/** WHERE val IS NULL OR val % 3 <> 0 */
const keep = (r: Row): boolean | null => (r[2] === null ? true : (r[2] as number) % 3 !== 0);

function call(fn: AggregateFunctionName, arg: EvalFn | null, argType: SqlType | null, resultType: SqlType, distinct = false): IncrementalAggregateCall {
  const argTypes = argType === null ? [] : [argType];
  return {
    factory: createAccumulatorFactory(fn, argTypes, resultType),
    args: arg === null ? [] : [arg],
    argTypes,
    filter: undefined,
    distinct,
    skipNulls: fn !== 'count_star',
    resultType,
  };
}

// After the project: [grp, val, tag]
const CALLS: IncrementalAggregateCall[] = [
  call('count_star', null, null, BIGINT),
  call('count', (r) => r[1]!, INT, BIGINT),
  call('sum', (r) => r[1]!, INT, INT),
  call('min', (r) => r[1]!, INT, INT),
  call('max', (r) => r[1]!, INT, INT),
  call('avg', (r) => r[1]!, INT, INT),
  call('count', (r) => r[2]!, STRING, BIGINT, true),
  call('bool_or', (r) => (r[1] === null ? null : (r[1] as number) > 5), BOOLEAN, BOOLEAN),
];

/** The query computed from scratch with plain loops: one row per group, groups keyed by `keyOf`. */
function recompute(table: Map<number, InputRow>, grouped: boolean): Row[] {
  const groups = new Map<string | null, InputRow[]>();
  for (const r of table.values()) {
    if (keep(r) !== true) continue;
    const k = grouped ? r[1] : 'all';
    let g = groups.get(k);
    if (g === undefined) groups.set(k, (g = []));
    g.push(r);
  }
  const out: Row[] = [];
  for (const [k, rows] of groups) {
    const vals = rows.map((r) => r[2]).filter((v): v is number => v !== null);
    const sum = vals.reduce((a, b) => a + b, 0);
    const aggs: Value[] = [
      BigInt(rows.length),
      BigInt(vals.length),
      vals.length === 0 ? null : sum,
      vals.length === 0 ? null : Math.min(...vals),
      vals.length === 0 ? null : Math.max(...vals),
      vals.length === 0 ? null : Math.trunc(sum / vals.length) + 0,
      BigInt(new Set(rows.map((r) => r[3])).size),
      vals.length === 0 ? null : vals.some((v) => v > 5),
    ];
    out.push(grouped ? [k, ...aggs] : aggs);
  }
  return out;
}

const sortRows = (rows: Row[]) => [...rows].sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));

/** Checks that every -U in the output is immediately followed by a +U. */
function expectPairsAdjacent(chunks: Chunk[]): void {
  for (const c of chunks) {
    for (let i = 0; i < c.rows.length; i++) {
      if (kindAt(c, i) === RowKind.UPDATE_BEFORE) expect(kindAt(c, i + 1)).toBe(RowKind.UPDATE_AFTER);
      if (kindAt(c, i) === RowKind.UPDATE_AFTER) expect(kindAt(c, i - 1)).toBe(RowKind.UPDATE_BEFORE);
    }
  }
}

function runScenario(seed: number, grouped: boolean, steps: number, updateBefore = true): void {
  const rnd = prng(seed);
  const state = { groups: new MemoryStateTable<GroupState>(), distinct: new MemoryStateTable<number>() };
  const pipeline = new OperatorChain([
    new IncrementalFilter(keep),
    new IncrementalProject([(r) => r[1]!, (r) => r[2]!, (r) => r[3]!]),
    new IncrementalAggregate(
      grouped ? { keys: [(r) => r[0]!], keyTypes: [STRING], calls: CALLS, updateBefore } : { keys: [], keyTypes: [], calls: CALLS, updateBefore },
      state,
    ),
  ]);
  const outTypes = [...(grouped ? [STRING] : []), ...CALLS.map((c) => c.resultType)];
  const byKey = new MaterializedTable(outTypes, grouped ? [0] : []);
  const multiset = new MaterializedTable(outTypes);
  const table = new Map<number, InputRow>();
  let nextId = 0;
  for (let step = 0; step < steps; step++) {
    const rows: Row[] = [];
    const kinds: number[] = [];
    const n = 1 + rnd(rnd(4) === 0 ? 40 : 6);
    for (let i = 0; i < n; i++) {
      const ids = [...table.keys()];
      const op = ids.length === 0 ? 0 : rnd(10);
      if (op < 4) {
        const r = randomRow(rnd, nextId++);
        table.set(r[0], r);
        rows.push(r);
        kinds.push(RowKind.INSERT);
      } else if (op < 8) {
        const id = ids[rnd(ids.length)]!;
        const before = table.get(id)!;
        const fresh = randomRow(rnd, id);
        // Change one or several columns.
        const after: InputRow = [id, rnd(2) === 0 ? fresh[1] : before[1], rnd(2) === 0 ? fresh[2] : before[2], rnd(2) === 0 ? fresh[3] : before[3]];
        table.set(id, after);
        rows.push(before, after);
        kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
      } else {
        const id = ids[rnd(ids.length)]!;
        rows.push(table.get(id)!);
        kinds.push(RowKind.DELETE);
        table.delete(id);
      }
    }
    const out = pipeline.push(0, changelogChunk(rows, kinds));
    if (updateBefore) expectPairsAdjacent(out);
    for (const c of out) {
      byKey.apply(c);
      if (updateBefore) multiset.apply(c);
    }
    const want = sortRows(recompute(table, grouped));
    expect(sortRows(byKey.rows()), `seed ${seed} step ${step}`).toEqual(want);
    if (updateBefore) expect(sortRows(multiset.rows()), `seed ${seed} step ${step}`).toEqual(want);
  }
  // Retracting everything empties the result and leaves no operator state behind.
  const rest = [...table.values()];
  for (const c of pipeline.push(0, changelogChunk(rest, rest.map(() => RowKind.DELETE)))) byKey.apply(c);
  expect(byKey.rows()).toEqual([]);
  expect(state.groups.size).toBe(0);
  expect(state.distinct.size).toBe(0);
}

describe('incremental filter -> project -> aggregate equals recompute', () => {
  for (const seed of [1, 2, 3, 42, 1234, 99991]) {
    it(`GROUP BY grp, seed ${seed}`, () => runScenario(seed, true, 250));
    it(`global aggregate, seed ${seed}`, () => runScenario(seed, false, 150));
    it(`GROUP BY grp as an upsert stream (no -U), seed ${seed}`, () => runScenario(seed, true, 150, false));
  }
});
