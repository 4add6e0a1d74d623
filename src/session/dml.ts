/**
 * INSERT, UPDATE and DELETE on tables millrace stores, and INSERT into
 * tables of a sink connector (print, blackhole, filesystem).
 *
 * Contract:
 * - Outside a transaction block each statement is applied as one atomic
 *   LevelDB batch and is durable when its CommandComplete is sent; inside a
 *   block its writes are staged until COMMIT (table-access.ts), and the
 *   statement reads the block's own earlier writes.
 * - Values are converted to the column types with assignment rules: a cast
 *   must exist (else 42804); VARCHAR(n) values longer than n are 22001, as in
 *   Postgres; CHAR(n) values are blank-padded.
 * - Only physical columns can be written; computed columns are derived.
 * - A sink table (its 'connector' is a sink: src/connectors/sink-connector.ts)
 *   takes INSERT only. Over bounded input every row is written and committed
 *   before CommandComplete (`INSERT 0 n`; not part of a transaction block:
 *   what a sink wrote cannot be rolled back); over unbounded input the INSERT
 *   becomes a job that writes through ConnectorSink, committing at
 *   checkpoints. A sink that takes no updates (filesystem) refuses an
 *   updating job with 0A000. UPDATE and DELETE on any connector table are
 *   42809.
 */
import type { Delete, Expr, Insert, QualifiedName, Update } from '../../grammar/ast.ts';
import type { Row, SqlType, Value } from '../../catalog/types.ts';
import { MAX_LENGTH, STRING, typesEqual } from '../../catalog/types.ts';
import type { TableDefinition } from '../../catalog/relation.ts';
import { isStoredTable } from '../../catalog/relation.ts';
import { SqlError, SqlState, assert, notSupported } from '../errors.ts';
import { readsUnboundedInput } from '../planner/bounded-input.ts';
import { changelogMode, sinkUpsertKey } from '../planner/changelog-mode.ts';
import { TableSink, jobIdOf, jobOwner, type JobDefinition, type JobLauncher, type JobSink } from '../jobs/jobs.ts';
import { ConnectorSink } from '../jobs/connector-sink.ts';
import { sinkUndoKey } from '../jobs/checkpoints.ts';
import type { SinkConnector } from '../connectors/sink-connector.ts';
import { randomUUID } from 'node:crypto';
import { DurableDataflow, type CheckpointBatch } from '../jobs/durable-dataflow.ts';
import type { Port } from '../streaming/dataflow.ts';
import { RecordingStateProvider } from '../state/durable-state.ts';
import { parseSql } from '../../grammar/parse.ts';
import { printExpr, printIdent } from '../../grammar/printer.ts';
import type { LogicalPlan, ScanNode, Schema } from '../planner/logical-plan.ts';
import { TRUE_LITERAL, type BoundExpr } from '../binder/bound-expr.ts';
import { compileQuery, type RowSource } from '../compiler/compile.ts';
import type { Database } from '../database.ts';
import type { QueryPipeline } from './query-pipeline.ts';
import { castFunction } from '../values/cast.ts';
import { pgTypeDisplayName } from '../functions/type-names.ts';
import { objectName } from './ddl.ts';

export function storedTable(db: Database, name: QualifiedName, verb: string): TableDefinition {
  const rel = db.catalog.lookup(name.parts.map((p) => p.value));
  const display = objectName(name);
  if (rel === undefined) {
    throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${display}" does not exist`, { position: name.pos });
  }
  if (rel.kind === 'system') {
    throw new SqlError(SqlState.INSUFFICIENT_PRIVILEGE, `cannot ${verb} system relation "${display}"`, { position: name.pos });
  }
  const connector = rel.kind === 'table' ? rel.options['connector'] : undefined;
  if (rel.kind !== 'table' || !isStoredTable(rel)) {
    let hint: string | undefined;
    if (rel.kind === 'view') hint = 'Views are read-only.';
    else if (connector !== undefined && db.sinks.has(connector)) hint = `Table "${display}" is written through connector '${connector}', which only takes INSERT.`;
    else if (connector !== undefined) hint = `Table "${display}" is read through connector '${connector}'; its data is not stored by millrace.`;
    throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `cannot ${verb} "${display}" because it is not a table stored by millrace`, {
      position: name.pos,
      ...(hint !== undefined ? { hint } : {}),
    });
  }
  return rel;
}

