/**
 * Checks that a keyed operator runs correctly as parallel instances and
 * across a change of parallelism (ARCHITECTURE decision 8): the same steps run
 * on one instance, and on `before` instances up to step `split`, then on
 * `after` instances over the same state (copied through the codecs, as a
 * restart does). Each instance's tables are guarded: a key outside the
 * instance's key groups, or a scan not confined to them, is recorded as a
 * violation.
 */
import { expect } from 'vitest';
import type { Chunk } from '../dataflow/chunk.ts';
import { kindAt, kindText, type IncrementalOperator } from './changelog.ts';
import { MAX_WATERMARK } from './dataflow.ts';
import type { KeyGroupRange } from './key-groups.ts';
import { instanceStateProviders, ParallelOperator, type KeyedOperator } from './parallel-operator.ts';
import { RecordingStateProvider, restoredProvider, type Step } from './state-restore.test-helpers.ts';
import type { StateProvider } from './state-provider.ts';
import type { KeyRange, StateTable } from './state-table.ts';

export interface RescaledRun {
  /** Per step (and the final watermark): the sorted output lines of one instance. */
  readonly single: string[][];
  /** The same for the parallel run with its change of parallelism. */
  readonly parallel: string[][];
  /** Accesses outside an instance's key groups (must be none). */
  readonly violations: string[];
  /** Entries in the parallel run's tables at the rescale (so a test can see state was there). */
  readonly entries: number;
}

function lines(chunks: readonly Chunk[]): string[] {
  const out: string[] = [];
  for (const c of chunks) {
    for (let i = 0; i < c.rows.length; i++) {
      const cells = JSON.stringify(c.rows[i], (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `\\x${Buffer.from(v).toString('hex')}` : v));
      out.push(`${kindText(kindAt(c, i))} ${cells}`);
    }
  }
  return out.sort();
}

function runStep(op: IncrementalOperator, s: Step): string[] {
  if ('watermark' in s) return lines(op.watermark?.(s.watermark) ?? []);
  return lines(op.push(s.input, { rows: s.chunk.rows.map((r) => r.slice()), kinds: s.chunk.kinds }));
}

function within(range: KeyGroupRange, key: Uint8Array): boolean {
  return key.length > 0 && key[0]! >= range.first && key[0]! <= range.last;
}

function guarded<V>(table: StateTable<V>, owned: KeyGroupRange, name: string, violations: string[]): StateTable<V> {
  const check = (what: string, key: Uint8Array): void => {
    if (!within(owned, key)) violations.push(`${name}: ${what} of a key in group ${key[0]} by the instance owning ${owned.first}..${owned.last}`);
  };
  return {
    get: (key) => (check('get', key), table.get(key)),
    put: (key, value) => (check('put', key), table.put(key, value)),
    delete: (key) => (check('delete', key), table.delete(key)),
    scan: (range: KeyRange = {}) => {
      const low = range.gte;
      const high = range.lt;
      const confined = low !== undefined && low.length > 0 && low[0]! >= owned.first && high !== undefined && high.length > 0 && (high[0]! <= owned.last || (high[0] === owned.last + 1 && high.length === 1));
      if (!confined) violations.push(`${name}: scan not confined to key groups ${owned.first}..${owned.last}`);
      return table.scan(range);
    },
    get size() {
      violations.push(`${name}: size of a table shared by instances`);
      return table.size;
    },
  };
}

/** `n` instances over `state`'s tables (shared by name), each guarded to its key groups. */
function instancesOver(state: StateProvider, n: number, build: (state: StateProvider) => KeyedOperator, violations: string[]): ParallelOperator {
  const providers = instanceStateProviders(n, state, (table, owned, name) => guarded(table, owned, name, violations));
  return new ParallelOperator(providers.map(build));
}

/**
 * `op` with every row routed to key group 0 and its errors swallowed: a
 * wrongly routed operator, for tests that the guard of runRescaled sees it
 * (wrongly routed instances also break each other's state; what they throw
 * is not the point).
 */
export function misrouted(op: IncrementalOperator): KeyedOperator {
  const quiet = (f: () => Chunk[]): Chunk[] => {
    try {
      return f();
    } catch {
      return [];
    }
  };
  return { push: (i, c) => quiet(() => op.push(i, c)), watermark: (wm) => quiet(() => op.watermark?.(wm) ?? []), keyGroupOf: () => 0 };
}

/**
 * Runs `steps` (then the final watermark) on one instance, and on `before`
 * instances then `after` instances from step `split` on (state copied
 * through the codecs, the last watermark replayed as a restart does).
 */
export function runRescaled(build: (state: StateProvider) => KeyedOperator, steps: readonly Step[], split: number, before: number, after: number): RescaledRun {
  const all: Step[] = [...steps, { watermark: MAX_WATERMARK }];
  const one = build(new RecordingStateProvider());
  const single = all.map((s) => runStep(one, s));

  const violations: string[] = [];
  const state = new RecordingStateProvider();
  const first = instancesOver(state, before, build, violations);
  const parallel: string[][] = [];
  for (const s of all.slice(0, split)) parallel.push(runStep(first, s));
  let entries = 0;
  for (const { table } of state.tables.values()) entries += table.size;
  const second = instancesOver(restoredProvider(state), after, build, violations);
  let lastWatermark: number | undefined;
  for (const s of all.slice(0, split)) if ('watermark' in s) lastWatermark = s.watermark;
  if (lastWatermark !== undefined) {
    const replayed = runStep(second, { watermark: lastWatermark });
    if (replayed.length > 0) violations.push(`replayed watermark emitted ${replayed.length} rows`);
  }
  for (const s of all.slice(split)) parallel.push(runStep(second, s));
  return { single, parallel, violations, entries };
}

/** Asserts the usual expectations of runRescaled: same output step by step, no violation, state present. */
export function expectRescaledEqual(run: RescaledRun): void {
  expect(run.violations).toEqual([]);
  expect(run.entries).toBeGreaterThan(0);
  expect(run.parallel).toEqual(run.single);
}

