/**
 * Incremental join (regular join over two changelogs): INNER, LEFT, RIGHT,
 * FULL OUTER, SEMI and ANTI. Input 0 is the left side, input 1 the right side.
 * Output rows are the left columns followed by the right columns (SEMI and
 * ANTI: the left columns only).
 *
 * State, one state table per side: encoded join key -> the side's rows with
 * that key, each as { row, count } (equal rows share an entry), plus, on an
 * outer side (left of LEFT, right of RIGHT, both of FULL), `matches`: how many
 * rows of the other side (with multiplicity) currently join with the entry.
 * Keys compare with SQL `=`: a key with a NULL part is stored (so it can be
 * retracted) but joins with nothing. A residual `condition` (the non-equi
 * conjuncts) must be TRUE for a pair to join. A join without equi-keys (CROSS
 * JOIN, ON a.x < b.y) keys every row by the empty key: one bucket per side,
 * so a change costs O(rows of both sides), correct but meant for small inputs.
 *
 * Rule per row kind. Additions (+I, +U) emit +I for every pair they create;
 * retractions (-U, -D) emit -D for every pair they remove (update pairs of
 * the input become retract/insert changes of the output: one input row may
 * join with any number of rows). Retracting a row the side does not hold is a
 * broken changelog: internal error. For each outer side, on top (the rules of
 * the left side of a LEFT join; the right side of RIGHT mirrors them, FULL
 * applies both):
 * - a left row with no match emits +I (left, NULLs) on arrival, -D of it on
 *   retraction;
 * - a right row that gives a left row its first match retracts the padded row
 *   (-D (left, NULLs)) before +I (left, right);
 * - retracting a left row's last match emits -D (left, right) and then
 *   re-emits +I (left, NULLs).
 * Each copy of a duplicated row has its own padded row.
 * SEMI and ANTI (IN / EXISTS / NOT EXISTS) keep `matches` on the left entries
 * and emit left rows only, never pairs: SEMI holds a left row while its match
 * count is > 0, ANTI while it is 0 (a NULL key matches nothing, so ANTI holds
 * it; this is NOT EXISTS, not the null-aware NOT IN).
 * - a left addition (+I, +U) emits +I of the row when it is held, a left
 *   retraction (-U, -D) -D when it was held (one output row per copy);
 * - a right row that gives a left row its first match emits, per copy of the
 *   left row, +I (SEMI) or -D (ANTI); retracting its last match emits -D
 *   (SEMI) or +I (ANTI); right changes that do not cross 0 emit nothing.
 * - watermark: forwarded unchanged (no `watermark` hook; state is kept until
 *   its rows are retracted, or until it expires).
 *
 * State TTL (state-ttl.ts, `table.exec.state.ttl` > 0): a bucket (one side's
 * rows with one join key) expires when it was not written for the TTL; rows
 * arriving or leaving on its side write it, and so does a change of its
 * entries' match counts (outer sides). An expired bucket is dropped without
 * output, at the next chunk or when read, whichever comes first: a later row
 * of the other side no longer joins with its rows, and a retraction of a row
 * the side no longer holds is ignored (emits nothing) instead of failing.
 * The other side's match counts still include the expired rows: an entry's
 * padded rows (outer joins) and its SEMI / ANTI output go by its stored count
 * (counted when the entry was created, then kept up by the other side's
 * changes), so every retraction emitted retracts a row emitted before. As in
 * Flink, results after an expiry may differ from the batch answer (rows whose
 * partners expired keep their pairs downstream).
 *
 * Key groups (key-groups.ts): a row's key group is that of its encoded join
 * key (NULL parts included), the same on both sides, and every bucket's
 * state key is that group's byte followed by the encoded join key: rows that
 * can join meet in one instance. The operator only reads and writes by key
 * (no scans), so an instance touches exactly the keys of the rows routed to
 * it; its TTL bookkeeping holds only those. A join without equi-keys has the
 * empty key: one key group, one instance does all the work.
 */
