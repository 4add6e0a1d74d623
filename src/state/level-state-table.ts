/**
 * A state table persisted in LevelDB (ARCHITECTURE decision 5).
 *
 * Contract:
 * - The table owns every LevelDB key that starts with `prefix`; its key `k`
 *   is stored at `prefix ++ k`, its value as `codec.encode(value)`.
 * - `load` restores what the last committed checkpoint wrote: every key goes
 *   into the in-memory index (so `size`, `get` of an absent key and `scan`
 *   never touch LevelDB); the values' bytes are kept, undecoded, while the
 *   shared budget has room.
 * - get/put/delete/scan are synchronous. A cached value is served from
 *   memory; an evicted one is read with `Store.getSync`, decoded and cached
 *   again. Only clean values (their latest version durable in LevelDB) are
 *   registered with the budget and can be evicted; a written value stays in
 *   memory until the checkpoint holding it has committed.
 * - `takeCheckpoint` returns put/del operations for every key written since
 *   the previous call (values encoded at that moment) and starts a new dirty
 *   set; the caller writes them in its atomic checkpoint batch, then calls
 *   `checkpointCommitted`. Checkpoints may overlap (a second takeCheckpoint
 *   before the first commit); commits are acknowledged in the order the
 *   checkpoints were taken. A value becomes evictable when the newest
 *   checkpoint that wrote it commits and it was not written again since.
 * - If a checkpoint batch fails, the table no longer knows what is durable:
 *   the caller discards it and loads it again (restore from the last commit).
 * - A table loaded `pointOnly` reads nothing at load: each key is read with
 *   `getSync` at its first `get` and cached (absences too); `scan`, `size`
 *   and `prefetchRange` throw InternalError (DESIGN-level-state.md).
 * - `takeCheckpoint(overwritten)` also tells, per operation, what it
 *   overwrites as far as the table knows (`OverwrittenValue`), for the
 *   checkpoint undo.
 *
 * State kept (DESIGN-level-state.md, "Restore"):
 * - the restored keys, packed: one byte buffer in key order, an offset array
 *   and a hash over them (`RestoredKeys`); no object per key;
 * - the restored values' bytes in blocks of about 1 MB (`ValueBlock`), each
 *   one node of the budget; a block's bytes of key i are current while key i
 *   has no entry object;
 * - one entry object (cached value or nothing, dirty flag, newest
 *   uncommitted checkpoint, LRU links owned by the budget) per restored key
 *   touched since the load (in a sparse array by index), and per key added
 *   since (in a MemoryStateTable: hash for point access, sorted order built
 *   at the first scan). A restored key stays a restored key when deleted (its
 *   entry flagged) and put again.
 */
import { InternalError } from '../errors.ts';
import { prefixRange } from '../storage/key-space.ts';
import type { Store, WriteOp } from '../storage/store.ts';
import { concatKeys, MemoryStateTable, type KeyRange, type StateTable } from '../streaming/state-table.ts';
import { bytesKey } from '../values/map-key.ts';
import { compareKeys } from '../values/key-codec.ts';
import { CacheNode, type StateMemoryBudget } from './memory-budget.ts';
import type { StateCodec } from './state-codec.ts';

class StateEntry<V> extends CacheNode {
  /** `prefix ++ key` (the LevelDB key) for an added key; null for a restored key (built when needed). */
  readonly storeKey: Uint8Array | null;
  /** Position among the restored keys; -1 for a key added since the load. */
  readonly restored: number;
  /** The value; undefined while evicted (only ever when clean) or deleted. */
  value: V | undefined;
  /** Written since the last takeCheckpoint (and listed in the table's dirty list). */
  dirty: boolean;
  /** Deleted from the table; its del operation is (or was) in a dirty list. */
  deleted: boolean;
  /** Sequence number of the newest uncommitted checkpoint that wrote this value; 0 when none. */
  pendingSeq: number;
  /** Encoded size of the value that checkpoint wrote. */
  pendingSize: number;
  /**
   * Whether the key is present in the state as of the newest checkpoint
   * taken (at load: the committed state): STORED, ABSENT or UNKNOWN (a
   * point-only table's key written without being read).
   */
  stored: Stored;
  /** The encoded bytes of that stored value when known (read from disk and not written since). */
  storedBytes: Uint8Array | undefined;
  /** A point-only table's hook: the entry leaves the table when evicted. */
  readonly forget: ((e: StateEntry<V>) => void) | null;

  constructor(storeKey: Uint8Array | null, restored: number, value: V | undefined, stored: Stored, forget: ((e: StateEntry<V>) => void) | null = null) {
    super();
    this.storeKey = storeKey;
    this.restored = restored;
    this.value = value;
    this.dirty = false;
    this.deleted = false;
    this.pendingSeq = 0;
    this.pendingSize = 0;
    this.stored = stored;
    this.storedBytes = undefined;
    this.forget = forget;
  }

