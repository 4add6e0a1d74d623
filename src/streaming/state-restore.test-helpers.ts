/**
 * Checkpoint / restore in the operator tests: a provider that keeps the
 * tables it hands out by name, and the copy of all of them through their
 * codecs into fresh tables for a new operator (what a persistent provider
 * does across a restart).
 */
import type { StateCodec } from '../state/state-codec.ts';
import { MemoryStateTable, type StateTable } from './state-table.ts';
import type { StateProvider } from './state-provider.ts';
import type { Row } from '../../catalog/types.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import { changelogChunk, kindAt, kindText, type IncrementalOperator } from './changelog.ts';
import { MAX_WATERMARK } from './dataflow.ts';

interface Held {
  readonly table: MemoryStateTable<unknown>;
  readonly codec: StateCodec<unknown>;
}

/** An in-memory provider that remembers its tables by name (names must be unique). */
export class RecordingStateProvider implements StateProvider {
  readonly tables = new Map<string, Held>();

  table<V>(name: string, codec: StateCodec<V>): StateTable<V> {
    if (this.tables.has(name)) throw new Error(`state table ${name} requested twice`);
    const table = new MemoryStateTable<V>();
    this.tables.set(name, { table: table as MemoryStateTable<unknown>, codec: codec as StateCodec<unknown> });
    return table;
  }

  /** The table named `name` (for assertions on its contents). */
  get<V>(name: string): MemoryStateTable<V> {
    const held = this.tables.get(name);
    if (held === undefined) throw new Error(`no state table ${name}`);
    return held.table as MemoryStateTable<V>;
  }
}

/**
 * A provider whose tables hold the entries of `from`'s tables of the same
 * names, each value encoded by the old table's codec and decoded by the codec
 * the new operator asks with. Every table of `from` must be asked for.
 */
export function restoredProvider(from: RecordingStateProvider): RecordingStateProvider & { unclaimed(): string[] } {
  const claimed = new Set<string>();
  const provider = new RecordingStateProvider();
  const table = provider.table.bind(provider);
  return Object.assign(provider, {
    table<V>(name: string, codec: StateCodec<V>): StateTable<V> {
      const fresh = table(name, codec);
      const old = from.tables.get(name);
      if (old === undefined) return fresh;
      claimed.add(name);
      for (const [key, value] of old.table.scan()) fresh.put(key.slice(), codec.decode(old.codec.encode(value)));
      return fresh;
    },
    unclaimed: () => [...from.tables.keys()].filter((n) => !claimed.has(n)),
  });
}

/** One input event of a restore test: a chunk on an input, or a watermark. */
export type Step = { readonly input: number; readonly chunk: Chunk } | { readonly watermark: number };

/** The outputs of `runAcrossRestore`, as lines `+I [values]` (bigints marked). */
export interface RestoreRun {
  /** What an uninterrupted run emits from step `split` on (final watermark included). */
  readonly uninterrupted: string[];
  /** What an operator restored after step `split` - 1 emits from then on. */
  readonly restored: string[];
  /** What the restored operator emitted for the replayed watermark (must be nothing). */
  readonly replayed: string[];
  /** Tables of the first run the restored operator did not ask for (must be none). */
  readonly unclaimed: string[];
  /** Entries in the first run's tables at the restore (so a test can see state was there). */
  readonly entries: number;
}

function lines(chunks: readonly Chunk[], into: string[]): void {
  for (const c of chunks) {
    for (let i = 0; i < c.rows.length; i++) {
      const cells = JSON.stringify(c.rows[i], (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? `\\x${Buffer.from(v).toString('hex')}` : v));
      into.push(`${kindText(kindAt(c, i))} ${cells}`);
    }
  }
}

/** Runs `steps` on `op`, each chunk a copy (operators keep the rows they are given). */
function run(op: IncrementalOperator, steps: readonly Step[], into: string[]): void {
  for (const s of steps) {
    if ('watermark' in s) lines(op.watermark?.(s.watermark) ?? [], into);
    else lines(op.push(s.input, { rows: s.chunk.rows.map((r) => r.slice()), kinds: s.chunk.kinds }), into);
  }
}

/**
 * Runs `steps` on an operator built by `build` twice: uninterrupted, and with
 * a restore before step `split` (every table copied through its codec into
 * fresh tables, a new operator built over them, the last watermark replayed
 * as the runtime does); both end with the final watermark.
 */
export function runAcrossRestore(build: (state: StateProvider) => IncrementalOperator, steps: readonly Step[], split: number): RestoreRun {
  const final: Step = { watermark: MAX_WATERMARK };
  const first = build(new RecordingStateProvider());
  run(first, steps.slice(0, split), []);
  const uninterrupted: string[] = [];
  run(first, [...steps.slice(split), final], uninterrupted);

  const state = new RecordingStateProvider();
  const before = build(state);
  run(before, steps.slice(0, split), []);
  let entries = 0;
  for (const { table } of state.tables.values()) entries += table.size;
  const restoredState = restoredProvider(state);
  const after = build(restoredState);
  const replayed: string[] = [];
  let lastWatermark: number | undefined;
  for (const s of steps.slice(0, split)) if ('watermark' in s) lastWatermark = s.watermark;
  if (lastWatermark !== undefined) run(after, [{ watermark: lastWatermark }], replayed);
  const restored: string[] = [];
  run(after, [...steps.slice(split), final], restored);
  return { uninterrupted, restored, replayed, unclaimed: restoredState.unclaimed(), entries };
}

/**
 * A random retract changelog of `chunks` chunks (1..maxChunk changes each):
 * inserts of `fresh()` rows, deletes and update pairs of rows still present.
 */
export function randomChangelog(rnd: (n: number) => number, fresh: () => Row, chunks: number, maxChunk: number): Chunk[] {
  const live: Row[] = [];
  const out: Chunk[] = [];
  for (let c = 0; c < chunks; c++) {
    const rows: Row[] = [];
    const kinds: number[] = [];
    for (let n = 1 + rnd(maxChunk); n > 0; n--) {
      const action = live.length === 0 ? 0 : rnd(6);
      if (action <= 2) {
        const row = fresh();
        live.push(row);
        rows.push(row.slice());
        kinds.push(RowKind.INSERT);
        continue;
      }
      const old = live.splice(rnd(live.length), 1)[0]!;
      if (action === 3 || action === 4) {
        rows.push(old.slice());
        kinds.push(RowKind.DELETE);
        continue;
      }
      const row = fresh();
      live.push(row);
      rows.push(old.slice(), row.slice());
      kinds.push(RowKind.UPDATE_BEFORE, RowKind.UPDATE_AFTER);
    }
    out.push(changelogChunk(rows, kinds));
  }
  return out;
}
