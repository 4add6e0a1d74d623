import { describe, expect, it } from 'vitest';
import { INT, STRING, type Row, type Value } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { formatChunk, parseChunk, RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { LimitNode, SortKey, SortNode } from '../planner/logical-plan.ts';
import { add, col, FAKE_DEPS, lit, MemorySource, scanNode, testEnv } from '../compiler/plan.test-helpers.ts';
import { runQuery } from '../compiler/query-runner.ts';
import { keyComparator } from '../compiler/sort-keys.ts';
import { compareValues } from '../values/compare.ts';
import { changelogChunk } from './changelog.ts';
import { IncrementalTopN, incrementalTopNOf, MAX_ENTRIES, TOP_N_DIRECTORY_KEY, type TopNDirectory, type TopNPage } from './incremental-top-n.ts';
import { MemoryStateTable } from './state-table.ts';
import { RecordingStateProvider, restoredProvider } from './state-restore.test-helpers.ts';
import { MaterializedTable } from './materialize.ts';
import { prng } from './streaming.test-helpers.ts';

const text = (chunks: Chunk[]) => chunks.map(formatChunk).filter((s) => s !== '').join('\n');

// rows [k, v]; ORDER BY k ASC NULLS LAST
const topN = (limit: number | null, offset = 0, desc = false, nullsFirst = false) =>
  new IncrementalTopN({ keys: [(r) => r[0]!], order: [{ type: INT, desc, nullsFirst }], types: [INT, STRING], limit, offset });

describe('IncrementalTopN', () => {
  it('emits rows entering and leaving the top n', () => {
    const t = topN(2);
    expect(text(t.push(0, parseChunk('+I 5 a')))).toBe('+I 5 a');
    expect(text(t.push(0, parseChunk('+I 7 b\n+I 9 c')))).toBe('+I 7 b');
    expect(text(t.push(0, parseChunk('+I 1 d')))).toBe('-D 7 b\n+I 1 d');
    expect(text(t.push(0, parseChunk('-D 5 a')))).toBe('-D 5 a\n+I 7 b');
    expect(text(t.push(0, parseChunk('-D 9 c')))).toBe('');
    expect(text(t.push(0, parseChunk('-U 7 b\n+U 0 b')))).toBe('-D 7 b\n+I 0 b');
    expect([...t.result()]).toEqual([[0, 'b'], [1, 'd']]);
    expect(() => t.push(0, parseChunk('-D 3 x'))).toThrow(expect.objectContaining({ code: 'XX000' }));
  });

  it('consolidates a chunk: a row that leaves and comes back emits nothing', () => {
    const t = topN(2);
    t.push(0, parseChunk('+I 1 a\n+I 2 b\n+I 3 c'));
    expect(text(t.push(0, parseChunk('-D 2 b\n+I 2 b')))).toBe('');
    expect(text(t.push(0, parseChunk('-U 1 a\n+U 1 z')))).toBe('-D 1 a\n+I 1 z');
  });

  it('handles OFFSET, duplicates, ties by the whole row, and NULL keys', () => {
    const t = topN(2, 1);
    expect(text(t.push(0, parseChunk('+I 5 a\n+I 5 a')))).toBe('+I 5 a');
    expect(text(t.push(0, parseChunk('+I 5 A')))).toBe('+I 5 a');
    expect([...t.result()]).toEqual([[5, 'a'], [5, 'a']]);
    expect(text(t.push(0, parseChunk('+I NULL q')))).toBe('');
    expect(text(t.push(0, parseChunk('-D 5 A\n-D 5 a')))).toBe('-D 5 a\n-D 5 a\n+I NULL q');
    const nf = topN(1, 0, false, true);
    expect(text(nf.push(0, parseChunk('+I 1 a\n+I NULL b')))).toBe('+I NULL b');
    const d = topN(1, 0, true, false);
    expect(text(d.push(0, parseChunk('+I 1 a\n+I NULL b\n+I 3 c')))).toBe('+I 3 c');
  });

  it('LIMIT 0 emits nothing; no limit keeps everything after the offset', () => {
    const z = topN(0);
    expect(text(z.push(0, parseChunk('+I 1 a\n-D 1 a')))).toBe('');
    const all = topN(null, 1);
    expect(text(all.push(0, parseChunk('+I 2 a\n+I 3 b')))).toBe('+I 3 b');
    expect(text(all.push(0, parseChunk('+I 1 c')))).toBe('+I 2 a');
  });
});

const TABLE = 1;
const TYPES = [INT, STRING, INT];
const scan = scanNode(TABLE, TYPES);
const key = (expr: BoundExpr, desc: boolean, nullsFirst: boolean): SortKey => ({ expr, desc, nullsFirst });

interface Case {
  readonly name: string;
  readonly keys: SortKey[];
  readonly limit: number | null;
  readonly offset: number | null;
  readonly range: number;
  readonly steps: number;
  readonly batch: number;
}
const CASES: Case[] = [
  { name: 'ASC NULLS LAST LIMIT 3', keys: [key(col(0), false, false)], limit: 3, offset: null, range: 8, steps: 200, batch: 4 },
  { name: 'DESC NULLS FIRST LIMIT 4 OFFSET 2', keys: [key(col(0), true, true)], limit: 4, offset: 2, range: 8, steps: 200, batch: 4 },
  { name: 'two keys, string NULLS FIRST then DESC NULLS LAST', keys: [key(col(1, STRING), false, true), key(col(2), true, false)], limit: 5, offset: 1, range: 4, steps: 200, batch: 5 },
  { name: 'expression key, OFFSET only', keys: [key(add(col(0), col(2)), false, false)], limit: null, offset: 3, range: 6, steps: 150, batch: 3 },
  { name: 'many rows (page splits and merges) LIMIT 40 OFFSET 30', keys: [key(col(0), false, false)], limit: 40, offset: 30, range: 5000, steps: 120, batch: 100 },
];

describe('incremental Top-N equals recomputation under random changes', () => {
  for (const c of CASES) {
    for (const seed of [1, 2, 3]) {
      it(`${c.name}, seed ${seed}`, async () => {
        const rnd = prng(seed * 31 + c.keys.length);
        const rows: Row[] = [];
        const env = testEnv(new MemorySource({ [TABLE]: rows }, 64));
        const sort: SortNode = { kind: 'sort', input: scan, keys: c.keys, schema: scan.schema };
        const node: LimitNode = {
          kind: 'limit',
          input: sort,
          ...(c.limit === null ? {} : { limit: lit(c.limit) }),
          ...(c.offset === null ? {} : { offset: lit(c.offset) }),
          schema: scan.schema,
        };
        let state = new RecordingStateProvider();
        let op = incrementalTopNOf(node, env, state);
        const view = new MaterializedTable(TYPES);
        const batch = runQuery(node, env, FAKE_DEPS);
        const keyFns = c.keys.map((k) => (r: Row): Value => evalKey(k.expr, r));
        const cmpKeys = keyComparator(c.keys.map((k) => ({ type: k.expr.type, desc: k.desc, nullsFirst: k.nullsFirst })));
        const keysOf = (r: Row) => keyFns.map((f) => f(r));
        const fresh = (): Row => [
          rnd(7) === 0 ? null : rnd(c.range),
          rnd(6) === 0 ? null : ['a', 'b', 'c', 'd'][rnd(c.range < 4 ? c.range : 4)]!,
          rnd(5) === 0 ? null : rnd(3),
        ];
        const offset = c.offset ?? 0;
        const end = c.limit === null ? Infinity : offset + c.limit;
        for (let step = 0; step < c.steps; step++) {
          // All state lives in the state tables: a fresh operator over a copy of them through their codecs continues the run.
          if (step === c.steps >> 1) {
            const restored = restoredProvider(state);
            op = incrementalTopNOf(node, env, restored);
            expect(restored.unclaimed()).toEqual([]);
            state = restored;
          }
          const out: Row[] = [];
          const kinds: number[] = [];
          // Grow early, churn later.
          const grow = step < c.steps / 2 ? 3 : 2;
          for (let n = 1 + rnd(c.batch); n > 0; n--) {
            const action = rows.length === 0 ? 0 : rnd(grow + 1);
            if (action === 0 || action === 3) {
              // Sometimes an exact duplicate of a present row.
              const r = rows.length > 0 && rnd(5) === 0 ? rows[rnd(rows.length)]!.slice() : fresh();
              rows.push(r);
              out.push(r);
              kinds.push(RowKind.INSERT);
            } else {
              const i = rnd(rows.length);
              const old = rows[i]!;
              if (action === 1) {
                const r = fresh();
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
          for (const ch of op.push(0, changelogChunk(out, kinds))) view.apply(ch);
          // Exact answer under the documented tie rule: sort keys, then the whole row ascending, NULLs last.
          const full = rows.slice().sort((a, b) => cmpKeys(keysOf(a), keysOf(b)) || compareRows(a, b));
          const want = full.slice(offset, end);
          expect(canon(view.rows()), `step ${step}`).toEqual(canon(want));
          expect([...op.result()], `step ${step}`).toEqual(want);
          // The batch Top-N (ties by arrival) selects rows with the same sort keys.
          if (step % 10 === 0 || step === c.steps - 1) {
            const got: Row[] = [];
            for await (const b of batch.run()) got.push(...b);
            expect(got.map(keysOf), `step ${step}`).toEqual(want.map(keysOf));
          }
        }
        if (c.range > MAX_ENTRIES) expect(state.get<TopNDirectory>('directory').get(TOP_N_DIRECTORY_KEY)!.ids.length).toBeGreaterThan(2);
        // Retracting everything empties the result and the state.
        for (const ch of op.push(0, changelogChunk(rows, rows.map(() => RowKind.DELETE)))) view.apply(ch);
        expect(view.rows()).toEqual([]);
        expect(state.get<TopNPage>('pages').size).toBe(0);
      });
    }
  }

  it('a change in a large input reads O(log n) pages, not O(n)', () => {
    const pages = new CountingTable<TopNPage>();
    const t = new IncrementalTopN(
      { keys: [(r) => r[0]!], order: [{ type: INT, desc: false, nullsFirst: false }], types: [INT, STRING], limit: 10, offset: 5 },
      { directory: new MemoryStateTable<TopNDirectory>(), pages },
    );
    const n = 50_000;
    const rows: Row[] = Array.from({ length: n }, (_, i) => [(i * 7919) % n, 'x']);
    for (let i = 0; i < n; i += 1000) t.push(0, changelogChunk(rows.slice(i, i + 1000), new Array<number>(1000).fill(RowKind.INSERT)));
    expect(pages.size).toBeGreaterThan(200);
    pages.reads = 0;
    const changes = 2000;
    for (let i = 0; i < changes; i++) {
      const r = rows[i]!;
      const after: Row = [r[0] ?? null, 'y'];
      t.push(0, changelogChunk([r, after], [RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER]));
      rows[i] = after;
    }
    // Two changes per step, each: a binary search over the pages (~9 reads) plus at most a few for ranks < 15.
    expect(pages.reads / (2 * changes)).toBeLessThan(16);
    expect([...t.result()].map((r) => r[0])).toEqual([5, 6, 7, 8, 9, 10, 11, 12, 13, 14]);
  });
});

/** A state table that counts point reads. */
class CountingTable<V> extends MemoryStateTable<V> {
  reads = 0;
  override get(key: Uint8Array): V | undefined {
    this.reads++;
    return super.get(key);
  }
}

function evalKey(e: BoundExpr, r: Row): Value {
  if (e.kind === 'column') return r[e.index] ?? null;
  if (e.kind === 'call') {
    const a = evalKey(e.args[0]!, r);
    const b = evalKey(e.args[1]!, r);
    return a === null || b === null ? null : (a as number) + (b as number);
  }
  throw new Error(`test key ${e.kind}`);
}

function compareRows(a: Row, b: Row): number {
  for (let i = 0; i < TYPES.length; i++) {
    const x = a[i] ?? null;
    const y = b[i] ?? null;
    if (x === null || y === null) {
      if (x === y) continue;
      return x === null ? 1 : -1;
    }
    const d = compareValues(x, y, TYPES[i]!);
    if (d !== 0) return d;
  }
  return 0;
}

const canon = (rows: Row[]) => rows.map((r) => JSON.stringify(r)).sort();
