import { describe, expect, it } from 'vitest';
import { formatChunk, parseChunk } from '../dataflow/chunk.ts';
import { add, col, lit, testEnv, MemorySource } from '../compiler/plan.test-helpers.ts';
import type { ProjectNode } from '../planner/logical-plan.ts';
import { IncrementalProject, incrementalProjectOf } from './incremental-project.ts';

describe('IncrementalProject', () => {
  it('maps every row and passes kinds through, pairs included', () => {
    const p = new IncrementalProject([(r) => r[1]!, (r) => (r[0] as number) * 10]);
    const out = p.push(0, parseChunk('+I 1 a\n-U 2 b\n+U 3 b\n-D 4 c'));
    expect(out.map(formatChunk).join('\n')).toBe('+I a 10\n-U b 20\n+U b 30\n-D c 40');
  });

  it('keeps a key-changing update as an adjacent -U/+U pair (retract reading)', () => {
    const p = new IncrementalProject([(r) => r[1]!]);
    expect(p.push(0, parseChunk('-U 1 x\n+U 1 y')).map(formatChunk)).toEqual(['-U x\n+U y']);
  });

  it('compiles from a plan node and keeps insert-only chunks untagged', () => {
    const node = { kind: 'project', exprs: [add(col(0), lit(1)), col(1)] } as unknown as ProjectNode;
    const p = incrementalProjectOf(node, testEnv(new MemorySource({})));
    const out = p.push(0, parseChunk('+I 1 a\n+I 2 b'));
    expect(out[0]!.kinds).toBeNull();
    expect(formatChunk(out[0]!)).toBe('+I 2 a\n+I 3 b');
  });
});
