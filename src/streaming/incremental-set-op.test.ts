import { describe, expect, it } from 'vitest';
import { INT, STRING, type Row } from '../../catalog/types.ts';
import { formatChunk, parseChunk, type Chunk } from '../dataflow/chunk.ts';
import { IncrementalSetOp, setOpCount, type SetOpSpec } from './incremental-set-op.ts';
import { runAcrossRestore, randomChangelog, type Step } from './state-restore.test-helpers.ts';
import { canon, prng } from './streaming.test-helpers.ts';
import { isAddition, kindAt } from './changelog.ts';
import { changelogMode } from '../planner/changelog-mode.ts';
import { scanNode } from '../compiler/plan.test-helpers.ts';
import type { SetOpNode } from '../planner/logical-plan.ts';

const spec = (op: SetOpSpec['op'], all: boolean): SetOpSpec => ({ op, all, types: [INT, STRING] });
const run = (s: IncrementalSetOp, input: number, text: string) => s.push(input, parseChunk(text)).map(formatChunk).join('\n');

/** Applies a changelog to a multiset of rows. */
function apply(into: Row[], chunks: readonly Chunk[]): void {
  for (const c of chunks) {
    for (let i = 0; i < c.rows.length; i++) {
      const row = c.rows[i]!;
      if (isAddition(kindAt(c, i))) into.push(row);
      else {
        const at = into.findIndex((r) => JSON.stringify(r) === JSON.stringify(row));
        if (at < 0) throw new Error(`retraction of a row not held: ${JSON.stringify(row)}`);
        into.splice(at, 1);
      }
    }
  }
}

/** The batch answer over two multisets. */
function batch(op: SetOpSpec['op'], all: boolean, left: readonly Row[], right: readonly Row[]): Row[] {
  const counts = new Map<string, { row: Row; l: number; r: number }>();
  for (const [rows, side] of [[left, 0], [right, 1]] as const) {
    for (const row of rows) {
      const k = JSON.stringify(row);
      const e = counts.get(k) ?? { row, l: 0, r: 0 };
      if (side === 0) e.l++;
      else e.r++;
      counts.set(k, e);
    }
  }
  const out: Row[] = [];
  for (const e of counts.values()) for (let n = setOpCount(op, all, e.l, e.r); n > 0; n--) out.push(e.row);
  return out;
}