  evict(): void {
    this.value = undefined;
    this.storedBytes = undefined;
    if (this.forget !== null) this.forget(this);
  }
}

const UNKNOWN = 0;
const STORED = 1;
const ABSENT = 2;
type Stored = typeof UNKNOWN | typeof STORED | typeof ABSENT;

/**
 * What a checkpoint's state operation overwrote, per operation of
 * `takeCheckpoint` (parallel array): null when the key was absent as of the
 * checkpoint before, its encoded bytes when the table still knows them,
 * undefined when unknown (read it from the store).
 */
export type OverwrittenValue = Uint8Array | null | undefined;

export interface LevelStateTableOptions {
  /**
   * The table is only used by key (get/put/delete; `scan` and `size` throw
   * InternalError): `load` reads nothing, and a key is read from LevelDB at
   * its first `get` (absent results are cached too).
   */
  readonly pointOnly?: boolean;
}

/** FNV-1a over bytes [from, to) of `b`, folded to 30 bits, never 0. */
function hashRange(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let i = from; i < to; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return ((h ^ (h >>> 30)) & 0x3fffffff) | 1;
}

/**
 * The keys `load` found, in key order, packed: key i is
 * `bytes[offsets[i], offsets[i + 1])` with hash `hashes[i]`. Point lookups go
 * through an open-addressing table (linear probing, at most half full) of
 * key indexes. Immutable: keys added later live in the table's
 * MemoryStateTable.
 */
class RestoredKeys {
  readonly bytes: Uint8Array;
  readonly offsets: Uint32Array;
  readonly hashes: Int32Array;
  readonly count: number;
  /** Key index + 1 per table position; 0 when empty. */
  readonly #slots: Int32Array;

  constructor(bytes: Uint8Array, offsets: Uint32Array, hashes: Int32Array, count: number) {
    this.bytes = bytes;
    this.offsets = offsets;
    this.hashes = hashes;
    this.count = count;
    let capacity = 16;
    while (capacity < count * 2) capacity *= 2;
    const slots = new Int32Array(capacity);
    const mask = capacity - 1;
    for (let i = 0; i < count; i++) {
      let p = hashes[i]! & mask;
      while (slots[p] !== 0) p = (p + 1) & mask;
      slots[p] = i + 1;
    }
    this.#slots = slots;
  }

  /** The index of `key`, or -1. */
  find(key: Uint8Array): number {
    const h = hashRange(key, 0, key.length);
    const slots = this.#slots;
    const hashes = this.hashes;
    const mask = slots.length - 1;
    for (let p = h & mask; ; p = (p + 1) & mask) {
      const s = slots[p]!;
      if (s === 0) return -1;
      if (hashes[s - 1] === h && this.#equals(s - 1, key)) return s - 1;
    }
  }

  /** Key i (a view of the packed bytes). */
  key(i: number): Uint8Array {
    return this.bytes.subarray(this.offsets[i]!, this.offsets[i + 1]!);
  }

  /** The first index whose key is >= `key` (`count` when none). */
  lowerBound(key: Uint8Array): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#compare(mid, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #equals(i: number, key: Uint8Array): boolean {
    const b = this.bytes;
    const from = this.offsets[i]!;
    const n = this.offsets[i + 1]! - from;
    if (n !== key.length) return false;
    for (let j = 0; j < n; j++) if (b[from + j] !== key[j]) return false;
    return true;
  }

  #compare(i: number, key: Uint8Array): number {
    const b = this.bytes;
    const from = this.offsets[i]!;
    const len = this.offsets[i + 1]! - from;
    const n = len < key.length ? len : key.length;
    for (let j = 0; j < n; j++) {
      const x = b[from + j]!;
      const y = key[j]!;
      if (x !== y) return x < y ? -1 : 1;
    }
    return len - key.length;
  }
}

/** Appends keys (without a common prefix) into one growing buffer, hashing them on the way, as RestoredKeys wants them. */
class KeyPacker {
  bytes = new Uint8Array(1 << 12);
  offsets = new Uint32Array(256);
  hashes = new Int32Array(256);
  count = 0;

