/**
 * A client session: parses statements, keeps settings and the transaction
 * block state, and runs each statement through the path
 * parse -> bind -> optimize -> compile -> run (see docs/architecture.md).
 *
 * Contract (src/session/api.ts): every failure is a SqlError; a failed
 * statement inside BEGIN moves the block to the failed state; cursors of
 * queries stream their rows; everything else answers with precomputed rows.
 * Writes to stored tables inside a block are staged (transaction-state.ts,
 * table-access.ts) and stored at COMMIT; ROLLBACK, a failed COMMIT and
 * `close` discard them.
 */
import type { Statement } from '../../grammar/ast.ts';
import { parseSql, ParseError } from '../../grammar/parse.ts';
import type { SqlCursorEntry } from './sql-cursors.ts';
import type { Row, SqlType } from '../../catalog/types.ts';
import { SqlError, SqlState, toSqlError } from '../errors.ts';
import type {
  Cursor,
  PreparedStatement,
  ResultColumn,
  Session,
  SessionNotice,
  TransactionStatus,
} from './api.ts';
import { SessionSettings, statementTimeoutMs } from './settings.ts';
import { TransactionState } from './transaction-state.ts';
import type { WriteSet } from '../storage/write-set.ts';
import { staticCursor } from './cursors.ts';
import type { Database } from '../database.ts';
import { decodeParams } from './params.ts';
import { StatementRunner } from './statement-runner.ts';
import { autocommitAccess, transactionAccess, type TableAccess } from './table-access.ts';

/** A statement as the session keeps it between Parse and Execute. */
export interface SessionStatement extends PreparedStatement {
  readonly ast: Statement;
  readonly text: string;
  /** Bound at prepare time (extended protocol); scripts bind at execute time. */
  readonly bound: boolean;
}

export class SqlSession implements Session {
  readonly startup: ReadonlyMap<string, string>;
  readonly user: string;
  readonly database: string;
  readonly pid: number;
  readonly settings: SessionSettings;
  readonly #db: Database;
  readonly #tx = new TransactionState();
  #notices: SessionNotice[] = [];
  readonly #runner: StatementRunner;
  readonly #autocommit: TableAccess;

  constructor(db: Database, startup: ReadonlyMap<string, string>, pid: number) {
    this.#db = db;
    this.startup = startup;
    this.user = startup.get('user') ?? 'millrace';
    this.database = startup.get('database') || this.user;
    this.pid = pid;
    this.settings = new SessionSettings(this.user, startup);
    this.#runner = new StatementRunner(db, this);
    this.#autocommit = autocommitAccess(db.tables);
  }

  notice(n: SessionNotice): void {
    this.#notices.push(n);
  }

