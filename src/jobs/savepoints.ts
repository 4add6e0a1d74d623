/**
 * Savepoints: checkpoints a user asks for and keeps (ARCHITECTURE decision 6).
 *
 * - `CREATE SAVEPOINT FOR JOB 'job-0001'` (or `STOP JOB 'job-0001' WITH
 *   SAVEPOINT`, Flink's form) takes a checkpoint of the running job and
 *   copies its state and source positions under a savepoint id ('sp-0001').
 *   The copy is made while no other checkpoint of that job can run, from the
 *   state the checkpoint just committed; its record is written last, so a
 *   savepoint is either complete or not listed.
 * - `SET 'execution.savepoint.path' = 'sp-0001'` then `INSERT INTO ...`
 *   starts the new job from the savepoint: its state is copied in and its
 *   sources resume from the savepoint's positions. The query must have the
 *   same stateful operators (the same state tables), else 55000.
 * - SHOW SAVEPOINTS lists them; `DROP SAVEPOINT 'sp-0001'` deletes one.
 */
import { KeyPrefix, objectKey, objectPrefix, prefixRange } from '../storage/key-space.ts';
import type { Store, WriteOp } from '../storage/store.ts';
import { SqlError, SqlState } from '../errors.ts';
import { checkpointOp, currentLayout, decodeCheckpoint, encodeCheckpoint, type CheckpointRecord } from './checkpoints.ts';
import type { DurableDataflow } from './durable-dataflow.ts';

export interface SavepointInfo {
  readonly id: string;
  readonly number: number;
  /** The job it was taken of. */
  readonly dataflow: string;
  /** Its statement (what a job started from it should run). */
  readonly statement: string;
  readonly checkpoint: number;
  readonly created: number;
  readonly bytes: number;
  /** Names of the state tables it holds. */
  readonly tables: readonly string[];
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();
const RECORD = new Uint8Array([0]);
const ENTRY = 1;
const COPY_BATCH = 4096;

export function savepointIdOf(n: number): string {
  return `sp-${String(n).padStart(4, '0')}`;
}

function numberOf(id: string, position?: number): number {
  const m = /^sp-(\d+)$/.exec(id.trim());
  if (m === null) throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `"${id}" is not a savepoint id`, { ...(position === undefined ? {} : { position }), hint: "Savepoint ids look like 'sp-0001'; SHOW SAVEPOINTS lists them." });
  return Number(m[1]);
}

/** The table name of a state key suffix (after STATE + owner): the bytes before the first 0x00. */
function tableNameOf(suffix: Uint8Array): string {
  const end = suffix.indexOf(0);
  return utf8Decoder.decode(suffix.subarray(0, end < 0 ? suffix.length : end));
}

interface StoredRecord extends Omit<SavepointInfo, 'id'> {
  /** The checkpoint record, base64 (positions and watermarks). */
  readonly checkpointRecord: string;
}

export class Savepoints {
  readonly #store: Store;
  readonly #list = new Map<number, StoredRecord>();
  #next = 1;

  private constructor(store: Store) {
    this.#store = store;
  }

  static async open(store: Store): Promise<Savepoints> {
    const sp = new Savepoints(store);
    for await (const batch of store.entries(prefixRange(new Uint8Array([KeyPrefix.SAVEPOINT])))) {
      for (const { key, value } of batch) {
        if (key.length !== 6 || key[5] !== 0) continue;
        const rec = JSON.parse(utf8Decoder.decode(value)) as StoredRecord;
        sp.#list.set(rec.number, rec);
        sp.#next = Math.max(sp.#next, rec.number + 1);
      }
    }
    return sp;
  }