/** The target of an INSERT: a stored table, or a table of a sink connector (with its sink). */
function insertTarget(db: Database, name: QualifiedName): { table: TableDefinition; sink: SinkConnector | undefined } {
  const rel = db.catalog.lookup(name.parts.map((p) => p.value));
  const connector = rel?.kind === 'table' ? rel.options['connector'] : undefined;
  if (rel?.kind !== 'table' || connector === undefined) return { table: storedTable(db, name, 'insert into'), sink: undefined };
  const sink = db.sinks.get(connector);
  if (sink === undefined) {
    const display = objectName(name);
    throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `cannot insert into "${display}": connector '${connector}' is a source and cannot be written`, {
      position: name.pos,
      hint: `Connectors that can be written: ${[...db.sinks.keys()].join(', ') || 'none'}; or insert into a table stored by millrace (no 'connector' option).`,
    });
  }
  return { table: rel, sink };
}

export function physicalColumns(table: TableDefinition) {
  return table.columns.filter((c) => c.kind === 'physical');
}

function physicalSchema(table: TableDefinition): Schema {
  return physicalColumns(table).map((c) => ({ name: c.name, type: c.type, nullable: c.nullable }));
}

/** A converter from `from` to a column's type under assignment rules. */
function assignment(from: SqlType, column: { name: string; type: SqlType }, timeZone: string, position: number): (v: Value) => Value {
  // Strings are converted to unbounded text first: CAST to VARCHAR(n) truncates, but
  // assignment must reject values that are too long (22001), as in Postgres.
  const bounded = column.type;
  const to: SqlType = bounded.kind === 'VARCHAR' || bounded.kind === 'CHAR' ? { kind: 'VARCHAR', length: MAX_LENGTH } : bounded;
  let cast: ((v: Value) => Value) | undefined;
  if (from.kind === 'NULL' || typesEqual(from, to)) cast = (v) => v;
  else {
    const f = castFunction(from, to);
    if (f === undefined) {
      throw new SqlError(
        SqlState.DATATYPE_MISMATCH,
        `column "${column.name}" is of type ${pgTypeDisplayName(bounded)} but expression is of type ${pgTypeDisplayName(from)}`,
        { position, hint: 'You will need to rewrite or cast the expression.' },
      );
    }
    const ctx = { timeZone };
    cast = (v) => f(v, ctx as never);
  }
  if (bounded.kind === 'VARCHAR' && bounded.length !== MAX_LENGTH) {
    const n = bounded.length;
    const inner = cast;
    return (v) => {
      if (v === null) return null;
      const s = inner(v) as string;
      if (s.length > n && codePoints(s) > n) {
        throw new SqlError(SqlState.STRING_DATA_RIGHT_TRUNCATION, `value too long for type character varying(${n})`);
      }
      return s;
    };
  }
  if (bounded.kind === 'CHAR') {
    const n = bounded.length;
    const inner = cast;
    return (v) => {
      if (v === null) return null;
      const s = (inner(v) as string).replace(/ +$/, '');
      if (s.length > n && codePoints(s) > n) throw new SqlError(SqlState.STRING_DATA_RIGHT_TRUNCATION, `value too long for type character(${n})`);
      return s.padEnd(n, ' ');
    };
  }
  return (v) => (v === null ? null : cast!(v));
}

/** Length in code points; never more than the UTF-16 length, so callers test `s.length` first. */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * Parameter types for an INSERT whose VALUES hold bare parameters: as Postgres
 * does, `$n` standing alone in a VALUES row takes the type of the column it is
 * inserted into, unless the client declared one. Other positions keep `declared`.
 */
