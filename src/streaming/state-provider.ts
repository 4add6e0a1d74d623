/**
 * Where a dataflow's operators get their state tables.
 *
 * `compileStream` asks the provider for every table an operator keeps, by a
 * name that is unique within the dataflow and stable across compiles of the
 * same plan (`${ordinal}.${role}`, the ordinal counting stateful operators in
 * compile order): after a restart the plan is compiled again and each
 * operator must find the tables it wrote. The codec turns the table's values
 * into bytes and back; a persistent provider uses it at checkpoints and
 * restores only, never per row (operators mutate the values they hold and
 * `put` them again, see state-table.ts).
 *
 * `memoryStateProvider` gives fresh in-memory tables and ignores the codecs
 * (a query that does not survive a restart).
 */
import type { Row } from '../../catalog/types.ts';
import { InternalError } from '../errors.ts';
import { decodeStateValue, encodeStateValue, type StateCodec, type StateValue } from '../state/state-codec.ts';
import { ALL_KEY_GROUPS, type KeyGroupRange } from './key-groups.ts';
import { MemoryStateTable, type StateTable } from './state-table.ts';

export interface StateTableOptions {
  /**
   * The operator only ever uses the table by key (get/put/delete; never
   * `scan` or `size`). A persistent provider may then restore it lazily
   * (nothing read up front, each key read at its first `get`), and its
   * `scan` and `size` throw InternalError.
   */
  readonly pointOnly?: boolean;
}

export interface StateProvider {
  table<V>(name: string, codec: StateCodec<V>, options?: StateTableOptions): StateTable<V>;
  /**
   * The key groups the operator instance owns (key-groups.ts); absent: all of
   * them (a single instance). A keyed operator reads, writes and scans only
   * keys of its own groups.
   */
  readonly keyGroups?: KeyGroupRange;
}

/** The key groups an operator given `state` owns. */
export function ownedKeyGroups(state: StateProvider): KeyGroupRange {
  return state.keyGroups ?? ALL_KEY_GROUPS;
}

export const memoryStateProvider: StateProvider = {
  table<V>(_name: string, _codec: StateCodec<V>): StateTable<V> {
    return new MemoryStateTable<V>();
  },
};

/** Values that are plain counts (DISTINCT tuple counts). */
export const countCodec: StateCodec<number> = {
  encode: (value) => encodeStateValue(value),
  decode: (bytes) => {
    const v = decodeStateValue(bytes);
    if (typeof v !== 'number') throw new InternalError('state: a count is not a number');
    return v;
  },
};

/** Values that are byte strings (keys of other entries). */
export const bytesCodec: StateCodec<Uint8Array> = {
  encode: (value) => value.slice(),
  decode: (bytes) => bytes.slice(),
};

/** A decoded state node that must be an array (of `length` elements when given). */
export function stateArray(v: StateValue | undefined, what: string, length?: number): readonly StateValue[] {
  if (!Array.isArray(v) || (length !== undefined && v.length !== length)) throw new InternalError(`state: malformed ${what}`);
  return v as readonly StateValue[];
}

/** A decoded state node that must be a number. */
export function stateNumber(v: StateValue | undefined, what: string): number {
  if (typeof v !== 'number') throw new InternalError(`state: malformed ${what}`);
  return v;
}

/** A decoded state node that must be a row (an array of SQL values). */
export function stateRow(v: StateValue | undefined, what: string): Row {
  if (!Array.isArray(v)) throw new InternalError(`state: malformed ${what}`);
  return v as Row;
}
