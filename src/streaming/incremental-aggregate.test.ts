import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, DOUBLE, INT, STRING, timestamp, type Row, type SqlType } from '../../catalog/types.ts';

const TIMESTAMP_3 = timestamp(3);
import { formatChunk, parseChunk, type Chunk } from '../dataflow/chunk.ts';
import { createAccumulatorFactory } from '../functions/aggregates.ts';
import type { AggregateFunctionName, AggregateNode } from '../planner/logical-plan.ts';
import { col, lit, testEnv, MemorySource, asc } from '../compiler/plan.test-helpers.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import { IncrementalAggregate, incrementalAggregateOf, type GroupState, type IncrementalAggregateCall } from './incremental-aggregate.ts';
import { MemoryStateTable } from './state-table.ts';
import { MaterializedTable } from './materialize.ts';
import { RecordingStateProvider, randomChangelog, restoredProvider, runAcrossRestore } from './state-restore.test-helpers.ts';
import { prng } from './streaming.test-helpers.ts';

const SEES_NULLS = new Set(['count_star', 'array_agg', 'first_value', 'last_value']);

function call(fn: AggregateFunctionName, args: EvalFn[], argTypes: SqlType[], resultType: SqlType, opts: { distinct?: boolean; filter?: EvalFn } = {}): IncrementalAggregateCall {
  return {
    factory: createAccumulatorFactory(fn, argTypes, resultType),
    args,
    argTypes,
    filter: opts.filter,
    distinct: opts.distinct ?? false,
    skipNulls: !SEES_NULLS.has(fn),
    resultType,
  };
}

const text = (chunks: Chunk[]) => chunks.map(formatChunk).filter((s) => s !== '').join('\n');
/** Pushes each line of `changes` as its own chunk (Flink without mini-batch) and returns all output. */
const rowByRow = (op: IncrementalAggregate, changes: string) =>
  changes
    .trim()
    .split('\n')
    .map((line) => text(op.push(0, parseChunk(line))))
    .filter((s) => s !== '')
    .join('\n');

