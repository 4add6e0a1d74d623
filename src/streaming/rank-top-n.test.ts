import { describe, expect, it } from 'vitest';
import { BIGINT, INT, STRING, type Row } from '../../catalog/types.ts';
import { formatChunk, parseChunk, type Chunk } from '../dataflow/chunk.ts';
import { RowKind, changelogChunk } from './changelog.ts';
import { MaterializedTable } from './materialize.ts';
import { RankTopN, rankPartitionCodec, type RankPartition, type RankTopNSpec } from './rank-top-n.ts';
import { MemoryStateTable } from './state-table.ts';
import { canon, prng } from './streaming.test-helpers.ts';

const text = (chunks: Chunk[]) => chunks.map(formatChunk).filter((s) => s !== '').join('\n');

// rows [p, k, name]; PARTITION BY p ORDER BY k (ASC, or DESC)
function rank(opts: Partial<RankTopNSpec> & { desc?: boolean } = {}, state?: MemoryStateTable<RankPartition>): RankTopN {
  const desc = opts.desc ?? false;
  return new RankTopN({
    partition: [(r) => r[0]!],
    partitionTypes: [STRING],
    keys: [(r) => r[1]!],
    order: [{ type: INT, desc, nullsFirst: desc }],
    types: [STRING, INT, STRING],
    first: opts.first ?? 1,
    last: opts.last ?? 2,
    withRank: opts.withRank ?? true,
    appendOnly: opts.appendOnly ?? false,
    ...(opts.fn === undefined ? {} : { fn: opts.fn }),
  }, state);
}