  list(): SavepointInfo[] {
    return [...this.#list.values()].sort((a, b) => a.number - b.number).map((r) => ({ ...r, id: savepointIdOf(r.number) }));
  }

  /** Takes a savepoint of a running durable dataflow (state owner `owner`). */
  async take(durable: DurableDataflow, owner: number, dataflow: string, statement: string): Promise<SavepointInfo> {
    const number = this.#next++;
    let stored: StoredRecord | undefined;
    await durable.checkpoint('savepoint', async (record) => {
      let bytes = 0;
      const tables = new Set<string>();
      let ops: WriteOp[] = [];
      for await (const batch of this.#store.entries(prefixRange(objectPrefix(KeyPrefix.STATE, owner)))) {
        for (const { key, value } of batch) {
          const suffix = key.subarray(5);
          tables.add(tableNameOf(suffix));
          const copyKey = new Uint8Array(1 + suffix.length);
          copyKey[0] = ENTRY;
          copyKey.set(suffix, 1);
          ops.push({ type: 'put', key: objectKey(KeyPrefix.SAVEPOINT, number, copyKey), value });
          bytes += key.length + value.length;
          if (ops.length >= COPY_BATCH) {
            await this.#store.write(ops, false);
            ops = [];
          }
        }
      }
      stored = {
        number,
        dataflow,
        statement,
        checkpoint: record.id,
        created: Date.now(),
        bytes,
        tables: [...tables].sort(),
        checkpointRecord: Buffer.from(encodeCheckpoint(record)).toString('base64'),
      };
      ops.push({ type: 'put', key: objectKey(KeyPrefix.SAVEPOINT, number, RECORD), value: utf8.encode(JSON.stringify(stored)) });
      await this.#store.write(ops);
    });
    if (stored === undefined) throw new SqlError(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, `${dataflow} could not take a savepoint now`, { hint: 'Try again in a moment: a source is still reading its initial snapshot.' });
    this.#list.set(number, stored);
    return { ...stored, id: savepointIdOf(number) };
  }

  /** The savepoint `id`; 42704 when there is none. */
  get(id: string, position?: number): SavepointInfo {
    const rec = this.#list.get(numberOf(id, position));
    if (rec === undefined) {
      throw new SqlError(SqlState.UNDEFINED_OBJECT, `savepoint "${id}" does not exist`, { ...(position === undefined ? {} : { position }), hint: 'SHOW SAVEPOINTS lists the savepoints.' });
    }
    return { ...rec, id: savepointIdOf(rec.number) };
  }

  /**
   * Copies savepoint `id` into the state of `owner` (which must be empty) with
   * a checkpoint record, so that the dataflow started next resumes from it.
   * `declared`: the state tables of the query to start; they must match.
   */
  async restoreInto(id: string, owner: number, declared: ReadonlySet<string>): Promise<void> {
    const info = this.get(id);
    const rec = this.#list.get(info.number)!;
    const missing = rec.tables.filter((t) => !declared.has(t));
    if (missing.length > 0) {
      throw new SqlError(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, `savepoint "${id}" does not fit this query: it holds state the query does not have`, {
        detail: `Savepoint of ${rec.dataflow}: ${rec.statement}`,
        hint: 'Start the same query (the same stateful operators) from the savepoint, or RESET execution.savepoint.path.',
      });
    }
    const record: CheckpointRecord = decodeCheckpoint(Buffer.from(rec.checkpointRecord, 'base64'), id);
    if (!currentLayout(record)) {
      throw new SqlError(SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE, `savepoint "${id}" holds state in an older layout that this server cannot read`, {
        detail: `Savepoint of ${rec.dataflow}: ${rec.statement}`,
        hint: 'Start the query without a savepoint (RESET execution.savepoint.path); it reads its inputs from the start.',
      });
    }
    let ops: WriteOp[] = [];
    const start = objectKey(KeyPrefix.SAVEPOINT, info.number, new Uint8Array([ENTRY]));
    for await (const batch of this.#store.entries(prefixRange(start))) {
      for (const { key, value } of batch) {
        ops.push({ type: 'put', key: objectKey(KeyPrefix.STATE, owner, key.subarray(6)), value });
        if (ops.length >= COPY_BATCH) {
          await this.#store.write(ops, false);
          ops = [];
        }
      }
    }
    ops.push(checkpointOp(owner, record));
    await this.#store.write(ops);
  }

  /** DROP SAVEPOINT. */
  async drop(id: string, position?: number): Promise<void> {
    const info = this.get(id, position);
    await this.#store.clear(prefixRange(objectPrefix(KeyPrefix.SAVEPOINT, info.number)));
    this.#list.delete(info.number);
  }
}