export function insertParamTypes(db: Database, ast: Insert, declared: readonly (SqlType | undefined)[]): (SqlType | undefined)[] {
  const out = [...declared];
  const body = ast.source.body;
  if (body.kind !== 'values') return out;
  let table: TableDefinition;
  try {
    table = insertTarget(db, ast.table).table;
  } catch {
    return out; // The INSERT itself reports the missing table.
  }
  const columns = physicalColumns(table);
  const targets = ast.columns.length === 0 ? columns : ast.columns.map((c) => columns.find((col) => col.name === c.value));
  for (const row of body.rows) {
    row.forEach((e, i) => {
      const target = targets[i];
      if (e.kind !== 'param' || target === undefined || out[e.index - 1] !== undefined) return;
      while (out.length < e.index) out.push(undefined);
      out[e.index - 1] = target.type;
    });
  }
  return out;
}

/**
 * An INSERT ... VALUES source whose expressions for unconstrained NUMERIC
 * columns are cast to NUMERIC row by row, as Postgres coerces each VALUES
 * row to the target columns: `VALUES (1.5), (1.50)` keeps 1.5 and 1.50
 * instead of unifying the literals to one DECIMAL scale first.
 */
function numericValuesSource(source: Insert['source'], targetTypes: readonly SqlType[]): Insert['source'] {
  const body = source.body;
  if (body.kind !== 'values' || !targetTypes.some((t) => t.kind === 'NUMERIC')) return source;
  const rows = body.rows.map((row) =>
    row.map((e, i): Expr => {
      if (targetTypes[i]?.kind !== 'NUMERIC') return e;
      const type = { kind: 'type', name: 'NUMERIC', params: [], elementTypes: [], fields: [], notNull: false, arrayDims: 0, pos: e.pos } as const;
      return { kind: 'cast', operand: e, type, syntax: 'cast', pos: e.pos };
    }),
  );
  return { ...source, body: { ...body, rows } };
}

/** An INSERT planned for writing: the target, the source plan and how a source row becomes a table row. */
interface PlannedInsert {
  readonly table: TableDefinition;
  readonly plan: LogicalPlan;
  readonly convert: (row: Row) => Row;
  /** The target's PRIMARY KEY as source columns (changelog-mode.ts `sinkUpsertKey`). */
  readonly upsertKey: readonly number[] | undefined;
  /** The sink connector of a sink table; undefined for a stored table. */
  readonly sink: SinkConnector | undefined;
}

/**
 * Parameter types of an UPDATE or DELETE, inferred as Postgres does (drivers
 * such as pgx send exactly as many values as the statement describes): a
 * `$n` assigned to a column takes the column's type, and the WHERE clause
 * types its parameters from what they are compared with. Planned as the
 * SELECT of the assigned values over the table with the same WHERE; when
 * that cannot be planned, the declared types (text where none) stand.
 */
export function dmlParamTypes(db: Database, pipeline: QueryPipeline, ast: Update | Delete, declared: readonly (SqlType | undefined)[]): SqlType[] {
  const fallback = (): SqlType[] => declared.map((t) => t ?? STRING);
  try {
    const table = storedTable(db, ast.table, ast.kind);
    const columns = physicalColumns(table);
    const items = ast.kind === 'update'
      ? ast.assignments.map((a) => {
          const column = columns.find((c) => c.name === a.column.value);
          const value = printExpr(a.value);
          return column === undefined ? value : `CAST((${value}) AS ${pgTypeDisplayName(column.type)})`;
        })
      : [];
    const from = ast.table.parts.map(printIdent).join('.') + (ast.alias !== undefined ? ` AS ${printIdent(ast.alias)}` : '');
    const where = ast.where !== undefined ? ` WHERE ${printExpr(ast.where)}` : '';
    const stmt = parseSql(`SELECT ${items.length > 0 ? items.join(', ') : '1'} FROM ${from}${where}`)[0];
    if (stmt?.kind !== 'query-statement') return fallback();
    return pipeline.plan(stmt.query, declared).paramTypes;
  } catch {
    return fallback();
  }
}