  prepareScript(sql: string): PreparedStatement[] {
    return parseScript(sql).map((ast) => this.#unbound(ast, sql));
  }

  prepare(sql: string, paramOids: readonly number[]): PreparedStatement | null {
    const statements = parseScript(sql);
    if (statements.length === 0) return null;
    if (statements.length > 1) {
      throw new SqlError(SqlState.SYNTAX_ERROR, 'cannot insert multiple commands into a prepared statement');
    }
    const ast = statements[0]!;
    const declared: (SqlType | undefined)[] = paramOids.map((oid) =>
      oid === 0 ? undefined : this.#db.lookup.sqlTypeByOid(oid),
    );
    const described = this.#runner.describe(ast, declared);
    const prepared: SessionStatement = {
      ast,
      text: sql,
      bound: true,
      paramTypes: described.paramTypes,
      columns: described.columns,
      command: commandOf(ast),
      ...deallocation(ast),
    };
    return prepared;
  }

  async execute(
    stmt: PreparedStatement,
    params: readonly (Uint8Array | null)[],
    paramFormats: readonly number[],
    signal: AbortSignal,
  ): Promise<Cursor> {
    const s = stmt as SessionStatement;
    const ast = s.ast;
    const endsBlock = ast.kind === 'transaction' && (ast.action === 'COMMIT' || ast.action === 'ROLLBACK' || ast.action === 'ROLLBACK TO');
    try {
      this.#tx.checkAllowed(endsBlock);
      if (ast.kind === 'transaction') return await this.#transaction(ast);
      const values = decodeParams(params, paramFormats, s.paramTypes, this.settings.timeZone);
      const cursor = await this.#runner.run(ast, s.text, s.paramTypes, values, signal);
      return this.#failOnError(cursor);
    } catch (err) {
      this.#tx.fail();
      throw toSqlError(err);
    }
  }

  sqlCursor(name: string): Cursor | undefined {
    return this.#runner.sqlCursors.get(name);
  }

  closeSqlCursor(name: string): boolean {
    return this.#runner.sqlCursors.close(name);
  }

  /** The open SQL cursors, for pg_cursors. */
  sqlCursorList(): readonly SqlCursorEntry[] {
    return this.#runner.sqlCursors.list();
  }

  transactionStatus(): TransactionStatus {
    return this.#tx.status;
  }

  statementTimeoutMs(): number {
    return statementTimeoutMs(this.settings.get('statement_timeout'));
  }

  beginImplicitTransaction(): void {
    this.#tx.beginImplicit();
  }

  async endImplicitTransaction(failed: boolean): Promise<void> {
    const writes = this.#tx.endImplicit(failed);
    if (writes !== null && !writes.empty) await this.#store(writes);
  }

  /** How the current statement reads and writes stored tables: staged inside a block, direct outside. */
  tableAccess(): TableAccess {
    const writes = this.#tx.writes;
    return writes === null ? this.#autocommit : transactionAccess(this.#db.tables, writes);
  }

  reportedParameters(): ReadonlyMap<string, string> {
    return this.settings.reported();
  }

  objectName(type: SqlType, oid: number): string | undefined {
    const lookup = this.#db.lookup;
    switch (type.kind) {
      case 'REGCLASS':
        return lookup.relationById(oid)?.name;
      case 'REGTYPE':
        return lookup.typeNameByOid(oid, -1);
      case 'REGPROC':
        return lookup.functionNameByOid(oid);
      default:
        return undefined;
    }
  }

  takeNotices(): SessionNotice[] {
    const out = this.#notices;
    this.#notices = [];
    return out;
  }

  /** The connection ended: an open block rolls back (its writes were never stored). */
  close(): void {
    this.#tx.rollback();
    this.#runner.close();
  }

  #unbound(ast: Statement, text: string): SessionStatement {
    return { ast, text, bound: false, paramTypes: [], columns: null, command: commandOf(ast), ...deallocation(ast) };
  }

  /** Errors raised while rows are read still fail the transaction block. */
  #failOnError(cursor: Cursor): Cursor {
    const tx = this.#tx;
    const failing = <T>(p: Promise<T>): Promise<T> =>
      p.catch((err: unknown) => {
        tx.fail();
        throw toSqlError(err);
      });
    const copy = cursor.copy;
    const guarded: Cursor['copy'] =
      copy === undefined
        ? undefined
        : copy.direction === 'in'
          ? {
              direction: 'in',
              format: copy.format,
              columnCount: copy.columnCount,
              write(data) {
                try {
                  copy.write(data);
                } catch (err) {
                  tx.fail();
                  throw toSqlError(err);
                }
              },
              end: () => failing(copy.end()),
              fail(message) {
                tx.fail();
                return copy.fail(message);
              },
            }
          : { direction: 'out', format: copy.format, columnCount: copy.columnCount, next: (max) => failing(copy.next(max)) };
    return {
      columns: cursor.columns,
      ...(guarded !== undefined ? { copy: guarded } : {}),
      async next(max: number): Promise<Row[]> {
        try {
          return await cursor.next(max);
        } catch (err) {
          tx.fail();
          throw toSqlError(err);
        }
      },
      tag: () => cursor.tag(),
      close: () => cursor.close(),
    };
  }

  /** Applies a transaction's writes to the stored tables that still exist, in one batch. */
  async #store(writes: WriteSet): Promise<void> {
    const catalog = this.#db.catalog;
    await this.#db.tables.commitWriteSet(writes, (table) => catalog.byId(table.id)?.kind === 'table');
  }

  async #transaction(ast: Extract<Statement, { kind: 'transaction' }>): Promise<Cursor> {
    const warn = (message: string, code: string) =>
      this.notice({ severity: 'WARNING', code, message });
    switch (ast.action) {
      case 'BEGIN': {
        const w = this.#tx.begin();
        if (w) warn(w, SqlState.ACTIVE_SQL_TRANSACTION);
        return staticCursor(null, [], 'BEGIN');
      }
      case 'COMMIT': {
        const r = this.#tx.commit();
        if (r.warning) warn(r.warning, SqlState.NO_ACTIVE_SQL_TRANSACTION);
        else this.#runner.sqlCursors.closeAtBlockEnd(r.tag === 'ROLLBACK');
        if (r.writes !== null && !r.writes.empty) await this.#store(r.writes);
        return staticCursor(null, [], r.tag);
      }
      case 'ROLLBACK': {
        const r = this.#tx.rollback();
        if (r.warning) warn(r.warning, SqlState.NO_ACTIVE_SQL_TRANSACTION);
        else this.#runner.sqlCursors.closeAtBlockEnd(true);
        return staticCursor(null, [], r.tag);
      }
      case 'SAVEPOINT':
        this.#tx.savepoint(ast.savepoint ?? '');
        return staticCursor(null, [], 'SAVEPOINT');
      case 'RELEASE':
        this.#tx.release(ast.savepoint ?? '');
        return staticCursor(null, [], 'RELEASE');
      case 'ROLLBACK TO':
        this.#tx.rollbackTo(ast.savepoint ?? '');
        return staticCursor(null, [], 'ROLLBACK');
    }
  }
}