  /** Appends `key` without its first `skip` bytes. */
  push(key: Uint8Array, skip: number): void {
    const count = this.count;
    if (count + 2 > this.offsets.length) {
      const offsets = new Uint32Array(this.offsets.length * 2);
      offsets.set(this.offsets);
      this.offsets = offsets;
      const hashes = new Int32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    let at = this.offsets[count]!;
    const end = at + key.length - skip;
    if (end > this.bytes.length) {
      let size = this.bytes.length * 2;
      while (size < end) size *= 2;
      if (size > 0xffffffff) throw new InternalError('state table: more than 4 GB of keys');
      const grown = new Uint8Array(size);
      grown.set(this.bytes.subarray(0, at));
      this.bytes = grown;
    }
    const b = this.bytes;
    // hashRange, fused with the copy.
    let h = 0x811c9dc5;
    for (let j = skip; j < key.length; j++) {
      const x = key[j]!;
      b[at++] = x;
      h = Math.imul(h ^ x, 0x01000193);
    }
    this.hashes[count] = ((h ^ (h >>> 30)) & 0x3fffffff) | 1;
    this.offsets[count + 1] = at;
    this.count = count + 1;
  }

  finish(): RestoredKeys {
    return new RestoredKeys(this.bytes.subarray(0, this.offsets[this.count]!), this.offsets, this.hashes, this.count);
  }
}

/** Bytes per block of restored values (a larger value gets a block of its own); blocks start small and double. */
const VALUE_BLOCK_BYTES = 1 << 20;
const FIRST_BLOCK_BYTES = 4096;

/**
 * The encoded values of restored keys [first, end), packed in key order;
 * one budget node whose size is the bytes of the values not handed out yet.
 */
class ValueBlock extends CacheNode {
  readonly first: number;
  end: number;
  /** null once evicted. */
  bytes: Uint8Array | null;
  used: number;

  constructor(first: number, capacity: number) {
    super();
    this.first = first;
    this.end = first;
    this.bytes = new Uint8Array(capacity);
    this.used = 0;
  }

  /** Makes room for at least `bytes` (doubling, up to VALUE_BLOCK_BYTES when that is enough). */
  grow(bytes: number): void {
    const old = this.bytes!;
    const grown = new Uint8Array(Math.max(bytes, Math.min(VALUE_BLOCK_BYTES, old.length * 2)));
    grown.set(old.subarray(0, this.used));
    this.bytes = grown;
  }

