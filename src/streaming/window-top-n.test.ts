import { describe, expect, it } from 'vitest';
import { INT, STRING } from '../../catalog/types.ts';
import { formatChunk, parseChunk, type Chunk } from '../dataflow/chunk.ts';
import { InternalError } from '../errors.ts';
import { WindowTopN } from './window-top-n.ts';
import type { StateProvider } from './state-provider.ts';
import { RecordingStateProvider, restoredProvider } from './state-restore.test-helpers.ts';

const text = (chunks: Chunk[]) => chunks.map(formatChunk).filter((s) => s !== '').join('\n');

// rows [window_end, supplier, price]; PARTITION BY window_end ORDER BY price DESC; a window fires at end - 1
function windowTop(last: number, withRank = true, state?: StateProvider, fn?: 'rank' | 'dense_rank', first = 1): WindowTopN {
  return new WindowTopN(
    {
      ...(fn === undefined ? {} : { fn }),
      endColumn: 0,
      endType: INT,
      fireTime: (end) => end - 1,
      partition: [(r) => r[0]!],
      partitionTypes: [INT],
      keys: [(r) => r[2]!],
      order: [{ type: INT, desc: true, nullsFirst: true }],
      first,
      last,
      withRank,
    },
    state,
  );
}

describe('WindowTopN', () => {
  it('emits each window once, final, when the watermark passes it', () => {
    const t = windowTop(2);
    expect(text(t.push(0, parseChunk('+I 10 s1 4\n+I 10 s2 6\n+I 20 s3 1\n+I 10 s4 5')))).toBe('');
    expect(text(t.watermark(8))).toBe('');
    expect(text(t.watermark(9))).toBe('+I 10 s2 6 1\n+I 10 s4 5 2');
    expect(text(t.push(0, parseChunk('+I 10 late 9\n+I 20 s5 3')))).toBe('');
    expect(t.lateRows).toBe(1);
    expect(text(t.watermark(30))).toBe('+I 20 s5 3 1\n+I 20 s3 1 2');
    expect(text(t.watermark(40))).toBe('');
  });

  it('ties rank by arrival; without the rank the column is NULL', () => {
    const t = windowTop(1, false);
    t.push(0, parseChunk('+I 10 a 4\n+I 10 c 4'));
    expect(text(t.watermark(100))).toBe('+I 10 a 4 NULL');
  });

  it('RANK and DENSE_RANK: ties share a rank, every tied row is kept and emitted', () => {
    const r = windowTop(2, true, undefined, 'rank');
    r.push(0, parseChunk('+I 10 a 4\n+I 10 b 6\n+I 10 c 6\n+I 10 d 5\n+I 10 e 4'));
    expect(text(r.watermark(9))).toBe('+I 10 b 6 1\n+I 10 c 6 1');
    const d = windowTop(2, true, undefined, 'dense_rank');
    d.push(0, parseChunk('+I 10 a 4\n+I 10 b 6\n+I 10 c 6\n+I 10 d 5\n+I 10 e 4\n+I 10 f 5'));
    expect(text(d.watermark(9))).toBe('+I 10 b 6 1\n+I 10 c 6 1\n+I 10 d 5 2\n+I 10 f 5 2');
    const third = windowTop(3, false, undefined, 'rank', 3);
    third.push(0, parseChunk('+I 10 a 4\n+I 10 b 6\n+I 10 c 6\n+I 10 d 4\n+I 10 e 3'));
    expect(text(third.watermark(9))).toBe('+I 10 a 4 NULL\n+I 10 d 4 NULL');
  });

  it('refuses retractions, which an insert-only input never sends', () => {
    const t = windowTop(1);
    expect(() => t.push(0, parseChunk('-D 10 a 4'))).toThrow(InternalError);
  });

  it('continues from its encoded state', () => {
    const state = new RecordingStateProvider();
    const a = windowTop(2, true, state);
    a.push(0, parseChunk('+I 10 s1 4\n+I 10 s2 6\n+I 20 s3 1'));
    const restored = restoredProvider(state);
    const b = windowTop(2, true, restored);
    expect(restored.unclaimed()).toEqual([]);
    const more = parseChunk('+I 10 s4 7');
    expect(text(b.push(0, more))).toBe(text(a.push(0, more)));
    expect(text(b.watermark(25))).toBe(text(a.watermark(25)));
    expect(text(b.watermark(25))).toBe('');
    expect(text(a.watermark(25))).toBe('');
  });
});
