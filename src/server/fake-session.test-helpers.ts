/**
 * A small scripted SessionFactory for the server tests. Statements (split on ';'):
 *   SELECT n      -> column n int4, rows 1..n, tag SELECT n
 *   MIXED         -> (i int4, s text, b bool) rows (1,'a',true), (2,NULL,false)
 *   TS            -> one timestamptz column holding 1970-01-01 00:00 UTC
 *   ECHO $1       -> prepared with one int4 parameter; returns it (text or binary)
 *   FOREVER       -> an endless int4 column, counting rows handed out in stats.produced
 *   SLOW          -> a cursor that waits until its signal aborts, then rejects 57014
 *   FAIL          -> execute throws 22012
 *   DIE           -> execute throws FATAL 57P01
 *   BAD...        -> prepareScript / prepare throw 42601 at the word's offset
 *   SET TimeZone = z -> changes the reported TimeZone; tag SET
 *   NOTE          -> a NOTICE, tag DO
 *   BEGIN / COMMIT -> transaction status T / I
 *   INSERT        -> tag INSERT 0 1, no columns
 */
import { INT, BOOLEAN, STRING, timestampLtz, type Row } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import type {
  Cursor,
  PreparedStatement,
  ResultColumn,
  Session,
  SessionFactory,
  SessionNotice,
  TransactionStatus,
} from '../session/api.ts';

interface FakeStatement extends PreparedStatement {
  readonly text: string;
}

export interface FakeStats {
  opened: number;
  closed: number;
  /** Signals of SLOW statements that were aborted. */
  slowAborted: number;
  slowStarted: number;
  produced: number;
  startups: ReadonlyMap<string, string>[];
}

function col(name: string, type: ResultColumn['type']): ResultColumn {
  return { name, type, tableOid: 0, attnum: 0 };
}

function rowsCursor(columns: readonly ResultColumn[] | null, rows: Row[], tag: string): Cursor {
  let pos = 0;
  let closed = false;
  return {
    columns,
    next(max: number): Promise<Row[]> {
      if (closed) return Promise.reject(new SqlError(SqlState.INVALID_CURSOR_NAME, 'cursor closed'));
      const out = rows.slice(pos, pos + max);
      pos += out.length;
      return Promise.resolve(out);
    },
    tag: () => tag,
    close: () => {
      closed = true;
    },
  };
}