describe('IncrementalAggregate', () => {
  it('clicks example: +I per new group, -U/+U when a count changes', () => {
    const op = new IncrementalAggregate({ keys: [(r) => r[0]!], keyTypes: [STRING], calls: [call('count', [(r) => r[1]!], [STRING], BIGINT)] });
    expect(rowByRow(op, '+I Mary ./home\n+I Bob ./cart\n+I Mary ./prod?id=1\n+I Liz ./home')).toBe(
      '+I Mary 1\n+I Bob 1\n-U Mary 1\n+U Mary 2\n+I Liz 1',
    );
  });

  it('select.q example: COUNT(*), COUNT(DISTINCT str), MAX(ts)', () => {
    const op = new IncrementalAggregate({
      keys: [(r) => r[0]!],
      keyTypes: [INT],
      calls: [
        call('count_star', [], [], BIGINT),
        call('count', [(r) => r[1]!], [STRING], BIGINT, { distinct: true }),
        call('max', [(r) => r[2]!], [TIMESTAMP_3], TIMESTAMP_3),
      ],
    });
    expect(rowByRow(op, '+I 1 HelloWorld 20\n+I 2 Hi 19\n+I 2 Hi 21')).toBe('+I 1 1 1 20\n+I 2 1 1 19\n-U 2 1 1 19\n+U 2 2 1 21');
    // Retracting one of the two 'Hi' rows keeps the distinct count at 1, and MAX falls back.
    expect(rowByRow(op, '-D 2 Hi 21')).toBe('-U 2 2 1 21\n+U 2 1 1 19');
    expect(rowByRow(op, '-D 2 Hi 19')).toBe('-D 2 1 1 19');
    expect(rowByRow(op, '+I 2 Yo 5')).toBe('+I 2 1 1 5');
  });

  it('folds the changes of one chunk into one output change per group; no output when unchanged', () => {
    const op = new IncrementalAggregate({ keys: [(r) => r[0]!], keyTypes: [STRING], calls: [call('sum', [(r) => r[1]!], [INT], INT)] });
    expect(text(op.push(0, parseChunk('+I a 1\n+I b 2\n+I a 3')))).toBe('+I a 4\n+I b 2');
    expect(text(op.push(0, parseChunk('-U a 3\n+U a 3\n+I b 0')))).toBe('');
    expect(text(op.push(0, parseChunk('-D b 2\n-D b 0\n+I b 7')))).toBe('-U b 2\n+U b 7');
    expect(text(op.push(0, parseChunk('+I c 1\n-D c 1')))).toBe('');
  });

  it('handles a group deleted and re-created across chunks, with NULL keys', () => {
    const op = new IncrementalAggregate({ keys: [(r) => r[0]!], keyTypes: [INT], calls: [call('count_star', [], [], BIGINT)] });
    expect(rowByRow(op, '+I NULL\n+I NULL\n-D NULL\n-D NULL\n+I NULL')).toBe('+I NULL 1\n-U NULL 1\n+U NULL 2\n-U NULL 2\n+U NULL 1\n-D NULL 1\n+I NULL 1');
  });

  it('emits lone +U changes when update-before is off (upsert on the group key)', () => {
    const op = new IncrementalAggregate({ keys: [(r) => r[0]!], keyTypes: [STRING], calls: [call('count_star', [], [], BIGINT)], updateBefore: false });
    expect(rowByRow(op, '+I a\n+I a\n-D a\n-D a')).toBe('+I a 1\n+U a 2\n+U a 1\n-D a 1');
  });

  it('global aggregate: nothing for empty input, +I first, then -U/+U, -D when the last row goes', () => {
    const op = new IncrementalAggregate({ keys: [], keyTypes: [], calls: [call('count_star', [], [], BIGINT), call('min', [(r) => r[0]!], [INT], INT)] });
    expect(text(op.push(0, { rows: [], kinds: null }))).toBe('');
    expect(rowByRow(op, '+I 5\n+I 3\n-D 3\n-D 5')).toBe('+I 1 5\n-U 1 5\n+U 2 3\n-U 2 3\n+U 1 5\n-D 1 5');
  });

  it('global aggregate with emptyInputRow keeps the batch answer for empty input', () => {
    const spec = { keys: [], keyTypes: [], calls: [call('count_star', [], [], BIGINT), call('min', [(r) => r[0]!], [INT], INT)], emptyInputRow: true };
    const op = new IncrementalAggregate(spec);
    expect(text(op.initial())).toBe('+I 0 NULL');
    expect(op.initial()).toEqual([]);
    expect(rowByRow(op, '+I 5\n-D 5')).toBe('-U 0 NULL\n+U 1 5\n-U 1 5\n+U 0 NULL');
    expect(() => op.push(0, parseChunk('-D 5'))).toThrow(/holds no rows/);
    expect(() => new IncrementalAggregate({ ...spec, keys: [(r) => r[0]!], keyTypes: [INT] })).toThrow(/without GROUP BY/);
  });

  it('applies FILTER and NULL skipping per call, counting group rows regardless', () => {
    const op = new IncrementalAggregate({
      keys: [(r) => r[0]!],
      keyTypes: [STRING],
      calls: [call('count', [(r) => r[1]!], [INT], BIGINT), call('count_star', [], [], BIGINT, { filter: (r) => r[1] !== null && (r[1] as number) > 1 })],
    });
    expect(text(op.push(0, parseChunk('+I a NULL\n+I a 1\n+I a 2')))).toBe('+I a 2 1');
    // The group lives while it has rows, even rows no aggregate counts.
    expect(text(op.push(0, parseChunk('-D a 1\n-D a 2')))).toBe('-U a 2 1\n+U a 0 0');
    expect(text(op.push(0, parseChunk('-D a NULL')))).toBe('-D a 0 0');
  });

  it('refuses a retraction for a group with no rows and a DISTINCT value never seen', () => {
    const op = new IncrementalAggregate({ keys: [(r) => r[0]!], keyTypes: [INT], calls: [call('count', [(r) => r[1]!], [INT], BIGINT, { distinct: true })] });
    expect(() => op.push(0, parseChunk('-D 1 1'))).toThrow(expect.objectContaining({ code: 'XX000' }));
    op.push(0, parseChunk('+I 1 1'));
    expect(() => op.push(0, parseChunk('-D 1 2'))).toThrow(/DISTINCT value it never saw/);
  });

  it('leaks nothing of a failed chunk into the next one', () => {
    const failOnZero: EvalFn = (r) => {
      if (r[1] === 0) throw new Error('boom');
      return r[1]!;
    };
    const op = new IncrementalAggregate({ keys: [(r) => r[0]!], keyTypes: [STRING], calls: [call('count', [failOnZero], [INT], BIGINT)] });
    expect(() => op.push(0, parseChunk('+I a 1\n+I b 0'))).toThrow(/boom/);
    expect(text(op.push(0, parseChunk('+I c 1')))).toBe('+I c 1');
  });

  it('keeps its state in the given state tables and drops it when groups empty', () => {
    const groups = new MemoryStateTable<GroupState>();
    const distinct = new MemoryStateTable<number>();
    const op = new IncrementalAggregate(
      { keys: [(r) => r[0]!], keyTypes: [INT], calls: [call('count', [(r) => r[1]!], [INT], BIGINT, { distinct: true })] },
      { groups, distinct },
    );
    op.push(0, parseChunk('+I 1 5\n+I 1 5\n+I 1 6\n+I 2 5'));
    expect(groups.size).toBe(2);
    expect(distinct.size).toBe(3);
    op.push(0, parseChunk('-D 1 5\n-D 1 5\n-D 1 6\n-D 2 5'));
    expect(groups.size).toBe(0);
    expect(distinct.size).toBe(0);
  });

  it('compiles from a plan node and refuses ORDER BY inside an aggregate', () => {
    const node = {
      kind: 'aggregate',
      groupKeys: [col(0)],
      aggregates: [{ fn: 'sum', args: [col(1)], distinct: false, orderBy: [], type: INT }, { fn: 'max', args: [lit(7)], distinct: false, orderBy: [], type: INT }],
    } as unknown as AggregateNode;
    const env = testEnv(new MemorySource({}));
    const op = incrementalAggregateOf(node, env);
    expect(text(op.push(0, parseChunk('+I 1 10\n+I 1 5\n+I 2 1')))).toBe('+I 1 15 7\n+I 2 1 7');
    const ordered = { ...node, aggregates: [{ fn: 'array_agg', args: [col(1)], distinct: false, orderBy: [asc(col(1))], type: INT }] } as unknown as AggregateNode;
    expect(() => incrementalAggregateOf(ordered, env)).toThrow(expect.objectContaining({ code: '0A000' }));
  });
});