/** Parses a script, turning parse errors into 42601 with position and the expected tokens. */
export function parseScript(sql: string): Statement[] {
  try {
    return parseSql(sql);
  } catch (err) {
    if (err instanceof ParseError) {
      // Like PostgreSQL, the message names the offending token; the hint says what could come there.
      const hint = expectedHint(err.expected);
      throw new SqlError(SqlState.SYNTAX_ERROR, err.message, { position: err.position, ...(hint !== undefined ? { hint } : {}) });
    }
    throw err;
  }
}

/** "Expected ..." for a syntax error, short enough to read: long lists are summarised. */
export function expectedHint(expected: readonly string[]): string | undefined {
  if (expected.length === 0) return undefined;
  if (expected.includes('CASE') && expected.includes('a number')) {
    const closers = expected.filter((e) => e === ')' || e === ',');
    return `Expected an expression${closers.length > 0 ? ` or ${closers.map((c) => `"${c}"`).join(' or ')}` : ''}.`;
  }
  if (expected.includes('SELECT') && expected.includes('INSERT') && expected.includes('CREATE')) {
    return 'Expected the start of a statement: SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, SET, SHOW, DESCRIBE, EXPLAIN, BEGIN, ...';
  }
  const quoted = expected.map((e) => (/^[a-z]/.test(e) ? e : `"${e}"`));
  if (quoted.length <= 12) return `Expected one of: ${quoted.join(', ')}.`;
  return `Expected one of: ${quoted.slice(0, 12).join(', ')}, ...`;
}

/** What a DEALLOCATE statement drops at the protocol level (see PreparedStatement.deallocates). */
function deallocation(ast: Statement): { deallocates?: { name: string | null } } {
  return ast.kind === 'deallocate' ? { deallocates: { name: ast.name ?? null } } : {};
}

/** The command word of a statement's tag. */
export function commandOf(ast: Statement): string {
  switch (ast.kind) {
    case 'query-statement':
      return 'SELECT';
    case 'create-table':
      return 'CREATE TABLE';
    case 'create-view':
      return ast.materialized ? 'CREATE MATERIALIZED VIEW' : 'CREATE VIEW';
    case 'drop':
      return `DROP ${ast.objectKind}`;
    case 'insert':
      return 'INSERT';
    case 'update':
      return 'UPDATE';
    case 'delete':
      return 'DELETE';
    case 'set':
      return 'SET';
    case 'reset':
      return 'RESET';
    case 'show':
      return 'SHOW';
    case 'describe':
      return 'DESCRIBE';
    case 'explain':
      return 'EXPLAIN';
    case 'transaction':
      return ast.action;
    case 'use':
      return 'USE';
    case 'discard':
      return 'DISCARD';
    case 'deallocate':
      return 'DEALLOCATE';
    case 'declare-cursor':
      return 'DECLARE CURSOR';
    case 'fetch':
      return ast.move ? 'MOVE' : 'FETCH';
    case 'close-cursor':
      return 'CLOSE CURSOR';
    case 'copy':
      return 'COPY';
    case 'subscribe':
      return 'SUBSCRIBE';
    case 'stop-job':
      return 'STOP JOB';
    case 'savepoint-command':
      return ast.action === 'create' ? 'CREATE SAVEPOINT' : 'DROP SAVEPOINT';
  }
}

export type { ResultColumn };
