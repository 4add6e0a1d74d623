import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, INT, type Row, type Value } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import type { JoinNode, LogicalPlan } from '../planner/logical-plan.ts';
import { col, lt, runPlan, scanNode, schemaOf } from '../compiler/plan.test-helpers.ts';

const TYPES = ['INNER', 'LEFT', 'RIGHT', 'FULL', 'SEMI', 'ANTI'] as const;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomRows(r: () => number, n: number): Row[] {
  return Array.from({ length: n }, () => [r() < 0.2 ? null : Math.floor(r() * 4), Math.floor(r() * 10)]);
}

/** Reference: nested loops over the SQL definition; equi-key equality is strict (NULL never matches). */
function reference(type: (typeof TYPES)[number], L: Row[], R: Row[], useKey: boolean, cond: ((l: Row, r: Row) => boolean) | null): Row[] {
  const match = (l: Row, r: Row): boolean =>
    (!useKey || (l[0] !== null && r[0] !== null && l[0] === r[0])) && (cond === null || cond(l, r));
  const out: Row[] = [];
  const rightMatched = new Set<number>();
  for (const l of L) {
    let any = false;
    R.forEach((r, i) => {
      if (!match(l, r)) return;
      any = true;
      rightMatched.add(i);
      if (type !== 'SEMI' && type !== 'ANTI') out.push([...l, ...r]);
    });
    if (type === 'SEMI' && any) out.push(l);
    if (type === 'ANTI' && !any) out.push(l);
    if ((type === 'LEFT' || type === 'FULL') && !any) out.push([...l, null, null]);
  }
  if (type === 'RIGHT' || type === 'FULL') R.forEach((r, i) => rightMatched.has(i) || out.push([null, null, ...r]));
  return out;
}

const canon = (rows: Row[]): string[] => rows.map((r) => JSON.stringify(r as Value[])).sort();

function joinPlan(type: (typeof TYPES)[number], useKey: boolean, condition: BoundExpr | undefined): LogicalPlan {
  const node: JoinNode = {
    kind: 'join',
    joinType: type,
    left: scanNode(1, [INT, INT]),
    right: scanNode(2, [INT, INT]),
    equiKeys: useKey ? [{ left: col(0), right: col(0) }] : [],
    ...(condition !== undefined ? { condition } : {}),
    schema: schemaOf(type === 'SEMI' || type === 'ANTI' ? [INT, INT] : [INT, INT, INT, INT]),
  };
  return node;
}

describe('joins match a nested-loop reference', () => {
  for (const type of TYPES) {
    for (const [label, useKey, withCond] of [
      ['equi-key', true, false],
      ['equi-key + residual', true, true],
      ['nested loop', false, true],
      ['cross', false, false],
    ] as const) {
      it(`${type} ${label}`, async () => {
        const r = rng(type.length * 31 + label.length);
        for (let trial = 0; trial < 25; trial++) {
          const L = randomRows(r, Math.floor(r() * 8));
          const R = randomRows(r, Math.floor(r() * 8));
          // residual: left.c1 < right.c1 (three-valued: NULL never passes)
          const condition = withCond ? lt(col(1), col(3)) : undefined;
          const ref = reference(type, L, R, useKey, withCond ? (l, rr) => (l[1] as number) < (rr[1] as number) : null);
          const got = await runPlan(joinPlan(type, useKey, condition), { 1: L, 2: R });
          expect(canon(got)).toEqual(canon(ref));
        }
      });
    }
  }

  it('never matches NULL keys but keeps them in outer joins', async () => {
    const L = [[null, 1], [1, 2]];
    const R = [[null, 3], [1, 4]];
    expect(await runPlan(joinPlan('INNER', true, undefined), { 1: L, 2: R })).toEqual([[1, 2, 1, 4]]);
    expect(canon(await runPlan(joinPlan('FULL', true, undefined), { 1: L, 2: R }))).toEqual(
      canon([
        [null, 1, null, null],
        [1, 2, 1, 4],
        [null, null, null, 3],
      ]),
    );
    expect(await runPlan(joinPlan('ANTI', true, undefined), { 1: L, 2: R })).toEqual([[null, 1]]);
  });

  it('handles empty sides', async () => {
    expect(await runPlan(joinPlan('LEFT', true, undefined), { 1: [[1, 1]], 2: [] })).toEqual([[1, 1, null, null]]);
    expect(await runPlan(joinPlan('RIGHT', true, undefined), { 1: [], 2: [[1, 1]] })).toEqual([[null, null, 1, 1]]);
    expect(await runPlan(joinPlan('INNER', false, undefined), { 1: [], 2: [[1, 1]] })).toEqual([]);
    expect(await runPlan(joinPlan('ANTI', false, { kind: 'literal', type: BOOLEAN, value: true }), { 1: [[1, 1]], 2: [] })).toEqual([[1, 1]]);
  });
});

describe('join keys of different types', () => {
  it('casts the right key to the left key type', async () => {
    const plan: LogicalPlan = {
      kind: 'join',
      joinType: 'INNER',
      left: scanNode(1, [INT]),
      right: scanNode(2, [BIGINT]),
      equiKeys: [{ left: col(0), right: col(0, BIGINT) }],
      schema: schemaOf([INT, BIGINT]),
    };
    expect(await runPlan(plan, { 1: [[1], [2]], 2: [[2n], [3n]] })).toEqual([[2, 2n]]);
  });
});
