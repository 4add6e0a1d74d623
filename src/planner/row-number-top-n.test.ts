import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, INT } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import type { FilterNode, WindowNode } from './logical-plan.ts';
import { rowNumberTopNOf } from './row-number-top-n.ts';

const col = (index: number, type = INT): BoundExpr => ({ kind: 'column', index, type });
const lit = (value: number): BoundExpr => ({ kind: 'literal', type: BIGINT, value: BigInt(value) });
const cmp = (name: string, a: BoundExpr, b: BoundExpr): BoundExpr => ({ kind: 'call', fn: `cmp${name}`, name, args: [a, b], type: BOOLEAN, volatile: false });
const and = (...args: BoundExpr[]): BoundExpr => ({ kind: 'and', type: BOOLEAN, args });

// t(k, v) -> Window [row_number() OVER (PARTITION BY k ORDER BY v)] -> columns k, v, rn
const window = (fn: 'row_number' | 'rank' | 'dense_rank' | 'ntile' = 'row_number'): WindowNode => ({
  kind: 'window',
  input: {
    kind: 'scan',
    source: 'stored',
    relationId: 1,
    relationName: 't',
    columns: [0, 1],
    unbounded: false,
    schema: [
      { name: 'k', type: INT, nullable: true },
      { name: 'v', type: INT, nullable: true },
    ],
  },
  calls: [{ fn, args: [], partitionBy: [col(0)], orderBy: [{ expr: col(1), desc: false, nullsFirst: false }], type: BIGINT }],
  schema: [
    { name: 'k', type: INT, nullable: true },
    { name: 'v', type: INT, nullable: true },
    { name: 'rn', type: BIGINT, nullable: false },
  ],
});
const rn = col(2, BIGINT);
const over = (predicate: BoundExpr, w = window()): FilterNode => ({ kind: 'filter', input: w, predicate, schema: w.schema });

describe('rowNumberTopNOf', () => {
  it('takes upper and lower bounds in either operand order and keeps the rest as residual', () => {
    const t = rowNumberTopNOf(over(and(cmp('<=', rn, lit(3)), cmp('>', col(1), lit(0)), cmp('<', lit(1), rn))));
    expect(t?.rankColumn).toBe(2);
    expect(t?.bounds).toEqual([
      { op: '<=', value: lit(3) },
      { op: '>', value: lit(1) },
    ]);
    expect(t?.residual).toEqual([cmp('>', col(1), lit(0))]);
    expect(rowNumberTopNOf(over(cmp('=', rn, lit(1))))?.bounds).toEqual([{ op: '=', value: lit(1) }]);
  });

  it('needs an upper bound, a ranking function and a window directly below', () => {
    expect(rowNumberTopNOf(over(cmp('>=', rn, lit(2))))).toBeUndefined();
    expect(rowNumberTopNOf(over(cmp('<=', rn, col(1, BIGINT))))).toBeUndefined();
    expect(rowNumberTopNOf(over(cmp('<=', rn, lit(2)), window('ntile')))).toBeUndefined();
  });

  it('takes RANK and DENSE_RANK too (ties share a rank)', () => {
    expect(rowNumberTopNOf(over(cmp('<=', rn, lit(2)), window('rank')))?.call.fn).toBe('rank');
    expect(rowNumberTopNOf(over(cmp('<', rn, lit(4)), window('dense_rank')))?.bounds).toEqual([{ op: '<', value: lit(4) }]);
  });
});
