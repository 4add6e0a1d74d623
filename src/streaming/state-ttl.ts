/**
 * State time-to-live for the unwindowed operators (Flink's
 * `table.exec.state.ttl`, update type OnCreateAndWrite, visibility
 * NeverReturnExpired): a key of a state table expires when it was not
 * written for `ttlMs` milliseconds of wall-clock (processing) time.
 *
 * The tracker is bookkeeping only, in memory; the state tables stay the only
 * state. Per tracked key it keeps one slot (last write time, DISTINCT entries
 * created under the key) in a hash table over the key bytes, and a FIFO of
 * (slot, time) in which every live slot appears exactly once:
 * - `written` stamps the slot (creating and queueing it for a new key);
 * - `expire` pops the head while its time is TTL old: a slot not written
 *   since expires (the operator drops the key's state), one written since is
 *   queued again at its last write time. Work is amortized O(1) per write,
 *   never a scan of the table. Because a requeued slot may sit behind later
 *   ones, cleanup can lag up to one more TTL; that only delays freeing memory:
 * - `expired` answers for one key on read, so an expired value is never used
 *   even before it is cleaned up.
 * Times do not survive a restart: an operator restored from a checkpoint
 * hands its keys to `trackRestoredKeys` before its first input, so each counts
 * as written at that moment (and expires a TTL later unless written again,
 * also when it is never read again); a key the tracker still does not know
 * counts as written when it is first read.
 *
 * With TTL 0 (the default) operators build no tracker at all.
 *
 * A tracker belongs to one operator instance (parallel-operator.ts) and
 * only hears of the keys that instance reads and writes, all of its own key
 * groups: so an instance expires only its own keys, and after a restore with
 * another parallelism each instance's tracker fills from its own key groups
 * as their keys are read.
 */
import { keyGroupRange, type KeyGroupRange } from './key-groups.ts';
import { MemoryStateTable, type StateTable } from './state-table.ts';

/** Milliseconds of wall-clock time; injectable for tests. */
export type Clock = () => number;

export const wallClock: Clock = () => Date.now();

/** TTL settings an operator receives; undefined or `ttlMs` 0: state never expires. */
export interface StateTtl {
  readonly ttlMs: number;
  readonly clock?: Clock;
}

export interface TtlSlot {
  readonly key: Uint8Array;
  /** Last write, in clock milliseconds. */
  time: number;
  /** False once expired or forgotten: its FIFO entry is then skipped. */
  live: boolean;
  /** Keys of other tables' entries that belong to this key (DISTINCT tuples), null when none. */
  dependents: Uint8Array[] | null;
  /** `dependents` length after the last compaction. */
  compactedAt: number;
  /** Whether `dependents` lists every dependent entry (false for a key restored from a checkpoint). */
  readonly complete: boolean;
}

export class TtlTracker {
  readonly ttlMs: number;
  readonly #clock: Clock;
  readonly #slots = new MemoryStateTable<TtlSlot>();
  /** FIFO of slots and the time each was queued at (parallel arrays, `#head` is the first live index). */
  #queue: (TtlSlot | undefined)[] = [];
  #queuedAt: number[] = [];
  #head = 0;

  constructor(ttlMs: number, clock: Clock = wallClock) {
    this.ttlMs = ttlMs;
    this.#clock = clock;
  }

  now(): number {
    return this.#clock();
  }

  /** Keys tracked. */
  get size(): number {
    return this.#slots.size;
  }

  /**
   * Records a write of `key` at `now`; returns its slot. `fresh`: the key is
   * new in state (so its slot will hear of every dependent entry).
   */
  written(key: Uint8Array, now: number, fresh = true): TtlSlot {
    let slot = this.#slots.get(key);
    if (slot !== undefined) {
      slot.time = now;
      return slot;
    }
    slot = { key, time: now, live: true, dependents: null, compactedAt: 0, complete: fresh };
    this.#slots.put(key, slot);
    this.#queue.push(slot);
    this.#queuedAt.push(now);
    return slot;
  }

  /**
   * Whether `key`, present in state, has expired at `now`. A key without a
   * slot (restored) is registered as written at `now` and has not.
   */
  expired(key: Uint8Array, now: number): boolean {
    const slot = this.#slots.get(key);
    if (slot === undefined) {
      this.written(key, now, false);
      return false;
    }
    return slot.time + this.ttlMs <= now;
  }

