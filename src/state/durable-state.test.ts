import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InternalError } from '../errors.ts';
import { Store } from '../storage/store.ts';
import type { StateCodec } from './state-codec.ts';
import { stateValueCodec, type StateValue } from './state-codec.ts';
import { DurableState, RecordingStateProvider } from './durable-state.ts';
import type { OverwrittenValue } from './level-state-table.ts';
import { StateMemoryBudget } from './memory-budget.ts';

let dir: string;
let store: Store;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'millrace-durable-'));
  store = await Store.open(dir);
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const key = (s: string): Uint8Array => new TextEncoder().encode(s);

function declare(p: RecordingStateProvider | DurableState): void {
  p.table('points', stateValueCodec, { pointOnly: true });
  p.table('ordered', stateValueCodec);
}

async function load(recording: RecordingStateProvider): Promise<DurableState> {
  return DurableState.load(store, 9, recording.tables as ReadonlyMap<string, StateCodec<unknown>>, new StateMemoryBudget(1 << 20), recording.options);
}

describe('DurableState with point-only tables', () => {
  it('records the options, restores point-only tables lazily and reports what each checkpoint overwrites', async () => {
    const recording = new RecordingStateProvider();
    declare(recording);
    expect(recording.options.get('points')).toEqual({ pointOnly: true });
    expect(recording.options.has('ordered')).toBe(false);

    const first = await load(recording);
    const points = first.table<StateValue>('points', stateValueCodec, { pointOnly: true });
    const ordered = first.table<StateValue>('ordered', stateValueCodec);
    points.put(key('p'), 1);
    ordered.put(key('o'), 2);
    const overwritten: OverwrittenValue[] = [];
    const ops = first.takeCheckpoint(overwritten);
    expect(ops.length).toBe(2);
    // Both tables were empty at the load: a new key is known to be absent.
    expect(overwritten).toEqual([null, null]);
    await store.write(ops);
    first.committed();
    first.close();

    const second = await load(recording);
    const p2 = second.table<StateValue>('points', stateValueCodec, { pointOnly: true });
    const o2 = second.table<StateValue>('ordered', stateValueCodec);
    expect(() => [...p2.scan()]).toThrow(InternalError);
    expect(p2.get(key('p'))).toBe(1);
    expect([...o2.scan()].map(([, v]) => v)).toEqual([2]);
    expect(o2.size).toBe(1);
    // A point-only table that holds keys: a blind write's old value is unknown (the undo reads it).
    p2.put(key('q'), 3);
    const again: OverwrittenValue[] = [];
    expect(second.takeCheckpoint(again).length).toBe(1);
    expect(again).toEqual([undefined]);
    second.close();

    const third = await load(recording);
    expect(() => third.table('points', stateValueCodec)).toThrow(InternalError);
  });
});
