/**
 * Incremental INTERSECT / EXCEPT [ALL] over two changelogs. Input 0 is the
 * left query, input 1 the right one; both have the set operation's column
 * types (the binder casts them). Rows compare as SQL set operations compare
 * them: NULLs equal, by the key-codec encoding of the whole row.
 *
 * State: one state table (role `rows`): encoded row -> { row, left, right },
 * the number of copies of the row each side currently holds, and `row` the
 * copy emitted for it (the first seen; it stays until the entry goes, so a
 * retraction always repeats the row emitted before). An entry with both counts
 * 0 is deleted.
 *
 * The output holds, per distinct row, a number of copies computed from the counts:
 * - INTERSECT ALL: min(left, right); INTERSECT: 1 if left > 0 and right > 0;
 * - EXCEPT ALL: max(left - right, 0); EXCEPT: 1 if left > 0 and right = 0.
 * Rule per row kind: +I and +U add one copy to the row's count on their side,
 * -U and -D take one away (taking a copy the side does not hold is a broken
 * changelog: internal error). When the row's output count changes from `o` to
 * `n`, the operator emits n - o times +I of the row, or o - n times -D. An
 * update pair of the input is handled as a removal then an addition, so its
 * output is -D / +I rows (the output is a retract changelog without update
 * pairs). Watermarks pass unchanged (no hook).
 *
 * Key groups (key-groups.ts): the partition key is the whole row, so both
 * inputs' copies of a row meet in the same key group: that of the row's
 * key-codec encoding, which is also the entry's key (state key:
 * inKeyGroup(kg, encoded row)). The operator only touches keys of its own
 * key groups (a row of another group is an internal error) and never scans.
 */
import type { Row, SqlType } from '../../catalog/types.ts';
import type { Chunk } from '../dataflow/chunk.ts';
import type { SetOpNode } from '../planner/logical-plan.ts';
import { InternalError } from '../errors.ts';
import { encodeKey } from '../values/key-codec.ts';
import { decodeStateValue, encodeStateValue, type StateCodec } from '../state/state-codec.ts';
import { ChangelogBuilder, RowKind, isAddition, kindAt } from './changelog.ts';
import { memoryStateProvider, stateArray, stateNumber, stateRow, type StateProvider } from './state-provider.ts';
import type { StateTable } from './state-table.ts';
import { inKeyGroup, keyGroupOf, type KeyGroupRange } from './key-groups.ts';
import { ownedKeyGroups } from './state-provider.ts';
import type { KeyedOperator } from './parallel-operator.ts';

export interface SetOpSpec {
  readonly op: 'INTERSECT' | 'EXCEPT';
  readonly all: boolean;
  readonly types: readonly SqlType[];
}

/** One distinct row and how many copies of it each side holds. */
export interface SetOpEntry {
  readonly row: Row;
  left: number;
  right: number;
}

/** An entry at a checkpoint: [row, left count, right count]. */
export const setOpEntryCodec: StateCodec<SetOpEntry> = {
  encode: (e) => encodeStateValue([e.row, e.left, e.right]),
  decode: (bytes) => {
    const [row, left, right] = stateArray(decodeStateValue(bytes), 'set operation entry', 3);
    return { row: stateRow(row, 'set operation row'), left: stateNumber(left, 'set operation count'), right: stateNumber(right, 'set operation count') };
  },
};

/** How many copies of a row the output holds, given both sides' counts. */
export function setOpCount(op: SetOpSpec['op'], all: boolean, left: number, right: number): number {
  if (op === 'INTERSECT') return all ? Math.min(left, right) : left > 0 && right > 0 ? 1 : 0;
  return all ? Math.max(left - right, 0) : left > 0 && right === 0 ? 1 : 0;
}

export class IncrementalSetOp implements KeyedOperator {
  readonly #spec: SetOpSpec;
  readonly #state: StateTable<SetOpEntry>;
  readonly #out = new ChangelogBuilder();
  readonly #owned: KeyGroupRange;

  constructor(spec: SetOpSpec, state: StateProvider = memoryStateProvider) {
    this.#spec = spec;
    this.#state = state.table('rows', setOpEntryCodec, { pointOnly: true });
    this.#owned = ownedKeyGroups(state);
  }

  keyGroupOf(_input: number, row: Row): number {
    return keyGroupOf(encodeKey(row, this.#spec.types));
  }

  push(input: number, chunk: Chunk): Chunk[] {
    if (input !== 0 && input !== 1) throw new InternalError(`set operation has two inputs, got input ${input}`);
    try {
      const rows = chunk.rows;
      for (let i = 0; i < rows.length; i++) this.#change(input, rows[i]!, isAddition(kindAt(chunk, i)) ? 1 : -1);
      return this.#out.take();
    } catch (err) {
      this.#out.discard();
      throw err;
    }
  }

  #change(input: number, row: Row, delta: 1 | -1): void {
    const { op, all, types } = this.#spec;
    const encoded = encodeKey(row, types);
    const kg = keyGroupOf(encoded);
    if (kg < this.#owned.first || kg > this.#owned.last) {
      throw new InternalError(`set operation instance owning key groups ${this.#owned.first}..${this.#owned.last} received a row of key group ${kg}`);
    }
    const key = inKeyGroup(kg, encoded);
    const found = this.#state.get(key);
    const entry = found ?? { row, left: 0, right: 0 };
    const before = setOpCount(op, all, entry.left, entry.right);
    if (input === 0) entry.left += delta;
    else entry.right += delta;
    if (entry.left < 0 || entry.right < 0) {
      throw new InternalError('set operation: retraction of a row the input does not hold (broken changelog)');
    }
    const after = setOpCount(op, all, entry.left, entry.right);
    if (entry.left === 0 && entry.right === 0) this.#state.delete(key);
    else this.#state.put(key, entry);
    for (let n = before; n < after; n++) this.#out.emit(RowKind.INSERT, entry.row);
    for (let n = after; n < before; n++) this.#out.emit(RowKind.DELETE, entry.row);
  }
}

export function incrementalSetOpOf(plan: SetOpNode, state: StateProvider = memoryStateProvider): IncrementalSetOp {
  return new IncrementalSetOp({ op: plan.op, all: plan.all, types: plan.schema.map((c) => c.type) }, state);
}
