/**
 * Keyed operator state (ARCHITECTURE decision 5).
 *
 * A state table maps order-preserving encoded keys (src/values/key-codec.ts,
 * compared bytewise as LevelDB does) to values. Reads and writes are
 * synchronous: operators run synchronously per chunk, so the persistent
 * implementation serves reads from its in-memory cache (loaded on restore,
 * or prefetched by the runtime before a chunk is pushed) and records the keys
 * written since the last checkpoint; `checkpoint` hands those to the store
 * as one batch. Values are owned by the table: an operator that mutates a
 * value it got from `get` must `put` it again so the write is tracked.
 *
 * MemoryStateTable is the in-memory implementation: a hash index over the key
 * bytes for point access, and a sorted list of entries built at the first scan
 * and kept up to date from then on (tables only used by key never pay for it).
 */
import { compareKeys } from '../values/key-codec.ts';

export interface KeyRange {
  /** Inclusive lower bound. */
  readonly gte?: Uint8Array;
  /** Exclusive upper bound. */
  readonly lt?: Uint8Array;
}

export interface StateTable<V> {
  get(key: Uint8Array): V | undefined;
  put(key: Uint8Array, value: V): void;
  delete(key: Uint8Array): void;
  /** Entries with keys in `range`, in ascending key order. The table must not change during the scan. */
  scan(range?: KeyRange): IterableIterator<[Uint8Array, V]>;
  readonly size: number;
}

/** Keys that share `prefix`: [prefix, prefix + 1). */
export function prefixRange(prefix: Uint8Array): KeyRange {
  const end = prefix.slice();
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i]! < 0xff) {
      end[i]!++;
      return { gte: prefix, lt: end.subarray(0, i + 1) };
    }
  }
  return { gte: prefix };
}

/** Concatenates encoded keys (each encoding is self-delimiting, so the result stays order-preserving). */
export function concatKeys(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function hashBytes(k: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k[i]!, 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Index of the first slot whose key is >= `key`. */
function lowerBound<V>(sorted: readonly Slot<V>[], key: Uint8Array): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(sorted[mid]!.key, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

interface Slot<V> {
  readonly key: Uint8Array;
  value: V;
}

export class MemoryStateTable<V> implements StateTable<V> {
  readonly #buckets = new Map<number, Slot<V> | Slot<V>[]>();
  #size = 0;
  /** Live slots in key order, once a scan asked for it; null before. */
  #sorted: Slot<V>[] | null = null;

  get size(): number {
    return this.#size;
  }

  get(key: Uint8Array): V | undefined {
    return this.#find(key, hashBytes(key))?.value;
  }

  put(key: Uint8Array, value: V): void {
    const h = hashBytes(key);
    const slot = this.#find(key, h);
    if (slot !== undefined) {
      slot.value = value;
      return;
    }
    const fresh: Slot<V> = { key: key.slice(), value };
    const b = this.#buckets.get(h);
    if (b === undefined) this.#buckets.set(h, fresh);
    else if (Array.isArray(b)) b.push(fresh);
    else this.#buckets.set(h, [b, fresh]);
    this.#size++;
    const sorted = this.#sorted;
    if (sorted !== null) sorted.splice(lowerBound(sorted, key), 0, fresh);
  }

  delete(key: Uint8Array): void {
    const h = hashBytes(key);
    const b = this.#buckets.get(h);
    if (b === undefined) return;
    if (!Array.isArray(b)) {
      if (!sameBytes(b.key, key)) return;
      this.#buckets.delete(h);
    } else {
      const i = b.findIndex((s) => sameBytes(s.key, key));
      if (i < 0) return;
      b.splice(i, 1);
      if (b.length === 1) this.#buckets.set(h, b[0]!);
    }
    this.#size--;
    const sorted = this.#sorted;
    if (sorted !== null) sorted.splice(lowerBound(sorted, key), 1);
  }

  *scan(range: KeyRange = {}): IterableIterator<[Uint8Array, V]> {
    const sorted = this.#order();
    let i = range.gte === undefined ? 0 : lowerBound(sorted, range.gte);
    for (; i < sorted.length; i++) {
      const s = sorted[i]!;
      if (range.lt !== undefined && compareKeys(s.key, range.lt) >= 0) return;
      yield [s.key, s.value];
    }
  }

  #find(key: Uint8Array, h: number): Slot<V> | undefined {
    const b = this.#buckets.get(h);
    if (b === undefined) return undefined;
    if (!Array.isArray(b)) return sameBytes(b.key, key) ? b : undefined;
    for (let i = 0; i < b.length; i++) if (sameBytes(b[i]!.key, key)) return b[i];
    return undefined;
  }

  #order(): Slot<V>[] {
    if (this.#sorted !== null) return this.#sorted;
    const all: Slot<V>[] = [];
    for (const b of this.#buckets.values()) {
      if (Array.isArray(b)) all.push(...b);
      else all.push(b);
    }
    all.sort((a, b) => compareKeys(a.key, b.key));
    this.#sorted = all;
    return all;
  }
}