/** Starts (or, from its checkpoint, resumes) the dataflow of job `def` writing `insert` exactly once. */
async function launchInsertJob(db: Database, pipeline: QueryPipeline, insert: PlannedInsert, def: JobDefinition): Promise<{ durable: DurableDataflow; sink: JobSink }> {
  if (insert.sink !== undefined) return launchSinkJob(db, pipeline, insert, insert.sink, def);
  const sink = new TableSink(db.tables, insert.table, insert.convert);
  const durable = await startJobDataflow(db, pipeline, insert, def, sink, (id, ops) => sink.commit(id, ops));
  return { durable, sink };
}

/** The durable dataflow of job `def` into `sink`; `commit` writes a checkpoint's batch with what the sink staged for it. */
function startJobDataflow(db: Database, pipeline: QueryPipeline, insert: PlannedInsert, def: JobDefinition, sink: Port, commit: (id: number, ops: CheckpointBatch) => Promise<void>): Promise<DurableDataflow> {
  const name = jobIdOf(def.number);
  const reading = { storedReading: 'snapshot', upsertKey: insert.upsertKey } as const;
  return DurableDataflow.start({
    owner: jobOwner(def.number),
    name,
    store: db.store,
    budget: db.stateBudget,
    history: db.checkpoints,
    intervalMs: db.checkpointIntervalMs,
    registry: db.durables,
    declareState: (provider) => pipeline.declareState(insert.plan, provider, reading),
    launch: (state, from) =>
      pipeline.startDataflow(insert.plan, sink, { ...reading, state, ...(from !== undefined ? { from } : {}), durableReader: name, afterChunk: () => db.stateBudget.trim() }),
    commit,
  });
}

/** Starts (or resumes) the dataflow of job `def` writing into a sink connector (jobs/connector-sink.ts). */
async function launchSinkJob(db: Database, pipeline: QueryPipeline, insert: PlannedInsert, connector: SinkConnector, def: JobDefinition): Promise<{ durable: DurableDataflow; sink: JobSink }> {
  const owner = jobOwner(def.number);
  const writer = connector.open(physicalColumns(insert.table), insert.table.options, { writerId: jobIdOf(def.number), timeZone: pipeline.evalContext().timeZone });
  const sink = new ConnectorSink(writer, insert.convert, db.store, owner);
  // Read before the start: a start over from the inputs deletes it, and its output must go then too.
  const stored = await db.store.get(sinkUndoKey(owner));
  const durable = await startJobDataflow(db, pipeline, insert, def, sink, (id, ops) => sink.commit(id, ops));
  try {
    await sink.recover(stored, durable.restored ? durable.lastCheckpoint : 0);
  } catch (err) {
    durable.stop();
    await sink.close().catch(() => undefined);
    throw err;
  }
  return { durable, sink };
}

/** INSERT INTO a sink table over bounded input: writes every row, commits at the end; the number of rows. */
async function writeBoundedToSink(pipeline: QueryPipeline, insert: PlannedInsert, connector: SinkConnector, params: readonly Value[], signal: AbortSignal): Promise<number> {
  const writer = connector.open(physicalColumns(insert.table), insert.table.options, { writerId: randomUUID(), timeZone: pipeline.evalContext().timeZone });
  let n = 0;
  try {
    await writer.recover({});
    for await (const batch of pipeline.run(insert.plan, params, signal)) {
      const rows = new Array<Row>(batch.length);
      for (let i = 0; i < batch.length; i++) rows[i] = insert.convert(batch[i]!);
      writer.write(rows, null);
      n += rows.length;
    }
    await writer.commit(await writer.prepare(1));
  } catch (err) {
    await writer.abort().catch(() => undefined);
    throw err;
  }
  await writer.close();
  return n;
}