describe('RankTopN', () => {
  it('keeps the top n per partition with their row numbers', () => {
    const t = rank();
    expect(text(t.push(0, parseChunk('+I a 5 x\n+I b 1 y')))).toBe('+I a 5 x 1\n+I b 1 y 1');
    expect(text(t.push(0, parseChunk('+I a 3 z')))).toBe('-U a 5 x 1\n+U a 3 z 1\n+I a 5 x 2');
    expect(text(t.push(0, parseChunk('+I a 9 w')))).toBe('');
    expect(text(t.push(0, parseChunk('+I a 4 v')))).toBe('-U a 5 x 2\n+U a 4 v 2');
    expect(text(t.push(0, parseChunk('-D a 3 z')))).toBe('-U a 3 z 1\n+U a 4 v 1\n-U a 4 v 2\n+U a 5 x 2');
    expect(text(t.push(0, parseChunk('-D a 9 w')))).toBe('');
    expect(text(t.push(0, parseChunk('-D a 4 v\n-D a 5 x')))).toBe('-U a 4 v 1\n+U a 5 x 1\n-D a 5 x 2\n-D a 5 x 1');
    expect(() => t.push(0, parseChunk('-D a 1 q'))).toThrow(expect.objectContaining({ code: 'XX000' }));
  });

  it('without the rank emits the row that enters and the one that leaves', () => {
    const t = rank({ withRank: false });
    expect(text(t.push(0, parseChunk('+I a 5 x\n+I a 7 y')))).toBe('+I a 5 x NULL\n+I a 7 y NULL');
    expect(text(t.push(0, parseChunk('+I a 1 z')))).toBe('-U a 7 y NULL\n+U a 1 z NULL');
    expect(text(t.push(0, parseChunk('+I a 6 q')))).toBe('');
    expect(text(t.push(0, parseChunk('-D a 1 z')))).toBe('-U a 1 z NULL\n+U a 6 q NULL');
    expect(text(t.push(0, parseChunk('-D a 7 y')))).toBe('');
    expect(text(t.push(0, parseChunk('-D a 5 x')))).toBe('-D a 5 x NULL');
  });

  it('deduplicates: keep first over an ascending time is insert-only, keep last updates', () => {
    const first = rank({ last: 1, withRank: false, appendOnly: true });
    expect(text(first.push(0, parseChunk('+I a 1 x\n+I a 1 y\n+I b 2 z\n+I a 3 w')))).toBe('+I a 1 x NULL\n+I b 2 z NULL');
    const last = rank({ last: 1, withRank: false, appendOnly: true, desc: true });
    expect(text(last.push(0, parseChunk('+I a 1 x\n+I a 2 y\n+I b 2 z\n+I a 3 w')))).toBe(
      '+I a 1 x NULL\n-U a 1 x NULL\n+U a 2 y NULL\n+I b 2 z NULL\n-U a 2 y NULL\n+U a 3 w NULL',
    );
  });

  it('emits a rank range (rn BETWEEN 2 AND 3)', () => {
    const t = rank({ first: 2, last: 3 });
    expect(text(t.push(0, parseChunk('+I a 5 x')))).toBe('');
    expect(text(t.push(0, parseChunk('+I a 1 y')))).toBe('+I a 5 x 2');
    expect(text(t.push(0, parseChunk('+I a 0 z')))).toBe('-U a 5 x 2\n+U a 1 y 2\n+I a 5 x 3');
    expect(text(t.push(0, parseChunk('-D a 0 z')))).toBe('-U a 1 y 2\n+U a 5 x 2\n-D a 5 x 3');
    const n = rank({ first: 2, last: 3, withRank: false });
    n.push(0, parseChunk('+I a 1 x\n+I a 2 y\n+I a 3 z\n+I a 4 w'));
    expect(text(n.push(0, parseChunk('-D a 1 x')))).toBe('-U a 2 y NULL\n+U a 4 w NULL');
  });

  it('restored from its encoded state, continues as an uninterrupted run', () => {
    const table = new MemoryStateTable<RankPartition>();
    const a = rank({}, table);
    a.push(0, parseChunk('+I a 5 x\n+I a 3 y\n+I b 1 z\n+I a 9 w'));
    const copy = new MemoryStateTable<RankPartition>();
    for (const [k, v] of table.scan()) copy.put(k, rankPartitionCodec.decode(rankPartitionCodec.encode(v)));
    const b = rank({}, copy);
    const next = '-D a 3 y\n+I b 0 q';
    expect(text(b.push(0, parseChunk(next)))).toBe(text(a.push(0, parseChunk(next))));
  });

  it('equals ROW_NUMBER recomputed after every chunk (random changes, NULL keys, ties)', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const rnd = prng(seed);
      const first = 1 + rnd(2);
      const last = first + rnd(3);
      const withRank = rnd(2) === 0;
      const appendOnly = rnd(3) === 0;
      const desc = rnd(2) === 0;
      const op = rank({ first, last, withRank, appendOnly, desc });
      const view = new MaterializedTable([STRING, INT, STRING, BIGINT]);
      const held: Row[] = [];
      for (let step = 0; step < 40; step++) {
        const rows: Row[] = [];
        const kinds: number[] = [];
        const n = 1 + rnd(4);
        for (let i = 0; i < n; i++) {
          if (!appendOnly && held.length > 0 && rnd(3) === 0) {
            const [gone] = held.splice(rnd(held.length), 1);
            rows.push(gone!);
            kinds.push(RowKind.DELETE);
          } else {
            const row: Row = ['pq'[rnd(2)]!, rnd(5) === 0 ? null : rnd(6), 'xyz'[rnd(3)]!];
            held.push(row);
            rows.push(row);
            kinds.push(RowKind.INSERT);
          }
        }
        for (const c of op.push(0, changelogChunk(rows, kinds))) view.apply(c);
        // Ties make ROW_NUMBER arbitrary: compare the (partition, key, rank) triples, and the rows without rank.
        const got = [...view.rows()];
        const want = expected(held, first, last, desc);
        expect(canon(got.map((r) => [r[0] ?? null, r[1] ?? null, withRank ? (r[3] ?? null) : null])), `seed ${seed} step ${step}`).toEqual(
          canon(want.map((r) => [r[0] ?? null, r[1] ?? null, withRank ? (r[3] ?? null) : null])),
        );
      }
    }
  });
});

