import { describe, expect, it } from 'vitest';
import { INT, STRING } from '../../catalog/types.ts';
import { CHUNK_SIZE, ChunkBuilder, RowKind, assertInsertOnly, formatChunk, parseChunk } from './chunk.ts';
import { KeyTable } from './key-table.ts';

describe('chunks', () => {
  it('round-trips the pretty form', () => {
    const text = '+I 1 a\n-U 2 b\n+U 2 c\n-D NULL d';
    const chunk = parseChunk(text);
    expect(chunk.kinds).toEqual(Uint8Array.from([RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE]));
    expect(formatChunk(chunk)).toBe(text);
    expect(parseChunk('+I 1').kinds).toBe(null);
  });

  it('rejects retractions in insert-only operators', () => {
    expect(() => assertInsertOnly(parseChunk('+I 1'), 'sort')).not.toThrow();
    expect(() => assertInsertOnly(parseChunk('+I 1\n-D 1'), 'sort')).toThrow(/sort received a -D row/);
  });

  it('fills chunks up to CHUNK_SIZE', () => {
    const b = new ChunkBuilder();
    let full = 0;
    for (let i = 0; i < CHUNK_SIZE * 2 + 5; i++) if (b.push([i])) full += b.take().rows.length;
    expect(full).toBe(CHUNK_SIZE * 2);
    expect(b.take().rows.length).toBe(5);
    expect(b.length).toBe(0);
  });
});

describe('key table', () => {
  it('finds keys with NULLs equal and keeps insertion order', () => {
    const t = new KeyTable<{ key: (number | string | null)[]; n: number }>([INT, STRING]);
    const keys = [[1, 'a'], [null, 'a'], [1, null], [null, null]];
    keys.forEach((k, n) => t.insert({ key: k, n }, t.hash(k)));
    for (const [n, k] of keys.entries()) expect(t.find([...k], t.hash(k))?.n).toBe(n);
    expect(t.find([2, 'a'], t.hash([2, 'a']))).toBeUndefined();
    expect(t.entries.map((e) => e.n)).toEqual([0, 1, 2, 3]);
    expect(t.size).toBe(4);
  });
});
