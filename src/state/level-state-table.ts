/**
 * A state table persisted in LevelDB (ARCHITECTURE decision 5).
 *
 * Contract:
 * - The table owns every LevelDB key that starts with `prefix`; its key `k`
 *   is stored at `prefix ++ k`, its value as `codec.encode(value)`.
 * - `load` restores what the last committed checkpoint wrote: every key goes
 *   into the in-memory index (so `size`, `get` of an absent key and `scan`
 *   never touch LevelDB); values are decoded and cached while the shared
 *   budget has room.
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
 *
 * State kept per key: one entry object (LevelDB key, cached value or
 * nothing, dirty flag, newest uncommitted checkpoint, LRU links owned by
 * the budget), in a MemoryStateTable used as the key index (hash for point
 * access, sorted order built at the first scan).
 */
import { InternalError } from '../errors.ts';
import { prefixRange } from '../storage/key-space.ts';
import type { Store, WriteOp } from '../storage/store.ts';
import { concatKeys, MemoryStateTable, type KeyRange, type StateTable } from '../streaming/state-table.ts';
import { CacheNode, type StateMemoryBudget } from './memory-budget.ts';
import type { StateCodec } from './state-codec.ts';

class StateEntry<V> extends CacheNode {
  /** `prefix ++ key`: the LevelDB key. */
  readonly storeKey: Uint8Array;
  /** The value; undefined while evicted (only ever when clean) or not decoded yet. */
  value: V | undefined;
  /** The committed bytes of a value loaded but not decoded yet (decoded at the first read). */
  encoded: Uint8Array | undefined;
  /** Written since the last takeCheckpoint (and listed in the table's dirty list). */
  dirty: boolean;
  /** Deleted from the table; its del operation is (or was) in a dirty list. */
  deleted: boolean;
  /** Sequence number of the newest uncommitted checkpoint that wrote this value; 0 when none. */
  pendingSeq: number;
  /** Encoded size of the value that checkpoint wrote. */
  pendingSize: number;

  constructor(storeKey: Uint8Array, value: V | undefined) {
    super();
    this.storeKey = storeKey;
    this.value = value;
    this.encoded = undefined;
    this.dirty = false;
    this.deleted = false;
    this.pendingSeq = 0;
    this.pendingSize = 0;
  }

  evict(): void {
    this.value = undefined;
    this.encoded = undefined;
  }
}

interface PendingCheckpoint<V> {
  readonly seq: number;
  readonly entries: StateEntry<V>[];
}

export class LevelStateTable<V> implements StateTable<V> {
  readonly prefix: Uint8Array;
  readonly #store: Store;
  readonly #codec: StateCodec<V>;
  readonly #budget: StateMemoryBudget;
  #index = new MemoryStateTable<StateEntry<V>>();
  /** Entries written since the last takeCheckpoint, in first-write order (a delete before a re-insert). */
  #dirty: StateEntry<V>[] = [];
  /** Checkpoints taken and not yet committed, oldest first. */
  readonly #pending: PendingCheckpoint<V>[] = [];
  #seq = 0;
  /** Checkpoints committed so far: a prefetch that spans a commit may have read a superseded value. */
  #commits = 0;
  #destroyed = false;

  private constructor(store: Store, prefix: Uint8Array, codec: StateCodec<V>, budget: StateMemoryBudget) {
    this.prefix = prefix.slice();
    this.#store = store;
    this.#codec = codec;
    this.#budget = budget;
  }

  /** Restores the table under `prefix` from the committed contents of `store`. */
  static async load<V>(store: Store, prefix: Uint8Array, codec: StateCodec<V>, budget: StateMemoryBudget): Promise<LevelStateTable<V>> {
    if (prefix.length === 0) throw new InternalError('a state table needs a non-empty key prefix');
    const table = new LevelStateTable<V>(store, prefix, codec, budget);
    const index = table.#index;
    const n = prefix.length;
    const range = prefixRange(prefix);
    // Values are read and cached while they fit; from the first that does not, only keys are read.
    let keysFrom: Uint8Array | undefined;
    scan: for await (const batch of store.entries(range)) {
      for (let i = 0; i < batch.length; i++) {
        const { key, value } = batch[i]!;
        if (!budget.fits(value.length)) {
          keysFrom = key;
          break scan;
        }
        const storeKey = key.slice();
        // Decoded at the first read: a restore only copies bytes, and values never read again cost no decoding.
        const entry = new StateEntry<V>(storeKey, undefined);
        entry.encoded = value;
        index.put(storeKey.subarray(n), entry);
        budget.add(entry, value.length);
      }
    }
    if (keysFrom !== undefined) {
      for await (const batch of store.keys({ gte: keysFrom, lt: range.lt })) {
        for (let i = 0; i < batch.length; i++) {
          const storeKey = batch[i]!.slice();
          index.put(storeKey.subarray(n), new StateEntry<V>(storeKey, undefined));
        }
      }
    }
    return table;
  }

