/**
 * Key groups (ARCHITECTURE decision 8).
 *
 * A keyed operator's key space is split into KEY_GROUPS key groups: a key's
 * group is a stable hash of its partition key (the key-codec encoding of the
 * columns rows are routed by: group keys, join keys, PARTITION BY columns).
 * Every state key of a keyed operator starts with one byte, its key group
 * (`inKeyGroup`), so the state of a key group is one contiguous key range.
 *
 * An operator instance owns a contiguous range of key groups
 * (`keyGroupRangeOf`, the same split as Flink's): it only ever reads or
 * writes keys of its own groups, and what it scans ("every open window",
 * "every timer before the watermark") it scans per owned key group
 * (`scanKeyGroups`). Rows reach the instance that owns their key group (see
 * parallel-operator.ts), so a job can run as several instances, and when the
 * parallelism changes each new instance takes over whole key groups of the
 * old state: nothing is rehashed.
 *
 * The number of key groups is the largest parallelism a job can ever have
 * and is part of the persisted state's layout: it never changes.
 */
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { InternalError } from '../errors.ts';
import { encodeKey } from '../values/key-codec.ts';
import type { KeyRange, StateTable } from './state-table.ts';

/** Key groups per keyed operator, and so the largest parallelism (Flink's default max parallelism). */
export const KEY_GROUPS = 128;

/** Key groups `first`..`last`, both inclusive. */
export interface KeyGroupRange {
  readonly first: number;
  readonly last: number;
}

/** Every key group: what a single instance owns. */
export const ALL_KEY_GROUPS: KeyGroupRange = { first: 0, last: KEY_GROUPS - 1 };

/**
 * The key group of an encoded partition key: FNV-1a over its bytes, mixed
 * with murmur3's finalizer so that keys differing in one byte spread over
 * all groups. Persisted through the state layout: never change it.
 */
export function keyGroupOf(partitionKey: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < partitionKey.length; i++) h = Math.imul(h ^ partitionKey[i]!, 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % KEY_GROUPS;
}

/**
 * Computes the key group of rows from some of their columns: the key group of
 * their key-codec encoding under `types` (the same bytes a keyed operator
 * encodes for that key, so both agree on the group).
 */
export class KeyGroupSelector {
  readonly #columns: readonly number[];
  readonly #types: readonly SqlType[];
  readonly #values: Value[];

  constructor(columns: readonly number[], types: readonly SqlType[]) {
    if (columns.length !== types.length) throw new InternalError('key group selector: columns and types differ in length');
    this.#columns = columns;
    this.#types = types;
    this.#values = new Array<Value>(columns.length).fill(null);
  }

  of(row: Row): number {
    const columns = this.#columns;
    const values = this.#values;
    for (let i = 0; i < columns.length; i++) values[i] = row[columns[i]!] ?? null;
    return keyGroupOf(encodeKey(values, this.#types));
  }
}

/** The key groups instance `index` of `parallelism` instances owns (contiguous, as even as possible). */
export function keyGroupRangeOf(index: number, parallelism: number): KeyGroupRange {
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > KEY_GROUPS) {
    throw new InternalError(`parallelism ${parallelism} outside 1..${KEY_GROUPS}`);
  }
  if (!Number.isInteger(index) || index < 0 || index >= parallelism) throw new InternalError(`instance ${index} of ${parallelism}`);
  return {
    first: Math.floor((index * KEY_GROUPS + parallelism - 1) / parallelism),
    last: Math.floor(((index + 1) * KEY_GROUPS - 1) / parallelism),
  };
}

/** The instance (of `parallelism`) that owns `keyGroup`; the inverse of keyGroupRangeOf. */
export function instanceOfKeyGroup(keyGroup: number, parallelism: number): number {
  return Math.floor((keyGroup * parallelism) / KEY_GROUPS);
}

export function ownsKeyGroup(range: KeyGroupRange, keyGroup: number): boolean {
  return keyGroup >= range.first && keyGroup <= range.last;
}

/** `key` inside key group `keyGroup`: the group's byte, then the key. */
export function inKeyGroup(keyGroup: number, key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out[0] = keyGroup;
  out.set(key, 1);
  return out;
}

/** The key group of a state key built by inKeyGroup. */
export function keyGroupOfStateKey(stateKey: Uint8Array): number {
  return stateKey[0]!;
}

/** A state key built by inKeyGroup without its key group (a view, not a copy). */
export function withoutKeyGroup(stateKey: Uint8Array): Uint8Array {
  return stateKey.subarray(1);
}

/** `range` (over keys without their key group) moved into key group `keyGroup`. */
export function keyGroupRange(keyGroup: number, range: KeyRange = {}): KeyRange {
  return {
    gte: range.gte === undefined ? Uint8Array.of(keyGroup) : inKeyGroup(keyGroup, range.gte),
    lt: range.lt === undefined ? Uint8Array.of(keyGroup + 1) : inKeyGroup(keyGroup, range.lt),
  };
}

/**
 * The entries of `table` in the key groups of `groups` whose keys (without
 * their key group) lie in `range`: key group by key group, each in key order.
 * Yields [key group, key without its group, value]. The table must not
 * change during the scan.
 */
export function* scanKeyGroups<V>(table: StateTable<V>, groups: KeyGroupRange, range?: KeyRange): IterableIterator<[number, Uint8Array, V]> {
  for (let g = groups.first; g <= groups.last; g++) {
    for (const [key, value] of table.scan(keyGroupRange(g, range))) yield [g, withoutKeyGroup(key), value];
  }
}