import { typesEqual, type Row, type SqlType, type Value } from '../../catalog/types.ts';
import type { BoundExpr } from '../binder/bound-expr.ts';
import { RowKind, type Chunk } from '../dataflow/chunk.ts';
import type { EvalFn } from '../compiler/expr-compiler.ts';
import type { JoinNode } from '../planner/logical-plan.ts';
import { compileExpr, type ExecEnv } from '../compiler/compile.ts';
import { InternalError } from '../errors.ts';
import { encodeKey } from '../values/key-codec.ts';
import { rowsEqual } from '../values/compare.ts';
import { ChangelogBuilder, isAddition, kindAt } from './changelog.ts';
import type { StateTable } from './state-table.ts';
import { decodeStateValue, encodeStateValue, type StateCodec, type StateValue } from '../state/state-codec.ts';
import { memoryStateProvider, ownedKeyGroups, stateArray, stateNumber, stateRow, type StateProvider } from './state-provider.ts';
import { trackRestoredKeys, ttlTracker, type StateTtl, type TtlSlot, type TtlTracker } from './state-ttl.ts';
import { ALL_KEY_GROUPS, inKeyGroup, keyGroupOf, type KeyGroupRange } from './key-groups.ts';
import type { KeyedOperator } from './parallel-operator.ts';

export interface JoinSideSpec {
  readonly keys: readonly EvalFn[];
  /** The side's column types (for row equality in state). */
  readonly types: readonly SqlType[];
}

export interface IncrementalJoinSpec {
  readonly joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'SEMI' | 'ANTI';
  readonly left: JoinSideSpec;
  readonly right: JoinSideSpec;
  /** Types of the join keys (both sides' key expressions have these types). */
  readonly keyTypes: readonly SqlType[];
  /** Residual predicate over left ++ right columns, or undefined. */
  readonly condition: EvalFn | undefined;
}

export interface JoinEntry {
  readonly row: Row;
  count: number;
  matches: number;
}

export type JoinBucket = JoinEntry[];

export interface JoinStateTables {
  readonly left: StateTable<JoinBucket>;
  readonly right: StateTable<JoinBucket>;
  /** The key groups this instance owns (all when absent). */
  readonly keyGroups?: KeyGroupRange;
}

/** A bucket at a checkpoint: [row, count, matches] per entry, in bucket order. */
export const joinBucketCodec: StateCodec<JoinBucket> = {
  encode: (bucket) => encodeStateValue(bucket.map((e): StateValue => [e.row, e.count, e.matches])),
  decode: (bytes) =>
    stateArray(decodeStateValue(bytes), 'join bucket').map((saved): JoinEntry => {
      const [row, count, matches] = stateArray(saved, 'join entry', 3);
      return { row: stateRow(row, 'join row'), count: stateNumber(count, 'join row count'), matches: stateNumber(matches, 'join match count') };
    }),
};

/**
 * The join's tables from `state`: roles `left` and `right`. Both sides'
 * buckets are only used by join key, unless a state TTL expires them: then a
 * restored run scans them once to track them (state-ttl.ts).
 */
export function joinStateTables(state: StateProvider, ttl = false): JoinStateTables {
  const options = { pointOnly: !ttl };
  return { left: state.table('left', joinBucketCodec, options), right: state.table('right', joinBucketCodec, options), keyGroups: ownedKeyGroups(state) };
}

const LEFT = 0;
const RIGHT = 1;

/** The state key of an encoded partition key: its key group's byte, then the key. */
export function groupedKey(encoded: Uint8Array): Uint8Array {
  return inKeyGroup(keyGroupOf(encoded), encoded);
}

