/**
 * The memory budget shared by every persistent state table of a server.
 *
 * Contract:
 * - Tables register each *clean* cached value (its latest version is durable
 *   in LevelDB) with its encoded size via `add`; the budget counts the sum in
 *   `used`. Dirty values (written since the last committed checkpoint) are
 *   never registered, so they are never evicted and not counted.
 * - When `used` exceeds `limit`, the least recently used clean values, across
 *   all tables, are evicted: `CacheNode.evict` drops the value and the owning
 *   table reads it back from LevelDB when next asked.
 * - `touch` marks a value used; a table calls it on every cache hit, so it is
 *   O(1) and allocation-free (an intrusive doubly linked list, newest at the
 *   head; the node most recently used is not moved again).
 * - `remove` unregisters a value that became dirty or was deleted.
 * - `resize` changes the bytes counted for a registered node (a block of
 *   restored values that hands values out one by one), keeping its place.
 */
import { InternalError } from '../errors.ts';

/** A cached value the budget can evict. The fields belong to the budget. */
export abstract class CacheNode {
  /** Bytes counted for this node while it is registered; -1 when it is not. */
  budgetSize = -1;
  /** Toward the least recently used end. */
  older: CacheNode | null = null;
  /** Toward the most recently used end. */
  newer: CacheNode | null = null;

  /** Drops the cached value; called by the budget while evicting. */
  abstract evict(): void;
}

export class StateMemoryBudget {
  readonly limit: number;
  #used = 0;
  #count = 0;
  #evictions = 0;
  /** Most recently used registered node. */
  #newest: CacheNode | null = null;
  /** Least recently used registered node: evicted first. */
  #oldest: CacheNode | null = null;
  readonly #deferred: boolean;

  /**
   * `deferred`: evict only in `trim()`, which the runtime calls between
   * chunks. Operators mutate values they read during a chunk and `put` them
   * back at its end; evicting such a value in between would lose the change.
   */
  constructor(bytes: number, options: { readonly deferred?: boolean } = {}) {
    if (!(bytes >= 0)) throw new InternalError(`state memory budget must be a non-negative number of bytes, got ${bytes}`);
    this.limit = bytes;
    this.#deferred = options.deferred ?? false;
  }

  /** Evicts least recently used values down to the limit (a deferred budget's safe point). */
  trim(): void {
    if (this.#used > this.limit) this.#evictOverLimit();
  }

  /** Encoded bytes of the clean values cached now. */
  get used(): number {
    return this.#used;
  }

  /** Number of clean values cached now. */
  get count(): number {
    return this.#count;
  }

  /** Values evicted since the budget was created. */
  get evictions(): number {
    return this.#evictions;
  }

  /** Whether `bytes` more would still fit without evicting. */
  fits(bytes: number): boolean {
    return this.#used + bytes <= this.limit;
  }

  /** Registers `node` (not registered yet) as the most recently used, then evicts down to the limit. */
  add(node: CacheNode, size: number): void {
    if (node.budgetSize >= 0) throw new InternalError('state cache node registered twice');
    node.budgetSize = size;
    node.older = this.#newest;
    node.newer = null;
    if (this.#newest !== null) this.#newest.newer = node;
    else this.#oldest = node;
    this.#newest = node;
    this.#used += size;
    this.#count++;
    if (!this.#deferred && this.#used > this.limit) this.#evictOverLimit();
  }

  /** Marks a registered `node` as the most recently used. */
  touch(node: CacheNode): void {
    const newer = node.newer;
    if (newer === null) return;
    const older = node.older;
    newer.older = older;
    if (older !== null) older.newer = newer;
    else this.#oldest = newer;
    node.older = this.#newest;
    node.newer = null;
    this.#newest!.newer = node;
    this.#newest = node;
  }

  /** Unregisters `node` if it is registered; its value stays with the caller. */
  remove(node: CacheNode): void {
    if (node.budgetSize < 0) return;
    this.#unlink(node);
  }

  /**
   * Counts `size` bytes for a registered `node` instead of its current size,
   * keeping its place in the LRU order; then evicts down to the limit as `add`
   * does. Does nothing when `node` is not registered.
   */
  resize(node: CacheNode, size: number): void {
    if (node.budgetSize < 0) return;
    if (!(size >= 0)) throw new InternalError(`state cache node size must be non-negative, got ${size}`);
    this.#used += size - node.budgetSize;
    node.budgetSize = size;
    if (!this.#deferred && this.#used > this.limit) this.#evictOverLimit();
  }

  #unlink(node: CacheNode): void {
    const older = node.older;
    const newer = node.newer;
    if (older !== null) older.newer = newer;
    else this.#oldest = newer;
    if (newer !== null) newer.older = older;
    else this.#newest = older;
    node.older = null;
    node.newer = null;
    this.#used -= node.budgetSize;
    this.#count--;
    node.budgetSize = -1;
  }

  #evictOverLimit(): void {
    while (this.#used > this.limit) {
      const victim = this.#oldest;
      if (victim === null) return;
      this.#unlink(victim);
      this.#evictions++;
      victim.evict();
    }
  }
}