/** Starts `INSERT INTO table <plan>` as a server-owned job. */
async function startInsertJob(db: Database, pipeline: QueryPipeline, insert: PlannedInsert, script: string, ast: Insert): Promise<{ jobId: string }> {
  const { table, plan, sink } = insert;
  if (sink !== undefined) {
    if (!sink.acceptsUpdates && changelogMode(plan) !== 'insert-only') {
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `table "${table.name}" of connector '${sink.name}' only takes appended rows, but the query produces updates`, { position: ast.pos, hint: `Write an append-only result (window aggregation with TUMBLE / HOP / CUMULATE, filters, projections, interval joins), or write the updating result into a table stored by millrace with a PRIMARY KEY, or into connector 'print'.` });
    }
  } else if (changelogMode(plan) !== 'insert-only' && table.primaryKey.length === 0) {
    throw notSupported(`writing an updating result into table "${table.name}", which has no primary key`, ast.pos, 'Declare PRIMARY KEY (...) NOT ENFORCED on the target table so updates replace rows by key, or write an append-only result (window aggregation, filters, projections).');
  }
  // Compile once before anything is stored: a plan without an incremental form fails here (0A000).
  const declared = new RecordingStateProvider();
  pipeline.declareState(plan, declared, { storedReading: 'snapshot', upsertKey: insert.upsertKey });
  const savepoint = pipeline.savepointPath();
  if (savepoint !== undefined) db.savepoints.get(savepoint);
  const statement = script.slice(ast.pos, ast.end).trim() || `INSERT INTO ${table.name} ...`;
  const jobId = await db.jobs.create(`insert-into_${table.name}`, statement, pipeline.jobSettings(), async (def) => {
    if (savepoint !== undefined) await db.savepoints.restoreInto(savepoint, jobOwner(def.number), new Set(declared.tables.keys()));
    return launchInsertJob(db, pipeline, insert, def);
  });
  return { jobId };
}

/** Resumes stored jobs at start: plans each statement again with the settings it was created with. */
export function insertJobLauncher(db: Database, newPipeline: (settings: Readonly<Record<string, string>>) => QueryPipeline): JobLauncher {
  return async (def) => {
    const pipeline = newPipeline(def.settings);
    const parsed = parseSql(def.statement)[0];
    // A CREATE TABLE ... AS SELECT job keeps inserting its query into the table it created.
    const ast: Insert | undefined =
      parsed?.kind === 'insert' ? parsed
      : parsed?.kind === 'create-table' && parsed.asQuery !== undefined ? { kind: 'insert', table: parsed.name, overwrite: false, columns: [], source: parsed.asQuery, returning: [], pos: parsed.pos, end: parsed.end }
      : undefined;
    if (ast === undefined) throw new SqlError(SqlState.INVALID_OBJECT_DEFINITION, `job ${jobIdOf(def.number)} does not hold an INSERT statement`);
    return launchInsertJob(db, pipeline, planInsert(db, pipeline, ast, []), def);
  };
}

/**
 * INSERT: the number of rows written, or, when the source is unbounded, the id
 * of the job that keeps writing (see src/jobs/jobs.ts).
 */
export async function runInsert(
  db: Database,
  pipeline: QueryPipeline,
  ast: Insert,
  paramTypes: readonly SqlType[],
  params: readonly Value[],
  signal: AbortSignal,
  script = '',
): Promise<number | { readonly jobId: string }> {
  const insert = planInsert(db, pipeline, ast, paramTypes);
  if (readsUnboundedInput(insert.plan)) return startInsertJob(db, pipeline, insert, script, ast);
  if (insert.sink !== undefined) return writeBoundedToSink(pipeline, insert, insert.sink, params, signal);
  const rows: Row[] = [];
  for await (const batch of pipeline.run(insert.plan, params, signal)) for (const src of batch) rows.push(insert.convert(src));
  if (rows.length === 0) return 0;
  return pipeline.tables().insert(insert.table, rows);
}