describe('IncrementalAggregate across a restore', () => {
  const DEC: SqlType = { kind: 'DECIMAL', precision: 12, scale: 2 };
  // input: [k INT, x INT, b BIGINT, d DECIMAL(12,2), f DOUBLE, s STRING, flag BOOLEAN]
  const a = (fn: AggregateFunctionName, args: unknown[], type: SqlType, distinct = false) => ({ fn, args, distinct, orderBy: [], type });
  const node = {
    kind: 'aggregate',
    groupKeys: [col(0)],
    aggregates: [
      a('count_star', [], BIGINT),
      a('count', [col(1)], BIGINT, true),
      a('sum', [col(1)], INT),
      a('sum', [col(2, BIGINT)], BIGINT),
      a('sum', [col(2, BIGINT)], BIGINT, true),
      a('avg', [col(3, DEC)], { kind: 'DECIMAL', precision: 38, scale: 6 }),
      a('min', [col(1)], INT),
      a('max', [col(5, STRING)], STRING),
      a('min', [col(3, DEC)], DEC),
      a('sum', [col(4, DOUBLE)], DOUBLE),
      a('var_samp', [col(4, DOUBLE)], DOUBLE),
      a('string_agg', [col(5, STRING), lit(',', STRING)], STRING),
      a('array_agg', [col(1)], { kind: 'ARRAY', element: INT }),
      a('bool_and', [col(6, BOOLEAN)], BOOLEAN),
      a('first_value', [col(5, STRING)], STRING),
      a('max', [col(4, DOUBLE)], DOUBLE, true),
    ],
  } as unknown as AggregateNode;
  const env = testEnv(new MemorySource({}));

  for (const seed of [1, 2, 3]) {
    it(`continues exactly where it stopped, every table through its codec (seed ${seed})`, () => {
      const rnd = prng(seed);
      const maybe = <T,>(v: T): T | null => (rnd(6) === 0 ? null : v);
      const fresh = (): Row => [
        rnd(5),
        maybe(rnd(10)),
        maybe(BigInt(rnd(1_000_000)) * 10n ** 12n + 7n),
        maybe(BigInt(rnd(100_000)) - 50_000n),
        maybe(rnd(10_000) / 7),
        maybe(['a', 'b', 'ü', 'd'][rnd(4)]!),
        maybe(rnd(4) !== 0),
      ];
      const steps = randomChangelog(rnd, fresh, 60, 8).map((chunk) => ({ input: 0, chunk }));
      const r = runAcrossRestore((state) => incrementalAggregateOf(node, env, state), steps, 30);
      expect(r.unclaimed).toEqual([]);
      expect(r.entries).toBeGreaterThan(0);
      expect(r.restored.length).toBeGreaterThan(20);
      expect(r.restored).toEqual(r.uninterrupted);
    });
  }

  it('with a state TTL that is never reached, restored groups (unknown to the new TTL bookkeeping) behave as uninterrupted', () => {
    const rnd = prng(9);
    const fresh = (): Row => [rnd(5), rnd(10), BigInt(rnd(100)), null, rnd(100) / 7, 'ab'[rnd(2)]!, rnd(2) === 0];
    const steps = randomChangelog(rnd, fresh, 60, 8).map((chunk) => ({ input: 0, chunk }));
    let now = 0;
    const clock = () => ++now;
    const r = runAcrossRestore((state) => incrementalAggregateOf(node, env, state, { ttl: { ttlMs: 1e9, clock } }), steps, 30);
    const plain = runAcrossRestore((state) => incrementalAggregateOf(node, env, state), steps, 30);
    expect(r.restored).toEqual(r.uninterrupted);
    expect(r.uninterrupted).toEqual(plain.uninterrupted);
  });

  it('a restored global aggregate with the empty-input row emits nothing initially', () => {
    const global = { ...node, groupKeys: [] } as unknown as AggregateNode;
    const state = new RecordingStateProvider();
    const op = incrementalAggregateOf(global, env, state, { emptyInputRow: true });
    expect(op.initial()[0]?.rows.length).toBe(1);
    op.push(0, parseChunk('+I 1 2'));
    const restored = incrementalAggregateOf(global, env, restoredProvider(state), { emptyInputRow: true });
    expect(restored.initial()).toEqual([]);
    expect(text(restored.push(0, parseChunk('-D 1 2')))).toMatch(/^-U 1 1 2 .*\n\+U 0 0 NULL/);
  });
});

