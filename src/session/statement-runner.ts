/**
 * Runs one statement of a session and answers with a Cursor; `describe`
 * tells the extended protocol a statement's parameters and result columns
 * before it runs.
 */
import type { Statement } from '../../grammar/ast.ts';
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { STRING } from '../../catalog/types.ts';
import { SqlError, SqlState, notSupported, unreachable } from '../errors.ts';
import type { Cursor, ResultColumn } from './api.ts';
import { staticCursor, streamCursor } from './cursors.ts';
import type { Database } from '../database.ts';
import type { SqlSession } from './session.ts';
import { QueryPipeline } from './query-pipeline.ts';
import type { Schema } from '../planner/logical-plan.ts';
import { explainPlan } from '../planner/explain.ts';
import { createTable, createView, dropRelations, objectName } from './ddl.ts';
import { createTableAs } from './create-table-as.ts';
import { createMaterializedView } from '../jobs/materialized-views.ts';
import type { SessionNotice } from './api.ts';
import { dmlParamTypes, explainInsert, insertParamTypes, runDelete, runInsert, runUpdate } from './dml.ts';
import { describeColumns, describeTable, showColumns, showObjects } from './show.ts';
import { CursorRegistry } from './sql-cursors.ts';
import { runCopy } from './copy.ts';
import { runSubscribe, subscribeSchema } from './subscribe.ts';
import { selectFrom } from './select-from.ts';
import type { SavepointInfo } from '../jobs/savepoints.ts';
import type { FormatContext } from '../values/text-format.ts';

export function columnsOf(schema: Schema): ResultColumn[] {
  return schema.map((c) => ({ name: c.name, type: c.type, tableOid: c.tableOid ?? 0, attnum: c.attnum ?? 0 }));
}

export function textColumns(...names: string[]): ResultColumn[] {
  return names.map((name) => ({ name, type: STRING, tableOid: 0, attnum: 0 }));
}

export class StatementRunner {
  readonly #db: Database;
  readonly #session: SqlSession;
  readonly pipeline: QueryPipeline;
  readonly #cursors = new CursorRegistry();

  constructor(db: Database, session: SqlSession) {
    this.#db = db;
    this.#session = session;
    this.pipeline = new QueryPipeline(db, session);
  }