/** Resolves an INSERT's target columns and plans its source (42703, 42701, 42601 as Postgres). */
function planInsert(db: Database, pipeline: QueryPipeline, ast: Insert, paramTypes: readonly SqlType[]): PlannedInsert {
  const { table, sink } = insertTarget(db, ast.table);
  const columns = physicalColumns(table);
  let targets: number[];
  if (ast.columns.length === 0) targets = columns.map((_, i) => i);
  else {
    targets = ast.columns.map((c) => {
      const i = columns.findIndex((col) => col.name === c.value);
      if (i < 0) {
        const computed = table.columns.some((col) => col.name === c.value);
        throw new SqlError(
          SqlState.UNDEFINED_COLUMN,
          computed
            ? `column "${c.value}" of relation "${table.name}" is a computed column and cannot be written`
            : `column "${c.value}" of relation "${table.name}" does not exist`,
          { position: c.pos },
        );
      }
      return i;
    });
    const dup = targets.find((t, i) => targets.indexOf(t) !== i);
    if (dup !== undefined) {
      throw new SqlError(SqlState.DUPLICATE_COLUMN, `column "${columns[dup]!.name}" specified more than once`, { position: ast.pos });
    }
  }
  const { plan } = pipeline.plan(numericValuesSource(ast.source, targets.map((t) => columns[t]!.type)), paramTypes);
  if (plan.schema.length > targets.length) {
    throw new SqlError(SqlState.SYNTAX_ERROR, 'INSERT has more expressions than target columns', { position: ast.source.pos });
  }
  if (plan.schema.length < targets.length) {
    throw new SqlError(SqlState.SYNTAX_ERROR, 'INSERT has more target columns than expressions', { position: ast.source.pos });
  }
  const tz = pipeline.evalContext().timeZone;
  const converters = plan.schema.map((c, i) => assignment(c.type, columns[targets[i]!]!, tz, ast.source.pos));
  const convert = (src: Row): Row => {
    const row: Row = new Array<Value>(columns.length).fill(null);
    for (let i = 0; i < targets.length; i++) row[targets[i]!] = converters[i]!(src[i] ?? null);
    return row;
  };
  // A sink connector gets the whole changelog (print shows -U rows); only stored tables upsert by key.
  const upsertKey = sink !== undefined ? undefined : sinkUpsertKey(table.primaryKey.map((name) => columns.findIndex((c) => c.name === name)), targets);
  return { table, plan, convert, upsertKey, sink };
}

/** EXPLAIN INSERT: the source's plan and the target's key as source columns (upsert mode). */
export function explainInsert(db: Database, pipeline: QueryPipeline, ast: Insert, paramTypes: readonly SqlType[]): { plan: LogicalPlan; upsertKey: readonly number[] | undefined } {
  const { plan, upsertKey } = planInsert(db, pipeline, ast, paramTypes);
  return { plan, upsertKey };
}


/**
 * Evaluates `exprs` (over the table's physical columns) for each stored row, in
 * order, through a compiled plan, so WHERE and SET may use subqueries.
 * Yields the rows' storage keys, old rows and the values of `exprs`.
 */
async function* evaluateOverTable(
  db: Database,
  pipeline: QueryPipeline,
  table: TableDefinition,
  exprs: readonly BoundExpr[],
  params: readonly Value[],
  signal: AbortSignal,
): AsyncGenerator<{ keys: Uint8Array[]; rows: Row[]; values: Row[] }> {
  const schema = physicalSchema(table);
  const scan: ScanNode = {
    kind: 'scan',
    source: 'stored',
    relationId: table.id,
    relationName: table.name,
    columns: schema.map((_, i) => i),
    unbounded: false,
    schema,
  };
  const plan: LogicalPlan = {
    kind: 'project',
    input: scan,
    exprs,
    schema: exprs.map((e, i) => ({ name: `e${i}`, type: e.type, nullable: true })),
  };
  // The plan is compiled once; its own scan reads the table's rows and remembers their storage
  // keys, and a projection keeps row order and count, so output row i belongs to the i-th key read.
  // Scans in subqueries read their relations as usual.
  const env = pipeline.execEnv(params, signal);
  const keys: Uint8Array[] = [];
  const rows: Row[] = [];
  const access = pipeline.tables();
  async function* tableRows(): AsyncGenerator<Row[]> {
    for await (const batch of access.scanWithKeys(table)) {
      for (let i = 0; i < batch.keys.length; i++) {
        keys.push(batch.keys[i]!);
        rows.push(batch.rows[i]!);
      }
      yield batch.rows;
    }
  }
  const source: RowSource = {
    scan(node, s) {
      return node === scan ? tableRows() : env.source.scan(node, s);
    },
  };
  let taken = 0;
  for await (const values of compileQuery(plan, { ...env, source }).run()) {
    const end = taken + values.length;
    assert(end <= keys.length, 'UPDATE/DELETE evaluation produced more rows than it read');
    yield { keys: keys.slice(taken, end), rows: rows.slice(taken, end), values };
    taken = end;
    if (taken === keys.length) {
      keys.length = 0;
      rows.length = 0;
      taken = 0;
    }
  }
  assert(taken === keys.length, 'UPDATE/DELETE evaluation lost rows');
}