class FakeSession implements Session {
  readonly startup: ReadonlyMap<string, string>;
  /** Like the engine's session: the pid pg_backend_pid() reports (sessions opened with user "pid42" get 42). */
  readonly pid: number | undefined;
  readonly #stats: FakeStats;
  readonly #params = new Map<string, string>([
    ['server_version', '14.0'],
    ['client_encoding', 'UTF8'],
    ['DateStyle', 'ISO, MDY'],
    ['TimeZone', 'UTC'],
    ['integer_datetimes', 'on'],
    ['standard_conforming_strings', 'on'],
  ]);
  #status: TransactionStatus = 'I';
  #notices: SessionNotice[] = [];

  constructor(startup: ReadonlyMap<string, string>, stats: FakeStats) {
    this.startup = startup;
    this.pid = startup.get('user') === 'pid42' ? 42 : undefined;
    this.#stats = stats;
    this.#params.set('application_name', startup.get('application_name') ?? '');
  }

  prepareScript(sql: string): PreparedStatement[] {
    const out: FakeStatement[] = [];
    let offset = 0;
    for (const part of sql.split(';')) {
      const lead = part.length - part.trimStart().length;
      const text = part.trim();
      if (text !== '' && !text.startsWith('--')) out.push(this.#statement(text, offset + lead, []));
      offset += part.length + 1;
    }
    return out;
  }

  prepare(sql: string, paramOids: readonly number[]): PreparedStatement | null {
    const parts = sql.split(';').filter((p) => p.trim() !== '');
    if (parts.length > 1) {
      throw new SqlError(SqlState.SYNTAX_ERROR, 'cannot insert multiple commands into a prepared statement');
    }
    const text = parts[0]?.trim();
    if (text === undefined) return null;
    return this.#statement(text, sql.indexOf(text), paramOids);
  }

  #statement(text: string, offset: number, paramOids: readonly number[]): FakeStatement {
    const upper = text.toUpperCase();
    if (upper.startsWith('BAD')) {
      throw new SqlError(SqlState.SYNTAX_ERROR, 'syntax error at or near "BAD"', { position: offset });
    }
    let columns: ResultColumn[] | null = null;
    let paramTypes: ResultColumn['type'][] = [];
    const select = /^SELECT (\d+)$/i.exec(text);
    if (select !== null) columns = [col('n', INT)];
    else if (upper === 'MIXED') columns = [col('i', INT), col('s', STRING), col('b', BOOLEAN)];
    else if (upper === 'TS') columns = [col('ts', timestampLtz(6))];
    else if (upper === 'ECHO $1') {
      columns = [col('echo', INT)];
      paramTypes = [INT];
      if (paramOids[0] !== undefined && paramOids[0] !== 0 && paramOids[0] !== 23) {
        throw new SqlError(SqlState.DATATYPE_MISMATCH, 'ECHO takes int4');
      }
    } else if (upper === 'SLOW') columns = [col('slow', INT)];
    else if (upper === 'FOREVER') columns = [col('x', INT)];
    return { text, columns, paramTypes, command: upper.split(' ')[0]! };
  }

  async execute(
    stmt: PreparedStatement,
    params: readonly (Uint8Array | null)[],
    paramFormats: readonly number[],
    signal: AbortSignal,
  ): Promise<Cursor> {
    const text = (stmt as FakeStatement).text;
    const upper = text.toUpperCase();
    const select = /^SELECT (\d+)$/i.exec(text);
    if (select !== null) {
      const n = Number(select[1]);
      const rows: Row[] = [];
      for (let i = 1; i <= n; i++) rows.push([i]);
      return rowsCursor(stmt.columns, rows, `SELECT ${n}`);
    }
    if (upper === 'MIXED') {
      return rowsCursor(stmt.columns, [[1, 'a', true], [2, null, false]], 'SELECT 2');
    }
    if (upper === 'TS') return rowsCursor(stmt.columns, [[0]], 'SELECT 1');
    if (upper === 'ECHO $1') {
      const raw = params[0] ?? null;
      let value: number | null = null;
      if (raw !== null) {
        value = paramFormats[0] === 1
          ? Buffer.from(raw).readInt32BE(0)
          : Number.parseInt(Buffer.from(raw).toString('utf8'), 10);
      }
      return rowsCursor(stmt.columns, [[value]], 'SELECT 1');
    }
    if (upper === 'SLOW') {
      this.#stats.slowStarted++;
      const columns = stmt.columns;
      return {
        columns,
        next: () =>
          new Promise<Row[]>((_resolve, reject) => {
            const fail = (): void => {
              this.#stats.slowAborted++;
              reject(new SqlError(SqlState.QUERY_CANCELED, 'canceling statement due to user request'));
            };
            if (signal.aborted) fail();
            else signal.addEventListener('abort', fail, { once: true });
          }),
        tag: () => 'SELECT 0',
        close: () => {},
      };
    }
    if (upper === 'FOREVER') {
      const stats = this.#stats;
      return {
        columns: stmt.columns,
        next: async (max: number) => {
          await new Promise((r) => setImmediate(r));
          if (signal.aborted) throw new SqlError(SqlState.QUERY_CANCELED, 'canceling statement due to user request');
          const rows: Row[] = [];
          for (let i = 0; i < max; i++) rows.push([++stats.produced]);
          return rows;
        },
        tag: () => 'SELECT 0',
        close: () => {},
      };
    }
    if (upper === 'DIE') {
      throw new SqlError(SqlState.ADMIN_SHUTDOWN, 'terminating connection due to administrator command', {
        severity: 'FATAL',
      });
    }
    if (upper === 'FAIL') throw new SqlError(SqlState.DIVISION_BY_ZERO, 'division by zero');
    const set = /^SET TimeZone = (\S+)$/i.exec(text);
    if (set !== null) {
      this.#params.set('TimeZone', set[1]!);
      return rowsCursor(null, [], 'SET');
    }
    if (upper === 'NOTE') {
      this.#notices.push({ severity: 'NOTICE', code: '00000', message: 'a note' });
      return rowsCursor(null, [], 'DO');
    }
    if (upper === 'BEGIN') {
      this.#status = 'T';
      return rowsCursor(null, [], 'BEGIN');
    }
    if (upper === 'COMMIT') {
      this.#status = 'I';
      return rowsCursor(null, [], 'COMMIT');
    }
    if (upper === 'INSERT') return rowsCursor(null, [], 'INSERT 0 1');
    throw new SqlError(SqlState.SYNTAX_ERROR, `unknown fake statement ${text}`);
  }

  transactionStatus(): TransactionStatus {
    return this.#status;
  }

  reportedParameters(): ReadonlyMap<string, string> {
    return this.#params;
  }

  takeNotices(): SessionNotice[] {
    const out = this.#notices;
    this.#notices = [];
    return out;
  }

  close(): void {
    this.#stats.closed++;
  }
}

export function fakeSessions(): { factory: SessionFactory; stats: FakeStats } {
  const stats: FakeStats = { opened: 0, closed: 0, slowAborted: 0, slowStarted: 0, produced: 0, startups: [] };
  const factory: SessionFactory = {
    openSession(startup) {
      stats.startups.push(startup);
      if (startup.get('database') === 'nope') {
        throw new SqlError(SqlState.INVALID_CATALOG_NAME, 'database "nope" does not exist', { severity: 'FATAL' });
      }
      stats.opened++;
      return new FakeSession(startup, stats);
    },
  };
  return { factory, stats };
}