  /** Parameter types and result columns of a statement, without running it. */
  describe(ast: Statement, declared: readonly (SqlType | undefined)[]): {
    paramTypes: SqlType[];
    columns: ResultColumn[] | null;
  } {
    switch (ast.kind) {
      case 'query-statement': {
        const { plan, paramTypes } = this.pipeline.plan(ast.query, declared);
        return { paramTypes, columns: columnsOf(plan.schema) };
      }
      case 'insert':
      case 'update':
      case 'delete':
        return { paramTypes: this.#dmlParamTypes(ast, declared), columns: null };
      case 'show':
        return { paramTypes: [], columns: this.#showColumns(ast) };
      case 'describe':
        return { paramTypes: [], columns: describeColumns() };
      case 'explain':
        return { paramTypes: declared.map((t) => t ?? STRING), columns: textColumns('QUERY PLAN') };
      case 'fetch':
        return { paramTypes: [], columns: ast.move ? null : (this.#cursors.get(ast.cursor)?.columns as ResultColumn[] | null) ?? null };
      case 'subscribe':
        return { paramTypes: declared.map((t) => t ?? STRING), columns: columnsOf(subscribeSchema(this.pipeline, ast, declared)) };
      case 'set':
        return { paramTypes: [], columns: ast.name === undefined ? textColumns('key', 'value') : null };
      default:
        return { paramTypes: declared.map((t) => t ?? STRING), columns: null };
    }
  }

  /** Tells the client that a job now keeps writing (INSERT or CREATE TABLE AS over unbounded input). */
  #jobStarted(jobId: string): void {
    this.#session.notice({
      severity: 'NOTICE',
      code: '00000',
      message: `started job ${jobId}: it keeps inserting as events arrive`,
      hint: `SHOW JOBS lists it; STOP JOB '${jobId}' stops it.`,
    } as SessionNotice);
  }

  async run(ast: Statement, script: string, paramTypes: readonly SqlType[], params: readonly Value[], signal: AbortSignal): Promise<Cursor> {
    switch (ast.kind) {
      case 'query-statement': {
        const { plan } = this.pipeline.plan(ast.query, paramTypes);
        const batches = this.pipeline.run(plan, params, signal)[Symbol.asyncIterator]();
        return streamCursor(columnsOf(plan.schema), batches);
      }
      case 'create-table': {
        if (ast.asQuery === undefined) {
          await createTable(this.#db, this.pipeline, ast, this.#session);
          return staticCursor(null, [], 'CREATE TABLE');
        }
        const done = await createTableAs(this.#db, this.pipeline, { ...ast, asQuery: ast.asQuery }, this.#session, signal, script);
        if (typeof done === 'number') return staticCursor(null, [], `SELECT ${done}`);
        if (done !== undefined) this.#jobStarted(done.jobId);
        return staticCursor(null, [], 'CREATE TABLE AS');
      }
      case 'create-view':
        if (ast.materialized) await createMaterializedView(this.#db, this.pipeline, ast, objectName(ast.name), script);
        else await createView(this.#db, this.pipeline, ast, script);
        return staticCursor(null, [], ast.materialized ? 'CREATE MATERIALIZED VIEW' : 'CREATE VIEW');
      case 'drop': {
        await dropRelations(this.#db, ast, this.#session);
        return staticCursor(null, [], `DROP ${ast.objectKind}`);
      }
      case 'insert': {
        const n = await runInsert(this.#db, this.pipeline, ast, paramTypes, params, signal, script);
        if (typeof n === 'number') return staticCursor(null, [], `INSERT 0 ${n}`);
        this.#jobStarted(n.jobId);
        return staticCursor(null, [], 'INSERT 0 0');
      }
      case 'update': {
        const n = await runUpdate(this.#db, this.pipeline, ast, paramTypes, params, signal);
        return staticCursor(null, [], `UPDATE ${n}`);
      }
      case 'delete': {
        const n = await runDelete(this.#db, this.pipeline, ast, paramTypes, params, signal);
        return staticCursor(null, [], `DELETE ${n}`);
      }
      case 'set':
        return this.#set(ast);
      case 'reset':
        this.#session.settings.reset(ast.name);
        return staticCursor(null, [], 'RESET');
      case 'show':
        return this.#show(ast);
      case 'describe':
        return staticCursor(describeColumns(), describeTable(this.#db, ast.name), 'DESCRIBE');
      case 'explain': {
        const inner = ast.statement;
        if (inner.kind === 'subscribe') {
          const query = inner.target.kind === 'query' ? inner.target.query : selectFrom(inner.target.name);
          const { plan } = this.pipeline.plan(query, paramTypes);
          return explainCursor(`Subscribe\n${indent(explainPlan(plan, 'changelog'))}`);
        }
        if (inner.kind === 'create-view' && inner.materialized) {
          const { plan } = this.pipeline.plan(inner.query, paramTypes);
          return explainCursor(`Materialize ${objectName(inner.name)}\n${indent(explainPlan(plan, 'changelog'))}`);
        }
        if (inner.kind !== 'query-statement') {
          if (inner.kind === 'insert' && inner.source) {
            const { plan, upsertKey } = explainInsert(this.#db, this.pipeline, inner, paramTypes);
            return explainCursor(`Insert into ${inner.table.parts.map((p) => p.value).join('.')}\n${explainPlan(plan, 'snapshot', { upsertKey })}`);
          }
          throw notSupported(`EXPLAIN of ${inner.kind} statements`, inner.pos);
        }
        const { plan } = this.pipeline.plan(inner.query, paramTypes);
        return explainCursor(explainPlan(plan));
      }
      case 'transaction':
        // Handled by the session itself.
        return staticCursor(null, [], ast.action);
      case 'use':
        return staticCursor(null, [], 'USE');
      case 'discard':
        this.#cursors.closeAll();
        return staticCursor(null, [], `DISCARD ${ast.what}`);
      case 'deallocate':
        return staticCursor(null, [], ast.name === undefined ? 'DEALLOCATE ALL' : 'DEALLOCATE');
      case 'declare-cursor': {
        // The cursor's query outlives this statement: it stops when the cursor closes (CLOSE, block end,
        // disconnect), even while a FETCH is waiting on it or before any FETCH started it.
        const running = new AbortController();
        const inBlock = this.#session.transactionStatus() !== 'I';
        if (ast.subscribe !== undefined) {
          const sub = runSubscribe(this.pipeline, ast.subscribe, paramTypes, params, running.signal);
          this.#cursors.declare(ast.name, streamCursor(columnsOf(sub.schema), sub.batches[Symbol.asyncIterator](), 'SELECT', () => running.abort()), ast.hold, script, inBlock);
          return staticCursor(null, [], 'DECLARE CURSOR');
        }
        const { plan } = this.pipeline.plan(ast.query, paramTypes);
        const batches = this.pipeline.run(plan, params, running.signal)[Symbol.asyncIterator]();
        this.#cursors.declare(ast.name, streamCursor(columnsOf(plan.schema), batches, 'SELECT', () => running.abort()), ast.hold, script, inBlock);
        return staticCursor(null, [], 'DECLARE CURSOR');
      }
      case 'fetch': {
        const cursor = this.#cursors.get(ast.cursor);
        if (cursor === undefined) {
          throw new SqlError(SqlState.INVALID_CURSOR_NAME, `cursor "${ast.cursor}" does not exist`, { position: ast.pos });
        }
        const rows: Row[] = [];
        const want = ast.count ?? Number.MAX_SAFE_INTEGER;
        const timeout = fetchTimeoutMs(ast);
        const deadline = timeout === undefined ? undefined : Date.now() + timeout;
        try {
          while (rows.length < want) {
            const wait = deadline === undefined ? undefined : Math.max(0, deadline - Date.now());
            // With a timeout, FETCH returns what arrived in time (Materialize's FETCH ... WITH (timeout)).
            const batch = await cursor.next(Math.min(want - rows.length, 10_000), rows.length > 0 && wait !== undefined ? 0 : wait, signal);
            if (batch.length === 0) break;
            for (const r of batch) rows.push(r);
          }
        } catch (err) {
          // Interrupted (Ctrl-C, statement_timeout): the rows taken stay in the cursor for the next FETCH.
          cursor.unread?.(rows);
          throw err;
        }
        if (ast.move) return staticCursor(null, [], `MOVE ${rows.length}`);
        return staticCursor(cursor.columns, rows, `FETCH ${rows.length}`);
      }
      case 'copy':
        return runCopy(this.#db, this.pipeline, ast, this.#formatContext(), signal);
      case 'close-cursor':
        if (ast.name === undefined) this.#cursors.closeAll();
        else if (!this.#cursors.close(ast.name)) {
          throw new SqlError(SqlState.INVALID_CURSOR_NAME, `cursor "${ast.name}" does not exist`, { position: ast.pos });
        }
        return staticCursor(null, [], 'CLOSE CURSOR');
      case 'subscribe': {
        const sub = runSubscribe(this.pipeline, ast, paramTypes, params, signal);
        return streamCursor(columnsOf(sub.schema), sub.batches[Symbol.asyncIterator](), 'SUBSCRIBE');
      }
      case 'stop-job': {
        if (ast.jobId.startsWith('mv-')) {
          throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `"${ast.jobId}" maintains a materialized view`, {
            position: ast.pos,
            hint: 'DROP MATERIALIZED VIEW stops it.',
          });
        }
        if (!ast.withSavepoint) {
          await this.#db.jobs.stop(ast.jobId, ast.pos);
          return staticCursor(null, [], 'STOP JOB');
        }
        let taken: SavepointInfo | undefined;
        await this.#db.jobs.stop(ast.jobId, ast.pos, async () => {
          taken = await takeJobSavepoint(this.#db, ast.jobId, ast.pos);
        });
        return staticCursor(savepointColumns(), [[taken!.id]], 'STOP JOB');
      }
      case 'savepoint-command': {
        if (ast.action === 'drop') {
          await this.#db.savepoints.drop(ast.target, ast.pos);
          return staticCursor(null, [], 'DROP SAVEPOINT');
        }
        const taken = await takeJobSavepoint(this.#db, ast.target, ast.pos);
        return staticCursor(savepointColumns(), [[taken.id]], 'CREATE SAVEPOINT');
      }
      default:
        return unreachable(ast);
    }
  }

  /** The session's SQL cursors (pg_cursors; the protocol layer's portals by name). */
  get sqlCursors(): CursorRegistry {
    return this.#cursors;
  }

  close(): void {
    this.#cursors.closeAll();
  }

  #formatContext(): FormatContext {
    const session = this.#session;
    return { timeZone: session.settings.timeZone, objectName: (type, oid) => session.objectName(type, oid) };
  }

  #set(ast: Extract<Statement, { kind: 'set' }>): Cursor {
    const settings = this.#session.settings;
    if (ast.name === undefined) {
      const rows: Row[] = settings.all().map(([k, v]) => [k, v]);
      return staticCursor(textColumns('key', 'value'), rows, 'SET');
    }
    const name = ast.name;
    if (name === 'transaction' || name === 'session characteristics') return staticCursor(null, [], 'SET');
    if (ast.isDefault) settings.reset(name);
    else settings.set(name, ast.values.join(', '));
    return staticCursor(null, [], 'SET');
  }

  #showColumns(ast: Extract<Statement, { kind: 'show' }>): ResultColumn[] {
    switch (ast.target) {
      case 'VARIABLE':
        return textColumns(this.#session.settings.displayName(ast.name ?? ''));
      case 'ALL':
        return textColumns('name', 'setting', 'description');
      default:
        return showObjects(this.#db, this.#session, ast).columns;
    }
  }

  #show(ast: Extract<Statement, { kind: 'show' }>): Cursor {
    const settings = this.#session.settings;
    switch (ast.target) {
      case 'VARIABLE': {
        const name = ast.name ?? '';
        const value = settings.get(name);
        if (value === undefined) {
          throw new SqlError(SqlState.UNDEFINED_OBJECT, `unrecognized configuration parameter "${name}"`, {
            position: ast.pos,
          });
        }
        return staticCursor(textColumns(settings.displayName(name)), [[value]], 'SHOW');
      }
      case 'ALL':
        return staticCursor(textColumns('name', 'setting', 'description'), settings.all(), 'SHOW');
      case 'COLUMNS':
        return showColumns(this.#db, ast);
      default: {
        const r = showObjects(this.#db, this.#session, ast);
        return staticCursor(r.columns, r.rows, 'SHOW');
      }
    }
  }

  #dmlParamTypes(
    ast: Extract<Statement, { kind: 'insert' | 'update' | 'delete' }>,
    declared: readonly (SqlType | undefined)[],
  ): SqlType[] {
    if (ast.kind === 'insert') {
      const { paramTypes } = this.pipeline.plan(ast.source, insertParamTypes(this.#db, ast, declared));
      return paramTypes;
    }
    return dmlParamTypes(this.#db, this.pipeline, ast, declared);
  }
}

/** FETCH ... WITH (timeout = '1s' | '500ms' | 2): how long to wait for rows, in ms; undefined waits for `count` rows. */
function fetchTimeoutMs(ast: Extract<Statement, { kind: 'fetch' }>): number | undefined {
  let ms: number | undefined;
  for (const o of ast.options) {
    if (o.key.toLowerCase() !== 'timeout') {
      throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `unrecognized FETCH option "${o.key}"`, { position: o.pos, hint: "FETCH takes WITH (timeout = '1s')." });
    }
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|sec|seconds?|min|minutes?)?\s*$/i.exec(o.value);
    if (m === null) {
      throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid FETCH timeout "${o.value}"`, { position: o.pos, hint: "Write a duration such as '1s' or '500ms'." });
    }
    const n = Number(m[1]);
    const unit = (m[2] ?? 's').toLowerCase();
    ms = unit === 'ms' ? n : unit.startsWith('min') ? n * 60_000 : n * 1000;
  }
  return ms;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

function explainCursor(text: string): Cursor {
  const rows: Row[] = text.split('\n').map((line) => [line]);
  return staticCursor(textColumns('QUERY PLAN'), rows, 'EXPLAIN');
}

/** The result of a statement that took a savepoint: its id. */
function savepointColumns(): ResultColumn[] {
  return [{ name: 'savepoint', type: STRING, tableOid: 0, attnum: 0 }];
}

function takeJobSavepoint(db: Database, jobId: string, position: number): Promise<SavepointInfo> {
  if (jobId.startsWith('mv-')) {
    throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `"${jobId}" maintains a materialized view`, { position, hint: 'Savepoints are taken of jobs (SHOW JOBS lists them); a materialized view checkpoints by itself.' });
  }
  return db.jobs.savepoint(jobId, db.savepoints, position);
}
