import { describe, expect, it } from 'vitest';
import { INT, STRING, type Row } from '../../catalog/types.ts';
import { formatChunk, parseChunk, RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { JoinNode } from '../planner/logical-plan.ts';
import { col, gt, testEnv, MemorySource, schemaOf } from '../compiler/plan.test-helpers.ts';
import { changelogChunk } from './changelog.ts';
import { IncrementalJoin, incrementalJoinOf, type IncrementalJoinSpec, type JoinBucket } from './incremental-join.ts';
import { MemoryStateTable } from './state-table.ts';
import { MaterializedTable } from './materialize.ts';

// left: [id, k], right: [k, name]; ON l.k = r.k
const spec = (joinType: 'INNER' | 'LEFT', condition?: (r: Row) => boolean): IncrementalJoinSpec => ({
  joinType,
  left: { keys: [(r) => r[1]!], types: [INT, INT] },
  right: { keys: [(r) => r[0]!], types: [INT, STRING] },
  keyTypes: [INT],
  condition,
});
const text = (chunks: Chunk[]) => chunks.map(formatChunk).filter((s) => s !== '').join('\n');

describe('IncrementalJoin', () => {
  it('inner join emits pairs from either side and retracts them', () => {
    const j = new IncrementalJoin(spec('INNER'));
    expect(text(j.push(0, parseChunk('+I 1 10\n+I 2 20')))).toBe('');
    expect(text(j.push(1, parseChunk('+I 10 a\n+I 10 b\n+I 30 c')))).toBe('+I 1 10 10 a\n+I 1 10 10 b');
    expect(text(j.push(0, parseChunk('+I 3 10')))).toBe('+I 3 10 10 a\n+I 3 10 10 b');
    expect(text(j.push(1, parseChunk('-D 10 a')))).toBe('-D 1 10 10 a\n-D 3 10 10 a');
    expect(text(j.push(0, parseChunk('-U 1 10\n+U 1 30')))).toBe('-D 1 10 10 b\n+I 1 30 30 c');
  });

  it('left join pads, retracts the padded row on the first match and re-emits it after the last', () => {
    const j = new IncrementalJoin(spec('LEFT'));
    expect(text(j.push(0, parseChunk('+I 1 10')))).toBe('+I 1 10 NULL NULL');
    expect(text(j.push(1, parseChunk('+I 10 a')))).toBe('-D 1 10 NULL NULL\n+I 1 10 10 a');
    expect(text(j.push(1, parseChunk('+I 10 b')))).toBe('+I 1 10 10 b');
    expect(text(j.push(1, parseChunk('-D 10 a\n-D 10 b')))).toBe('-D 1 10 10 a\n-D 1 10 10 b\n+I 1 10 NULL NULL');
    expect(text(j.push(0, parseChunk('-D 1 10')))).toBe('-D 1 10 NULL NULL');
  });

  it('never matches NULL keys, and keeps duplicates with multiplicity', () => {
    const j = new IncrementalJoin(spec('LEFT'));
    expect(text(j.push(1, parseChunk('+I NULL x')))).toBe('');
    expect(text(j.push(0, parseChunk('+I 1 NULL\n+I 2 5\n+I 2 5')))).toBe('+I 1 NULL NULL NULL\n+I 2 5 NULL NULL\n+I 2 5 NULL NULL');
    expect(text(j.push(1, parseChunk('+I 5 y')))).toBe('-D 2 5 NULL NULL\n-D 2 5 NULL NULL\n+I 2 5 5 y\n+I 2 5 5 y');
    expect(() => j.push(1, parseChunk('-D 5 z'))).toThrow(expect.objectContaining({ code: 'XX000' }));
  });

  it('applies the residual condition', () => {
    const j = new IncrementalJoin(spec('LEFT', (r) => (r[0] as number) > 1));
    expect(text(j.push(1, parseChunk('+I 10 a')))).toBe('');
    expect(text(j.push(0, parseChunk('+I 1 10\n+I 2 10')))).toBe('+I 1 10 NULL NULL\n+I 2 10 10 a');
  });

  it('compiles from a plan node; refuses other join types', () => {
    const node = {
      kind: 'join',
      joinType: 'INNER',
      left: { schema: schemaOf([INT, INT]) },
      right: { schema: schemaOf([INT, INT]) },
      equiKeys: [{ left: col(1), right: col(0) }],
      condition: gt(col(0), col(3)),
    } as unknown as JoinNode;
    const env = testEnv(new MemorySource({}));
    const j = incrementalJoinOf(node, env);
    j.push(0, parseChunk('+I 5 1\n+I 0 1'));
    expect(text(j.push(1, parseChunk('+I 1 3')))).toBe('+I 5 1 1 3');
    expect(() => incrementalJoinOf({ ...node, joinType: 'FULL' }, env)).toThrow(expect.objectContaining({ code: '0A000' }));
    expect(() => incrementalJoinOf({ ...node, equiKeys: [] }, env)).toThrow(/equality/);
  });
});

/** mulberry32 */
function prng(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

function recompute(left: Row[], right: Row[], joinType: 'INNER' | 'LEFT', cond: (r: Row) => boolean): Row[] {
  const out: Row[] = [];
  for (const l of left) {
    let matched = false;
    for (const r of right) {
      if (l[1] === null || r[0] === null || l[1] !== r[0]) continue;
      const row = [...l, ...r];
      if (!cond(row)) continue;
      matched = true;
      out.push(row);
    }
    if (!matched && joinType === 'LEFT') out.push([...l, null, null]);
  }
  return out;
}

const sortRows = (rows: Row[]) => rows.map((r) => JSON.stringify(r)).sort();

describe('incremental join equals recompute under random changes', () => {
  for (const joinType of ['INNER', 'LEFT'] as const) {
    for (const seed of [7, 8, 9, 2024]) {
      it(`${joinType} JOIN, seed ${seed}`, () => {
        const rnd = prng(seed);
        const cond = (r: Row) => r[3] !== 'z' || (r[0] as number) % 2 === 0;
        const state = { left: new MemoryStateTable<JoinBucket>(), right: new MemoryStateTable<JoinBucket>() };
        const j = new IncrementalJoin(spec(joinType, cond), state);
        const view = new MaterializedTable([INT, INT, INT, STRING]);
        const tables: [Row[], Row[]] = [[], []];
        const key = () => (rnd(7) === 0 ? null : rnd(5));
        for (let step = 0; step < 300; step++) {
          const side = rnd(2);
          const t = tables[side]!;
          const rows: Row[] = [];
          const kinds: number[] = [];
          for (let n = 1 + rnd(5); n > 0; n--) {
            const fresh: Row = side === 0 ? [rnd(6), key()] : [key(), ['x', 'y', 'z'][rnd(3)]!];
            const op = t.length === 0 ? 0 : rnd(3);
            if (op === 0) {
              t.push(fresh);
              rows.push(fresh);
              kinds.push(RowKind.INSERT);
            } else {
              const i = rnd(t.length);
              const old = t[i]!;
              if (op === 1) {
                t[i] = fresh;
                rows.push(old, fresh);
                kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
              } else {
                t.splice(i, 1);
                rows.push(old);
                kinds.push(RowKind.DELETE);
              }
            }
          }
          for (const c of j.push(side, changelogChunk(rows, kinds))) view.apply(c);
          expect(sortRows(view.rows()), `step ${step}`).toEqual(sortRows(recompute(tables[0], tables[1], joinType, cond)));
        }
        // Retracting both sides empties the result and the state.
        for (const side of [1, 0]) {
          const t = tables[side]!;
          for (const c of j.push(side, changelogChunk(t, t.map(() => RowKind.DELETE)))) view.apply(c);
        }
        expect(view.rows()).toEqual([]);
        expect(state.left.size + state.right.size).toBe(0);
      });
    }
  }
});