  /**
   * A write of `key`, present in state, at `now`, in one lookup: its slot,
   * stamped; or null when the key had expired (its slot is left as it was,
   * for the caller to `forget` before dropping the state). A key without a
   * slot (restored) is registered as written at `now`.
   */
  touch(key: Uint8Array, now: number): TtlSlot | null {
    const slot = this.#slots.get(key);
    if (slot === undefined) return this.written(key, now, false);
    if (slot.time + this.ttlMs <= now) return null;
    slot.time = now;
    return slot;
  }

  /** The slot of `key`, if tracked. */
  slot(key: Uint8Array): TtlSlot | undefined {
    return this.#slots.get(key);
  }

  /** Stops tracking `key` (its state was deleted); returns its slot, if any. */
  forget(key: Uint8Array): TtlSlot | undefined {
    const slot = this.#slots.get(key);
    if (slot === undefined) return undefined;
    slot.live = false;
    this.#slots.delete(key);
    return slot;
  }

  /**
   * Pops every key whose last write is TTL old at `now` (see the header for
   * the lag), handing each expired slot to `onExpire` after it is forgotten.
   */
  expire(now: number, onExpire: (slot: TtlSlot) => void): void {
    const ttl = this.ttlMs;
    const queue = this.#queue;
    const at = this.#queuedAt;
    while (this.#head < queue.length && at[this.#head]! + ttl <= now) {
      const slot = queue[this.#head]!;
      queue[this.#head] = undefined;
      this.#head++;
      if (!slot.live) continue;
      if (slot.time + ttl <= now) {
        slot.live = false;
        this.#slots.delete(slot.key);
        onExpire(slot);
      } else {
        queue.push(slot);
        at.push(slot.time);
      }
    }
    if (this.#head > 1024 && this.#head * 2 > queue.length) {
      this.#queue = queue.slice(this.#head);
      this.#queuedAt = at.slice(this.#head);
      this.#head = 0;
    }
  }
}

/**
 * Registers every key of `table` in the owned key groups that `tracker` does
 * not know yet as written at `now` (state restored from a checkpoint; its
 * dependents were not heard of). `table` must be scannable (not point-only).
 */
export function trackRestoredKeys(tracker: TtlTracker, table: StateTable<unknown>, owned: KeyGroupRange, now: number): void {
  const found: Uint8Array[] = [];
  for (let g = owned.first; g <= owned.last; g++) {
    for (const [key] of table.scan(keyGroupRange(g))) if (tracker.slot(key) === undefined) found.push(key.slice());
  }
  for (const key of found) tracker.written(key, now, false);
}

/** A tracker for `ttl`, or null when state never expires. */
export function ttlTracker(ttl: StateTtl | undefined): TtlTracker | null {
  return ttl === undefined || ttl.ttlMs <= 0 ? null : new TtlTracker(ttl.ttlMs, ttl.clock ?? wallClock);
}

/**
 * Remembers `dependent` (a key in another table that belongs to the slot's
 * key); every time the list doubles, entries `isLive` denies are dropped, so
 * churn does not grow it without bound.
 */
export function addDependent(slot: TtlSlot, dependent: Uint8Array, isLive: (key: Uint8Array) => boolean): void {
  const list = slot.dependents ?? (slot.dependents = []);
  list.push(dependent);
  if (list.length >= 16 && list.length >= 2 * slot.compactedAt) {
    let n = 0;
    for (let i = 0; i < list.length; i++) if (isLive(list[i]!)) list[n++] = list[i]!;
    list.length = n;
    slot.compactedAt = n;
  }
}

/** Parses a TTL such as '1 h', '500 ms', '10 s', '2 min', '1 d' or plain milliseconds; undefined when unreadable. */
export function parseTtlMs(raw: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(raw);
  if (m === null) return undefined;
  const unit = TTL_UNITS.get((m[2] ?? '').toLowerCase());
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

const TTL_UNITS: ReadonlyMap<string, number> = new Map(
  (
    [
      [1, ['', 'ms', 'milli', 'millis', 'millisecond', 'milliseconds']],
      [1000, ['s', 'sec', 'secs', 'second', 'seconds']],
      [60_000, ['m', 'min', 'mins', 'minute', 'minutes']],
      [3_600_000, ['h', 'hour', 'hours']],
      [86_400_000, ['d', 'day', 'days']],
    ] as const
  ).flatMap(([ms, names]) => names.map((n): [string, number] => [n, ms])),
);
