/**
 * A keyed operator run as several instances (ARCHITECTURE decision 8).
 *
 * Instance i of n owns the key groups keyGroupRangeOf(i, n); each row is
 * handed to the instance that owns its key group (the hash exchange of a
 * parallel job), every watermark to every instance. The instances share their
 * state tables (one logical table per role, each instance touching only keys
 * of its own groups), so the same state serves any parallelism: a job
 * checkpointed with n instances resumes with m, each new instance taking over
 * whole key groups.
 *
 * Today the instances run in turn on one thread; the routing, the state
 * layout and the per-instance watermark handling are those of instances on
 * separate threads.
 */
import type { Row } from '../../catalog/types.ts';
import type { Chunk } from '../dataflow/chunk.ts';
import { InternalError } from '../errors.ts';
import type { StateCodec } from '../state/state-codec.ts';
import type { IncrementalOperator } from './changelog.ts';
import { instanceOfKeyGroup, KEY_GROUPS, keyGroupRangeOf, type KeyGroupRange } from './key-groups.ts';
import type { StateProvider, StateTableOptions } from './state-provider.ts';
import type { StateTable } from './state-table.ts';

/** An operator whose rows are partitioned by key: the ones parallel instances can run. */
export interface KeyedOperator extends IncrementalOperator {
  /** The key group of `row` arriving on `input`: the group its state lives in. */
  keyGroupOf(input: number, row: Row): number;
}

export class ParallelOperator implements IncrementalOperator {
  readonly #instances: readonly KeyedOperator[];
  readonly watermarkDelay: number;
  /** Per instance: the rows and kinds of the chunk being split. */
  readonly #rows: Row[][];
  readonly #kinds: number[][];

  /** `instances[i]` must own keyGroupRangeOf(i, instances.length). */
  constructor(instances: readonly KeyedOperator[]) {
    if (instances.length < 1 || instances.length > KEY_GROUPS) throw new InternalError(`parallel operator with ${instances.length} instances`);
    this.#instances = instances;
    this.watermarkDelay = instances[0]!.watermarkDelay ?? 0;
    this.#rows = instances.map(() => []);
    this.#kinds = instances.map(() => []);
  }

  get parallelism(): number {
    return this.#instances.length;
  }

  /** Late rows dropped by all instances (for operators that count them). */
  get lateRows(): number {
    let n = 0;
    for (const instance of this.#instances) n += (instance as { readonly lateRows?: number }).lateRows ?? 0;
    return n;
  }

  push(input: number, chunk: Chunk): Chunk[] {
    const instances = this.#instances;
    const n = instances.length;
    const route = instances[0]!;
    const rows = chunk.rows;
    const kinds = chunk.kinds;
    for (let i = 0; i < rows.length; i++) {
      const target = instanceOfKeyGroup(route.keyGroupOf(input, rows[i]!), n);
      this.#rows[target]!.push(rows[i]!);
      if (kinds !== null) this.#kinds[target]!.push(kinds[i]!);
    }
    const out: Chunk[] = [];
    for (let t = 0; t < n; t++) {
      const part = this.#rows[t]!;
      if (part.length === 0) continue;
      const partKinds = this.#kinds[t]!;
      this.#rows[t] = [];
      this.#kinds[t] = [];
      const sub: Chunk = { rows: part, kinds: kinds === null ? null : Uint8Array.from(partKinds) };
      for (const c of instances[t]!.push(input, sub)) out.push(c);
    }
    return out;
  }

  watermark(wm: number): Chunk[] {
    const out: Chunk[] = [];
    for (const instance of this.#instances) {
      if (instance.watermark === undefined) continue;
      for (const c of instance.watermark(wm)) out.push(c);
    }
    return out;
  }
}

/**
 * The providers of `parallelism` instances over `state`: instance i owns
 * keyGroupRangeOf(i, parallelism), and a table asked for by several instances
 * is created once (`wrap`, if given, wraps each instance's view of it).
 */
export function instanceStateProviders(
  parallelism: number,
  state: StateProvider,
  wrap: <V>(table: StateTable<V>, owned: KeyGroupRange, name: string) => StateTable<V> = (table) => table,
): StateProvider[] {
  const shared = new Map<string, StateTable<unknown>>();
  const providers: StateProvider[] = [];
  for (let i = 0; i < parallelism; i++) {
    const keyGroups = keyGroupRangeOf(i, parallelism);
    providers.push({
      keyGroups,
      table<V>(name: string, codec: StateCodec<V>, options?: StateTableOptions): StateTable<V> {
        let table = shared.get(name);
        if (table === undefined) {
          table = state.table(name, codec, options) as StateTable<unknown>;
          shared.set(name, table);
        }
        return wrap(table as StateTable<V>, keyGroups, name);
      },
    });
  }
  return providers;
}

/**
 * Builds `parallelism` instances of a keyed operator over `state`: `build`
 * gets each instance's provider (its key groups; tables shared by name) and
 * returns the instance.
 */
export function parallelOperatorOf(parallelism: number, state: StateProvider, build: (state: StateProvider) => KeyedOperator): ParallelOperator {
  return new ParallelOperator(instanceStateProviders(parallelism, state).map(build));
}
