/**
 * The extended query protocol: prepared statements and portals of one
 * connection, and the messages that drive them (PostgreSQL manual, "Extended
 * Query" and "Message Formats"):
 *
 * - Parse ('P'): name, sql, int16 n, int32 param OID x n -> ParseComplete.
 *   The unnamed statement is replaced; a named one must not exist (42P05).
 * - Bind ('B'): portal, statement, int16 n + int16 param formats, int16 n +
 *   (int32 len | -1, bytes) params, int16 n + int16 result formats ->
 *   BindComplete. Format lists hold 0 (all text), 1 (applies to all) or one
 *   code per item. Unknown statement 26000; a named portal must not exist
 *   (42P03); the unnamed portal is replaced.
 * - Describe ('D'): 'S' name -> ParameterDescription + RowDescription (all
 *   text) | NoData; 'P' name -> RowDescription with the portal's formats |
 *   NoData.
 * - Execute ('E') of COPY: the copy sub-protocol (copy-protocol.ts), then
 *   CommandComplete `COPY n`; max rows does not apply.
 * - Execute ('E'): portal, int32 max rows (<= 0 = all) -> DataRow* then
 *   CommandComplete, or PortalSuspended once max rows were sent (the portal
 *   keeps its cursor for the next Execute), or EmptyQueryResponse.
 * - Close ('C'): 'S' | 'P' name -> CloseComplete, also for unknown names.
 * - Sync ('S') -> ReadyForQuery; ends skip mode; outside a transaction block
 *   all portals are dropped (their implicit transaction ended).
 * - Flush ('H') -> writes everything buffered.
 *
 * A SQL cursor (DECLARE c CURSOR FOR ...) of the session is a portal too,
 * as in PostgreSQL: Describe 'P' c answers its columns (text formats),
 * Execute c fetches its next max rows (PortalSuspended while rows may
 * remain, else CommandComplete `SELECT n`), Close 'P' c closes it, and Bind
 * may not reuse its name (42P03). Protocol portals shadow cursors of the
 * same name.
 *
 * An error sends ErrorResponse, flushes, and discards every message until
 * Sync. Portals run lazily: session.execute is called at the first Execute,
 * with the portal's own AbortController, which is registered as the running
 * statement while an Execute is in progress.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Cursor, PreparedStatement } from '../session/api.ts';
import { pgTypeOid } from '../../catalog/types.ts';
import { cancelAware, checkFormatCode, expandResultFormats, streamRows } from './data-rows.ts';
import { writeError } from './error-response.ts';
import { MessageReader } from './message-reader.ts';
import { Frontend } from './protocol-codes.ts';
import type { QueryContext } from './query-context.ts';
import { runCopyTransfer } from './copy-protocol.ts';

interface Statement {
  /** null for an empty query. */
  readonly prepared: PreparedStatement | null;
  /** Parameter type OIDs the client declared in Parse (0 = left to the server). */
  readonly declaredOids: readonly number[];
}

interface Portal {
  readonly name: string;
  readonly prepared: PreparedStatement | null;
  readonly params: readonly (Uint8Array | null)[];
  readonly paramFormats: readonly number[];
  readonly resultFormats: readonly number[];
  readonly controller: AbortController;
  cursor: Cursor | null;
  /** Rows were sent and the portal suspended at least once. */
  suspended: boolean;
  /** The tag sent when the portal ran out; set once exhausted. */
  doneTag: string | null;
}

export class ExtendedQuery {
  readonly #ctx: QueryContext;
  readonly #statements = new Map<string, Statement>();
  readonly #portals = new Map<string, Portal>();
  #skipToSync = false;

  constructor(ctx: QueryContext) {
    this.#ctx = ctx;
  }