  get size(): number {
    return this.#index.size;
  }

  get(key: Uint8Array): V | undefined {
    const e = this.#index.get(key);
    if (e === undefined) return undefined;
    const v = e.value;
    if (v === undefined) return this.#fault(e);
    if (e.budgetSize >= 0) this.#budget.touch(e);
    return v;
  }

  put(key: Uint8Array, value: V): void {
    if (value === undefined) throw new InternalError('state table value must not be undefined');
    const e = this.#index.get(key);
    if (e === undefined) {
      this.#assertLive();
      const fresh = new StateEntry<V>(concatKeys(this.prefix, key), value);
      fresh.dirty = true;
      this.#index.put(key, fresh);
      this.#dirty.push(fresh);
      return;
    }
    if (e.budgetSize >= 0) this.#budget.remove(e);
    e.value = value;
    e.encoded = undefined;
    if (!e.dirty) {
      e.dirty = true;
      this.#dirty.push(e);
    }
  }

  delete(key: Uint8Array): void {
    const e = this.#index.get(key);
    if (e === undefined) return;
    this.#index.delete(key);
    this.#budget.remove(e);
    e.deleted = true;
    e.value = undefined;
    e.encoded = undefined;
    if (!e.dirty) {
      e.dirty = true;
      this.#dirty.push(e);
    }
  }

  *scan(range?: KeyRange): IterableIterator<[Uint8Array, V]> {
    for (const [key, e] of this.#index.scan(range)) {
      const v = e.value;
      if (v === undefined) {
        yield [key, this.#fault(e)];
      } else {
        if (e.budgetSize >= 0) this.#budget.touch(e);
        yield [key, v];
      }
    }
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
    const unique = new Set<StateEntry<V>>();
    for (const key of keys) {
      const e = this.#index.get(key);
      if (e !== undefined && e.value === undefined && e.encoded === undefined) unique.add(e);
    }
    if (unique.size === 0) return;
    const wanted = [...unique];
    const storeKeys = new Array<Uint8Array>(wanted.length);
    for (let i = 0; i < wanted.length; i++) storeKeys[i] = wanted[i]!.storeKey;
    const commits = this.#commits;
    const got = await this.#store.getMany(storeKeys);
    if (this.#commits !== commits || this.#destroyed) return;
    for (let i = 0; i < wanted.length; i++) {
      const e = wanted[i]!;
      const bytes = got[i];
      if (e.value !== undefined || e.encoded !== undefined || e.deleted || bytes === undefined) continue;
      e.value = this.#codec.decode(bytes);
      this.#budget.add(e, bytes.length);
    }
  }

  /**
   * Reads the evicted values of the keys in `range` back into the cache with
   * sequential LevelDB reads (before a scan of them), up to the budget's
   * limit in bytes. Same currency rule as `prefetch`.
   */
  async prefetchRange(range: KeyRange = {}): Promise<void> {
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
        const e = this.#index.get(key.subarray(n));
        if (e === undefined || e.value !== undefined || e.encoded !== undefined) continue;
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
  takeCheckpoint(): WriteOp[] {
    const dirty = this.#dirty;
    const ops: WriteOp[] = new Array<WriteOp>(dirty.length);
    if (dirty.length === 0) {
      this.#pending.push({ seq: ++this.#seq, entries: [] });
      return ops;
    }
    const seq = ++this.#seq;
    const written: StateEntry<V>[] = [];
    for (let i = 0; i < dirty.length; i++) {
      const e = dirty[i]!;
      e.dirty = false;
      if (e.deleted) {
        ops[i] = { type: 'del', key: e.storeKey };
        continue;
      }
      const bytes = this.#codec.encode(e.value as V);
      ops[i] = { type: 'put', key: e.storeKey, value: bytes };
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
      if (e.dirty || e.deleted || this.#destroyed) continue;
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
    for (const e of this.#index.values()) this.#budget.remove(e);
    this.#index = new MemoryStateTable<StateEntry<V>>();
    this.#dirty = [];
    this.#pending.length = 0;
  }

  #assertLive(): void {
    if (this.#destroyed) throw new InternalError('state table used after close or destroy');
  }

  /** Reads an evicted (hence clean) value back from LevelDB and caches it again. */
  #fault(e: StateEntry<V>): V {
    this.#assertLive();
    if (e.encoded !== undefined) {
      // Loaded and counted in the budget, not decoded yet.
      const v = this.#codec.decode(e.encoded);
      e.value = v;
      e.encoded = undefined;
      if (e.budgetSize >= 0) this.#budget.touch(e);
      return v;
    }
    const bytes = this.#store.getSync(e.storeKey);
    if (bytes === undefined) throw new InternalError('state table: a committed value is missing from the store');
    const v = this.#codec.decode(bytes);
    e.value = v;
    this.#budget.add(e, bytes.length);
    return v;
  }
}