function bindCondition(pipeline: QueryPipeline, where: Expr | undefined, schema: Schema, paramTypes: readonly SqlType[], name: string): BoundExpr {
  if (where === undefined) return TRUE_LITERAL;
  const bound = pipeline.bindScalar(where, schema, paramTypes, name);
  if (bound.type.kind !== 'BOOLEAN' && bound.type.kind !== 'NULL') {
    throw new SqlError(SqlState.DATATYPE_MISMATCH, `argument of WHERE must be type boolean, not type ${pgTypeDisplayName(bound.type)}`, {
      position: where.pos,
    });
  }
  return bound;
}

export async function runUpdate(
  db: Database,
  pipeline: QueryPipeline,
  ast: Update,
  paramTypes: readonly SqlType[],
  params: readonly Value[],
  signal: AbortSignal,
): Promise<number> {
  const table = storedTable(db, ast.table, 'update');
  const schema = physicalSchema(table);
  const columns = physicalColumns(table);
  const tz = pipeline.evalContext().timeZone;
  const name = ast.alias?.value ?? table.name;
  const where = bindCondition(pipeline, ast.where, schema, paramTypes, name);
  const sets = ast.assignments.map((a) => {
    const index = columns.findIndex((c) => c.name === a.column.value);
    if (index < 0) {
      throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${a.column.value}" of relation "${table.name}" does not exist`, {
        position: a.column.pos,
      });
    }
    const bound = pipeline.bindScalar(a.value, schema, paramTypes, name);
    return { index, bound, convert: assignment(bound.type, columns[index]!, tz, a.value.pos) };
  });
  const deletes: Uint8Array[] = [];
  const puts: { key?: Uint8Array; row: Row }[] = [];
  for await (const { keys, rows, values } of evaluateOverTable(db, pipeline, table, [where, ...sets.map((s) => s.bound)], params, signal)) {
    for (let i = 0; i < rows.length; i++) {
      const v = values[i]!;
      if (v[0] !== true) continue;
      const updated = rows[i]!.slice();
      sets.forEach((s, j) => {
        updated[s.index] = s.convert(v[j + 1] ?? null);
      });
      puts.push({ key: keys[i]!, row: updated });
    }
  }
  if (puts.length > 0) await pipeline.tables().applyChanges(table, deletes, puts);
  return puts.length;
}

export async function runDelete(
  db: Database,
  pipeline: QueryPipeline,
  ast: Delete,
  paramTypes: readonly SqlType[],
  params: readonly Value[],
  signal: AbortSignal,
): Promise<number> {
  const table = storedTable(db, ast.table, 'delete from');
  const schema = physicalSchema(table);
  const where = bindCondition(pipeline, ast.where, schema, paramTypes, ast.alias?.value ?? table.name);
  const deletes: Uint8Array[] = [];
  for await (const { keys, values } of evaluateOverTable(db, pipeline, table, [where], params, signal)) {
    for (let i = 0; i < keys.length; i++) if (values[i]![0] === true) deletes.push(keys[i]!);
  }
  if (deletes.length > 0) await pipeline.tables().applyChanges(table, deletes, []);
  return deletes.length;
}
