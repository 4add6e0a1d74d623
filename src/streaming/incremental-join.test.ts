import { describe, expect, it } from 'vitest';
import { INT, STRING, type Row } from '../../catalog/types.ts';
import { formatChunk, parseChunk, RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { JoinNode } from '../planner/logical-plan.ts';
import { col, FAKE_DEPS, gt, lt, MemorySource, scanNode, schemaOf, testEnv } from '../compiler/plan.test-helpers.ts';
import { runQuery } from '../compiler/query-runner.ts';
import { changelogChunk } from './changelog.ts';
import { IncrementalJoin, incrementalJoinOf, joinStateTables, type IncrementalJoinSpec, type JoinBucket } from './incremental-join.ts';
import { randomChangelog, runAcrossRestore, type Step } from './state-restore.test-helpers.ts';
import { MemoryStateTable } from './state-table.ts';
import { MaterializedTable } from './materialize.ts';
import { prng } from './streaming.test-helpers.ts';
import { expectRescaledEqual, runRescaled } from './key-groups.test-helpers.ts';

// left: [id, k], right: [k, name]; ON l.k = r.k
type JoinType = IncrementalJoinSpec['joinType'];
const spec = (joinType: JoinType, condition?: (r: Row) => boolean): IncrementalJoinSpec => ({
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

  it('right join mirrors the left join', () => {
    const j = new IncrementalJoin(spec('RIGHT'));
    expect(text(j.push(1, parseChunk('+I 10 a\n+I 10 a')))).toBe('+I NULL NULL 10 a\n+I NULL NULL 10 a');
    expect(text(j.push(0, parseChunk('+I 1 10')))).toBe('-D NULL NULL 10 a\n-D NULL NULL 10 a\n+I 1 10 10 a\n+I 1 10 10 a');
    expect(text(j.push(0, parseChunk('+I 2 10')))).toBe('+I 2 10 10 a\n+I 2 10 10 a');
    expect(text(j.push(0, parseChunk('+I 3 NULL')))).toBe('');
    expect(text(j.push(0, parseChunk('-D 1 10\n-D 2 10')))).toBe(
      '-D 1 10 10 a\n-D 1 10 10 a\n-D 2 10 10 a\n-D 2 10 10 a\n+I NULL NULL 10 a\n+I NULL NULL 10 a',
    );
    expect(text(j.push(1, parseChunk('-D 10 a')))).toBe('-D NULL NULL 10 a');
  });

  it('full join pads both sides', () => {
    const j = new IncrementalJoin(spec('FULL'));
    expect(text(j.push(0, parseChunk('+I 1 10\n+I 2 NULL')))).toBe('+I 1 10 NULL NULL\n+I 2 NULL NULL NULL');
    expect(text(j.push(1, parseChunk('+I 10 a\n+I 20 b\n+I NULL c')))).toBe(
      '-D 1 10 NULL NULL\n+I 1 10 10 a\n+I NULL NULL 20 b\n+I NULL NULL NULL c',
    );
    expect(text(j.push(0, parseChunk('-U 1 10\n+U 1 20')))).toBe('-D 1 10 10 a\n+I NULL NULL 10 a\n-D NULL NULL 20 b\n+I 1 20 20 b');
  });

  it('joins without equi-keys keep one bucket (CROSS JOIN, ON l.k < r.k)', () => {
    const cross = new IncrementalJoin({ ...spec('FULL', (r) => (r[1] as number) < (r[2] as number)), left: { keys: [], types: [INT, INT] }, right: { keys: [], types: [INT, STRING] }, keyTypes: [] });
    expect(text(cross.push(0, parseChunk('+I 1 5\n+I 2 9')))).toBe('+I 1 5 NULL NULL\n+I 2 9 NULL NULL');
    expect(text(cross.push(1, parseChunk('+I 7 a')))).toBe('-D 1 5 NULL NULL\n+I 1 5 7 a');
    expect(text(cross.push(1, parseChunk('+I 3 b')))).toBe('+I NULL NULL 3 b');
    expect(text(cross.push(0, parseChunk('-D 1 5')))).toBe('-D 1 5 7 a\n+I NULL NULL 7 a');
  });

  it('semi join holds a left row while it has a match, one output per copy', () => {
    const j = new IncrementalJoin(spec('SEMI', (r) => r[3] !== 'no'));
    expect(text(j.push(0, parseChunk('+I 1 10\n+I 1 10\n+I 2 20\n+I 3 NULL')))).toBe('');
    expect(text(j.push(1, parseChunk('+I 10 a\n+I 10 b\n+I 20 no\n+I NULL a')))).toBe('+I 1 10\n+I 1 10');
    expect(text(j.push(0, parseChunk('+I 4 10')))).toBe('+I 4 10');
    expect(text(j.push(1, parseChunk('-D 10 a')))).toBe('');
    expect(text(j.push(1, parseChunk('-U 10 b\n+U 20 b')))).toBe('-D 1 10\n-D 1 10\n-D 4 10\n+I 2 20');
    expect(text(j.push(0, parseChunk('-U 2 20\n+U 2 10\n-D 1 10')))).toBe('-D 2 20');
    expect(() => j.push(0, parseChunk('-D 9 9'))).toThrow(expect.objectContaining({ code: 'XX000' }));
  });

  it('anti join holds a left row while it has no match (NULL keys never match)', () => {
    const j = new IncrementalJoin(spec('ANTI'));
    expect(text(j.push(1, parseChunk('+I 10 a\n+I NULL b')))).toBe('');
    expect(text(j.push(0, parseChunk('+I 1 10\n+I 2 20\n+I 2 20\n+I 3 NULL')))).toBe('+I 2 20\n+I 2 20\n+I 3 NULL');
    expect(text(j.push(1, parseChunk('+I 20 c\n+I 20 d')))).toBe('-D 2 20\n-D 2 20');
    expect(text(j.push(1, parseChunk('-D 20 c')))).toBe('');
    expect(text(j.push(1, parseChunk('-D 20 d\n-D 10 a')))).toBe('+I 2 20\n+I 2 20\n+I 1 10');
    expect(text(j.push(0, parseChunk('-U 1 10\n+U 1 30\n-D 3 NULL')))).toBe('-D 1 10\n+I 1 30\n-D 3 NULL');
  });

  it('compiles from a plan node, SEMI and ANTI included', () => {
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
    const semi = incrementalJoinOf({ ...node, joinType: 'SEMI' }, env);
    expect(text(semi.push(0, parseChunk('+I 5 1\n+I 0 1')))).toBe('');
    expect(text(semi.push(1, parseChunk('+I 1 3\n+I 1 4')))).toBe('+I 5 1');
    const anti = incrementalJoinOf({ ...node, joinType: 'ANTI' }, env);
    expect(text(anti.push(0, parseChunk('+I 5 1\n+I 0 1')))).toBe('+I 5 1\n+I 0 1');
    expect(text(anti.push(1, parseChunk('+I 1 3')))).toBe('-D 5 1');
    // Without equi-keys (ON l.c0 > r.c1): one bucket, the whole condition as residual.
    const theta = incrementalJoinOf({ ...node, joinType: 'FULL', equiKeys: [], condition: gt(col(0), col(3)) }, env);
    expect(text(theta.push(0, parseChunk('+I 5 1\n+I 0 1')))).toBe('+I 5 1 NULL NULL\n+I 0 1 NULL NULL');
    expect(text(theta.push(1, parseChunk('+I 9 3')))).toBe('-D 5 1 NULL NULL\n+I 5 1 9 3');
    const cross = incrementalJoinOf({ ...node, equiKeys: [], condition: undefined } as unknown as JoinNode, env);
    cross.push(0, parseChunk('+I 1 2\n+I 3 4'));
    expect(text(cross.push(1, parseChunk('+I 5 6')))).toBe('+I 1 2 5 6\n+I 3 4 5 6');
  });
});

function recompute(left: Row[], right: Row[], joinType: JoinType, match: (l: Row, r: Row) => boolean): Row[] {
  const out: Row[] = [];
  const rightMatched = right.map(() => false);
  for (const l of left) {
    let matched = false;
    right.forEach((r, i) => {
      if (!match(l, r)) return;
      matched = true;
      rightMatched[i] = true;
      if (joinType !== 'SEMI' && joinType !== 'ANTI') out.push([...l, ...r]);
    });
    if (joinType === 'SEMI' || joinType === 'ANTI') {
      if (matched === (joinType === 'SEMI')) out.push(l);
      continue;
    }
    if (!matched && (joinType === 'LEFT' || joinType === 'FULL')) out.push([...l, null, null]);
  }
  if (joinType === 'RIGHT' || joinType === 'FULL') right.forEach((r, i) => rightMatched[i] || out.push([null, null, ...r]));
  return out;
}

const sortRows = (rows: Row[]) => rows.map((r) => JSON.stringify(r)).sort();

describe('incremental join equals recompute under random changes', () => {
  for (const joinType of ['INNER', 'LEFT', 'RIGHT', 'FULL', 'SEMI', 'ANTI'] as const) {
    for (const [seed, equi] of [[7, true], [8, true], [9, true], [2024, true], [10, false], [11, false]] as const) {
      it(`${joinType} JOIN ${equi ? 'ON l.k = r.k AND ...' : 'ON l.k < r.k (no equi-key)'}, seed ${seed}`, () => {
        const rnd = prng(seed);
        const cond = equi
          ? (r: Row) => r[3] !== 'z' || (r[0] as number) % 2 === 0
          : (r: Row) => r[1] !== null && r[2] !== null && (r[1] as number) < (r[2] as number);
        const match = equi
          ? (l: Row, r: Row) => l[1] !== null && r[0] !== null && l[1] === r[0] && cond([...l, ...r])
          : (l: Row, r: Row) => cond([...l, ...r]);
        const state = { left: new MemoryStateTable<JoinBucket>(), right: new MemoryStateTable<JoinBucket>() };
        const base = spec(joinType, cond);
        const j = new IncrementalJoin(
          equi ? base : { ...base, left: { keys: [], types: base.left.types }, right: { keys: [], types: base.right.types }, keyTypes: [] },
          state,
        );
        const view = new MaterializedTable(joinType === 'SEMI' || joinType === 'ANTI' ? [INT, INT] : [INT, INT, INT, STRING]);
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
          expect(sortRows(view.rows()), `step ${step}`).toEqual(sortRows(recompute(tables[0], tables[1], joinType, match)));
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

describe('incremental join equals the batch join of the same plan node', () => {
  // l(id INT, k INT), r(k INT, w INT)
  const L = 1;
  const R = 2;
  const left = scanNode(L, [INT, INT]);
  const right = scanNode(R, [INT, INT]);
  const shapes = {
    'ON l.k = r.k AND l.id > r.w': { equiKeys: [{ left: col(1), right: col(0) }], condition: gt(col(0), col(3)) },
    'ON l.k < r.k': { equiKeys: [], condition: lt(col(1), col(2)) },
    'CROSS JOIN': { equiKeys: [] },
  } as const;
  for (const joinType of ['INNER', 'LEFT', 'RIGHT', 'FULL', 'SEMI', 'ANTI'] as const) {
    for (const [shape, on] of Object.entries(shapes)) {
      it(`${joinType} JOIN ${shape}`, async () => {
        const rnd = prng(joinType.length * 100 + shape.length);
        const tables: [Row[], Row[]] = [[], []];
        const env = testEnv(new MemorySource({ [L]: tables[0], [R]: tables[1] }, 16));
        const width = joinType === 'SEMI' || joinType === 'ANTI' ? 2 : 4;
        const node: JoinNode = { kind: 'join', joinType, left, right, ...on, schema: schemaOf([INT, INT, INT, INT].slice(0, width)) };
        const j = incrementalJoinOf(node, env);
        const view = new MaterializedTable([INT, INT, INT, INT].slice(0, width));
        const batch = runQuery(node, env, FAKE_DEPS);
        const v = () => (rnd(6) === 0 ? null : rnd(5));
        for (let step = 0; step < 80; step++) {
          const side = rnd(2);
          const t = tables[side]!;
          const rows: Row[] = [];
          const kinds: number[] = [];
          for (let n = 1 + rnd(3); n > 0; n--) {
            if (t.length === 0 || rnd(3) > 0) {
              const fresh: Row = [v(), v()];
              t.push(fresh);
              rows.push(fresh);
              kinds.push(RowKind.INSERT);
            } else {
              rows.push(t.splice(rnd(t.length), 1)[0]!);
              kinds.push(RowKind.DELETE);
            }
          }
          for (const c of j.push(side, changelogChunk(rows, kinds))) view.apply(c);
          const want: Row[] = [];
          for await (const b of batch.run()) want.push(...b);
          expect(sortRows(view.rows()), `step ${step}`).toEqual(sortRows(want));
        }
      });
    }
  }
});

describe('IncrementalJoin across a restore', () => {
  const types: JoinType[] = ['INNER', 'LEFT', 'RIGHT', 'FULL', 'SEMI', 'ANTI'];
  for (const joinType of types) {
    it(`${joinType}: continues exactly after both sides' tables went through their codec`, () => {
      const rnd = prng(31 + types.indexOf(joinType));
      const key = () => (rnd(8) === 0 ? null : rnd(4));
      const left = randomChangelog(rnd, () => [rnd(3), key()], 40, 4);
      const right = randomChangelog(rnd, () => [key(), 'abc'[rnd(3)]!], 40, 4);
      const steps: Step[] = [];
      for (let i = 0; i < 40; i++) steps.push({ input: 0, chunk: left[i]! }, { input: 1, chunk: right[i]! });
      const condition = joinType === 'FULL' ? (r: Row) => r[3] !== 'c' : undefined;
      const r = runAcrossRestore((state) => new IncrementalJoin(spec(joinType, condition), joinStateTables(state)), steps, 41);
      // A state TTL that is never reached changes nothing, restored keys included.
      let now = 0;
      const ttl = { ttlMs: 1e9, clock: () => ++now };
      const withTtl = runAcrossRestore((state) => new IncrementalJoin(spec(joinType, condition), joinStateTables(state), ttl), steps, 41);
      expect(withTtl.uninterrupted).toEqual(r.uninterrupted);
      expect(withTtl.restored).toEqual(r.uninterrupted);
      expect(r.unclaimed).toEqual([]);
      expect(r.entries).toBeGreaterThan(2);
      expect(r.restored.length).toBeGreaterThan(10);
      expect(r.restored).toEqual(r.uninterrupted);
    });
  }
});

describe('IncrementalJoin with a state TTL', () => {
  const tables = () => ({ left: new MemoryStateTable<JoinBucket>(), right: new MemoryStateTable<JoinBucket>() });

  it('expires rows of one side: a later row of the other side no longer matches them', () => {
    let now = 0;
    const t = tables();
    const j = new IncrementalJoin(spec('INNER'), t, { ttlMs: 100, clock: () => now });
    expect(text(j.push(0, parseChunk('+I 1 10\n+I 2 20')))).toBe('');
    now = 50;
    expect(text(j.push(1, parseChunk('+I 10 a')))).toBe('+I 1 10 10 a');
    now = 100;
    // Left key 20 was written at 0 (expired); left key 10 too: a right row written does not refresh the left.
    expect(text(j.push(1, parseChunk('+I 20 b\n+I 10 c')))).toBe('');
    expect(t.left.size).toBe(0);
    expect(t.right.size).toBe(2);
    // The right rows are alive: a new left row matches them.
    expect(text(j.push(0, parseChunk('+I 3 10')))).toBe('+I 3 10 10 a\n+I 3 10 10 c');
    now = 1000;
    expect(text(j.push(0, parseChunk('+I 4 20')))).toBe('');
    expect(t.right.size).toBe(0);
  });

  it('ignores a retraction of a row that expired', () => {
    let now = 0;
    const j = new IncrementalJoin(spec('INNER'), undefined, { ttlMs: 100, clock: () => now });
    expect(text(j.push(0, parseChunk('+I 1 10')))).toBe('');
    expect(text(j.push(1, parseChunk('+I 10 a')))).toBe('+I 1 10 10 a');
    now = 200;
    expect(text(j.push(1, parseChunk('-D 10 a')))).toBe('');
    expect(text(j.push(0, parseChunk('-U 1 10\n+U 1 11')))).toBe('');
  });

  it('never joins with an expired bucket even before the cleanup pass reaches it', () => {
    let now = 0;
    const j = new IncrementalJoin(spec('LEFT'), undefined, { ttlMs: 100, clock: () => now });
    expect(text(j.push(1, parseChunk('+I 10 a')))).toBe('');
    now = 99;
    expect(text(j.push(0, parseChunk('+I 1 10')))).toBe('+I 1 10 10 a');
    now = 199;
    // The right bucket (written at 0) expired; the left one was written at 99 by the left row.
    expect(text(j.push(0, parseChunk('+I 2 10')))).toBe('+I 2 10 NULL NULL');
  });

  it('an outer side is kept alive by match count changes', () => {
    let now = 0;
    const t = tables();
    const j = new IncrementalJoin(spec('LEFT'), t, { ttlMs: 100, clock: () => now });
    expect(text(j.push(0, parseChunk('+I 1 10')))).toBe('+I 1 10 NULL NULL');
    now = 80;
    expect(text(j.push(1, parseChunk('+I 10 a')))).toBe('-D 1 10 NULL NULL\n+I 1 10 10 a');
    now = 150;
    expect(text(j.push(1, parseChunk('+I 10 b')))).toBe('+I 1 10 10 b');
    expect(t.left.size).toBe(1);
  });

  it('keeps rows forever with TTL 0', () => {
    let now = 0;
    const j = new IncrementalJoin(spec('INNER'), undefined, { ttlMs: 0, clock: () => now });
    expect(text(j.push(0, parseChunk('+I 1 10')))).toBe('');
    now = 1e12;
    expect(text(j.push(1, parseChunk('+I 10 a')))).toBe('+I 1 10 10 a');
    expect(() => j.push(1, parseChunk('-D 10 z'))).toThrow(expect.objectContaining({ code: 'XX000' }));
  });
});

describe('IncrementalJoin with a state TTL: the output stays a valid changelog', () => {
  const types: JoinType[] = ['INNER', 'LEFT', 'RIGHT', 'FULL', 'SEMI', 'ANTI'];
  for (const joinType of types) {
    for (const seed of [1, 2, 3]) {
      it(`${joinType} (seed ${seed}): every retraction it emits retracts a row it emitted`, () => {
        const rnd = prng(100 * seed + types.indexOf(joinType));
        const key = () => (rnd(8) === 0 ? null : rnd(3));
        const left = randomChangelog(rnd, () => [rnd(2), key()], 80, 3);
        const right = randomChangelog(rnd, () => [key(), 'ab'[rnd(2)]!], 80, 3);
        let now = 0;
        const j = new IncrementalJoin(spec(joinType), undefined, { ttlMs: 25, clock: () => now });
        const view = new MaterializedTable(joinType === 'SEMI' || joinType === 'ANTI' ? [INT, INT] : [INT, INT, INT, STRING]);
        for (let i = 0; i < 80; i++) {
          now += 1 + rnd(10);
          const input = rnd(2);
          for (const c of j.push(input, (input === 0 ? left : right)[i]!)) view.apply(c);
          for (const c of j.push(1 - input, (input === 0 ? right : left)[i]!)) view.apply(c);
        }
      });
    }
  }
});

describe('IncrementalJoin as parallel instances (key groups)', () => {
  const types: JoinType[] = ['INNER', 'LEFT', 'RIGHT', 'FULL', 'SEMI', 'ANTI'];
  /** Random retract changelogs on both sides, keys 0..19 with some NULLs (spread over many key groups). */
  const steps = (seed: number): Step[] => {
    const rnd = prng(seed);
    const key = () => (rnd(10) === 0 ? null : rnd(20));
    const left = randomChangelog(rnd, () => [rnd(3), key()], 50, 5);
    const right = randomChangelog(rnd, () => [key(), 'abc'[rnd(3)]!], 50, 5);
    const out: Step[] = [];
    for (let i = 0; i < 50; i++) {
      const l: Step = { input: 0, chunk: left[i]! };
      const r: Step = { input: 1, chunk: right[i]! };
      out.push(...(rnd(2) === 0 ? [l, r] : [r, l]));
    }
    return out;
  };
  for (const joinType of types) {
    for (const seed of [1, 2, 3]) {
      for (const [before, after] of [[1, 3], [4, 2], [3, 7]] as const) {
        it(`${joinType}, seed ${seed}: ${before} -> ${after} instances give the single instance's output`, () => {
          const condition = joinType === 'FULL' || joinType === 'SEMI' ? (r: Row) => r[3] !== 'c' : undefined;
          const build = (state: Parameters<typeof joinStateTables>[0]) => new IncrementalJoin(spec(joinType, condition), joinStateTables(state));
          expectRescaledEqual(runRescaled(build, steps(seed * 13 + types.indexOf(joinType)), 51, before, after));
        });
      }
    }
  }

  it('with a state TTL that is never reached', () => {
    let now = 0;
    const ttl = { ttlMs: 1e9, clock: () => ++now };
    const build = (state: Parameters<typeof joinStateTables>[0]) => new IncrementalJoin(spec('FULL'), joinStateTables(state), ttl);
    expectRescaledEqual(runRescaled(build, steps(5), 40, 2, 5));
  });

  it('expires buckets restored from a checkpoint that are never read again, a TTL after the restore', () => {
    const state = { left: new MemoryStateTable<JoinBucket>(), right: new MemoryStateTable<JoinBucket>() };
    const before = new IncrementalJoin(spec('INNER'), state);
    expect(text(before.push(0, parseChunk('+I 1 10\n+I 2 20')))).toBe('');
    expect(text(before.push(1, parseChunk('+I 30 c')))).toBe('');
    let now = 0;
    const after = new IncrementalJoin(spec('INNER'), state, { ttlMs: 100, clock: () => now });
    expect(text(after.push(1, parseChunk('+I 10 a')))).toBe('+I 1 10 10 a');
    now = 150;
    // Key 20's left bucket and key 30's right bucket were never read after the restore: expired now.
    expect(text(after.push(1, parseChunk('+I 40 d')))).toBe('');
    expect(state.left.size).toBe(0);
    expect([...state.right.scan()].length).toBe(1);
    expect(text(after.push(1, parseChunk('+I 20 b')))).toBe('');
  });

  it('without equi-keys every row is in the key group of the empty key', () => {
    const base = spec('FULL', (r) => r[1] !== null && r[2] !== null && (r[1] as number) < (r[2] as number));
    const theta = { ...base, left: { keys: [], types: base.left.types }, right: { keys: [], types: base.right.types }, keyTypes: [] };
    const j = new IncrementalJoin(theta);
    const groups = new Set([j.keyGroupOf(0, [1, 2]), j.keyGroupOf(0, [5, null]), j.keyGroupOf(1, [7, 'a'])]);
    expect(groups.size).toBe(1);
    const build = (state: Parameters<typeof joinStateTables>[0]) => new IncrementalJoin(theta, joinStateTables(state));
    expectRescaledEqual(runRescaled(build, steps(6), 51, 1, 3));
  });

  it('rows that join share a key group on both sides', () => {
    const j = new IncrementalJoin(spec('INNER'));
    for (let k = 0; k < 50; k++) expect(j.keyGroupOf(0, [9, k])).toBe(j.keyGroupOf(1, [k, 'x']));
    expect(new Set(Array.from({ length: 50 }, (_, k) => j.keyGroupOf(0, [0, k]))).size).toBeGreaterThan(20);
  });

  it('the guard reports a join that routes rows to the wrong instance', () => {
    class Misrouted extends IncrementalJoin {
      override keyGroupOf(): number {
        return 0;
      }
    }
    const build = (state: Parameters<typeof joinStateTables>[0]) => new Misrouted(spec('LEFT'), joinStateTables(state));
    const run = runRescaled(build, steps(8), 51, 4, 2);
    expect(run.violations.length).toBeGreaterThan(0);
  });
});
