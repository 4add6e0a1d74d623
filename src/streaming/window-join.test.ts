import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, BYTES, INT, STRING, timestamp, type Row, type SqlType } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { formatChunk, insertChunk, parseChunk, RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { AggregateNode, JoinNode, LogicalPlan, ScanNode, ValuesNode, WindowTvfNode } from '../planner/logical-plan.ts';
import { col, FAKE_DEPS, lit, MemorySource, scanNode, schemaOf, testEnv } from '../compiler/plan.test-helpers.ts';
import { runQuery } from '../compiler/query-runner.ts';
import { windowJoinOf } from '../planner/window-join.ts';
import { changelogMode } from '../planner/changelog-mode.ts';
import { windowAggregationOf } from '../planner/window-aggregation.ts';
import { rowNumberTopNOf, windowTopNOf } from '../planner/row-number-top-n.ts';
import { explainPlan } from '../planner/explain.ts';
import { changelogChunk } from './changelog.ts';
import { MAX_WATERMARK, type Port } from './dataflow.ts';
import { RecordingStateProvider, runAcrossRestore, type Step } from './state-restore.test-helpers.ts';
import { compileStream } from './stream-compiler.ts';
import type { StreamInputs } from './stream-sources.ts';
import { canon, prng } from './streaming.test-helpers.ts';
import { WindowJoin, windowJoinOperatorOf, type WindowJoinSpec } from './window-join.ts';
import { expectRescaledEqual, misrouted, runRescaled } from './key-groups.test-helpers.ts';

const text = (chunks: Chunk[]) => chunks.map(formatChunk).filter((s) => s !== '').join('\n');
const lines = (chunks: Chunk[]) => text(chunks).split('\n').filter((l) => l !== '').sort();

// Both sides: rows [window_start, window_end, num, id], times in minutes; a window fires at end - 1.
// ON L.num = R.num AND L.window_start = R.window_start AND L.window_end = R.window_end
const TYPES: SqlType[] = [INT, INT, INT, STRING];
const numJoin = (joinType: WindowJoinSpec['joinType'], more: Partial<WindowJoinSpec> = {}): WindowJoinSpec => ({
  joinType,
  leftStart: 0,
  leftEnd: 1,
  rightStart: 0,
  rightEnd: 1,
  windowTypes: [INT, INT],
  leftKeys: [(r) => r[2]!],
  rightKeys: [(r) => r[2]!],
  keyTypes: [INT],
  condition: undefined,
  leftTypes: TYPES,
  rightTypes: TYPES,
  fireTime: (end) => end - 1,
  ...more,
});

// Flink's window-join.md data, TUMBLE 5 minutes (12:00 = minute 0):
// LeftTable L1 12:02, L2 12:06, L3 12:03; RightTable R2 12:01, R3 12:04, R4 12:05.
const LEFT_ROWS = '+I 0 5 1 L1\n+I 5 10 2 L2\n+I 0 5 3 L3';
const RIGHT_ROWS = '+I 0 5 2 R2\n+I 0 5 3 R3\n+I 5 10 4 R4';

describe('WindowJoin', () => {
  it("FULL JOIN: Flink's example, each window once when the watermark passes its end", () => {
    const j = new WindowJoin(numJoin('FULL'));
    expect(text(j.push(0, parseChunk(LEFT_ROWS)))).toBe('');
    expect(text(j.push(1, parseChunk(RIGHT_ROWS)))).toBe('');
    expect(text(j.watermark(3))).toBe('');
    expect(j.stateSize).toBe(6);
    expect(text(j.watermark(4))).toBe(['+I 0 5 1 L1 NULL NULL NULL NULL', '+I 0 5 3 L3 0 5 3 R3', '+I NULL NULL NULL NULL 0 5 2 R2'].join('\n'));
    expect(j.stateSize).toBe(2);
    expect(text(j.watermark(8))).toBe('');
    expect(text(j.watermark(9))).toBe(['+I 5 10 2 L2 NULL NULL NULL NULL', '+I NULL NULL NULL NULL 5 10 4 R4'].join('\n'));
    expect(j.stateSize).toBe(0);
    expect(text(j.watermark(MAX_WATERMARK))).toBe('');
  });

  it('INNER, LEFT and RIGHT joins of the same data', () => {
    const run = (joinType: WindowJoinSpec['joinType']) => {
      const j = new WindowJoin(numJoin(joinType));
      j.push(0, parseChunk(LEFT_ROWS));
      j.push(1, parseChunk(RIGHT_ROWS));
      return lines(j.watermark(MAX_WATERMARK));
    };
    expect(run('INNER')).toEqual(['+I 0 5 3 L3 0 5 3 R3']);
    expect(run('LEFT')).toEqual(['+I 0 5 1 L1 NULL NULL NULL NULL', '+I 0 5 3 L3 0 5 3 R3', '+I 5 10 2 L2 NULL NULL NULL NULL']);
    expect(run('RIGHT')).toEqual(['+I 0 5 3 L3 0 5 3 R3', '+I NULL NULL NULL NULL 0 5 2 R2', '+I NULL NULL NULL NULL 5 10 4 R4']);
  });

  it('drops and counts late rows and late retractions, out-of-order rows of open windows still join', () => {
    const j = new WindowJoin(numJoin('INNER'));
    j.push(0, parseChunk('+I 0 5 1 a\n+I 5 10 1 b'));
    expect(text(j.watermark(4))).toBe('');
    expect(j.stateSize).toBe(1);
    // Window [0, 5) fired: its rows and retractions are late; [5, 10) is open.
    expect(text(j.push(1, parseChunk('+I 0 5 1 x\n+I 5 10 1 y\n-D 0 5 1 a')))).toBe('');
    expect(j.lateRows).toBe(2);
    expect(text(j.watermark(9))).toBe('+I 5 10 1 b 5 10 1 y');
    j.push(0, parseChunk('+I 5 10 1 c'));
    expect(j.lateRows).toBe(3);
    expect(j.stateSize).toBe(0);
    // An update pair moving a row from a fired window to an open one: only the retraction is late.
    j.push(1, parseChunk('+I 10 15 2 p'));
    j.push(0, parseChunk('-U 5 10 2 d\n+U 10 15 2 d'));
    expect(j.lateRows).toBe(4);
    expect(text(j.watermark(14))).toBe('+I 10 15 2 d 10 15 2 p');
  });

  it('applies retractions to open windows and refuses a retraction of a row it does not hold', () => {
    const j = new WindowJoin(numJoin('FULL'));
    j.push(0, parseChunk('+I 0 5 1 a\n+I 0 5 1 a\n+I 0 5 2 b'));
    j.push(1, parseChunk('+I 0 5 1 x\n+I 0 5 3 z'));
    // One of the two equal rows goes; an update pair moves b to key 3; z leaves.
    j.push(0, parseChunk('-D 0 5 1 a\n-U 0 5 2 b\n+U 0 5 3 b'));
    j.push(1, parseChunk('-D 0 5 3 z\n+I 0 5 3 w'));
    expect(lines(j.watermark(4))).toEqual(['+I 0 5 1 a 0 5 1 x', '+I 0 5 3 b 0 5 3 w']);
    // A window whose rows all left is gone.
    j.push(0, parseChunk('+I 5 10 1 a'));
    j.push(0, parseChunk('-D 5 10 1 a'));
    expect(j.stateSize).toBe(0);
    expect(() => j.push(1, parseChunk('-D 5 10 9 nope'))).toThrow(expect.objectContaining({ code: 'XX000' }));
  });

  it('NULL keys match nothing; rows without a window are ignored', () => {
    const j = new WindowJoin(numJoin('FULL'));
    j.push(0, parseChunk('+I 0 5 NULL a\n+I NULL NULL 1 nowindow'));
    j.push(1, parseChunk('+I 0 5 NULL x'));
    expect(lines(j.watermark(4))).toEqual(['+I 0 5 NULL a NULL NULL NULL NULL', '+I NULL NULL NULL NULL 0 5 NULL x']);
  });

  it('evaluates the residual condition on each pair, and joins on the window alone without keys', () => {
    // ON window equal AND L.num < R.num
    const less = (r: Row) => (r[2] === null || r[6] === null ? null : (r[2] as number) < (r[6] as number));
    const j = new WindowJoin(numJoin('LEFT', { leftKeys: [], rightKeys: [], keyTypes: [], condition: less }));
    j.push(0, parseChunk('+I 0 5 1 a\n+I 0 5 5 b'));
    j.push(1, parseChunk('+I 0 5 2 x\n+I 0 5 3 y\n+I 5 10 9 later'));
    expect(text(j.watermark(4))).toBe(['+I 0 5 1 a 0 5 2 x', '+I 0 5 1 a 0 5 3 y', '+I 0 5 5 b NULL NULL NULL NULL'].join('\n'));
  });

  it("SEMI and ANTI: Flink's examples, each left row once, alone, when its window fires", () => {
    const run = (joinType: 'SEMI' | 'ANTI') => {
      const j = new WindowJoin(numJoin(joinType));
      const out: string[] = [];
      expect(text(j.push(0, parseChunk(LEFT_ROWS)))).toBe('');
      expect(text(j.push(1, parseChunk(RIGHT_ROWS)))).toBe('');
      expect(text(j.watermark(3))).toBe('');
      out.push(text(j.watermark(4)));
      expect(j.stateSize).toBe(2);
      out.push(text(j.watermark(9)));
      expect(j.stateSize).toBe(0);
      expect(text(j.watermark(MAX_WATERMARK))).toBe('');
      return out;
    };
    expect(run('SEMI')).toEqual(['+I 0 5 3 L3', '']);
    expect(run('ANTI')).toEqual(['+I 0 5 1 L1', '+I 5 10 2 L2']);
  });

  it('SEMI / ANTI: one output per left row (duplicates each), NULL keys never match, the residual decides', () => {
    const semi = new WindowJoin(numJoin('SEMI'));
    const anti = new WindowJoin(numJoin('ANTI'));
    for (const j of [semi, anti]) {
      j.push(0, parseChunk('+I 0 5 1 a\n+I 0 5 1 a\n+I 0 5 NULL n\n+I 0 5 2 b'));
      j.push(1, parseChunk('+I 0 5 1 x\n+I 0 5 1 y\n+I 0 5 NULL z'));
    }
    expect(text(semi.watermark(4))).toBe('+I 0 5 1 a\n+I 0 5 1 a');
    expect(text(anti.watermark(4))).toBe('+I 0 5 NULL n\n+I 0 5 2 b');
    // ON window equal AND L.num < R.num, no keys: a left row matches when some right row of its window is larger.
    const less = (r: Row) => (r[2] === null || r[6] === null ? null : (r[2] as number) < (r[6] as number));
    for (const [joinType, want] of [['SEMI', '+I 0 5 1 a'], ['ANTI', '+I 0 5 5 b\n+I 0 5 NULL n']] as const) {
      const j = new WindowJoin(numJoin(joinType, { leftKeys: [], rightKeys: [], keyTypes: [], condition: less }));
      j.push(0, parseChunk('+I 0 5 1 a\n+I 0 5 5 b\n+I 0 5 NULL n'));
      j.push(1, parseChunk('+I 0 5 2 x\n+I 0 5 3 y\n+I 5 10 9 later'));
      expect(text(j.watermark(4))).toBe(want);
    }
    // A window with left rows only: SEMI emits nothing, ANTI every row; retracted rows are not emitted.
    const lonely = (joinType: 'SEMI' | 'ANTI') => {
      const j = new WindowJoin(numJoin(joinType));
      j.push(0, parseChunk('+I 0 5 1 a\n+I 0 5 2 b\n-D 0 5 2 b'));
      j.push(1, parseChunk('+I 0 5 1 x\n-D 0 5 1 x'));
      return text(j.watermark(4));
    };
    expect(lonely('SEMI')).toBe('');
    expect(lonely('ANTI')).toBe('+I 0 5 1 a');
  });

  it('keys by encoding for types without value identity (two keys, one of them BYTES)', () => {
    const j = new WindowJoin(
      numJoin('INNER', {
        leftKeys: [(r) => r[2]!, (r) => r[3]!],
        rightKeys: [(r) => r[2]!, (r) => r[3]!],
        keyTypes: [INT, BYTES],
        leftTypes: [INT, INT, INT, BYTES],
        rightTypes: [INT, INT, INT, BYTES],
      }),
    );
    j.push(0, { rows: [[0, 5, 1, new Uint8Array([1, 2])], [0, 5, 1, new Uint8Array([3])]], kinds: null });
    j.push(1, { rows: [[0, 5, 1, new Uint8Array([1, 2])], [0, 5, 2, new Uint8Array([1, 2])]], kinds: null });
    const out = j.watermark(4).flatMap((c) => c.rows);
    expect(out).toEqual([[0, 5, 1, new Uint8Array([1, 2]), 0, 5, 1, new Uint8Array([1, 2])]]);
  });
});

describe('WindowJoin equals the batch join of what arrived in time', () => {
  // l(k INT, v INT, ws INT, we INT), r(k INT, w INT, ws INT, we INT); HOP-like windows of size 4, slide 2.
  const L = 1;
  const R = 2;
  const types: SqlType[] = [INT, INT, INT, INT];
  const gt = (a: BoundExpr, b: BoundExpr): BoundExpr => ({ kind: 'call', fn: 'gt', name: '>', args: [a, b], type: BOOLEAN, volatile: false });
  for (const joinType of ['INNER', 'LEFT', 'RIGHT', 'FULL', 'SEMI', 'ANTI'] as const) {
    for (const [seed, residual] of [[1, false], [2, true], [3, false]] as const) {
      it(`${joinType} seed ${seed}${residual ? ' with a residual condition' : ''}, with retractions`, async () => {
        const rnd = prng(seed * 17 + joinType.length);
        const tables: [Row[], Row[]] = [[], []];
        const env = testEnv(new MemorySource({ [L]: tables[0], [R]: tables[1] }, 64));
        const node: JoinNode = {
          kind: 'join',
          joinType,
          left: scanNode(L, types, { unbounded: true }),
          right: scanNode(R, types, { unbounded: true }),
          equiKeys: [
            { left: col(0), right: col(0) },
            { left: col(2), right: col(2) },
            { left: col(3), right: col(3) },
          ],
          ...(residual ? { condition: gt(col(1), col(5)) } : {}),
          schema: schemaOf(joinType === 'SEMI' || joinType === 'ANTI' ? types : [...types, ...types]),
        };
        const j = new WindowJoin(
          numJoin(joinType, {
            leftStart: 2,
            leftEnd: 3,
            rightStart: 2,
            rightEnd: 3,
            leftKeys: [(r) => r[0]!],
            rightKeys: [(r) => r[0]!],
            leftTypes: types,
            rightTypes: types,
            condition: residual ? (r) => (r[1] === null || r[5] === null ? null : (r[1] as number) > (r[5] as number)) : undefined,
          }),
        );
        const out: Row[] = [];
        const collect = (chunks: Chunk[]) => {
          for (const c of chunks) {
            expect(c.kinds).toBeNull();
            out.push(...c.rows);
          }
        };
        let clock = 100;
        let wm = -Infinity;
        let late = 0;
        const fresh = (): Row => {
          const start = clock - 2 * rnd(4) - (clock % 2);
          return [rnd(8) === 0 ? null : rnd(4), rnd(5), start, start + 4];
        };
        const live: [Row[], Row[]] = [[], []];
        // What each side's changelog has added and not taken away (late or not).
        const present: [Row[], Row[]] = [[], []];
        const changes = (side: 0 | 1): Chunk => {
          const rows: Row[] = [];
          const kinds: number[] = [];
          for (let n = 1 + rnd(3); n > 0; n--) {
            const action = present[side].length === 0 ? 0 : rnd(5);
            if (action <= 2) {
              const row = fresh();
              present[side].push(row);
              rows.push(row);
              kinds.push(RowKind.INSERT);
              continue;
            }
            const old = present[side].splice(rnd(present[side].length), 1)[0]!;
            if (action === 3) {
              rows.push(old);
              kinds.push(RowKind.DELETE);
              continue;
            }
            const row = fresh();
            present[side].push(row);
            rows.push(old, row);
            kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
          }
          return changelogChunk(rows, kinds);
        };
        for (let step = 0; step < 120; step++) {
          clock += rnd(2);
          if (rnd(4) === 0) {
            const next = clock - 2 - rnd(4);
            if (next > wm) {
              collect(j.watermark(next));
              wm = next;
            }
          }
          for (const side of [0, 1] as const) {
            const chunk = changes(side);
            for (let i = 0; i < chunk.rows.length; i++) {
              const row = chunk.rows[i]!;
              if ((row[3] as number) - 1 <= wm) {
                late++;
                continue;
              }
              const kind = chunk.kinds === null ? RowKind.INSERT : chunk.kinds[i]!;
              if (kind === RowKind.INSERT || kind === RowKind.UPDATE_AFTER) live[side].push(row);
              else live[side].splice(live[side].findIndex((r) => r.every((v, c) => v === row[c])), 1);
            }
            collect(j.push(side, { rows: chunk.rows.map((r) => r.slice()), kinds: chunk.kinds }));
          }
        }
        collect(j.watermark(MAX_WATERMARK));
        expect(j.lateRows).toBe(late);
        expect(late).toBeGreaterThan(0);
        expect(j.stateSize).toBe(0);
        tables[0].push(...live[0]);
        tables[1].push(...live[1]);
        const want: Row[] = [];
        for await (const b of runQuery(node, env, FAKE_DEPS).run()) want.push(...b);
        expect(want.length).toBeGreaterThan(0);
        expect(canon(out)).toEqual(canon(want));
      });
    }
  }
});

describe('WindowJoin across a restore', () => {
  for (const joinType of ['INNER', 'LEFT', 'RIGHT', 'FULL', 'SEMI', 'ANTI'] as const) {
    it(`${joinType}: continues exactly after its windows went through their codec`, () => {
      const rnd = prng(7 + joinType.length);
      let now = 0;
      const chunk = (): Chunk => {
        const rows: Row[] = [];
        const kinds: number[] = [];
        for (let n = 1 + rnd(4); n > 0; n--) {
          now += rnd(2);
          const start = now - (now % 5) - 5 * rnd(2);
          rows.push([start, start + 5, rnd(8) === 0 ? null : rnd(3), `r${rnd(100)}`]);
          kinds.push(RowKind.INSERT);
        }
        return changelogChunk(rows, kinds);
      };
      const steps: Step[] = [];
      for (let i = 0; i < 40; i++) steps.push({ input: i % 3 === 0 ? 1 : 0, chunk: chunk() }, { watermark: now - 6 });
      const r = runAcrossRestore((state) => new WindowJoin(numJoin(joinType), state), steps, 41);
      expect(r.unclaimed).toEqual([]);
      expect(r.entries).toBeGreaterThan(1);
      expect(r.replayed).toEqual([]);
      expect(r.restored.length).toBeGreaterThan(5);
      expect(r.restored).toEqual(r.uninterrupted);
    });
  }
});

// ---------------------------------------------------------------------------
// Recognition in plans (src/planner/window-join.ts), changelog mode and EXPLAIN.

const TS = timestamp(3);
const SEC = 1_000_000;
const MIN = 60 * SEC;
const minus = (a: BoundExpr, micros: number): BoundExpr => ({
  kind: 'call',
  fn: 'sub',
  name: '-',
  args: [a, lit(micros, { kind: 'INTERVAL_DAY_TIME' } as SqlType)],
  type: TS,
  volatile: false,
});
/** t(row_time TIMESTAMP(3), num INT, id STRING) with WATERMARK FOR row_time AS row_time - 1 s. */
const table = (id: number, name: string): ScanNode => ({
  ...scanNode(id, [TS, INT, STRING], { unbounded: true }),
  relationName: name,
  watermark: minus(col(0, TS), SEC),
  schema: [
    { name: 'row_time', type: TS, nullable: true },
    { name: 'num', type: INT, nullable: true },
    { name: 'id', type: STRING, nullable: true },
  ],
});
const tumble = (input: LogicalPlan, fn: WindowTvfNode['fn'] = 'TUMBLE'): WindowTvfNode => ({
  kind: 'window-tvf',
  input,
  fn,
  timeCol: col(0, TS),
  partitionBy: [],
  size: 5 * MIN,
  slide: 5 * MIN,
  offset: 0,
  schema: [
    ...input.schema,
    { name: 'window_start', type: TS, nullable: false },
    { name: 'window_end', type: TS, nullable: false },
    { name: 'window_time', type: TS, nullable: false },
  ],
});
/** L / R: row_time, num, id, window_start, window_end, window_time. */
const windowJoin = (joinType: JoinNode['joinType'], left: LogicalPlan, right: LogicalPlan, keys: [number, number][] = [[1, 1], [3, 3], [4, 4]]): JoinNode => ({
  kind: 'join',
  joinType,
  left,
  right,
  equiKeys: keys.map(([l, r]) => ({ left: col(l, left.schema[l]!.type), right: col(r, right.schema[r]!.type) })),
  schema: joinType === 'SEMI' || joinType === 'ANTI' ? left.schema : [...left.schema, ...right.schema],
});

describe('windowJoinOf', () => {
  const L = tumble(table(1, 'lefttable'));
  const R = tumble(table(2, 'righttable'));

  it('recognises INNER / LEFT / RIGHT / FULL joins on both window starts and ends', () => {
    for (const t of ['INNER', 'LEFT', 'RIGHT', 'FULL'] as const) {
      expect(windowJoinOf(windowJoin(t, L, R))).toEqual({ joinType: t, startKey: 1, endKey: 2, leftStart: 3, leftEnd: 4, rightStart: 3, rightEnd: 4, localTime: false });
    }
    // Without further keys, through a projection and a filter.
    const projected: LogicalPlan = {
      kind: 'project',
      input: { kind: 'filter', input: R, predicate: lit(true, BOOLEAN), schema: R.schema },
      exprs: [col(4, TS), col(1), col(3, TS)],
      schema: [R.schema[4]!, R.schema[1]!, R.schema[3]!],
    };
    expect(windowJoinOf(windowJoin('INNER', L, projected, [[4, 0], [3, 2]]))).toMatchObject({ startKey: 1, endKey: 0, rightStart: 2, rightEnd: 0 });
  });

  it('recognises SEMI / ANTI joins (IN / EXISTS subqueries); their output carries the left window columns', () => {
    for (const t of ['SEMI', 'ANTI'] as const) {
      expect(windowJoinOf(windowJoin(t, L, R))).toEqual({ joinType: t, startKey: 1, endKey: 2, leftStart: 3, leftEnd: 4, rightStart: 3, rightEnd: 4, localTime: false });
      // (L SEMI R) JOIN R2 on L's window columns.
      expect(windowJoinOf(windowJoin('INNER', windowJoin(t, L, R), tumble(table(4, 'r2')), [[3, 3], [4, 4]]))).toMatchObject({ leftStart: 3 });
    }
    expect(windowJoinOf(windowJoin('SEMI', L, R, [[1, 1], [3, 3]]))).toBeUndefined();
  });

  it('is undefined without both window equalities, for SESSION and processing-time windows', () => {
    expect(windowJoinOf(windowJoin('INNER', L, R, [[1, 1], [3, 3]]))).toBeUndefined();
    expect(windowJoinOf(windowJoin('INNER', L, R, [[3, 4], [4, 3]]))).toBeUndefined();
    expect(windowJoinOf(windowJoin('INNER', L, R, [[0, 0], [4, 4]]))).toBeUndefined();
    expect(windowJoinOf(windowJoin('INNER', tumble(table(1, 'l'), 'SESSION'), tumble(table(2, 'r'), 'SESSION')))).toBeUndefined();
    const proc: LogicalPlan = {
      kind: 'project',
      input: table(3, 'p'),
      exprs: [{ kind: 'call', fn: 'proctime', name: 'proctime', args: [], type: TS, volatile: true }, col(1), col(2, STRING)],
      schema: table(3, 'p').schema,
    };
    expect(windowJoinOf(windowJoin('INNER', L, tumble(proc)))).toBeUndefined();
  });

  it('follows window aggregations and the kept side of window joins', () => {
    // SELECT window_start, window_end, count(*) FROM TUMBLE(...) GROUP BY window_start, window_end
    const counted = (input: WindowTvfNode): AggregateNode => ({
      kind: 'aggregate',
      input,
      groupKeys: [col(3, TS), col(4, TS)],
      aggregates: [{ fn: 'count_star', args: [], distinct: false, orderBy: [], type: BIGINT }],
      schema: [input.schema[3]!, input.schema[4]!, { name: 'n', type: BIGINT, nullable: false }],
    });
    expect(windowJoinOf(windowJoin('INNER', counted(L), counted(R), [[0, 0], [1, 1]]))).toMatchObject({ leftStart: 0, leftEnd: 1 });
    const inner = windowJoin('INNER', L, R);
    const left = windowJoin('LEFT', L, R);
    // (L JOIN R) JOIN R2 on L's window columns, or on R's.
    expect(windowJoinOf(windowJoin('INNER', inner, tumble(table(4, 'r2')), [[3, 3], [4, 4]]))).toBeDefined();
    expect(windowJoinOf(windowJoin('INNER', inner, tumble(table(4, 'r2')), [[9, 3], [10, 4]]))).toBeDefined();
    // The right side of a LEFT window join may be NULL-padded: its window columns are not followed.
    expect(windowJoinOf(windowJoin('INNER', left, tumble(table(4, 'r2')), [[3, 3], [4, 4]]))).toBeDefined();
    expect(windowJoinOf(windowJoin('INNER', left, tumble(table(4, 'r2')), [[9, 3], [10, 4]]))).toBeUndefined();
  });

  it('follows window Top-N (ROW_NUMBER per window), not a Top-N over other partitions', () => {
    // SELECT * FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY <p> ORDER BY num) AS rn FROM TUMBLE(...)) WHERE rn <= 1
    const top = (input: WindowTvfNode, partitionBy: BoundExpr[]): LogicalPlan => {
      const window: LogicalPlan = {
        kind: 'window',
        input,
        calls: [{ fn: 'row_number', args: [], partitionBy, orderBy: [{ expr: col(1), desc: false, nullsFirst: false }], type: BIGINT }],
        schema: [...input.schema, { name: 'rn', type: BIGINT, nullable: false }],
      };
      const rn = col(6, BIGINT);
      const bound: BoundExpr = { kind: 'call', fn: 'le', name: '<=', args: [rn, lit(1n, BIGINT)], type: BOOLEAN, volatile: false };
      return { kind: 'filter', input: window, predicate: bound, schema: window.schema };
    };
    const perWindow = top(R, [col(3, TS), col(4, TS)]);
    expect(windowJoinOf(windowJoin('FULL', L, perWindow))).toMatchObject({ rightStart: 3, rightEnd: 4 });
    expect(windowJoinOf(windowJoin('FULL', L, top(R, [col(1)])))).toBeUndefined();
  });

  it('makes GROUP BY window_start, window_end and a Top-N per window over a window join windowed', () => {
    // SELECT window_start, window_end, count(*) FROM (<join>) GROUP BY <start>, <end>
    const grouped = (input: LogicalPlan, start: number, end: number): AggregateNode => ({
      kind: 'aggregate',
      input,
      groupKeys: [col(start, TS), col(end, TS)],
      aggregates: [{ fn: 'count_star', args: [], distinct: false, orderBy: [], type: BIGINT }],
      schema: [input.schema[start]!, input.schema[end]!, { name: 'n', type: BIGINT, nullable: false }],
    });
    for (const t of ['INNER', 'LEFT', 'SEMI', 'ANTI'] as const) {
      const agg = grouped(windowJoin(t, L, R), 3, 4);
      expect(windowAggregationOf(agg)).toMatchObject({ tvf: L, startKey: 0, endKey: 1 });
      expect(changelogMode(agg)).toBe('insert-only');
    }
    expect(windowAggregationOf(grouped(windowJoin('INNER', L, R), 9, 10))).toMatchObject({ tvf: R });
    // The NULL-padded side of an outer join, a regular join, and window columns of two different TVFs: regular aggregates.
    expect(windowAggregationOf(grouped(windowJoin('LEFT', L, R), 9, 10))).toBeUndefined();
    expect(windowAggregationOf(grouped(windowJoin('INNER', L, R, [[1, 1], [3, 3]]), 3, 4))).toBeUndefined();
    expect(windowAggregationOf(grouped(windowJoin('INNER', L, R), 3, 10))).toBeUndefined();
    expect(changelogMode(grouped(windowJoin('FULL', L, R), 3, 4))).toBe('retract');
    // ROW_NUMBER() OVER (PARTITION BY window_start, window_end ORDER BY num) <= 1 over a window join.
    const join = windowJoin('INNER', L, R);
    const window: LogicalPlan = {
      kind: 'window',
      input: join,
      calls: [{ fn: 'row_number', args: [], partitionBy: [col(3, TS), col(4, TS)], orderBy: [{ expr: col(1), desc: false, nullsFirst: false }], type: BIGINT }],
      schema: [...join.schema, { name: 'rn', type: BIGINT, nullable: false }],
    };
    const rn = col(join.schema.length, BIGINT);
    const bound: BoundExpr = { kind: 'call', fn: 'le', name: '<=', args: [rn, lit(1n, BIGINT)], type: BOOLEAN, volatile: false };
    const topN = rowNumberTopNOf({ kind: 'filter', input: window, predicate: bound, schema: window.schema })!;
    expect(windowTopNOf(topN)).toMatchObject({ tvf: L, endColumn: 4 });
  });

  it('makes the join insert-only and shows as WindowJoin in EXPLAIN', () => {
    const full = windowJoin('FULL', L, R);
    expect(changelogMode(full)).toBe('insert-only');
    expect(changelogMode(windowJoin('FULL', L, R, [[1, 1], [3, 3]]))).toBe('retract');
    expect(explainPlan(full).split('\n')[0]).toBe('WindowJoin FULL keys=[num#1 = num#7, window_start#3 = window_start#9, window_end#4 = window_end#10] [insert-only]');
    // ANTI over endless input: a regular ANTI join retracts, the window ANTI join is insert-only.
    expect(changelogMode(windowJoin('ANTI', L, R))).toBe('insert-only');
    expect(changelogMode(windowJoin('ANTI', L, R, [[1, 1], [3, 3]]))).toBe('retract');
    expect(explainPlan(windowJoin('ANTI', L, R)).split('\n')[0]).toBe('WindowJoin ANTI keys=[num#1 = num#7, window_start#3 = window_start#9, window_end#4 = window_end#10] [insert-only]');
    const bounded = windowJoin('FULL', tumble({ ...table(1, 'l'), unbounded: false }), tumble({ ...table(2, 'r'), unbounded: false }));
    expect(explainPlan(bounded).split('\n')[0]).toBe('Join FULL keys=[num#1 = num#7, window_start#3 = window_start#9, window_end#4 = window_end#10]');
  });

  it('builds the operator with the other keys only, firing at window_end - 1 ms', () => {
    const env = testEnv(new MemorySource({}));
    const j = windowJoinOperatorOf(windowJoin('INNER', L, R), env)!;
    expect(j).toBeInstanceOf(WindowJoin);
    const base = Date.UTC(2020, 3, 15, 12) * 1000;
    const row = (t: number, num: number, id: string): Row => [base + t * MIN, num, id, base, base + 5 * MIN, base + 5 * MIN - 1000];
    j.push(0, { rows: [row(2, 1, 'L1'), row(3, 3, 'L3')], kinds: null });
    j.push(1, { rows: [row(4, 3, 'R3')], kinds: null });
    expect(j.watermark(base + 5 * MIN - 1001)).toEqual([]);
    const out = j.watermark(base + 5 * MIN - 1000).flatMap((c) => c.rows);
    expect(out.map((r) => `${r[2] as string}-${r[8] as string}`)).toEqual(['L3-R3']);
    const semi = windowJoinOperatorOf(windowJoin('SEMI', L, R), env)!;
    semi.push(0, { rows: [row(2, 1, 'L1'), row(3, 3, 'L3')], kinds: null });
    semi.push(1, { rows: [row(4, 3, 'R3'), row(1, 3, 'R3b')], kinds: null });
    expect(semi.watermark(base + 5 * MIN - 1000).flatMap((c) => c.rows)).toEqual([row(3, 3, 'L3')]);
    expect(windowJoinOperatorOf(windowJoin('INNER', L, R, [[1, 1], [3, 3]]), env)).toBeUndefined();
  });
});

describe('compileStream of a window join', () => {
  it('runs the window join operator over the window TVFs, with its state and late-row counter', () => {
    const env = testEnv(new MemorySource({}));
    const values = (): ValuesNode => ({ kind: 'values', rows: [], schema: table(1, 'v').schema });
    const plan = windowJoin('LEFT', tumble(values()), tumble(values()));
    const out: string[] = [];
    const sink: Port = { chunk: (c) => void out.push(formatChunk(c)), watermark: () => {}, end: () => {}, idle: () => {}, barrier: () => {} };
    const state = new RecordingStateProvider();
    const compiled = compileStream(plan, env, {} as StreamInputs, sink, { storedReading: 'changelog', emptyInputRow: false, finish: () => {}, state });
    expect([...state.tables.keys()]).toEqual(['0.windows']);
    expect(compiled.lateCounters).toHaveLength(1);
    const base = Date.UTC(2020, 3, 15, 12) * 1000;
    const [left, right] = compiled.sources.map((s) => s.port) as [Port, Port];
    left.chunk(insertChunk([[base + 2 * MIN, 1, 'L1'], [base + 6 * MIN, 2, 'L2'], [base + 3 * MIN, 3, 'L3']]));
    right.chunk(insertChunk([[base + 1 * MIN, 2, 'R2'], [base + 4 * MIN, 3, 'R3'], [base + 5 * MIN, 4, 'R4']]));
    left.watermark(base + 6 * MIN - SEC);
    right.watermark(base + 5 * MIN - SEC);
    expect(out).toEqual([]);
    right.watermark(base + 10 * MIN);
    const ids = (line: string) => line.split('\n').map((l) => l.split(' ').filter((c) => /^[LR]\d$|^NULL$/.test(c)).join(' '));
    expect(out.flatMap(ids)).toEqual(['L1 NULL NULL NULL NULL NULL NULL', 'L3 R3']);
    left.chunk(insertChunk([[base + 4 * MIN, 5, 'late']]));
    expect(compiled.lateCounters[0]!.lateRows).toBe(1);
    left.watermark(base + 10 * MIN);
    expect(out.flatMap(ids).slice(2)).toEqual(['L2 NULL NULL NULL NULL NULL NULL']);
  });
});

describe('WindowJoin across a change of parallelism (key groups)', () => {
  /** Random rows of both sides over 12 keys (some NULL), retractions of earlier rows, watermarks (some rows late). */
  function joinSteps(seed: number): Step[] {
    const rnd = prng(seed);
    let now = 0;
    const live: [number, Row][] = [];
    const steps: Step[] = [];
    for (let i = 0; i < 60; i++) {
      const rows: Row[] = [];
      const kinds: number[] = [];
      const input = rnd(2);
      for (let n = 1 + rnd(5); n > 0; n--) {
        const mine = live.filter((e) => e[0] === input);
        if (mine.length > 0 && rnd(5) === 0) {
          const victim = mine[rnd(mine.length)]!;
          live.splice(live.indexOf(victim), 1);
          rows.push(victim[1]);
          kinds.push(RowKind.DELETE);
          continue;
        }
        now += rnd(2);
        const start = now - (now % 5) - 5 * rnd(2);
        const row: Row = [start, start + 5, rnd(10) === 0 ? null : rnd(12), `${input === 0 ? 'l' : 'r'}${rnd(100)}`];
        live.push([input, row]);
        rows.push(row);
        kinds.push(RowKind.INSERT);
      }
      steps.push({ input, chunk: changelogChunk(rows, kinds) });
      if (rnd(2) === 0) steps.push({ watermark: now - 6 });
    }
    return steps;
  }
  for (const joinType of ['INNER', 'FULL', 'SEMI', 'ANTI'] as const) {
    for (const [before, after] of [
      [1, 3],
      [4, 2],
    ] as const) {
      it(`${joinType}, ${before} -> ${after} instances: the same output as one instance`, () => {
        for (const seed of [41, 42, 43]) {
          const steps = joinSteps(seed + joinType.length);
          const r = runRescaled((state) => new WindowJoin(numJoin(joinType), state), steps, steps.length >> 1, before, after);
          expectRescaledEqual(r);
          expect(r.single.flat().length).toBeGreaterThan(10);
        }
      });
    }
  }

  it('a join on the window alone keeps every row in one key group', () => {
    const steps = joinSteps(44);
    const less: WindowJoinSpec['condition'] = (r) => (r[2] === null || r[6] === null ? null : (r[2] as number) < (r[6] as number));
    const r = runRescaled((state) => new WindowJoin(numJoin('LEFT', { leftKeys: [], rightKeys: [], keyTypes: [], condition: less }), state), steps, steps.length >> 1, 3, 2);
    expectRescaledEqual(r);
  });

  it('the guard sees an instance touching key groups it does not own when rows are routed wrongly', () => {
    const steps = joinSteps(45);
    expect(runRescaled((state) => misrouted(new WindowJoin(numJoin('FULL'), state)), steps, steps.length, 3, 3).violations.length).toBeGreaterThan(0);
  });
});