describe('IncrementalSetOp', () => {
  it('INTERSECT ALL holds min(left, right) copies', () => {
    const s = new IncrementalSetOp(spec('INTERSECT', true));
    expect(run(s, 0, '+I 1 a\n+I 1 a\n+I 2 b')).toBe('');
    expect(run(s, 1, '+I 1 a')).toBe('+I 1 a');
    expect(run(s, 1, '+I 1 a\n+I 1 a')).toBe('+I 1 a');
    expect(run(s, 0, '-D 1 a')).toBe('-D 1 a');
    expect(run(s, 1, '-D 1 a')).toBe('');
    expect(run(s, 0, '-U 2 b\n+U 1 a')).toBe('+I 1 a');
  });

  it('INTERSECT holds a row once while both sides hold it, NULLs equal', () => {
    const s = new IncrementalSetOp(spec('INTERSECT', false));
    expect(run(s, 0, '+I NULL x\n+I NULL x')).toBe('');
    expect(run(s, 1, '+I NULL x\n+I NULL x')).toBe('+I NULL x');
    expect(run(s, 0, '-D NULL x')).toBe('');
    expect(run(s, 0, '-D NULL x')).toBe('-D NULL x');
  });

  it('EXCEPT ALL holds max(left - right, 0) copies; EXCEPT one while the right holds none', () => {
    const all = new IncrementalSetOp(spec('EXCEPT', true));
    expect(run(all, 0, '+I 1 a\n+I 1 a\n+I 1 a')).toBe('+I 1 a\n+I 1 a\n+I 1 a');
    expect(run(all, 1, '+I 1 a\n+I 1 a')).toBe('-D 1 a\n-D 1 a');
    expect(run(all, 1, '+I 1 a\n+I 1 a')).toBe('-D 1 a');
    expect(run(all, 1, '-D 1 a\n-D 1 a\n-D 1 a')).toBe('+I 1 a\n+I 1 a');
    const distinct = new IncrementalSetOp(spec('EXCEPT', false));
    expect(run(distinct, 0, '+I 1 a\n+I 1 a\n+I 2 b')).toBe('+I 1 a\n+I 2 b');
    expect(run(distinct, 1, '+I 1 a')).toBe('-D 1 a');
    expect(run(distinct, 1, '-U 1 a\n+U 2 b')).toBe('+I 1 a\n-D 2 b');
  });

  it('refuses a retraction of a row a side does not hold, and emits nothing for that chunk', () => {
    const s = new IncrementalSetOp(spec('INTERSECT', true));
    run(s, 0, '+I 1 a');
    expect(() => s.push(1, parseChunk('+I 1 a\n-D 3 c'))).toThrow(/broken changelog/);
  });

  for (const op of ['INTERSECT', 'EXCEPT'] as const) {
    for (const all of [false, true]) {
      it(`${op}${all ? ' ALL' : ''} equals the batch answer after every chunk of random changelogs`, () => {
        for (let seed = 1; seed <= 20; seed++) {
          const rnd = prng(seed * 7 + (all ? 1 : 0));
          const fresh = (): Row => [rnd(4), rnd(3) === 0 ? null : 'abc'[rnd(2)]!];
          const sides = [randomChangelog(rnd, fresh, 25, 5), randomChangelog(rnd, fresh, 25, 5)];
          const s = new IncrementalSetOp(spec(op, all));
          const held: Row[][] = [[], []];
          const out: Row[] = [];
          for (let i = 0; i < 25; i++) {
            for (const side of [0, 1]) {
              const c = sides[side]![i]!;
              apply(out, s.push(side, c));
              apply(held[side]!, [c]);
              expect(canon(out)).toEqual(canon(batch(op, all, held[0]!, held[1]!)));
            }
          }
        }
      });
    }
  }

  it('INTERSECT over insert-only inputs only inserts (its mode is its inputs\'); EXCEPT retracts', () => {
    const node = (op: SetOpNode['op'], unbounded: boolean): SetOpNode => {
      const left = scanNode(1, [INT, STRING], { unbounded });
      return { kind: 'set-op', op, all: true, left, right: scanNode(2, [INT, STRING], { unbounded }), schema: left.schema };
    };
    expect(changelogMode(node('INTERSECT', true))).toBe('insert-only');
    expect(changelogMode(node('INTERSECT', true), 'changelog')).toBe('retract');
    expect(changelogMode(node('EXCEPT', true))).toBe('retract');
    expect(changelogMode(node('EXCEPT', false))).toBe('insert-only');
    const rnd = prng(7);
    for (const all of [false, true]) {
      const s = new IncrementalSetOp(spec('INTERSECT', all));
      for (let i = 0; i < 50; i++) {
        const rows: Row[] = [[rnd(5), 'ab'[rnd(2)]!], [rnd(5), 'ab'[rnd(2)]!]];
        for (const c of s.push(rnd(2), { rows, kinds: null })) expect(c.kinds).toBeNull();
      }
    }
  });

  it('continues the same after a restore from its state', () => {
    const rnd = prng(42);
    const fresh = (): Row => [rnd(3), 'ab'[rnd(2)]!];
    const left = randomChangelog(rnd, fresh, 10, 4);
    const right = randomChangelog(rnd, fresh, 10, 4);
    const steps: Step[] = left.flatMap((c, i) => [{ input: 0, chunk: c }, { input: 1, chunk: right[i]! }]);
    const r = runAcrossRestore((state) => new IncrementalSetOp(spec('EXCEPT', true), state), steps, 11);
    expect(r.entries).toBeGreaterThan(0);
    expect(r.unclaimed).toEqual([]);
    expect(r.restored).toEqual(r.uninterrupted);
  });
});
