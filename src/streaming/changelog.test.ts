import { describe, expect, it } from 'vitest';
import { CHUNK_SIZE, formatChunk, parseChunk, RowKind, type Chunk } from '../dataflow/chunk.ts';
import { ChangelogBuilder, changelogChunk, isAddition, kindAt, OperatorChain, type IncrementalOperator } from './changelog.ts';

describe('changelog helpers', () => {
  it('reads kinds of insert-only and tagged chunks', () => {
    const c = parseChunk('+I 1\n-U 2\n+U 3\n-D 4');
    expect([0, 1, 2, 3].map((i) => kindAt(c, i))).toEqual([RowKind.INSERT, RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER, RowKind.DELETE]);
    expect(kindAt({ rows: [[1]], kinds: null }, 0)).toBe(RowKind.INSERT);
    expect([0, 1, 2, 3].map(isAddition)).toEqual([true, false, true, false]);
  });

  it('builds chunks with null kinds when every row is an insert', () => {
    expect(changelogChunk([[1], [2]], [0, 0]).kinds).toBeNull();
    expect(formatChunk(changelogChunk([[1], [2]], [0, 3]))).toBe('+I 1\n-D 2');
    expect(() => changelogChunk([[1]], [])).toThrow(/length/);
  });

  it('splits output into chunks of CHUNK_SIZE without splitting an update pair', () => {
    const b = new ChangelogBuilder();
    for (let i = 0; i < CHUNK_SIZE - 1; i++) b.emit(RowKind.INSERT, [i]);
    b.update([-1], [-2]);
    b.emit(RowKind.DELETE, [-3]);
    const chunks = b.take();
    expect(chunks.map((c) => c.rows.length)).toEqual([CHUNK_SIZE - 1, 3]);
    expect(chunks[0]!.kinds).toBeNull();
    expect(formatChunk(chunks[1]!)).toBe('-U -1\n+U -2\n-D -3');
    expect(b.take()).toEqual([]);
    expect(b.empty).toBe(true);
  });
});

/** Doubles every value and forwards watermarks as a one-row chunk [wm]. */
class Doubler implements IncrementalOperator {
  push(_input: number, chunk: Chunk): Chunk[] {
    return [{ rows: chunk.rows.map((r) => r.map((v) => (v as number) * 2)), kinds: chunk.kinds }];
  }
  watermark(wm: number): Chunk[] {
    return [{ rows: [[wm]], kinds: null }];
  }
}

describe('OperatorChain', () => {
  it('feeds each operator the previous one’s output, watermark output included', () => {
    const chain = new OperatorChain([new Doubler(), new Doubler()]);
    expect(chain.push(0, parseChunk('+I 1\n-D 2')).map(formatChunk)).toEqual(['+I 4\n-D 8']);
    // The first operator's watermark chunk goes through the second, then the second's own.
    expect(chain.watermark(5).map(formatChunk)).toEqual(['+I 10', '+I 5']);
    expect(() => chain.push(1, parseChunk('+I 1'))).toThrow(/one input/);
  });
});
