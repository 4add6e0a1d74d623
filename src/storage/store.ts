/**
 * The one LevelDB database of a data directory (`<dataDir>/db`).
 *
 * Contract:
 * - Keys and values are byte arrays; the key space is laid out in key-space.ts.
 * - `write` applies its operations as one atomic batch. With `durable` (the
 *   default) the batch is fsynced before the promise resolves, so anything
 *   acknowledged to a client after it survives a crash of the process or the
 *   machine. Non-durable writes are for data that can be recomputed.
 * - `entries` reads from a snapshot taken when iteration starts, in key order
 *   (or reverse), in batches, so a scan costs one native call per batch;
 *   `snapshotEntries` takes its snapshot when called.
 * - Only one process can open a data directory; a second one gets a clear
 *   error naming the directory.
 */
import { mkdir } from 'node:fs/promises';
import { resolve, join } from 'node:path';
import { ClassicLevel } from 'classic-level';
import { SqlError, SqlState } from '../errors.ts';
import type { KeyRange } from './key-space.ts';

export type WriteOp =
  | { readonly type: 'put'; readonly key: Uint8Array; readonly value: Uint8Array }
  | { readonly type: 'del'; readonly key: Uint8Array };

export interface Entry {
  readonly key: Uint8Array;
  readonly value: Uint8Array;
}

export interface ReadOptions {
  /** Newest-first (descending key order). */
  readonly reverse?: boolean;
  /** Stop after this many entries in total. */
  readonly limit?: number;
  /** Entries per yielded batch (default 1024). */
  readonly batchSize?: number;
}

const DEFAULT_BATCH = 1024;
/** Entries per native read of a bulk read. */
const BULK_BATCH = 4096;
/** How many bytes one native read may buffer; large enough that a batch of rows is rarely cut short. */
const READ_AHEAD_BYTES = 4 * 1024 * 1024;

type Db = ClassicLevel<Uint8Array, Uint8Array>;

export class Store {
  readonly dataDir: string;
  readonly #db: Db;
  #closed = false;

  private constructor(dataDir: string, db: Db) {
    this.dataDir = dataDir;
    this.#db = db;
  }

