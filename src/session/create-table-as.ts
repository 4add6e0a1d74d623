/**
 * CREATE TABLE ... AS SELECT (PostgreSQL's and Flink's CTAS): a table with
 * the query's columns (names and types as the query gives them), then the
 * query's rows written into it, as `INSERT INTO t SELECT ...` would:
 * - over bounded input the rows are written at once and the tag is
 *   `SELECT n`, as in PostgreSQL;
 * - over unbounded input the table is created and a job keeps writing into
 *   it, as Flink's CTAS submits one (SHOW JOBS, STOP JOB).
 * `WITH (...)` options apply to the new table (a connector table too, such
 * as a filesystem sink). When the write cannot start (a query the table
 * cannot take, such as an updating result without a primary key), the table
 * is dropped again, so a failed CTAS leaves nothing behind.
 */
import { flinkTypeName, type SqlType } from '../../catalog/types.ts';
import type { CreateTable, Insert } from '../../grammar/ast.ts';
import { parseSql } from '../../grammar/parse.ts';
import { printIdent } from '../../grammar/printer.ts';
import { InternalError, notSupported, SqlError, SqlState } from '../errors.ts';
import type { Database } from '../database.ts';
import { createTable, dropRelations, objectName } from './ddl.ts';
import { runInsert } from './dml.ts';
import type { QueryPipeline } from './query-pipeline.ts';
import type { SqlSession } from './session.ts';

/** What a CTAS did: the rows written, or the job that keeps writing; undefined when IF NOT EXISTS skipped it. */
export type CreateTableAsResult = number | { readonly jobId: string } | undefined;

export async function createTableAs(
  db: Database,
  pipeline: QueryPipeline,
  ast: CreateTable & { readonly asQuery: NonNullable<CreateTable['asQuery']> },
  session: SqlSession,
  signal: AbortSignal,
  script: string,
): Promise<CreateTableAsResult> {
  if (ast.columns.length > 0 || ast.watermark !== undefined || ast.primaryKey !== undefined) {
    throw notSupported('column definitions in CREATE TABLE ... AS SELECT', ast.pos, 'The table takes the columns of the query: name them with AS in the SELECT list.');
  }
  const name = objectName(ast.name);
  if (db.catalog.lookup(ast.name.parts.map((p) => p.value)) !== undefined) {
    // createTable reports it (42P07, or the IF NOT EXISTS notice).
    await createTable(db, pipeline, ast, session);
    return undefined;
  }
  const { plan } = pipeline.plan(ast.asQuery, []);
  const seen = new Set<string>();
  for (const c of plan.schema) {
    if (seen.has(c.name)) throw new SqlError(SqlState.DUPLICATE_COLUMN, `column "${c.name}" specified more than once`, { position: ast.asQuery.pos, hint: 'Give the columns of the query different names with AS.' });
    seen.add(c.name);
  }
  const columns = plan.schema.map((c) => `${printIdent(c.name)} ${flinkTypeName(storableType(c.type))}`);
  const options = ast.options.map((o) => `'${o.key.replace(/'/g, "''")}' = '${o.value.replace(/'/g, "''")}'`);
  const ddl = `CREATE TABLE ${ast.name.parts.map((p) => printIdent(p.value)).join('.')} (${columns.join(', ')})${options.length > 0 ? ` WITH (${options.join(', ')})` : ''}`;
  const [create] = parseSql(ddl);
  if (create === undefined || create.kind !== 'create-table') throw new InternalError(`could not define table "${name}" from its query`);
  await createTable(db, pipeline, create, session);

  const insert: Insert = { kind: 'insert', table: ast.name, overwrite: false, columns: [], source: ast.asQuery, returning: [], pos: ast.pos, end: ast.end };
  try {
    return await runInsert(db, pipeline, insert, [], [], signal, script);
  } catch (err) {
    await dropRelations(db, { kind: 'drop', objectKind: 'TABLE', names: [ast.name], ifExists: true, temporary: false, cascade: false, pos: ast.pos, end: ast.end }, session).catch(() => undefined);
    throw err;
  }
}

/** A column type a table can hold: an untyped NULL column is text, as in PostgreSQL. */
function storableType(t: SqlType): SqlType {
  return t.kind === 'NULL' ? { kind: 'VARCHAR', length: 2147483647 } : t;
}
