import { describe, expect, it } from 'vitest';
import { BIGINT, INT, STRING, type Row } from '../../catalog/types.ts';
import { formatChunk, insertChunk, type Chunk } from '../dataflow/chunk.ts';
import type { AggregateNode, JoinNode, LimitNode, LogicalPlan, SortNode, ValuesNode } from '../planner/logical-plan.ts';
import { col, desc, lit, MemorySource, schemaOf, testEnv } from '../compiler/plan.test-helpers.ts';
import { compileStream, type CompiledStream } from './stream-compiler.ts';
import type { Port } from './dataflow.ts';
import type { StreamInputs } from './stream-sources.ts';
import type { StateProvider } from './state-provider.ts';
import { RecordingStateProvider, restoredProvider } from './state-restore.test-helpers.ts';

const env = testEnv(new MemorySource({}));
const values = (n: number): ValuesNode => ({ kind: 'values', rows: [], schema: schemaOf(n === 2 ? [INT, STRING] : [INT]) });
const noInputs = {} as StreamInputs;

// SELECT l.c0, count(*) FROM (VALUES ...) l JOIN (VALUES ...) r ON l.c0 = r.c0 GROUP BY l.c0 ORDER BY 2 DESC LIMIT 2
const join: JoinNode = { kind: 'join', joinType: 'LEFT', left: values(2), right: values(1), equiKeys: [{ left: col(0), right: col(0) }], schema: schemaOf([INT, STRING, INT]) };
const agg = {
  kind: 'aggregate',
  input: join,
  groupKeys: [col(0)],
  aggregates: [{ fn: 'count_star', args: [], distinct: false, orderBy: [], type: BIGINT }, { fn: 'count', args: [col(1, STRING)], distinct: true, orderBy: [], type: BIGINT }],
  schema: schemaOf([INT, BIGINT, BIGINT]),
} as unknown as AggregateNode;
const sort: SortNode = { kind: 'sort', input: agg, keys: [desc(col(1, BIGINT))], schema: agg.schema };
const topN: LimitNode = { kind: 'limit', input: sort, limit: lit(2), schema: agg.schema };

/** Compiles `plan` over `state`; returns the compiled stream and the output lines it gathers. */
function compile(plan: LogicalPlan, state: StateProvider, finish = () => {}): { compiled: CompiledStream; out: string[] } {
  const out: string[] = [];
  const sink: Port = {
    chunk: (c: Chunk) => void out.push(formatChunk(c)),
    watermark: () => {},
    end: () => {},
    idle: () => {},
    barrier: () => {},
  };
  return { compiled: compileStream(plan, env, noInputs, sink, { storedReading: 'snapshot', emptyInputRow: false, finish, state }), out };
}

describe('compileStream state', () => {
  it('names every table `${ordinal}.${role}`, the same on every compile of the plan', () => {
    const first = new RecordingStateProvider();
    compile(topN, first);
    const names = [...first.tables.keys()];
    expect(names).toEqual(['0.directory', '0.pages', '1.groups', '1.distinct', '2.left', '2.right']);
    const second = new RecordingStateProvider();
    compile(topN, second);
    expect([...second.tables.keys()]).toEqual(names);
  });

  it('a dataflow compiled again over restored tables continues where the first one stopped', () => {
    const feed = (compiled: CompiledStream, side: number, rows: Row[]) => compiled.sources[side]!.port.chunk(insertChunk(rows));
    const state = new RecordingStateProvider();
    const a = compile(topN, state);
    feed(a.compiled, 0, [[1, 'x'], [2, 'y'], [2, 'z'], [3, 'x']]);
    feed(a.compiled, 1, [[2], [3]]);
    const restored = restoredProvider(state);
    const b = compile(topN, restored);
    expect(restored.unclaimed()).toEqual([]);
    feed(b.compiled, 1, [[3], [3]]);
    feed(a.compiled, 1, [[3], [3]]);
    expect(b.out.join('\n')).toBe(a.out.slice(-b.out.length).join('\n'));
    expect(b.out.join('\n')).toContain('3 3 1');
  });

  it('LIMIT keeps how far it got in its table', async () => {
    // SELECT * FROM (VALUES ...) LIMIT 3 OFFSET 1
    const limit: LimitNode = { kind: 'limit', input: values(1), limit: lit(3), offset: lit(1), schema: schemaOf([INT]) };
    const state = new RecordingStateProvider();
    const a = compile(limit, state);
    expect([...state.tables.keys()]).toEqual(['0.limit']);
    a.compiled.sources[0]!.port.chunk(insertChunk([[1], [2]]));
    expect(a.out).toEqual(['+I 2']);
    let finished = false;
    const b = compile(limit, restoredProvider(state), () => {
      finished = true;
    });
    b.compiled.sources[0]!.port.chunk(insertChunk([[3], [4], [5]]));
    expect(b.out).toEqual(['+I 3\n+I 4']);
    await Promise.resolve();
    expect(finished).toBe(true);
  });
});