describe('RankTopN with RANK / DENSE_RANK', () => {
  it('RANK: ties share a rank and the next rank is skipped; the top 2 may hold more rows', () => {
    const t = rank({ fn: 'rank' });
    expect(text(t.push(0, parseChunk('+I a 5 x\n+I a 7 y')))).toBe('+I a 5 x 1\n+I a 7 y 2');
    // A second 5 ties with x at rank 1: y moves to rank 3 and leaves.
    expect(text(t.push(0, parseChunk('+I a 5 z')))).toBe('-D a 7 y 2\n+I a 5 z 1');
    expect(text(t.push(0, parseChunk('+I a 6 w')))).toBe('');
    expect(text(t.push(0, parseChunk('+I a 1 v')))).toBe('+I a 1 v 1\n-U a 5 x 1\n+U a 5 x 2\n-U a 5 z 1\n+U a 5 z 2');
    expect(text(t.push(0, parseChunk('-D a 5 x')))).toBe('-D a 5 x 2');
    expect(text(t.push(0, parseChunk('-D a 5 z')))).toBe('-D a 5 z 2\n+I a 6 w 2');
  });

  it('DENSE_RANK: ties share a rank and the next rank follows', () => {
    const t = rank({ fn: 'dense_rank', withRank: true });
    expect(text(t.push(0, parseChunk('+I a 5 x\n+I a 5 y\n+I a 7 z\n+I a 8 w')))).toBe('+I a 5 x 1\n+I a 5 y 1\n+I a 7 z 2');
    expect(text(t.push(0, parseChunk('-D a 5 x')))).toBe('-D a 5 x 1');
    expect(text(t.push(0, parseChunk('-D a 5 y')))).toBe('-D a 5 y 1\n-U a 7 z 2\n+U a 7 z 1\n+I a 8 w 2');
  });

  it('without the rank emits only rows entering and leaving; over an insert-only input keeps ranks <= N', () => {
    const t = rank({ fn: 'rank', last: 1, withRank: false, appendOnly: true });
    expect(text(t.push(0, parseChunk('+I a 3 x\n+I a 3 y\n+I a 4 z')))).toBe('+I a 3 x NULL\n+I a 3 y NULL');
    expect(text(t.push(0, parseChunk('+I a 2 w')))).toBe('-D a 3 x NULL\n-D a 3 y NULL\n+I a 2 w NULL');
    expect(text(t.push(0, parseChunk('+I a 3 q')))).toBe('');
  });

  for (const fn of ['rank', 'dense_rank'] as const) {
    it(`equals ${fn.toUpperCase()} recomputed after every chunk (random changes, NULL keys, ties)`, () => {
      for (let seed = 1; seed <= 30; seed++) {
        const rnd = prng(seed + 1000);
        const first = 1 + rnd(2);
        const last = first + rnd(3);
        const withRank = rnd(2) === 0;
        const appendOnly = rnd(3) === 0;
        const desc = rnd(2) === 0;
        const op = rank({ fn, first, last, withRank, appendOnly, desc });
        const view = new MaterializedTable([STRING, INT, STRING, BIGINT]);
        const held: Row[] = [];
        for (let step = 0; step < 40; step++) {
          const rows: Row[] = [];
          const kinds: number[] = [];
          for (let n = 1 + rnd(4); n > 0; n--) {
            if (!appendOnly && held.length > 0 && rnd(3) === 0) {
              const [gone] = held.splice(rnd(held.length), 1);
              rows.push(gone!);
              kinds.push(RowKind.DELETE);
            } else {
              const row: Row = ['pq'[rnd(2)]!, rnd(5) === 0 ? null : rnd(4), 'xyz'[rnd(3)]!];
              held.push(row);
              rows.push(row);
              kinds.push(RowKind.INSERT);
            }
          }
          for (const c of op.push(0, changelogChunk(rows, kinds))) view.apply(c);
          const want = expectedTied(held, fn, first, last, desc).map((r) => (withRank ? r : [...r.slice(0, 3), null]));
          expect(canon([...view.rows()]), `seed ${seed} step ${step}`).toEqual(canon(want));
        }
      }
    });
  }
});

/** RANK / DENSE_RANK() OVER (PARTITION BY p ORDER BY k) with ranks first..last (every tied row). */
function expectedTied(rows: readonly Row[], fn: 'rank' | 'dense_rank', first: number, last: number, desc: boolean): Row[] {
  const out: Row[] = [];
  for (const p of new Set(rows.map((r) => r[0]))) {
    const list = rows.filter((r) => r[0] === p);
    // Position in the sort order: NULLs are the largest value (last ascending, first descending).
    const kOf = (x: Row): number => {
      const v = x[1] === null ? Infinity : (x[1] as number);
      return desc ? -v : v;
    };
    for (const r of list) {
      const k = kOf(r);
      const rk = fn === 'rank' ? 1 + list.filter((x) => kOf(x) < k).length : 1 + new Set(list.filter((x) => kOf(x) < k).map(kOf)).size;
      if (rk >= first && rk <= last) out.push([...r, BigInt(rk)]);
    }
  }
  return out;
}

/** ROW_NUMBER() OVER (PARTITION BY p ORDER BY k) with ranks first..last, rows with equal keys interchangeable. */
function expected(rows: readonly Row[], first: number, last: number, desc: boolean): Row[] {
  const byPart = new Map<string, Row[]>();
  for (const r of rows) {
    const p = r[0] as string;
    const list = byPart.get(p) ?? [];
    list.push(r);
    byPart.set(p, list);
  }
  const out: Row[] = [];
  for (const list of byPart.values()) {
    list.sort((a, b) => {
      const x = a[1] as number | null;
      const y = b[1] as number | null;
      if (x === y) return 0;
      if (x === null) return desc ? -1 : 1;
      if (y === null) return desc ? 1 : -1;
      return desc ? y - x : x - y;
    });
    list.forEach((r, i) => {
      if (i + 1 >= first && i + 1 <= last) out.push([...r, BigInt(i + 1)]);
    });
  }
  return out;
}
