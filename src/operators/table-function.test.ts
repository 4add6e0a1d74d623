import { describe, expect, it } from 'vitest';
import type { Value } from '../../catalog/types.ts';
import type { EvalContext } from '../functions/eval-context.ts';
import { lockstepTableFunction } from './table-function.ts';

const ctx = {} as EvalContext;

/** count(n): rows [1], [2], ... [n]; pair(n): rows [i, -i]. */
function* count(args: readonly Value[]): Generator<Value[]> {
  for (let i = 1; i <= Number(args[0]); i++) yield [i];
}
function* pair(args: readonly Value[]): Generator<Value[]> {
  for (let i = 1; i <= Number(args[0]); i++) yield [i, -i];
}

describe('lockstepTableFunction', () => {
  it('zips the functions row by row, padding the shorter ones with NULL', () => {
    const zip = lockstepTableFunction([
      { impl: count, argc: 1, width: 1 },
      { impl: pair, argc: 1, width: 2 },
      { impl: count, argc: 1, width: 1 },
    ]);
    expect([...zip([2, 3, 1], ctx)]).toEqual([
      [1, 1, -1, 1],
      [2, 2, -2, null],
      [null, 3, -3, null],
    ]);
  });

  it('gives no rows when every function gives none', () => {
    const zip = lockstepTableFunction([
      { impl: count, argc: 1, width: 1 },
      { impl: pair, argc: 1, width: 2 },
    ]);
    expect([...zip([0, 0], ctx)]).toEqual([]);
    expect([...zip([0, 1], ctx)]).toEqual([[null, 1, -1]]);
  });
});
