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
 * value it got from `get` must `put` it again so the write is tracked. Keys
 * are not: `put` copies the key it keeps, so callers may reuse a key buffer.
 *
 * MemoryStateTable is the in-memory implementation: an open-addressing hash
 * index over the key bytes for point access, and a sorted list of entries built at the first scan
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

/** FNV-1a over the key bytes, folded to 30 bits (a small integer for V8, never 0 after `| 1`). */
function hashBytes(k: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < k.length; i++) h = Math.imul(h ^ k[i]!, 0x01000193);
  return ((h ^ (h >>> 30)) & 0x3fffffff) | 1;
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

const INITIAL_CAPACITY = 16;

/**
 * The point index is an open-addressing hash table with linear probing:
 * `#hashes[i]` is the (non-zero) hash of the key in `#slots[i]`, 0 for an
 * empty position; deletion shifts the following run back (no tombstones).
 * It stays at most half full.
 */
export class MemoryStateTable<V> implements StateTable<V> {
  #hashes = new Int32Array(INITIAL_CAPACITY);
  #slots: (Slot<V> | undefined)[] = new Array<Slot<V> | undefined>(INITIAL_CAPACITY).fill(undefined);
  #size = 0;
  /** Live slots in key order, once a scan asked for it; null before. */
  #sorted: Slot<V>[] | null = null;

  get size(): number {
    return this.#size;
  }

  get(key: Uint8Array): V | undefined {
    const i = this.#position(key, hashBytes(key));
    return i < 0 ? undefined : this.#slots[i]!.value;
  }

  put(key: Uint8Array, value: V): void {
    const h = hashBytes(key);
    const i = this.#position(key, h);
    if (i >= 0) {
      this.#slots[i]!.value = value;
      return;
    }
    if ((this.#size + 1) * 2 > this.#hashes.length) this.#grow();
    const fresh: Slot<V> = { key: key.slice(), value };
    this.#insert(fresh, h);
    this.#size++;
    const sorted = this.#sorted;
    if (sorted !== null) sorted.splice(lowerBound(sorted, key), 0, fresh);
  }

  delete(key: Uint8Array): void {
    const i = this.#position(key, hashBytes(key));
    if (i < 0) return;
    const hashes = this.#hashes;
    const slots = this.#slots;
    const mask = hashes.length - 1;
    let hole = i;
    hashes[hole] = 0;
    slots[hole] = undefined;
    for (let j = (hole + 1) & mask; hashes[j] !== 0; j = (j + 1) & mask) {
      const home = hashes[j]! & mask;
      // The entry at j may move into the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      hashes[hole] = hashes[j]!;
      slots[hole] = slots[j];
      hashes[j] = 0;
      slots[j] = undefined;
      hole = j;
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

  /** Every value, in no particular order (no sorted list is built). */
  *values(): IterableIterator<V> {
    const slots = this.#slots;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i];
      if (slot !== undefined) yield slot.value;
    }
  }

  /** The position holding `key` (hash `h`), or -1. */
  #position(key: Uint8Array, h: number): number {
    const hashes = this.#hashes;
    const mask = hashes.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const x = hashes[i]!;
      if (x === 0) return -1;
      if (x === h && sameBytes(this.#slots[i]!.key, key)) return i;
    }
  }

  #insert(slot: Slot<V>, h: number): void {
    const hashes = this.#hashes;
    const mask = hashes.length - 1;
    let i = h & mask;
    while (hashes[i] !== 0) i = (i + 1) & mask;
    hashes[i] = h;
    this.#slots[i] = slot;
  }

  #grow(): void {
    const oldHashes = this.#hashes;
    const oldSlots = this.#slots;
    const capacity = oldHashes.length * 2;
    this.#hashes = new Int32Array(capacity);
    this.#slots = new Array<Slot<V> | undefined>(capacity).fill(undefined);
    for (let i = 0; i < oldHashes.length; i++) if (oldHashes[i] !== 0) this.#insert(oldSlots[i]!, oldHashes[i]!);
  }

  #order(): Slot<V>[] {
    if (this.#sorted !== null) return this.#sorted;
    const all: Slot<V>[] = [];
    for (const s of this.#slots) if (s !== undefined) all.push(s);
    all.sort((a, b) => compareKeys(a.key, b.key));
    this.#sorted = all;
    return all;
  }
}
