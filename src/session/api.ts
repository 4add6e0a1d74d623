/**
 * The contract between the Postgres protocol layer (src/server) and the SQL
 * engine. The server knows messages and bytes; the engine knows SQL and values.
 *
 * - The server encodes values to text or binary with the column's SqlType
 *   (src/values/*); the engine never sees wire formats except for parameters,
 *   which it decodes because it owns parameter types.
 * - Every method throws SqlError for user-facing failures.
 */
import type { Row, SqlType } from '../../catalog/types.ts';
import type { SqlError } from '../errors.ts';

export interface ResultColumn {
  readonly name: string;
  readonly type: SqlType;
  /** pg_class oid and attnum of the column's source, or 0 / 0 when it is computed. */
  readonly tableOid: number;
  readonly attnum: number;
}

/** What the session reports to the protocol layer after each statement. */
export type TransactionStatus = 'I' | 'T' | 'E';

/** A statement parsed and bound, ready to be bound to parameter values and run. */
export interface PreparedStatement {
  /** Parameter types, one per $n (inferred where the client sent OID 0). */
  readonly paramTypes: readonly SqlType[];
  /** Result columns, or null when the statement returns no rows (NoData). */
  readonly columns: readonly ResultColumn[] | null;
  /** The statement's command word for tags, e.g. 'SELECT', 'INSERT', 'CREATE TABLE'. */
  readonly command: string;
  /**
   * Set for SQL `DEALLOCATE [PREPARE] name | ALL`: the protocol-level prepared
   * statement(s) it drops once it has run (null name: all of them), which the
   * protocol layer owns.
   */
  readonly deallocates?: { readonly name: string | null };
}

/**
 * COPY ... FROM STDIN: the protocol layer sends CopyInResponse, then passes each
 * CopyData payload to `write` (rows may span payloads), and calls `end` on
 * CopyDone or `fail` on CopyFail. Nothing is stored before `end` resolves.
 */
export interface CopyIn {
  readonly direction: 'in';
  readonly format: 'text' | 'csv' | 'binary';
  readonly columnCount: number;
  /** Takes one CopyData payload; throws SqlError for a bad row (the COPY is then over). */
  write(data: Uint8Array): void;
  /** CopyDone: reads the last row and stores all rows as one atomic write; the cursor's tag is then `COPY n`. */
  end(): Promise<void>;
  /** CopyFail: drops what was received and returns the error to report (57014). */
  fail(message: string): SqlError;
}

/** COPY ... TO STDOUT: the protocol layer sends CopyOutResponse, one CopyData per payload, then CopyDone. */
export interface CopyOut {
  readonly direction: 'out';
  readonly format: 'text' | 'csv' | 'binary';
  readonly columnCount: number;
  /** Up to `max` CopyData payloads (the header line, then one per row); an empty array once done. */
  next(max: number): Promise<Uint8Array[]>;
}

/** A running statement, read in batches. */
export interface Cursor {
  readonly columns: readonly ResultColumn[] | null;
  /** Present for COPY FROM STDIN / TO STDOUT; `columns` is then null and `next` returns no rows. */
  readonly copy?: CopyIn | CopyOut;
  /**
   * The next rows, at most `max` (max > 0). Resolves with an empty array only
   * when the result is exhausted, or when `waitMs` (if given) passed without a row.
   * A continuous query waits for rows; it stops waiting with the abort's
   * reason when `signal` aborts, keeping the read it waited for.
   */
  next(max: number, waitMs?: number, signal?: AbortSignal): Promise<Row[]>;
  /** Gives back rows taken by `next`, so the next read returns them first (a FETCH interrupted midway loses none). */
  unread?(rows: readonly Row[]): void;
  /** The CommandComplete tag, e.g. 'SELECT 3', 'INSERT 0 2', 'CREATE TABLE'; valid once exhausted. */
  tag(): string;
  /** Stops the statement and frees what it holds; idempotent. */
  close(): void;
}

export interface SessionNotice {
  readonly severity: 'NOTICE' | 'WARNING' | 'INFO';
  readonly code: string;
  readonly message: string;
  readonly hint?: string;
}

export interface Session {
  /** Connection parameters the client sent at startup (user, database, application_name, options, ...). */
  readonly startup: ReadonlyMap<string, string>;

  /**
   * Splits a simple-query string into statements. An empty list means an empty
   * query. A syntax error anywhere in the text throws before anything runs.
   * Statements of a script are bound when executed (a script may create a table
   * and then use it), so their `columns` and `paramTypes` are not meaningful:
   * the protocol layer reads the Cursor's columns instead.
   */
  prepareScript(sql: string): PreparedStatement[];

  /**
   * Parses one statement for the extended protocol. `paramOids` are the OIDs the
   * client declared (0 = infer). Throws 42601 for more than one statement.
   * Returns null for an empty query.
   */
  prepare(sql: string, paramOids: readonly number[]): PreparedStatement | null;

  /**
   * Starts running a prepared statement. `params` are raw parameter bytes
   * (null = SQL NULL) in the given formats (0 text, 1 binary, one per param).
   * `signal` aborts the statement (CancelRequest, disconnect): the cursor's
   * next() then rejects with 57014.
   */
  execute(
    stmt: PreparedStatement,
    params: readonly (Uint8Array | null)[],
    paramFormats: readonly number[],
    signal: AbortSignal,
  ): Promise<Cursor>;

  /** Transaction status for ReadyForQuery. */
  transactionStatus(): TransactionStatus;

  /** statement_timeout in milliseconds (0: none): how long a statement may run before it is cancelled with 57014. */
  statementTimeoutMs?(): number;

  /**
   * Several statements in one simple Query run as one implicit transaction
   * (PostgreSQL): called before each of them, it opens that transaction
   * unless one is open.
   */
  beginImplicitTransaction?(): void;

  /** After the last statement of such a Query, or its failure: stores or discards the implicit transaction's writes. */
  endImplicitTransaction?(failed: boolean): Promise<void>;

  /** Reported settings (ParameterStatus) and their values, for startup and after SET. */
  reportedParameters(): ReadonlyMap<string, string>;

  /** Notices produced since the last call (sent before CommandComplete). */
  takeNotices(): SessionNotice[];

  /** The name a REGCLASS / REGTYPE / REGPROC value prints as (e.g. `orders`, `integer`), or undefined. */
  objectName?(type: SqlType, oid: number): string | undefined;

  /** The SQL cursor `name` (DECLARE ... CURSOR), which the protocol layer treats as a portal too. */
  sqlCursor?(name: string): Cursor | undefined;

  /** Closes the SQL cursor `name` (a protocol Close of that portal); false when there is none. */
  closeSqlCursor?(name: string): boolean;

  /** Frees everything the session holds (cursors, subscriptions). */
  close(): void;
}

export interface SessionFactory {
  /** Called after authentication; throws SqlError (e.g. 3D000 for an unknown database). */
  openSession(startup: ReadonlyMap<string, string>): Session;
}