describe('IncrementalAggregate with a state TTL', () => {
  const countPerKey = (ttlMs: number, clock: () => number, distinct = false) =>
    new IncrementalAggregate(
      { keys: [(r) => r[0]!], keyTypes: [STRING], calls: [call('count', [(r) => r[1]!], [STRING], BIGINT, { distinct })] },
      undefined,
      { ttlMs, clock },
    );

  it('expires a group not written for the TTL: the next row starts a new group (+I again)', () => {
    let now = 0;
    const tables = { groups: new MemoryStateTable<GroupState>(), distinct: new MemoryStateTable<number>() };
    const op = new IncrementalAggregate(
      { keys: [(r) => r[0]!], keyTypes: [STRING], calls: [call('count', [(r) => r[1]!], [STRING], BIGINT)] },
      tables,
      { ttlMs: 100, clock: () => now },
    );
    expect(rowByRow(op, '+I a x\n+I b x')).toBe('+I a 1\n+I b 1');
    now = 60;
    expect(rowByRow(op, '+I a y')).toBe('-U a 1\n+U a 2');
    now = 120;
    // b was last written at 0: gone at the next chunk, without output; a (written at 60) stays.
    expect(rowByRow(op, '+I c x')).toBe('+I c 1');
    expect(tables.groups.size).toBe(2);
    expect(rowByRow(op, '+I a z\n+I b y')).toBe('-U a 2\n+U a 3\n+I b 1');
    now = 1000;
    expect(rowByRow(op, '+I a w')).toBe('+I a 1');
    expect(tables.groups.size).toBe(1);
  });

  it('never uses an expired group, even before it is cleaned up', () => {
    let now = 0;
    const op = countPerKey(100, () => now);
    expect(rowByRow(op, '+I a x')).toBe('+I a 1');
    now = 100;
    // Same chunk: the expiry pass and the read agree; the group counts as gone at exactly TTL.
    expect(text(op.push(0, parseChunk('+I a y\n+I a z')))).toBe('+I a 2');
  });

  it('ignores retractions for an expired group', () => {
    let now = 0;
    const op = countPerKey(100, () => now);
    expect(rowByRow(op, '+I a x\n+I a y')).toBe('+I a 1\n-U a 1\n+U a 2');
    now = 500;
    expect(rowByRow(op, '-D a x')).toBe('');
    expect(rowByRow(op, '+I a q\n-U a q\n+U a r')).toBe('+I a 1\n-D a 1\n+I a 1');
  });

  it('drops the DISTINCT entries with their group', () => {
    let now = 0;
    const tables = { groups: new MemoryStateTable<GroupState>(), distinct: new MemoryStateTable<number>() };
    const op = new IncrementalAggregate(
      { keys: [(r) => r[0]!], keyTypes: [STRING], calls: [call('count', [(r) => r[1]!], [STRING], BIGINT, { distinct: true })] },
      tables,
      { ttlMs: 100, clock: () => now },
    );
    expect(rowByRow(op, '+I a x\n+I a x\n+I a y\n+I b x')).toBe('+I a 1\n-U a 1\n+U a 2\n+I b 1');
    expect(tables.distinct.size).toBe(3);
    now = 50;
    expect(rowByRow(op, '+I b z')).toBe('-U b 1\n+U b 2');
    now = 120;
    expect(rowByRow(op, '+I c x')).toBe('+I c 1');
    // a's two tuples are gone; b (written at 50) keeps x and z; c has x.
    expect(tables.distinct.size).toBe(3);
    // A new group a counts x once again; the old y is not among its tuples, but the row still leaves the group (as in Flink).
    expect(rowByRow(op, '+I a x\n-D a y')).toBe('+I a 1\n-D a 1');
    now = 1000;
    expect(rowByRow(op, '+I d x')).toBe('+I d 1');
    expect(tables.distinct.size).toBe(1);
    expect(tables.groups.size).toBe(1);
  });

  it('drops DISTINCT entries of groups restored from a checkpoint (not heard of) by key range', () => {
    let now = 0;
    const tables = { groups: new MemoryStateTable<GroupState>(), distinct: new MemoryStateTable<number>() };
    const spec = { keys: [(r: Row) => r[0]!], keyTypes: [STRING], calls: [call('count', [(r: Row) => r[1]!], [STRING], BIGINT, { distinct: true })] };
    const before = new IncrementalAggregate(spec, tables);
    expect(rowByRow(before, '+I a x\n+I a y\n+I ab x')).toBe('+I a 1\n-U a 1\n+U a 2\n+I ab 1');
    // As decoded from a checkpoint: without the transient chunk mark.
    for (const [, g] of tables.groups.scan()) delete g.touched;
    const after = new IncrementalAggregate(spec, tables, { ttlMs: 100, clock: () => now });
    expect(rowByRow(after, '+I ab z')).toBe('-U ab 1\n+U ab 2');
    expect(rowByRow(after, '+I a z')).toBe('-U a 2\n+U a 3');
    now = 90;
    expect(rowByRow(after, '+I ab w')).toBe('-U ab 2\n+U ab 3');
    now = 150;
    expect(rowByRow(after, '+I e e')).toBe('+I e 1');
    // Only a's tuples (x, y, z) went; ab's x, z, w remain, with e's e.
    expect(tables.distinct.size).toBe(4);
    expect([...tables.groups.scan()].map(([, g]) => g.key[0])).toEqual(['ab', 'e']);
  });

  it('expires groups restored from a checkpoint that are never read again, a TTL after the restore', () => {
    let now = 1000;
    const tables = { groups: new MemoryStateTable<GroupState>(), distinct: new MemoryStateTable<number>() };
    const spec = { keys: [(r: Row) => r[0]!], keyTypes: [STRING], calls: [call('count', [(r: Row) => r[1]!], [STRING], BIGINT, { distinct: true })] };
    const before = new IncrementalAggregate(spec, tables);
    expect(rowByRow(before, '+I a x\n+I b y\n+I c z')).toBe('+I a 1\n+I b 1\n+I c 1');
    for (const [, g] of tables.groups.scan()) delete g.touched;
    const after = new IncrementalAggregate(spec, tables, { ttlMs: 100, clock: () => now });
    expect(rowByRow(after, '+I c w')).toBe('-U c 1\n+U c 2');
    now = 1090;
    expect(rowByRow(after, '+I c v')).toBe('-U c 2\n+U c 3');
    now = 1150;
    expect(rowByRow(after, '+I d d')).toBe('+I d 1');
    // a and b (never read after the restore) went with their DISTINCT entries; c was written at 1090.
    expect([...tables.groups.scan()].map(([, g]) => g.key[0]).sort()).toEqual(['c', 'd']);
    expect(tables.distinct.size).toBe(4);
  });

  it('keeps state forever with TTL 0', () => {
    let now = 0;
    const op = countPerKey(0, () => now);
    expect(rowByRow(op, '+I a x')).toBe('+I a 1');
    now = 1e12;
    expect(rowByRow(op, '+I a y')).toBe('-U a 1\n+U a 2');
    expect(() => op.push(0, parseChunk('-D b x'))).toThrow(expect.objectContaining({ code: 'XX000' }));
  });
});