export class IncrementalJoin implements KeyedOperator {
  readonly #spec: IncrementalJoinSpec;
  readonly #state: readonly [StateTable<JoinBucket>, StateTable<JoinBucket>];
  readonly #keyScratch: Value[];
  /** Join key values of a row being routed (keyGroupOf), apart from `#keyScratch`. */
  readonly #routeScratch: Value[];
  /**
   * The state key of the row being handled (key group byte, encoded join
   * key), reused while keys keep their length: the tables copy the keys they
   * keep (MemoryStateTable and the persistent table do), so no key is
   * allocated twice per row; the TTL tracker, which keeps keys, gets a copy.
   */
  #stateKey = new Uint8Array(0);
  readonly #leftNulls: Row;
  readonly #rightNulls: Row;
  /** Whether side 0 / side 1 keeps its unmatched rows (NULL-padded). */
  readonly #outer: readonly [boolean, boolean];
  /** SEMI: left rows with a match; ANTI: left rows without one; null for the pair-emitting joins. */
  readonly #filter: 'SEMI' | 'ANTI' | null;
  readonly #out = new ChangelogBuilder();
  /** Per side, state TTL bookkeeping of its table's keys; null when state never expires. */
  readonly #ttl: readonly [TtlTracker, TtlTracker] | null;
  readonly #onExpire: readonly [(slot: TtlSlot) => void, (slot: TtlSlot) => void];
  /** The clock reading of the chunk being handled (TTL only). */
  #now = 0;
  readonly #owned: KeyGroupRange;
  /** Whether the buckets found in state at the first chunk (a restored run's) were handed to the TTL trackers. */
  #restoredTracked = false;

  constructor(spec: IncrementalJoinSpec, state?: JoinStateTables, ttl?: StateTtl) {
    this.#spec = spec;
    const tables = state ?? joinStateTables(memoryStateProvider);
    this.#state = [tables.left, tables.right];
    this.#owned = tables.keyGroups ?? ALL_KEY_GROUPS;
    this.#keyScratch = new Array<Value>(spec.keyTypes.length).fill(null);
    this.#routeScratch = new Array<Value>(spec.keyTypes.length).fill(null);
    this.#leftNulls = new Array<Value>(spec.left.types.length).fill(null);
    this.#rightNulls = new Array<Value>(spec.right.types.length).fill(null);
    const t = spec.joinType;
    this.#filter = t === 'SEMI' || t === 'ANTI' ? t : null;
    // SEMI / ANTI track `matches` on the left entries as a LEFT join does.
    this.#outer = [t === 'LEFT' || t === 'FULL' || this.#filter !== null, t === 'RIGHT' || t === 'FULL'];
    const left = ttlTracker(ttl);
    const right = ttlTracker(ttl);
    this.#ttl = left !== null && right !== null ? [left, right] : null;
    this.#onExpire = [(slot) => tables.left.delete(slot.key), (slot) => tables.right.delete(slot.key)];
  }

