/**
 * Undo of the last checkpoint's state writes, so that a damaged checkpoint
 * record falls back to the checkpoint before it (issue #4).
 *
 * Checkpoints are incremental and overwrite state in place: after checkpoint
 * n the state on disk is n's. To be able to go back to n-1 when record n
 * cannot be read, checkpoint n's atomic batch also writes, for every state
 * key it puts or deletes, an undo entry holding that key's committed value as
 * of n-1 (or "absent"), and deletes the undo entries of n-1. So at any time
 * the disk holds exactly: record n, record n-1 (see checkpoints.ts), the
 * state of n and undo(n). Applying undo(n) gives the state of n-1 exactly.
 *
 * - Undo key: JOB + owner + "undo" 0x00 + the state key after STATE + owner.
 * - Undo value: uint32 BE checkpoint id (the checkpoint that overwrote the
 *   key), u8 1 and the old value's bytes, or u8 0 (the key was absent).
 * - The old values: for a key checkpoint n-1 wrote, the value it wrote
 *   (kept in memory from n-1 to n); for the others what the state tables
 *   know (`OverwrittenValue`: a key never committed is absent; a value read
 *   from disk and not written since has its bytes), and only the rest is read
 *   from LevelDB when checkpoint n is taken: one checkpoint runs at a time per
 *   dataflow and only its batches write the owner's state, so what LevelDB
 *   holds then is n-1's.
 */
import { KeyPrefix, objectKey, prefixRange, type KeyRange } from '../storage/key-space.ts';
import type { Store, WriteOp } from '../storage/store.ts';
import { InternalError } from '../errors.ts';
import { bytesKey } from '../values/map-key.ts';
import type { OverwrittenValue } from '../state/level-state-table.ts';

const UNDO_TAG = new TextEncoder().encode('undo\0');
/** STATE + uint32 owner. */
const STATE_KEY_HEAD = 5;
const UNDO_KEY_HEAD = 5 + UNDO_TAG.length;

/** The undo key of state key `stateKey` of `owner`. */
function undoKeyOf(owner: number, stateKey: Uint8Array): Uint8Array {
  const suffix = new Uint8Array(UNDO_TAG.length + stateKey.length - STATE_KEY_HEAD);
  suffix.set(UNDO_TAG, 0);
  suffix.set(stateKey.subarray(STATE_KEY_HEAD), UNDO_TAG.length);
  return objectKey(KeyPrefix.JOB, owner, suffix);
}

/** Every undo entry of `owner`. */
export function undoRange(owner: number): KeyRange {
  return prefixRange(objectKey(KeyPrefix.JOB, owner, UNDO_TAG));
}

/** The state writes of one checkpoint by LevelDB key (latin1): the value put, or undefined for a delete. */
export type WrittenState = Map<string, Uint8Array | undefined>;

/** Reads done by the last `undoOps` calls (keys whose old value was unknown), for tests and benchmarks. */
export const undoReads = { keys: 0 };

/**
 * The undo entries for checkpoint `id` whose state operations are `stateOps`:
 * the value each key had after the previous checkpoint. Keys that checkpoint
 * wrote (`previous`) are known, as are those `overwritten` (parallel to
 * `stateOps`, from the tables) knows; the others are read from the store now.
 * A key written twice in one batch (a delete then a put) gets the entry of
 * its first operation twice. Also returns this checkpoint's writes, for the
 * next one.
 */
export async function undoOps(
  store: Store,
  owner: number,
  id: number,
  stateOps: readonly WriteOp[],
  previous: WrittenState,
  overwritten?: readonly OverwrittenValue[],
): Promise<{ ops: WriteOp[]; written: WrittenState }> {
  const n = stateOps.length;
  const written: WrittenState = new Map();
  if (n === 0) return { ops: [], written };
  if (overwritten !== undefined && overwritten.length !== n) throw new InternalError(`checkpoint undo: ${overwritten.length} overwritten values for ${n} state operations`);
  const names = new Array<string>(n);
  /** Per operation: the old value (null: absent), or undefined until read. */
  const olds = new Array<Uint8Array | null | undefined>(n);
  /** Index of the first operation of each key. */
  const first = new Map<string, number>();
  const unknown: Uint8Array[] = [];
  const unknownAt: number[] = [];
  for (let i = 0; i < n; i++) {
    const op = stateOps[i]!;
    const name = bytesKey(op.key);
    names[i] = name;
    const seen = first.get(name);
    if (seen === undefined) {
      first.set(name, i);
      if (previous.has(name)) olds[i] = previous.get(name) ?? null;
      else {
        const known = overwritten?.[i];
        if (known !== undefined) olds[i] = known;
        else {
          unknown.push(op.key);
          unknownAt.push(i);
        }
      }
    }
    written.set(name, op.type === 'put' ? op.value : undefined);
  }
  undoReads.keys += unknown.length;
  if (unknown.length > 0) {
    const read = await store.getMany(unknown);
    for (let r = 0; r < unknownAt.length; r++) olds[unknownAt[r]!] = read[r] ?? null;
  }
  const ops: WriteOp[] = new Array<WriteOp>(n);
  for (let i = 0; i < n; i++) {
    const key = stateOps[i]!.key;
    const name = names[i]!;
    const old = olds[first.get(name)!] ?? undefined;
    const value = new Uint8Array(5 + (old?.length ?? 0));
    new DataView(value.buffer).setUint32(0, id);
    if (old !== undefined) {
      value[4] = 1;
      value.set(old, 5);
    }
    ops[i] = { type: 'put', key: undoKeyOf(owner, key), value };
  }
  return { ops, written };
}

/** One stored undo entry. */
export interface UndoEntry {
  /** Its own key (to delete it). */
  readonly key: Uint8Array;
  /** The checkpoint that overwrote the state key. */
  readonly checkpoint: number;
  /** The state key it restores. */
  readonly stateKey: Uint8Array;
  /** The value to restore; undefined: delete the state key. */
  readonly value: Uint8Array | undefined;
}

/** The undo entries of `owner` on disk (those of its last checkpoint). */
export async function readUndo(store: Store, owner: number): Promise<UndoEntry[]> {
  const out: UndoEntry[] = [];
  for await (const batch of store.entries(undoRange(owner))) {
    for (const { key, value } of batch) {
      if (value.length < 5) throw new InternalError('checkpoint undo entry too short');
      const stateKey = new Uint8Array(STATE_KEY_HEAD + key.length - UNDO_KEY_HEAD);
      stateKey[0] = KeyPrefix.STATE;
      stateKey.set(key.subarray(1, 5), 1);
      stateKey.set(key.subarray(UNDO_KEY_HEAD), STATE_KEY_HEAD);
      const checkpoint = new DataView(value.buffer, value.byteOffset, value.byteLength).getUint32(0);
      out.push({ key: key.slice(), checkpoint, stateKey, value: value[4] === 1 ? value.slice(5) : undefined });
    }
  }
  return out;
}

/** Operations that put the state back as the entries say and delete the entries. */
export function rollbackOps(entries: readonly UndoEntry[]): WriteOp[] {
  const ops: WriteOp[] = [];
  for (const e of entries) {
    ops.push(e.value === undefined ? { type: 'del', key: e.stateKey } : { type: 'put', key: e.stateKey, value: e.value });
    ops.push({ type: 'del', key: e.key });
  }
  return ops;
}