describe('IncrementalAggregate with a state TTL: the output stays a valid changelog', () => {
  for (const seed of [1, 2, 3, 4]) {
    it(`seed ${seed}: never fails, every retraction it emits retracts a row it emitted`, () => {
      const rnd = prng(seed);
      const steps = randomChangelog(rnd, () => [rnd(4), rnd(3)], 120, 4);
      let now = 0;
      const tables = { groups: new MemoryStateTable<GroupState>(), distinct: new MemoryStateTable<number>() };
      const op = new IncrementalAggregate(
        {
          keys: [(r) => r[0]!],
          keyTypes: [INT],
          calls: [call('count_star', [], [], BIGINT), call('count', [(r) => r[1]!], [INT], BIGINT, { distinct: true }), call('sum', [(r) => r[1]!], [INT], INT)],
        },
        tables,
        { ttlMs: 20, clock: () => now },
      );
      const view = new MaterializedTable([INT, BIGINT, BIGINT, INT]);
      let expired = 0;
      for (const chunk of steps) {
        const before = tables.groups.size;
        now += 1 + rnd(12);
        for (const c of op.push(0, chunk)) view.apply(c);
        if (tables.groups.size < before) expired++;
        // DISTINCT entries never outlive their group.
        for (const [dk] of tables.distinct.scan()) expect([...tables.groups.scan()].some(([gk]) => gk.length < dk.length && gk.every((b, i) => dk[i] === b))).toBe(true);
      }
      expect(expired).toBeGreaterThan(0);
    });
  }
});