  /** The key group of the row's join key (NULL parts included: the row is still stored, to be retracted). */
  keyGroupOf(input: number, row: Row): number {
    const keys = input === LEFT ? this.#spec.left.keys : this.#spec.right.keys;
    const values = this.#routeScratch;
    for (let k = 0; k < keys.length; k++) values[k] = keys[k]!(row);
    return keyGroupOf(encodeKey(values, this.#spec.keyTypes));
  }

  push(input: number, chunk: Chunk): Chunk[] {
    if (input !== LEFT && input !== RIGHT) throw new InternalError(`join has two inputs, got input ${input}`);
    try {
      const ttl = this.#ttl;
      if (ttl !== null) {
        const now = (this.#now = ttl[LEFT].now());
        if (!this.#restoredTracked) {
          this.#restoredTracked = true;
          trackRestoredKeys(ttl[LEFT], this.#state[LEFT]!, this.#owned, now);
          trackRestoredKeys(ttl[RIGHT], this.#state[RIGHT]!, this.#owned, now);
        }
        ttl[LEFT].expire(now, this.#onExpire[LEFT]);
        ttl[RIGHT].expire(now, this.#onExpire[RIGHT]);
      }
      this.#apply(input, chunk);
    } catch (err) {
      this.#out.discard();
      throw err;
    }
    return this.#out.take();
  }

  #apply(input: 0 | 1, chunk: Chunk): void {
    const side = input === LEFT ? this.#spec.left : this.#spec.right;
    const own = this.#state[input]!;
    const other = this.#state[1 - input]!;
    const rows = chunk.rows;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      let joinable = true;
      for (let k = 0; k < side.keys.length; k++) {
        const v = side.keys[k]!(row);
        this.#keyScratch[k] = v;
        if (v === null) joinable = false;
      }
      const ttl = this.#ttl;
      const scratch = this.#groupedKey(encodeKey(this.#keyScratch, this.#spec.keyTypes));
      const key = ttl === null ? scratch : scratch.slice();
      const add = isAddition(kindAt(chunk, i));
      if (ttl !== null) {
        this.#dropIfExpired(input, key);
        if (joinable) this.#dropIfExpired(1 - input, key);
      }
      const entry = this.#update(own, key, row, side.types, add);
      if (entry === null) continue;
      if (ttl !== null) {
        if (own.get(key) === undefined) ttl[input].forget(key);
        else ttl[input].written(key, this.#now);
      }
      const partners = joinable ? other.get(key) : undefined;
      this.#changed(input, entry, add, partners);
      if (partners !== undefined && this.#outer[1 - input]) {
        other.put(key, partners);
        if (ttl !== null) ttl[1 - input]!.written(key, this.#now);
      }
    }
  }

  /** `encoded` in its key group, in `#stateKey` (valid until the next row). */
  #groupedKey(encoded: Uint8Array): Uint8Array {
    let key = this.#stateKey;
    if (key.length !== encoded.length + 1) key = this.#stateKey = new Uint8Array(encoded.length + 1);
    key[0] = keyGroupOf(encoded);
    key.set(encoded, 1);
    return key;
  }

  /** State TTL: drops side `side`'s bucket of `key` when it has expired (not written for the TTL). */
  #dropIfExpired(side: number, key: Uint8Array): void {
    const table = this.#state[side]!;
    const tracker = this.#ttl![side]!;
    if (table.get(key) === undefined || !tracker.expired(key, this.#now)) return;
    tracker.forget(key);
    table.delete(key);
  }

  /** Adds or removes one copy of `row` in its bucket; returns its entry, or null for a retraction ignored under a state TTL. */
  #update(table: StateTable<JoinBucket>, key: Uint8Array, row: Row, types: readonly SqlType[], add: boolean): JoinEntry | null {
    let bucket = table.get(key);
    let index = -1;
    if (bucket !== undefined) {
      for (let j = 0; j < bucket.length; j++) {
        if (rowsEqual(bucket[j]!.row, row, types)) {
          index = j;
          break;
        }
      }
    }
    if (add) {
      if (index >= 0) {
        const e = bucket![index]!;
        e.count++;
        table.put(key, bucket!);
        return e;
      }
      const e: JoinEntry = { row, count: 1, matches: 0 };
      if (bucket === undefined) bucket = [];
      bucket.push(e);
      table.put(key, bucket);
      return e;
    }
    if (index < 0) {
      // Under a state TTL the row may have expired with its bucket.
      if (this.#ttl !== null) return null;
      throw new InternalError('join received a retraction of a row it does not hold');
    }
    const e = bucket![index]!;
    e.count--;
    if (e.count === 0) bucket!.splice(index, 1);
    if (bucket!.length === 0) table.delete(key);
    else table.put(key, bucket!);
    return e;
  }

  /**
   * One copy of `entry.row` arrived on (`add`) or left side `input`; `partners`
   * is the other side's bucket with the same key (undefined when none or when
   * the key has a NULL part).
   */
  #changed(input: 0 | 1, entry: JoinEntry, add: boolean, partners: JoinBucket | undefined): void {
    if (this.#filter !== null) {
      this.#changedFilter(input, entry, add, partners);
      return;
    }
    const out = this.#out;
    const kind = add ? RowKind.INSERT : RowKind.DELETE;
    const otherOuter = this.#outer[1 - input]!;
    const own = entry.row;
    let matches = 0;
    if (partners !== undefined) {
      for (const p of partners) {
        const joined = input === LEFT ? this.#joined(own, p.row) : this.#joined(p.row, own);
        if (joined === null) continue;
        matches += p.count;
        if (add) {
          if (otherOuter && p.matches++ === 0) this.#emitPadded(RowKind.DELETE, 1 - input, p.row, p.count);
          for (let c = 0; c < p.count; c++) out.emit(kind, c === 0 ? joined : joined.slice());
        } else {
          for (let c = 0; c < p.count; c++) out.emit(kind, c === 0 ? joined : joined.slice());
          if (otherOuter && --p.matches === 0) this.#emitPadded(RowKind.INSERT, 1 - input, p.row, p.count);
        }
      }
    }
    if (this.#outer[input]) {
      // The stored count says whether the entry's padded rows are out; only a new entry takes the count found.
      if (add && entry.count === 1) entry.matches = matches;
      if (entry.matches === 0) this.#emitPadded(kind, input, own, 1);
    }
  }

  /** SEMI / ANTI: `#changed` emitting left rows as their match counts cross 0. */
  #changedFilter(input: 0 | 1, entry: JoinEntry, add: boolean, partners: JoinBucket | undefined): void {
    const semi = this.#filter === 'SEMI';
    if (input === LEFT) {
      // As in `#changed`: only a new entry counts its matches, the others go by their stored count.
      if (add && entry.count === 1) {
        let matches = 0;
        if (partners !== undefined) for (const p of partners) if (this.#joined(entry.row, p.row) !== null) matches += p.count;
        entry.matches = matches;
      }
      if (entry.matches > 0 === semi) this.#out.emit(add ? RowKind.INSERT : RowKind.DELETE, entry.row);
      return;
    }
    if (partners === undefined) return;
    for (const p of partners) {
      if (this.#joined(p.row, entry.row) === null) continue;
      const crossed = add ? p.matches++ === 0 : --p.matches === 0;
      if (!crossed) continue;
      const kind = add === semi ? RowKind.INSERT : RowKind.DELETE;
      for (let c = 0; c < p.count; c++) this.#out.emit(kind, c === 0 ? p.row : p.row.slice());
    }
  }

  /** `copies` times the row of side `side` padded with NULLs for the other side. */
  #emitPadded(kind: RowKind, side: number, row: Row, copies: number): void {
    for (let c = 0; c < copies; c++) this.#out.emit(kind, side === LEFT ? row.concat(this.#rightNulls) : this.#leftNulls.concat(row));
  }

  /** left ++ right when the residual condition holds, else null. */
  #joined(l: Row, r: Row): Row | null {
    const row = l.concat(r);
    const cond = this.#spec.condition;
    return cond === undefined || cond(row) === true ? row : null;
  }

}

/**
 * The join of a logical plan node: INNER, LEFT, RIGHT, FULL, SEMI or ANTI.
 * Without equi-keys (CROSS JOIN, ON a.x < b.y) every row shares one bucket.
 * ANTI is NOT EXISTS semantics (a left row with a NULL key, or with no right
 * row satisfying the condition, is kept); a NOT IN needs the planner to put
 * its null-aware part into the node (see the report of this change).
 */
export function incrementalJoinOf(node: JoinNode, env: ExecEnv, state: StateProvider = memoryStateProvider, ttl?: StateTtl): IncrementalJoin {
  const joinType = node.joinType;
  // Keys encode under the left key's type; a right key of another type is cast to it (as in the batch join).
  const keyTypes = node.equiKeys.map((k) => k.left.type);
  const rightKeys = node.equiKeys.map((k): BoundExpr =>
    typesEqual(k.left.type, k.right.type) ? k.right : { kind: 'cast', type: k.left.type, operand: k.right, try: false },
  );
  return new IncrementalJoin(
    {
      joinType,
      left: { keys: node.equiKeys.map((k) => compileExpr(k.left, env)), types: node.left.schema.map((c) => c.type) },
      right: { keys: rightKeys.map((e) => compileExpr(e, env)), types: node.right.schema.map((c) => c.type) },
      keyTypes,
      condition: node.condition === undefined ? undefined : compileExpr(node.condition, env),
    },
    joinStateTables(state, ttl !== undefined && ttl.ttlMs > 0),
    ttl,
  );
}
