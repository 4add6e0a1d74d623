/**
 * Where the timed entries of a keyed operator are, per key group: for state
 * tables whose keys are a key group, then a time (interval-join timers,
 * temporal-join probes and cleanups), a count and a lower bound of the
 * earliest time per owned group, so a watermark visits only the groups with
 * something due.
 */
import type { StateTable } from './state-table.ts';
import { KEY_GROUPS, scanKeyGroups, type KeyGroupRange } from './key-groups.ts';

/** The time (µs) of an encoded TIMESTAMP key: tag byte, then 8 bytes big-endian with the sign bit flipped. */
export function timeOfKey(key: Uint8Array): number {
  const view = new DataView(key.buffer, key.byteOffset + 1, 8);
  return (view.getUint32(0) ^ 0x80000000) * 0x1_0000_0000 + view.getUint32(4);
}

/**
 * Per owned key group of a table whose keys are a key group, then a time
 * (`timeOf` reads it from a key without its group): how many keys the group
 * holds, and a lower bound of their earliest time (+Infinity when none).
 * Read from the table's owned groups at first use (a fresh operator, or one
 * restored from a checkpoint), then kept up by the operator: `added` after it
 * put a new key, `removed` after it deleted one (so a first use there reads
 * the table as changed), `raise` once a group holds nothing before a time.
 * Lets an operator visit only the groups with something due.
 */
export class GroupTimes {
  readonly #table: StateTable<unknown>;
  readonly #groups: KeyGroupRange;
  readonly #timeOf: (key: Uint8Array) => number;
  readonly #first = new Float64Array(KEY_GROUPS).fill(Infinity);
  readonly #count = new Int32Array(KEY_GROUPS);
  #loaded = false;
  /** The least `#first` of the owned groups (a lower bound, as they are). */
  #lowest = Infinity;

  constructor(table: StateTable<unknown>, groups: KeyGroupRange, timeOf: (key: Uint8Array) => number) {
    this.#table = table;
    this.#groups = groups;
    this.#timeOf = timeOf;
  }

  get groups(): KeyGroupRange {
    return this.#groups;
  }

  /** A lower bound of every time held in the owned groups (+Infinity: none). */
  lowest(): number {
    if (!this.#loaded) this.#load();
    return this.#lowest;
  }

  /** A lower bound of the times held in group `g` (+Infinity: none). */
  first(g: number): number {
    return this.#first[g]!;
  }

  /** Keys held in group `g`. */
  count(g: number): number {
    return this.#count[g]!;
  }

  /** A key of time `t` was put into group `g` (it was not there before). */
  added(g: number, t: number): void {
    if (!this.#loaded) return this.#load();
    this.#count[g]!++;
    if (t < this.#first[g]!) this.#first[g] = t;
    if (t < this.#lowest) this.#lowest = t;
  }

  /** A key of group `g` was deleted. */
  removed(g: number): void {
    if (!this.#loaded) return this.#load();
    if (--this.#count[g]! === 0) this.#first[g] = Infinity;
  }

  /** Group `g` holds no key before `t`; call `settle` once every group was handled. */
  raise(g: number, t: number): void {
    this.#first[g] = this.#count[g] === 0 ? Infinity : Math.max(this.#first[g]!, t);
  }

  /** Recomputes the lower bound over the owned groups. */
  settle(): void {
    let lowest = Infinity;
    for (let g = this.#groups.first; g <= this.#groups.last; g++) if (this.#first[g]! < lowest) lowest = this.#first[g]!;
    this.#lowest = lowest;
  }

  #load(): void {
    this.#loaded = true;
    for (const [g, key] of scanKeyGroups(this.#table, this.#groups)) {
      if (this.#count[g]!++ === 0) this.#first[g] = this.#timeOf(key);
    }
    this.settle();
  }
}