  evict(): void {
    this.bytes = null;
  }
}

interface PendingCheckpoint<V> {
  readonly seq: number;
  readonly entries: StateEntry<V>[];
}

const NO_KEYS = new RestoredKeys(new Uint8Array(0), new Uint32Array(1), new Int32Array(0), 0);

export class LevelStateTable<V> implements StateTable<V> {
  readonly prefix: Uint8Array;
  readonly #store: Store;
  readonly #codec: StateCodec<V>;
  readonly #budget: StateMemoryBudget;
  #restored: RestoredKeys = NO_KEYS;
  /** Entry of restored key i once touched (sparse). */
  #restoredEntries: (StateEntry<V> | undefined)[] = [];
  /** Restored keys deleted now. */
  #restoredDeleted = 0;
  /** Blocks of restored values, by `first`. */
  #blocks: ValueBlock[] = [];
  /** Offset of restored value i in its block (only for keys some block covers). */
  #valueOffsets: Uint32Array = new Uint32Array(0);
  /** Keys added since the load. */
  #added = new MemoryStateTable<StateEntry<V>>();
  /** Entries written since the last takeCheckpoint, in first-write order (a delete before a re-insert). */
  #dirty: StateEntry<V>[] = [];
  /** Checkpoints taken and not yet committed, oldest first. */
  readonly #pending: PendingCheckpoint<V>[] = [];
  #seq = 0;
  /** Checkpoints committed so far: a prefetch that spans a commit may have read a superseded value. */
  #commits = 0;
  #destroyed = false;
  /** Point-only: nothing restored; `#added` caches every key known (present or absent), clean ones evictable. */
  #lazy = false;
  /**
   * Point-only: `#added` holds every present key (the prefix was empty at the
   * load and no present value was evicted since), so a key not there is
   * absent without a LevelDB read.
   */
  #complete = false;
  /** Point-only: removes an evicted clean entry from `#added` (it is read again from LevelDB when needed). */
  readonly #forget = (e: StateEntry<V>): void => {
    if (this.#destroyed) return;
    if (!e.deleted) this.#complete = false;
    const key = e.storeKey!.subarray(this.prefix.length);
    if (this.#added.get(key) === e) this.#added.delete(key);
  };

  private constructor(store: Store, prefix: Uint8Array, codec: StateCodec<V>, budget: StateMemoryBudget) {
    this.prefix = prefix.slice();
    this.#store = store;
    this.#codec = codec;
    this.#budget = budget;
  }

  /**
   * Restores the table under `prefix` from the committed contents of `store`:
   * one sequential read of keys and values while the budget has room for the
   * values, of keys only after that. Nothing is decoded.
   */
  static async load<V>(store: Store, prefix: Uint8Array, codec: StateCodec<V>, budget: StateMemoryBudget, options: LevelStateTableOptions = {}): Promise<LevelStateTable<V>> {
    if (prefix.length === 0) throw new InternalError('a state table needs a non-empty key prefix');
    const table = new LevelStateTable<V>(store, prefix, codec, budget);
    if (options.pointOnly === true) {
      table.#lazy = true;
      table.#complete = (await store.lastKey(prefixRange(prefix))) === undefined;
      return table;
    }
    const n = prefix.length;
    const range = prefixRange(prefix);
    const keys = new KeyPacker();
    const blocks: ValueBlock[] = [];
    let offsets = new Uint32Array(1024);
    let block: ValueBlock | null = null;
    let keysFrom: Uint8Array | undefined;
    scan: for await (const batch of store.bulkEntries(range)) {
      for (let i = 0; i < batch.length; i++) {
        const pair = batch[i]!;
        const value = pair[1];
        const size = value.length;
        const inBlock = block === null ? 0 : block.used;
        if (!budget.fits(inBlock + size)) {
          keysFrom = pair[0];
          break scan;
        }
        if (block === null || block.used + size > block.bytes!.length) {
          if (block !== null && block.used + size <= VALUE_BLOCK_BYTES) block.grow(block.used + size);
          else {
            if (block !== null) budget.add(block, block.used);
            // The first block starts small (most tables are small); once one is full, blocks start full-sized.
            block = new ValueBlock(keys.count, Math.max(block === null ? FIRST_BLOCK_BYTES : VALUE_BLOCK_BYTES, size));
            blocks.push(block);
          }
        }
        const at = keys.count;
        if (at >= offsets.length) {
          const grown = new Uint32Array(offsets.length * 2);
          grown.set(offsets);
          offsets = grown;
        }
        offsets[at] = block.used;
        block.bytes!.set(value, block.used);
        block.used += size;
        block.end = at + 1;
        keys.push(pair[0], n);
      }
    }
    if (block !== null) budget.add(block, block.used);
    if (keysFrom !== undefined) {
      for await (const batch of store.bulkKeys({ gte: keysFrom, lt: range.lt })) {
        for (let i = 0; i < batch.length; i++) keys.push(batch[i]!, n);
      }
    }
    table.#restored = keys.finish();
    table.#restoredEntries = new Array<StateEntry<V> | undefined>(keys.count);
    table.#blocks = blocks;
    table.#valueOffsets = offsets;
    return table;
  }

  get size(): number {
    if (this.#lazy) throw new InternalError('state table declared point-only: size is not available');
    return this.#restored.count - this.#restoredDeleted + this.#added.size;
  }

  /** Whether the table was loaded point-only (lazily). */
  get pointOnly(): boolean {
    return this.#lazy;
  }

  get(key: Uint8Array): V | undefined {
    let e: StateEntry<V> | undefined;
    if (this.#lazy) {
      e = this.#added.get(key) ?? (this.#complete ? undefined : this.#readLazy(key));
      if (e === undefined) return undefined;
      if (e.deleted) {
        if (e.budgetSize >= 0) this.#budget.touch(e);
        return undefined;
      }
      return this.#valueOf(e);
    }
    const i = this.#restored.count === 0 ? -1 : this.#restored.find(key);
    if (i >= 0) {
      e = this.#restoredEntries[i];
      if (e === undefined) e = this.#touchRestored(i, true);
      else if (e.deleted) return undefined;
    } else {
      e = this.#added.get(key);
      if (e === undefined) return undefined;
    }
    const v = e.value;
    if (v === undefined) return this.#fault(e);
    if (e.budgetSize >= 0) this.#budget.touch(e);
    return v;
  }

  put(key: Uint8Array, value: V): void {
    if (value === undefined) throw new InternalError('state table value must not be undefined');
    let e: StateEntry<V> | undefined;
    const i = this.#restored.count === 0 ? -1 : this.#restored.find(key);
    if (i >= 0) {
      e = this.#restoredEntries[i];
      if (e === undefined) e = this.#touchRestored(i, false);
      else if (e.deleted) {
        e.deleted = false;
        this.#restoredDeleted--;
      }
    } else {
      e = this.#added.get(key);
      if (e === undefined) {
        this.#assertLive();
        // A point-only table does not know whether an unread key is stored.
        const fresh = this.#newEntry(key, value, this.#lazy && !this.#complete ? UNKNOWN : ABSENT);
        fresh.dirty = true;
        this.#added.put(key, fresh);
        this.#dirty.push(fresh);
        return;
      }
      if (e.deleted) e.deleted = false; // point-only: a cached absence or a pending delete
    }
    if (e.budgetSize >= 0) this.#budget.remove(e);
    e.value = value;
    if (!e.dirty) {
      e.dirty = true;
      this.#dirty.push(e);
    }
  }

  delete(key: Uint8Array): void {
    let e: StateEntry<V> | undefined;
    const i = this.#restored.count === 0 ? -1 : this.#restored.find(key);
    if (i >= 0) {
      e = this.#restoredEntries[i];
      if (e === undefined) e = this.#touchRestored(i, false);
      else if (e.deleted) return;
      this.#restoredDeleted++;
    } else if (this.#lazy) {
      e = this.#added.get(key);
      if (e === undefined) {
        if (this.#complete) return;
        // Not known here: it may be stored, so the delete is written.
        this.#assertLive();
        e = this.#newEntry(key, undefined, UNKNOWN);
        this.#added.put(key, e);
      } else if (e.deleted) return;
    } else {
      e = this.#added.get(key);
      if (e === undefined) return;
      this.#added.delete(key);
    }
    this.#budget.remove(e);
    e.deleted = true;
    e.value = undefined;
    if (!e.dirty) {
      e.dirty = true;
      this.#dirty.push(e);
    }
  }

  /** Restored and added keys merged in key order. */
  *scan(range: KeyRange = {}): IterableIterator<[Uint8Array, V]> {
    if (this.#lazy) throw new InternalError('state table declared point-only: it cannot be scanned');
    const restored = this.#restored;
    const added = this.#added.size === 0 ? undefined : this.#added.scan(range);
    let next = added?.next();
    let i = range.gte === undefined ? 0 : restored.lowerBound(range.gte);
    const end = range.lt === undefined ? restored.count : restored.lowerBound(range.lt);
    for (; i < end; i++) {
      const key = restored.key(i);
      while (next !== undefined && next.done !== true && compareKeys(next.value[0], key) < 0) {
        yield [next.value[0], this.#valueOf(next.value[1])];
        next = added!.next();
      }
      let e = this.#restoredEntries[i];
      if (e === undefined) e = this.#touchRestored(i, true);
      else if (e.deleted) continue;
      yield [key, this.#valueOf(e)];
    }
    while (next !== undefined && next.done !== true) {
      yield [next.value[0], this.#valueOf(next.value[1])];
      next = added!.next();
    }
  }

  /**
   * The values of the entries with keys in `range`, in key order and in
   * batches, exactly as the table holds them at this call, whatever is
   * written while they are read: what LevelDB holds at this call (one
   * snapshot iterator, made now) overlaid with the entries not durable yet
   * (written since the last checkpoint, or by a checkpoint not committed
   * yet), copied now. Nothing is cached; a point-only table can be read this
   * way. The caller runs the generator to its end or `return()`s it.
   *
   * Why it is exact: LevelDB holds every committed checkpoint's writes; a key
   * whose newest value is not committed is in the overlay (a dirty entry, or
   * a pending one until its checkpoint commits), and the overlay's value is
   * the table's. A checkpoint batch in flight now only writes overlay keys.
   */
  snapshot(range: KeyRange = {}, batchSize = 1024): AsyncGenerator<V[]> {
    this.#assertLive();
    if (!this.#lazy) return inBatches([...this.scan(range)].map((e) => e[1]), batchSize);
    const overlay = this.#uncommitted(range);
    const all = prefixRange(this.prefix);
    const gte = range.gte === undefined ? all.gte : concatKeys(this.prefix, range.gte);
    const lt = range.lt === undefined ? all.lt : concatKeys(this.prefix, range.lt);
    // Nothing to merge (a view not written since its last commit): values alone, no key buffers.
    if (overlay.length === 0) return decodeAll(this.#store.snapshotValues({ gte, lt }), this.#codec);
    return mergeSnapshot(this.#store.snapshotEntries({ gte, lt }), this.prefix.length, overlay, this.#codec, batchSize);
  }

  /** Point-only: the entries whose newest version is not committed, in `range`, sorted by key, as [key, value or undefined when deleted]. */
  #uncommitted(range: KeyRange): [Uint8Array, V | undefined][] {
    const seen = new Set<StateEntry<V>>();
    const n = this.prefix.length;
    const out: [Uint8Array, V | undefined][] = [];
    const add = (e: StateEntry<V>): void => {
      if (seen.has(e)) return;
      seen.add(e);
      const key = e.storeKey!.subarray(n);
      if (range.gte !== undefined && compareKeys(key, range.gte) < 0) return;
      if (range.lt !== undefined && compareKeys(key, range.lt) >= 0) return;
      if (!e.deleted && e.value === undefined) throw new InternalError('state table: an uncommitted value is not in memory');
      out.push([key, e.deleted ? undefined : e.value]);
    };
    for (const e of this.#dirty) add(e);
    for (const cp of this.#pending) for (const e of cp.entries) if (e.pendingSeq !== 0) add(e);
    out.sort((a, b) => compareKeys(a[0], b[0]));
    return out;
  }

  /**
   * Reads the evicted values among `keys` back into the cache with one
   * asynchronous LevelDB call, so the synchronous reads of the next chunk hit
   * memory. Keys that are absent or cached are skipped.
   *
   * Why the result is current: a value is evicted only while clean, i.e.
   * equal to what LevelDB holds, and it can only change there through a put
   * (which caches it) and a committed checkpoint. So if no checkpoint
   * committed while the read ran, a value still evicted afterwards is the one
   * read; otherwise the results are dropped (prefetch is only a hint).
   */
  async prefetch(keys: Iterable<Uint8Array>): Promise<void> {
    if (this.#lazy) return this.#prefetchLazy(keys);
    const unique = new Set<StateEntry<V>>();
    for (const key of keys) {
      const e = this.#entry(key);
      if (e !== undefined && e.value === undefined) unique.add(e);
    }
    if (unique.size === 0) return;
    const wanted = [...unique];
    const storeKeys = new Array<Uint8Array>(wanted.length);
    for (let i = 0; i < wanted.length; i++) storeKeys[i] = this.#storeKey(wanted[i]!);
    const commits = this.#commits;
    const got = await this.#store.getMany(storeKeys);
    if (this.#commits !== commits || this.#destroyed) return;
    for (let i = 0; i < wanted.length; i++) {
      const e = wanted[i]!;
      const bytes = got[i];
      if (e.value !== undefined || e.deleted || bytes === undefined) continue;
      e.value = this.#codec.decode(bytes);
      e.storedBytes = bytes;
      this.#budget.add(e, 2 * bytes.length);
    }
  }

  /**
   * Reads the evicted values of the keys in `range` back into the cache with
   * sequential LevelDB reads (before a scan of them), up to the budget's
   * limit in bytes. Same currency rule as `prefetch`.
   */
  async prefetchRange(range: KeyRange = {}): Promise<void> {
    if (this.#lazy) throw new InternalError('state table declared point-only: it cannot be scanned');
    const n = this.prefix.length;
    const all = prefixRange(this.prefix);
    const gte = range.gte === undefined ? all.gte : concatKeys(this.prefix, range.gte);
    const lt = range.lt === undefined ? all.lt : concatKeys(this.prefix, range.lt);
    const commits = this.#commits;
    let bytesRead = 0;
    for await (const batch of this.#store.entries({ gte, lt })) {
      if (this.#commits !== commits || this.#destroyed) return;
      for (let i = 0; i < batch.length; i++) {
        const { key, value } = batch[i]!;
        const e = this.#entry(key.subarray(n));
        if (e === undefined || e.value !== undefined) continue;
        bytesRead += value.length;
        if (bytesRead > this.#budget.limit) return;
        e.value = this.#codec.decode(value);
        this.#budget.add(e, value.length);
      }
    }
  }

  /**
   * Operations writing every change since the previous call (values encoded
   * now), in an order that is correct within one batch; starts a new dirty set.
   */
  takeCheckpoint(overwritten?: OverwrittenValue[]): WriteOp[] {
    const dirty = this.#dirty;
    const ops: WriteOp[] = new Array<WriteOp>(dirty.length);
    if (dirty.length === 0) {
      this.#pending.push({ seq: ++this.#seq, entries: [] });
      return ops;
    }
    const seq = ++this.#seq;
    const written: StateEntry<V>[] = [];
    if (overwritten !== undefined && overwritten.length !== 0) throw new InternalError('state table: takeCheckpoint wants an empty array');
    for (let i = 0; i < dirty.length; i++) {
      const e = dirty[i]!;
      e.dirty = false;
      if (overwritten !== undefined) overwritten.push(e.stored === ABSENT ? null : e.stored === STORED ? e.storedBytes : undefined);
      e.storedBytes = undefined;
      e.stored = e.deleted ? ABSENT : STORED;
      if (e.deleted) {
        ops[i] = { type: 'del', key: this.#storeKey(e) };
        if (this.#lazy) {
          // Kept as a cached absence, and until the delete is durable it must shadow what LevelDB holds.
          e.pendingSeq = seq;
          e.pendingSize = 0;
          written.push(e);
        }
        continue;
      }
      const bytes = this.#codec.encode(e.value as V);
      ops[i] = { type: 'put', key: this.#storeKey(e), value: bytes };
      e.pendingSeq = seq;
      e.pendingSize = bytes.length;
      written.push(e);
    }
    this.#dirty = [];
    this.#pending.push({ seq, entries: written });
    return ops;
  }

  /** The oldest checkpoint taken and not yet committed is durable. */
  checkpointCommitted(): void {
    if (this.#destroyed) return;
    const cp = this.#pending.shift();
    if (cp === undefined) throw new InternalError('state table: checkpointCommitted without a pending checkpoint');
    this.#commits++;
    const entries = cp.entries;
    for (let i = 0; i < entries.length; i++) {
      const e = entries[i]!;
      if (e.pendingSeq !== cp.seq) continue;
      e.pendingSeq = 0;
      if (e.dirty || this.#destroyed) continue;
      if (e.deleted) {
        // Point-only: the durable absence is cached, evictable like a value.
        if (this.#lazy) this.#budget.add(e, ABSENCE_BYTES + e.storeKey!.length);
        continue;
      }
      this.#budget.add(e, e.pendingSize);
    }
  }

  /** Checkpoints taken and not yet committed. */
  get pendingCheckpoints(): number {
    return this.#pending.length;
  }

  /** Keys written since the last takeCheckpoint. */
  get dirtyCount(): number {
    return this.#dirty.length;
  }

  /**
   * Releases the cached values from the budget (the job stops; the data stays
   * in LevelDB for the next load). The table must not be used afterwards.
   */
  close(): void {
    this.#release();
  }

  /** DROP: deletes every key under the prefix from LevelDB and empties the table. */
  async destroy(): Promise<void> {
    this.#release();
    await this.#store.clear(prefixRange(this.prefix));
  }

  #release(): void {
    this.#destroyed = true;
    const budget = this.#budget;
    for (const e of this.#added.values()) budget.remove(e);
    const restored = this.#restoredEntries;
    for (let i = 0; i < restored.length; i++) {
      const e = restored[i];
      if (e !== undefined) budget.remove(e);
    }
    for (const b of this.#blocks) {
      budget.remove(b);
      b.bytes = null;
    }
    this.#restored = NO_KEYS;
    this.#restoredEntries = [];
    this.#restoredDeleted = 0;
    this.#blocks = [];
    this.#valueOffsets = new Uint32Array(0);
    this.#added = new MemoryStateTable<StateEntry<V>>();
    this.#dirty = [];
    this.#pending.length = 0;
  }

  #assertLive(): void {
    if (this.#destroyed) throw new InternalError('state table used after close or destroy');
  }

  /** The live entry of `key` (a restored key gets its entry object now); undefined when absent. */
  #entry(key: Uint8Array): StateEntry<V> | undefined {
    const i = this.#restored.count === 0 ? -1 : this.#restored.find(key);
    if (i < 0) return this.#added.get(key);
    const e = this.#restoredEntries[i] ?? this.#touchRestored(i, true);
    return e.deleted ? undefined : e;
  }

  /**
   * Creates the entry of restored key i (it has none yet). Its value is
   * decoded from its block when `decode` and the block is still cached; the
   * block stops counting those bytes either way, as they are no longer
   * current once the key has an entry.
   */
  #touchRestored(i: number, decode: boolean): StateEntry<V> {
    this.#assertLive();
    const e = new StateEntry<V>(null, i, undefined, STORED);
    this.#restoredEntries[i] = e;
    const b = this.#blockOf(i);
    if (b === undefined) return e;
    const from = this.#valueOffsets[i]!;
    const to = i + 1 < b.end ? this.#valueOffsets[i + 1]! : b.used;
    const bytes = b.bytes!;
    const size = to - from;
    const left = b.budgetSize - size;
    if (left > 0) this.#budget.resize(b, left);
    else {
      this.#budget.remove(b);
      b.bytes = null;
    }
    if (decode) {
      // A read (most are scans that write nothing): the bytes are not kept.
      e.value = this.#codec.decode(bytes.subarray(from, to));
      this.#budget.add(e, size);
    } else {
      // Written now without a read: what the checkpoint overwrites is known.
      e.storedBytes = bytes.slice(from, to);
    }
    return e;
  }

  /** The cached block holding restored value i, if any. */
  #blockOf(i: number): ValueBlock | undefined {
    const blocks = this.#blocks;
    let lo = 0;
    let hi = blocks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (blocks[mid]!.end <= i) lo = mid + 1;
      else hi = mid;
    }
    const b = blocks[lo];
    return b !== undefined && b.first <= i && b.bytes !== null ? b : undefined;
  }

  #storeKey(e: StateEntry<V>): Uint8Array {
    return e.storeKey ?? concatKeys(this.prefix, this.#restored.key(e.restored));
  }

  #valueOf(e: StateEntry<V>): V {
    const v = e.value;
    if (v === undefined) return this.#fault(e);
    if (e.budgetSize >= 0) this.#budget.touch(e);
    return v;
  }

  /** Reads an evicted (hence clean) value back from LevelDB and caches it again. */
  #fault(e: StateEntry<V>): V {
    this.#assertLive();
    const bytes = this.#store.getSync(this.#storeKey(e));
    if (bytes === undefined) throw new InternalError('state table: a committed value is missing from the store');
    const v = this.#codec.decode(bytes);
    e.value = v;
    e.storedBytes = bytes;
    this.#budget.add(e, 2 * bytes.length);
    return v;
  }

  #newEntry(key: Uint8Array, value: V | undefined, stored: Stored): StateEntry<V> {
    return new StateEntry<V>(concatKeys(this.prefix, key), -1, value, stored, this.#lazy ? this.#forget : null);
  }

  /** Point-only: the entry of `key` (not cached) read from LevelDB, cached clean; a deleted entry when absent. */
  #readLazy(key: Uint8Array): StateEntry<V> {
    this.#assertLive();
    const storeKey = concatKeys(this.prefix, key);
    const bytes = this.#store.getSync(storeKey);
    return this.#cacheLazy(key, storeKey, bytes);
  }

  #cacheLazy(key: Uint8Array, storeKey: Uint8Array, bytes: Uint8Array | undefined): StateEntry<V> {
    let e: StateEntry<V>;
    if (bytes === undefined) {
      e = new StateEntry<V>(storeKey, -1, undefined, ABSENT, this.#forget);
      e.deleted = true;
      this.#added.put(key, e);
      this.#budget.add(e, ABSENCE_BYTES + storeKey.length);
    } else {
      e = new StateEntry<V>(storeKey, -1, this.#codec.decode(bytes), STORED, this.#forget);
      e.storedBytes = bytes;
      this.#added.put(key, e);
      this.#budget.add(e, 2 * bytes.length);
    }
    return e;
  }

  /** Point-only prefetch: reads the keys not cached (present or absent) with one `getMany`. */
  async #prefetchLazy(keys: Iterable<Uint8Array>): Promise<void> {
    if (this.#complete) return;
    const wanted = new Map<string, Uint8Array>();
    for (const key of keys) {
      if (this.#added.get(key) !== undefined) continue;
      wanted.set(bytesKey(key), key);
    }
    if (wanted.size === 0) return;
    const list = [...wanted.values()];
    const storeKeys = list.map((key) => concatKeys(this.prefix, key));
    const commits = this.#commits;
    const got = await this.#store.getMany(storeKeys);
    if (this.#commits !== commits || this.#destroyed) return;
    for (let i = 0; i < list.length; i++) {
      const key = list[i]!;
      if (this.#added.get(key) !== undefined) continue;
      this.#cacheLazy(key.slice(), storeKeys[i]!, got[i]);
    }
  }
}

/** `entries` in batches of `size`. */
async function* inBatches<T>(entries: T[], size: number): AsyncGenerator<T[]> {
  for (let i = 0; i < entries.length; i += size) yield entries.slice(i, i + size);
}

/** Stored values decoded, batch by batch. */
async function* decodeAll<V>(stored: AsyncGenerator<Uint8Array[]>, codec: StateCodec<V>): AsyncGenerator<V[]> {
  try {
    for await (const batch of stored) {
      const out = new Array<V>(batch.length);
      for (let i = 0; i < batch.length; i++) out[i] = codec.decode(batch[i]!);
      yield out;
    }
  } finally {
    await stored.return(undefined);
  }
}

/**
 * The values of the stored entries (`stored`: LevelDB [key, value] batches,
 * keys with a prefix of `n` bytes) merged in key order with `overlay`
 * (sorted; an undefined value hides the stored key), decoded, in batches of
 * at least `size` (but the last).
 */
async function* mergeSnapshot<V>(stored: AsyncGenerator<[Uint8Array, Uint8Array][]>, n: number, overlay: readonly [Uint8Array, V | undefined][], codec: StateCodec<V>, size: number): AsyncGenerator<V[]> {
  let out: V[] = [];
  let o = 0;
  try {
    for await (const batch of stored) {
      for (let i = 0; i < batch.length; i++) {
        const pair = batch[i]!;
        const key = pair[0].subarray(n);
        let c = 1;
        while (o < overlay.length && (c = compareKeys(overlay[o]![0], key)) < 0) {
          const v = overlay[o++]![1];
          if (v !== undefined) out.push(v);
        }
        if (o < overlay.length && c === 0) {
          const v = overlay[o++]![1];
          if (v !== undefined) out.push(v);
        } else {
          out.push(codec.decode(pair[1]));
        }
      }
      if (out.length >= size) {
        yield out;
        out = [];
      }
    }
  } finally {
    await stored.return(undefined);
  }
  for (; o < overlay.length; o++) {
    const v = overlay[o]![1];
    if (v === undefined) continue;
    out.push(v);
    if (out.length >= size) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}

/** Bytes counted for a cached absence (besides its key). */
const ABSENCE_BYTES = 48;
