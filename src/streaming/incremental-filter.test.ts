import { describe, expect, it } from 'vitest';
import { formatChunk, parseChunk } from '../dataflow/chunk.ts';
import { col, gt, lit, testEnv, MemorySource } from '../compiler/plan.test-helpers.ts';
import type { FilterNode } from '../planner/logical-plan.ts';
import { IncrementalFilter, incrementalFilterOf } from './incremental-filter.ts';

const positive = new IncrementalFilter((r) => (r[0] === null ? null : (r[0] as number) > 0));
const run = (f: IncrementalFilter, text: string) => f.push(0, parseChunk(text)).map(formatChunk).join('\n');

describe('IncrementalFilter', () => {
  it('keeps +I and -D rows that pass, drops FALSE and NULL', () => {
    expect(run(positive, '+I 1\n+I -1\n+I NULL\n-D 2\n-D 0')).toBe('+I 1\n-D 2');
  });

  it('keeps insert-only chunks insert-only', () => {
    const out = positive.push(0, parseChunk('+I 3\n+I -3'));
    expect(out[0]!.kinds).toBeNull();
  });

  it('turns update pairs into -D or +I when the predicate flips', () => {
    expect(run(positive, '-U 1\n+U 2')).toBe('-U 1\n+U 2');
    expect(run(positive, '-U 1\n+U -2')).toBe('-D 1');
    expect(run(positive, '-U -1\n+U 2')).toBe('+I 2');
    expect(run(positive, '-U -1\n+U -2')).toBe('');
    expect(run(positive, '-U NULL\n+U 5\n-U 5\n+U NULL')).toBe('+I 5\n-D 5');
  });

  it('reads a lone -U as -D and a lone +U as +I', () => {
    expect(run(positive, '+I 1\n-U 4')).toBe('+I 1\n-D 4');
    expect(run(positive, '+U 4\n+I 1')).toBe('+I 4\n+I 1');
  });

  it('emits nothing from a chunk whose predicate fails, and nothing of it later', () => {
    const f = new IncrementalFilter((r) => {
      if (r[0] === 0) throw new Error('division by zero');
      return true;
    });
    expect(() => f.push(0, parseChunk('+I 1\n+I 0'))).toThrow(/division/);
    expect(run(f, '+I 2')).toBe('+I 2');
  });

  it('compiles from a plan node', () => {
    const node = { kind: 'filter', predicate: gt(col(0), lit(10)) } as unknown as FilterNode;
    const f = incrementalFilterOf(node, testEnv(new MemorySource({})));
    expect(run(f, '+I 11\n+I 10\n-U 12\n+U 9')).toBe('+I 11\n-D 12');
  });
});