  /** The session's SQL cursor of that name (a portal too, as in PostgreSQL). */
  #sqlCursor(name: string): Cursor | undefined {
    return this.#ctx.session.sqlCursor?.(name);
  }

  /** True for the message types this class handles. */
  static handles(type: number): boolean {
    switch (type) {
      case Frontend.PARSE:
      case Frontend.BIND:
      case Frontend.DESCRIBE:
      case Frontend.EXECUTE:
      case Frontend.CLOSE:
      case Frontend.SYNC:
      case Frontend.FLUSH:
        return true;
      default:
        return false;
    }
  }

  /** True while messages are being discarded after an error. */
  get skipping(): boolean {
    return this.#skipToSync;
  }

  async handle(type: number, body: Buffer): Promise<void> {
    if (type === Frontend.SYNC) return this.#sync(body);
    if (this.#skipToSync) return;
    try {
      switch (type) {
        case Frontend.PARSE:
          return this.#parse(body);
        case Frontend.BIND:
          return this.#bind(body);
        case Frontend.DESCRIBE:
          return this.#describe(body);
        case Frontend.EXECUTE:
          return await this.#execute(body);
        case Frontend.CLOSE:
          return this.#close(body);
        case Frontend.FLUSH:
          return await this.#ctx.writer.flush();
        default:
          throw new SqlError(SqlState.PROTOCOL_VIOLATION, `invalid frontend message type ${type}`);
      }
    } catch (err) {
      await this.fail(cancelAware(err, new AbortController().signal));
    }
  }

  /** Reports an error of an extended-protocol message and skips to the next Sync. */
  async fail(error: SqlError): Promise<void> {
    this.#skipToSync = true;
    if (this.#ctx.closed) return;
    if (error.severity === 'FATAL') return this.#ctx.terminate(error);
    this.#ctx.sendNotices();
    writeError(this.#ctx.writer, error);
    await this.#ctx.writer.flush();
  }

  /** A simple Query drops the unnamed statement and portal, as PostgreSQL does. */
  beforeSimpleQuery(): void {
    this.#statements.delete('');
    this.#dropPortal('');
  }

  /** After a transaction ended (status 'I'), portals are gone. */
  afterTransactionEnd(): void {
    if (this.#ctx.session.transactionStatus() !== 'I') return;
    for (const name of [...this.#portals.keys()]) this.#dropPortal(name);
  }

  /** SQL DEALLOCATE: drops a named prepared statement (null: every one); false when there is none of that name. */
  deallocate(name: string | null): boolean {
    if (name === null) {
      this.#statements.clear();
      return true;
    }
    return this.#statements.delete(name);
  }

  /** Aborts and closes every portal (disconnect, server stop). */
  closeAll(): void {
    for (const name of [...this.#portals.keys()]) this.#dropPortal(name);
    this.#statements.clear();
  }

  async #sync(body: Buffer): Promise<void> {
    if (body.length !== 0 && !this.#ctx.closed) {
      writeError(this.#ctx.writer, new SqlError(SqlState.PROTOCOL_VIOLATION, 'invalid message format'));
    }
    this.#skipToSync = false;
    this.afterTransactionEnd();
    if (this.#ctx.closed) return;
    this.#ctx.sendNotices();
    this.#ctx.reportChangedParameters();
    this.#ctx.writer.readyForQuery(this.#ctx.session.transactionStatus());
    await this.#ctx.writer.flush();
  }

  #parse(body: Buffer): void {
    const r = new MessageReader(body);
    const name = r.cstring();
    const sql = r.cstring();
    const count = r.int16();
    const oids: number[] = [];
    for (let i = 0; i < count; i++) oids.push(r.int32() >>> 0);
    r.end();
    if (name !== '' && this.#statements.has(name)) {
      throw new SqlError(SqlState.DUPLICATE_PREPARED_STATEMENT, `prepared statement "${name}" already exists`);
    }
    if (name === '') this.#statements.delete('');
    const prepared = this.#ctx.session.prepare(sql, oids);
    this.#statements.set(name, { prepared, declaredOids: oids });
    this.#ctx.writer.parseComplete();
  }

  #bind(body: Buffer): void {
    const r = new MessageReader(body);
    const portalName = r.cstring();
    const stmtName = r.cstring();
    const formatCount = r.int16();
    const formatCodes: number[] = [];
    for (let i = 0; i < formatCount; i++) formatCodes.push(r.int16());
    const paramCount = r.int16();
    const params: (Uint8Array | null)[] = [];
    for (let i = 0; i < paramCount; i++) {
      const length = r.int32();
      if (length === -1) {
        params.push(null);
      } else {
        const copy = new Uint8Array(length);
        copy.set(r.bytes(length));
        params.push(copy);
      }
    }
    const resultCount = r.int16();
    const resultCodes: number[] = [];
    for (let i = 0; i < resultCount; i++) resultCodes.push(r.int16());
    r.end();

    const stmt = this.#statement(stmtName);
    if (formatCount > 1 && formatCount !== paramCount) {
      throw new SqlError(
        SqlState.PROTOCOL_VIOLATION,
        `bind message has ${formatCount} parameter formats but ${paramCount} parameters`,
      );
    }
    const required = stmt.prepared?.paramTypes.length ?? 0;
    if (paramCount !== required) {
      throw new SqlError(
        SqlState.PROTOCOL_VIOLATION,
        `bind message supplies ${paramCount} parameters, but prepared statement "${stmtName}" requires ${required}`,
      );
    }
    for (const code of formatCodes) checkFormatCode(code);
    const paramFormats = formatCount > 1 ? formatCodes : new Array<number>(paramCount).fill(formatCodes[0] ?? 0);
    const resultFormats = expandResultFormats(resultCodes, stmt.prepared?.columns ?? null);

    if (portalName !== '' && (this.#portals.has(portalName) || this.#sqlCursor(portalName) !== undefined)) {
      throw new SqlError(SqlState.DUPLICATE_CURSOR, `cursor "${portalName}" already exists`);
    }
    this.#dropPortal(portalName);
    this.#portals.set(portalName, {
      name: portalName,
      prepared: stmt.prepared,
      params,
      paramFormats,
      resultFormats,
      controller: new AbortController(),
      cursor: null,
      suspended: false,
      doneTag: null,
    });
    this.#ctx.writer.bindComplete();
  }

  #describe(body: Buffer): void {
    const r = new MessageReader(body);
    const kind = r.byte();
    const name = r.cstring();
    r.end();
    const w = this.#ctx.writer;
    if (kind === 0x53 /* 'S' */) {
      const stmt = this.#statement(name);
      const prepared = stmt.prepared;
      // Like PostgreSQL, a type the client declared is described back as declared
      // (drivers check it: varchar stays varchar even where the engine uses text).
      w.parameterDescription((prepared?.paramTypes ?? []).map((t, i) => stmt.declaredOids[i] || pgTypeOid(t)));
      const columns = prepared?.columns ?? null;
      if (columns === null) w.noData();
      else w.rowDescription(columns, new Array<number>(columns.length).fill(0));
    } else if (kind === 0x50 /* 'P' */) {
      const sqlCursor = this.#portals.has(name) ? undefined : this.#sqlCursor(name);
      if (sqlCursor !== undefined) {
        const columns = sqlCursor.columns;
        if (columns === null) w.noData();
        else w.rowDescription(columns, new Array<number>(columns.length).fill(0));
        return;
      }
      const portal = this.#portal(name);
      const columns = portal.prepared?.columns ?? null;
      if (columns === null) w.noData();
      else w.rowDescription(columns, portal.resultFormats);
    } else {
      throw new SqlError(SqlState.PROTOCOL_VIOLATION, `invalid DESCRIBE message subtype ${kind}`);
    }
  }

  async #execute(body: Buffer): Promise<void> {
    const r = new MessageReader(body);
    const name = r.cstring();
    const maxRows = r.int32();
    r.end();
    if (!this.#portals.has(name)) {
      const sqlCursor = this.#sqlCursor(name);
      if (sqlCursor !== undefined) return this.#fetchSqlCursor(sqlCursor, maxRows);
    }
    const portal = this.#portal(name);
    const ctx = this.#ctx;
    const w = ctx.writer;
    if (portal.prepared === null) {
      w.emptyQueryResponse();
      return;
    }
    if (portal.doneTag !== null) {
      w.commandComplete(/^SELECT \d+$/.test(portal.doneTag) ? 'SELECT 0' : portal.doneTag);
      return;
    }
    const signal = portal.controller.signal;
    ctx.beginStatement(portal.controller);
    try {
      if (portal.cursor === null) {
        const cursor = await ctx.session.execute(portal.prepared, portal.params, portal.paramFormats, signal);
        if (signal.aborted) {
          cursor.close();
          throw new SqlError(SqlState.QUERY_CANCELED, 'canceling statement due to user request');
        }
        portal.cursor = cursor;
      }
      if (portal.cursor.copy !== undefined) {
        await runCopyTransfer(ctx, portal.cursor.copy, signal);
        if (ctx.closed) return;
        ctx.sendNotices();
        ctx.reportChangedParameters();
        const tag = portal.cursor.tag();
        portal.doneTag = tag;
        portal.cursor.close();
        portal.cursor = null;
        w.commandComplete(tag);
        return;
      }
      const result = await streamRows(ctx, portal.cursor, portal.resultFormats, Math.max(0, maxRows), signal);
      if (ctx.closed) return;
      ctx.sendNotices();
      ctx.reportChangedParameters();
      if (!result.exhausted) {
        portal.suspended = true;
        w.portalSuspended();
        return;
      }
      const tag = portal.cursor.tag();
      portal.doneTag = tag;
      portal.cursor.close();
      portal.cursor = null;
      w.commandComplete(portal.suspended && /^SELECT \d+$/.test(tag) ? `SELECT ${result.rows}` : tag);
    } catch (err) {
      this.#dropPortal(name);
      throw cancelAware(err, signal);
    } finally {
      ctx.endStatement();
    }
  }

  #close(body: Buffer): void {
    const r = new MessageReader(body);
    const kind = r.byte();
    const name = r.cstring();
    r.end();
    if (kind === 0x53 /* 'S' */) this.#statements.delete(name);
    else if (kind === 0x50 /* 'P' */) {
      if (this.#portals.has(name)) this.#dropPortal(name);
      else this.#ctx.session.closeSqlCursor?.(name);
    }
    else throw new SqlError(SqlState.PROTOCOL_VIOLATION, `invalid CLOSE message subtype ${kind}`);
    this.#ctx.writer.closeComplete();
  }

  /** Execute of a SQL cursor: its next `maxRows` rows (<= 0: all that remain); the cursor stays open. */
  async #fetchSqlCursor(cursor: Cursor, maxRows: number): Promise<void> {
    const ctx = this.#ctx;
    const controller = new AbortController();
    const formats = new Array<number>(cursor.columns?.length ?? 0).fill(0);
    ctx.beginStatement(controller);
    try {
      const result = await streamRows(ctx, cursor, formats, Math.max(0, maxRows), controller.signal);
      if (ctx.closed) return;
      ctx.sendNotices();
      if (result.exhausted) ctx.writer.commandComplete(`SELECT ${result.rows}`);
      else ctx.writer.portalSuspended();
    } catch (err) {
      throw cancelAware(err, controller.signal);
    } finally {
      ctx.endStatement();
    }
  }

  #statement(name: string): Statement {
    const stmt = this.#statements.get(name);
    if (stmt === undefined) {
      throw new SqlError(SqlState.INVALID_SQL_STATEMENT_NAME, `prepared statement "${name}" does not exist`);
    }
    return stmt;
  }

  #portal(name: string): Portal {
    const portal = this.#portals.get(name);
    if (portal === undefined) throw new SqlError(SqlState.INVALID_CURSOR_NAME, `portal "${name}" does not exist`);
    return portal;
  }

  #dropPortal(name: string): void {
    const portal = this.#portals.get(name);
    if (portal === undefined) return;
    this.#portals.delete(name);
    portal.controller.abort();
    portal.cursor?.close();
    portal.cursor = null;
  }
}
