/**
 * One logical plan, two executions: the batch operators (src/operators via
 * runQuery) over the current input, and the incremental operators compiled
 * from the same plan nodes over the input's changelog. After every random
 * change the materialized incremental result equals the batch result.
 */
import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, INT, STRING, type Row } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { RowKind } from '../dataflow/chunk.ts';
import { createAccumulatorFactory } from '../functions/aggregates.ts';
import type { AggregateCall, AggregateNode, FilterNode, ProjectNode } from '../planner/logical-plan.ts';
import { add, col, fakeTableFunctions, gt, lit, MemorySource, scanNode, schemaOf, testEnv } from '../compiler/plan.test-helpers.ts';
import { runQuery } from '../compiler/query-runner.ts';
import { changelogChunk, OperatorChain } from './changelog.ts';
import { incrementalFilterOf } from './incremental-filter.ts';
import { incrementalProjectOf } from './incremental-project.ts';
import { incrementalAggregateOf } from './incremental-aggregate.ts';
import { MaterializedTable } from './materialize.ts';
import { prng, canon } from './streaming.test-helpers.ts';

const TABLE = 1;
// t(id INT, grp STRING, val INT, tag STRING)
const scan = scanNode(TABLE, [INT, STRING, INT, STRING]);
const predicate: BoundExpr = {
  kind: 'or',
  type: BOOLEAN,
  args: [{ kind: 'is-null', type: BOOLEAN, operand: col(2), not: false }, gt(col(2), lit(-6))],
};
const filter: FilterNode = { kind: 'filter', input: scan, predicate, schema: scan.schema };
// SELECT grp, val, tag, val + 1
const project: ProjectNode = {
  kind: 'project',
  input: filter,
  exprs: [col(1, STRING), col(2), col(3, STRING), add(col(2), lit(1))],
  schema: schemaOf([STRING, INT, STRING, INT]),
};
const agg = (fn: AggregateCall['fn'], args: BoundExpr[], type = INT, more: Partial<AggregateCall> = {}): AggregateCall => ({
  fn,
  args,
  distinct: false,
  orderBy: [],
  type,
  ...more,
});
const calls: AggregateCall[] = [
  agg('count_star', [], BIGINT),
  agg('count', [col(1)], BIGINT),
  agg('sum', [col(3)]),
  agg('min', [col(1)]),
  agg('max', [col(1)]),
  agg('avg', [col(1)]),
  agg('count', [col(2, STRING)], BIGINT, { distinct: true }),
  agg('sum', [col(1)], INT, { distinct: true }),
  agg('count_star', [], BIGINT, { filter: gt(col(1), lit(0)) }),
  agg('bool_and', [gt(col(1), lit(2))], BOOLEAN),
];
const aggregate: AggregateNode = {
  kind: 'aggregate',
  input: project,
  groupKeys: [col(0, STRING)],
  aggregates: calls,
  schema: schemaOf([STRING, ...calls.map((c) => c.type)]),
};

const DEPS = { accumulators: createAccumulatorFactory, tableFunctions: fakeTableFunctions };

const globalAggregate: AggregateNode = { ...aggregate, groupKeys: [], schema: aggregate.schema.slice(1) };

describe('incremental plan equals the batch plan', () => {
  for (const [seed, grouped] of [[11, true], [12, true], [13, true], [14, false], [15, false]] as const) {
    it(`${grouped ? 'GROUP BY' : 'global aggregate'} with DISTINCT, FILTER and expressions, seed ${seed}`, async () => {
      const rnd = prng(seed);
      const rows: Row[] = [];
      const source = new MemorySource({ [TABLE]: rows }, 64);
      const env = testEnv(source);
      const node = grouped ? aggregate : globalAggregate;
      const agg = incrementalAggregateOf(node, env, undefined, { emptyInputRow: !grouped });
      const pipeline = new OperatorChain([incrementalFilterOf(filter, env), incrementalProjectOf(project, env), agg]);
      const view = new MaterializedTable(node.schema.map((c) => c.type), grouped ? [0] : []);
      for (const c of agg.initial()) view.apply(c);
      const batch = runQuery(node, env, DEPS);
      const batchRows = async () => {
        const want: Row[] = [];
        for await (const b of batch.run()) want.push(...b);
        return want;
      };
      expect(canon(view.rows())).toEqual(canon(await batchRows()));
      const fresh = (id: number): Row => [id, rnd(6) === 0 ? null : `g${rnd(4)}`, rnd(6) === 0 ? null : rnd(21) - 10, `t${rnd(3)}`];
      let nextId = 0;
      for (let step = 0; step < 120; step++) {
        const out: Row[] = [];
        const kinds: number[] = [];
        for (let n = 1 + rnd(8); n > 0; n--) {
          const op = rows.length === 0 ? 0 : rnd(3);
          if (op === 0) {
            const r = fresh(nextId++);
            rows.push(r);
            out.push(r);
            kinds.push(RowKind.INSERT);
          } else {
            const i = rnd(rows.length);
            const old = rows[i]!;
            if (op === 1) {
              const r = fresh(old[0] as number);
              rows[i] = r;
              out.push(old, r);
              kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
            } else {
              rows.splice(i, 1);
              out.push(old);
              kinds.push(RowKind.DELETE);
            }
          }
        }
        for (const c of pipeline.push(0, changelogChunk(out, kinds))) view.apply(c);
        expect(canon(view.rows()), `seed ${seed} step ${step}`).toEqual(canon(await batchRows()));
      }
    });
  }
});