  /** Opens (creating if needed) the database of `dataDir`. */
  static async open(dataDir: string): Promise<Store> {
    const dir = resolve(dataDir);
    try {
      await mkdir(dir, { recursive: true });
    } catch (err) {
      throw new SqlError(SqlState.IO_ERROR, `could not create data directory "${dir}": ${(err as Error).message}`);
    }
    const db: Db = new ClassicLevel<Uint8Array, Uint8Array>(join(dir, 'db'), {
      keyEncoding: 'view',
      valueEncoding: 'view',
    });
    try {
      await db.open();
    } catch (err) {
      if (isLockedError(err)) {
        throw new SqlError(
          SqlState.OBJECT_NOT_IN_PREREQUISITE_STATE,
          `data directory "${dir}" is in use by another running millrace server`,
          { hint: 'Stop the other server, or start this one with a different data directory.', severity: 'FATAL' },
        );
      }
      const cause = (err as { cause?: Error }).cause;
      throw new SqlError(
        SqlState.IO_ERROR,
        `could not open the database in "${dir}": ${cause?.message ?? (err as Error).message}`,
        { severity: 'FATAL' },
      );
    }
    return new Store(dir, db);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#db.close();
  }

  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    return this.#db.get(key);
  }

  /**
   * Reads one key synchronously, blocking the event loop for the native
   * lookup: for the rare read of a value a state table evicted from its cache
   * (operators run synchronously per chunk). Sees every completed write.
   */
  getSync(key: Uint8Array): Uint8Array | undefined {
    return this.#db.getSync(key);
  }

  /** The values of `keys` (undefined where absent), in one native call. */
  async getMany(keys: readonly Uint8Array[]): Promise<(Uint8Array | undefined)[]> {
    if (keys.length === 0) return [];
    return this.#db.getMany(keys as Uint8Array[]);
  }

  /**
   * Applies `ops` atomically; fsynced before resolving unless `durable` is false.
   * Built as a chained batch (one LevelDB WriteBatch): the array form of
   * `batch` clones every operation object and costs several times more.
   */
  async write(ops: readonly WriteOp[], durable = true): Promise<void> {
    if (ops.length === 0) return;
    const batch = this.#db.batch();
    try {
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i]!;
        if (op.type === 'put') batch.put(op.key, op.value);
        else batch.del(op.key);
      }
    } catch (err) {
      await batch.close();
      throw err;
    }
    await batch.write({ sync: durable });
  }

  /** Entries in `range`, in batches, from a snapshot taken now. */
  async *entries(range: KeyRange, options: ReadOptions = {}): AsyncGenerator<Entry[]> {
    for await (const got of this.#rawBatches(range, options)) {
      const out: Entry[] = new Array<Entry>(got.length);
      for (let i = 0; i < got.length; i++) {
        const e = got[i]!;
        out[i] = { key: e[0], value: e[1] };
      }
      yield out;
    }
  }

  /** The values of the entries in `range`, in batches, from a snapshot taken now (no key objects). */
  async *values(range: KeyRange, options: ReadOptions = {}): AsyncGenerator<Uint8Array[]> {
    for await (const got of this.#rawBatches(range, options)) {
      const out: Uint8Array[] = new Array<Uint8Array>(got.length);
      for (let i = 0; i < got.length; i++) out[i] = got[i]![1];
      yield out;
    }
  }

  /** The keys in `range`, in batches, from a snapshot taken now (values are not read). */
  async *keys(range: KeyRange, options: ReadOptions = {}): AsyncGenerator<Uint8Array[]> {
    yield* inTurn(this.#db.keys(iteratorOptions(range, options)), options.batchSize ?? DEFAULT_BATCH);
  }

  /**
   * For bulk reads (restoring state): the entries in `range` as the
   * iterator's own [key, value] pairs (no wrapper objects), from a snapshot
   * taken now, with the next native read running while the caller handles a
   * batch. Default batches of 4096 entries.
   */
  async *bulkEntries(range: KeyRange, options: ReadOptions = {}): AsyncGenerator<[Uint8Array, Uint8Array][]> {
    yield* readAhead(this.#db.iterator(iteratorOptions(range, options)), options.batchSize ?? BULK_BATCH);
  }

  /**
   * Like `bulkEntries`, but the LevelDB iterator, and with it the snapshot it
   * reads, is made before this returns: the batches show the database exactly
   * as of this call, whatever is written while they are read. The caller must
   * run the returned generator to its end or `return()` it (that closes the
   * iterator).
   */
  snapshotEntries(range: KeyRange, options: ReadOptions = {}): AsyncGenerator<[Uint8Array, Uint8Array][]> {
    return readAhead(this.#db.iterator(iteratorOptions(range, options)), options.batchSize ?? BULK_BATCH);
  }

  /** `snapshotEntries` for the values alone (no key buffers are made). */
  snapshotValues(range: KeyRange, options: ReadOptions = {}): AsyncGenerator<Uint8Array[]> {
    return readAhead(this.#db.values(iteratorOptions(range, options)), options.batchSize ?? BULK_BATCH);
  }

  /** `keys` with the next native read running while the caller handles a batch (bulk reads). */
  async *bulkKeys(range: KeyRange, options: ReadOptions = {}): AsyncGenerator<Uint8Array[]> {
    yield* readAhead(this.#db.keys(iteratorOptions(range, options)), options.batchSize ?? BULK_BATCH);
  }

  /** The iterator's own [key, value] batches; the iterator is closed however the caller stops. */
  async *#rawBatches(range: KeyRange, options: ReadOptions): AsyncGenerator<[Uint8Array, Uint8Array][]> {
    yield* inTurn(this.#db.iterator(iteratorOptions(range, options)), options.batchSize ?? DEFAULT_BATCH);
  }

  /** The greatest key in `range`, or undefined when the range is empty. */
  async lastKey(range: KeyRange): Promise<Uint8Array | undefined> {
    const it = this.#db.keys({ gte: range.gte, lt: range.lt, reverse: true, limit: 1 });
    try {
      return await it.next();
    } finally {
      await it.close();
    }
  }

  /** Number of keys in `range` (a full key scan). */
  async count(range: KeyRange): Promise<number> {
    const it = this.#db.keys({ gte: range.gte, lt: range.lt });
    let n = 0;
    try {
      for (;;) {
        const got = await it.nextv(DEFAULT_BATCH);
        if (got.length === 0) return n;
        n += got.length;
      }
    } finally {
      await it.close();
    }
  }

  /**
   * Deletes every key in `range`. Not atomic with other writes: use it for
   * data no catalog entry refers to any more (a crash midway leaves garbage
   * that a later `clear` of the same range removes).
   */
  async clear(range: KeyRange): Promise<void> {
    await this.#db.clear({ gte: range.gte, lt: range.lt });
  }
}

/**
 * Batches of `it` with one `nextv` always in flight while the consumer
 * handles the previous batch (LevelDB reads on a worker thread meanwhile);
 * the iterator is closed however the consumer stops.
 */
/** A LevelDB iterator over `range` as `options` ask (read-ahead buffer for value iterators; keys iterators ignore it). */
function iteratorOptions(range: KeyRange, options: ReadOptions) {
  return {
    gte: range.gte,
    lt: range.lt,
    reverse: options.reverse ?? false,
    limit: options.limit ?? -1,
    highWaterMarkBytes: READ_AHEAD_BYTES,
  };
}

/** The iterator's batches read one after the other; the iterator is closed however the caller stops. */
async function* inTurn<T>(it: { nextv(size: number): Promise<T[]>; close(): Promise<void> }, size: number): AsyncGenerator<T[]> {
  try {
    for (;;) {
      const got = await it.nextv(size);
      if (got.length === 0) return;
      yield got;
    }
  } finally {
    await it.close();
  }
}

async function* readAhead<T>(it: { nextv(size: number): Promise<T[]>; close(): Promise<void> }, size: number): AsyncGenerator<T[]> {
  let next: Promise<T[]> | undefined = it.nextv(size);
  try {
    for (;;) {
      const got: T[] = await next;
      next = undefined;
      if (got.length === 0) return;
      next = it.nextv(size);
      // A consumer that stops early leaves this read unawaited until `finally`.
      next.catch(() => undefined);
      yield got;
    }
  } finally {
    if (next !== undefined) await next.catch(() => undefined);
    await it.close();
  }
}

function isLockedError(err: unknown): boolean {
  const e = err as { code?: string; cause?: { code?: string; message?: string } } | null;
  if (e === null || typeof e !== 'object') return false;
  return e.code === 'LEVEL_LOCKED' || e.cause?.code === 'LEVEL_LOCKED' || /lock .*already held/i.test(e.cause?.message ?? '');
}
