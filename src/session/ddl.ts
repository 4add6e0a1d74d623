/**
 * CREATE TABLE, CREATE VIEW and DROP: turn DDL into catalog definitions.
 *
 * Contract:
 * - CREATE TABLE follows Flink: physical, computed (`name AS expr`) and
 *   metadata columns, `WATERMARK FOR col AS expr`, `PRIMARY KEY (...) NOT
 *   ENFORCED`, `WITH (...)`. A table without 'connector' is stored by
 *   millrace; its primary key makes INSERT upsert on that key. A
 *   'connector' names a source (read), a sink (written by INSERT) or both
 *   (filesystem); each side validates the options. As in Flink, a
 *   table-level key must say NOT ENFORCED (keys are not checked, they upsert).
 * - Computed column and watermark expressions are validated by binding them
 *   against the physical columns, then stored as printed SQL text.
 * - A view stores its query text; its columns are those of the bound query.
 */
import type { ColumnDef, CreateTable, CreateView, Drop, QualifiedName } from '../../grammar/ast.ts';
import { printExpr } from '../../grammar/printer.ts';
import type { ColumnDefinition, RelationDefinition, TableDefinition } from '../../catalog/relation.ts';
import { stopMaterializedView } from '../jobs/materialized-views.ts';
import { parseSql } from '../../grammar/parse.ts';
import { isStoredTable } from '../../catalog/relation.ts';
import { resolveTypeName } from '../binder/type-name.ts';
import type { SqlType } from '../../catalog/types.ts';
import type { Schema } from '../planner/logical-plan.ts';
import { SqlError, SqlState, notSupported } from '../errors.ts';
import type { Database } from '../database.ts';
import type { QueryPipeline } from './query-pipeline.ts';
import type { SqlSession } from './session.ts';


export function objectName(name: QualifiedName): string {
  const parts = name.parts;
  return parts[parts.length - 1]!.value;
}

export function checkSchema(name: QualifiedName): void {
  const parts = name.parts.map((p) => p.value);
  if (parts.length === 1) return;
  const schema = parts[parts.length - 2]!;
  if (schema === 'public' || schema === 'default_database') return;
  throw new SqlError(SqlState.INVALID_SCHEMA_NAME, `schema "${schema}" does not exist`, {
    position: name.pos,
    hint: 'User objects live in the schema "public".',
  });
}

export async function createTable(db: Database, pipeline: QueryPipeline, ast: CreateTable, session: SqlSession): Promise<void> {
  checkSchema(ast.name);
  const name = objectName(ast.name);
  const existing = db.catalog.lookup(ast.name.parts.map((p) => p.value));
  if (existing !== undefined && existing.kind !== 'system') {
    if (ast.ifNotExists) {
      session.notice({ severity: 'NOTICE', code: '42P07', message: `relation "${name}" already exists, skipping` });
      return;
    }
    throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${name}" already exists`, { position: ast.name.pos });
  }
  if (ast.like) throw notSupported('CREATE TABLE ... LIKE', ast.like.pos);
  if (ast.asQuery) throw notSupported('CREATE TABLE ... AS SELECT', ast.pos, 'Create the table, then INSERT INTO it ... SELECT.');

  const options: Record<string, string> = {};
  for (const o of ast.options) options[o.key] = o.value;
  const connector = options['connector'];
  const connectorImpl = connector === undefined ? undefined : db.connectors.get(connector);
  const sinkImpl = connector === undefined ? undefined : db.sinks.get(connector);
  if (connector !== undefined && connectorImpl === undefined && sinkImpl === undefined) {
    const pos = ast.options.find((o) => o.key === 'connector')?.pos;
    const names = [...new Set([...db.connectors.keys(), ...db.sinks.keys()])];
    throw notSupported(
      `connector '${connector}'`,
      pos,
      `Connectors available: ${names.join(', ') || 'none'}. Leave out 'connector' to create a table stored by millrace.`,
    );
  }

  const pkNames = new Set<string>();
  for (const c of ast.columns) if (c.kind === 'physical' && c.primaryKey) pkNames.add(c.name.value);
  if (ast.primaryKey) {
    if (ast.primaryKey.enforced) {
      const cols = ast.primaryKey.columns.map((c) => c.value).join(', ');
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'only NOT ENFORCED primary keys are supported', {
        position: ast.primaryKey.pos,
        hint: `Write PRIMARY KEY (${cols}) NOT ENFORCED. Rows are not checked for duplicate keys: an INSERT with an existing key replaces that row (upsert).`,
      });
    }
    if (pkNames.size > 0) {
      throw new SqlError(SqlState.INVALID_TABLE_DEFINITION, `multiple primary keys for table "${name}" are not allowed`, {
        position: ast.primaryKey.pos,
      });
    }
    for (const c of ast.primaryKey.columns) pkNames.add(c.value);
  }

  const seen = new Set<string>();
  const physical: { name: string; type: SqlType; nullable: boolean }[] = [];
  for (const c of ast.columns) {
    if (seen.has(c.name.value)) {
      throw new SqlError(SqlState.DUPLICATE_COLUMN, `column "${c.name.value}" specified more than once`, { position: c.pos });
    }
    seen.add(c.name.value);
    if (c.kind === 'physical') {
      physical.push({ name: c.name.value, type: resolveTypeName(c.type), nullable: !(c.notNull || c.type.notNull || pkNames.has(c.name.value)) });
    }
  }
  for (const pk of pkNames) {
    if (!physical.some((c) => c.name === pk)) {
      throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${pk}" named in key does not exist`, {
        position: ast.primaryKey?.pos ?? ast.pos,
        hint: 'A primary key is made of physical columns.',
      });
    }
  }

  const physicalColumns = physical.map((c) => ({ ...c, kind: 'physical' as const }));
  for (const side of [connectorImpl, sinkImpl]) {
    if (side === undefined) continue;
    try {
      side.validate(physicalColumns, options);
    } catch (err) {
      throw err instanceof SqlError ? err.at(ast.options[0]?.pos) : err;
    }
  }

  const physicalSchema: Schema = physical.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable }));
  const columns: ColumnDefinition[] = ast.columns.map((c) => columnDefinition(c, physicalSchema, pipeline));

  let watermark: TableDefinition['watermark'];
  if (ast.watermark) {
    const wm = ast.watermark;
    const col = columns.find((c) => c.name === wm.column.value);
    if (col === undefined) {
      throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${wm.column.value}" named in WATERMARK does not exist`, {
        position: wm.column.pos,
      });
    }
    if (col.type.kind !== 'TIMESTAMP' && col.type.kind !== 'TIMESTAMP_LTZ') {
      throw new SqlError(SqlState.DATATYPE_MISMATCH, `the rowtime column "${col.name}" must be of type TIMESTAMP(3) or TIMESTAMP_LTZ(3)`, {
        position: wm.column.pos,
      });
    }
    const schemaWithComputed: Schema = columns.map((c) => ({ name: c.name, type: c.type, nullable: c.nullable }));
    const bound = pipeline.bindScalar(wm.expr, schemaWithComputed, []);
    if (bound.type.kind !== 'TIMESTAMP' && bound.type.kind !== 'TIMESTAMP_LTZ') {
      throw new SqlError(SqlState.DATATYPE_MISMATCH, 'the watermark expression must return a TIMESTAMP or TIMESTAMP_LTZ', {
        position: wm.expr.pos,
      });
    }
    watermark = { column: col.name, expr: printExpr(wm.expr) };
  }

  await db.catalog.create({
    kind: 'table',
    name,
    schema: 'public',
    columns,
    // In the order the key was declared: it is the order of the storage key and of pg_constraint.conkey.
    primaryKey: [...pkNames],
    ...(watermark ? { watermark } : {}),
    partitionedBy: ast.partitionedBy.map((p) => p.value),
    options,
    ...(ast.comment !== undefined ? { comment: ast.comment } : {}),
  } as Omit<TableDefinition, 'id'>);
}

function columnDefinition(c: ColumnDef, physical: Schema, pipeline: QueryPipeline): ColumnDefinition {
  const comment = c.comment !== undefined ? { comment: c.comment } : {};
  switch (c.kind) {
    case 'physical': {
      const p = physical.find((x) => x.name === c.name.value)!;
      return { name: p.name, type: p.type, nullable: p.nullable, kind: 'physical', ...comment };
    }
    case 'computed': {
      const bound = pipeline.bindScalar(c.expr, physical, []);
      const proctime = c.expr.kind === 'call' && c.expr.name.parts.length === 1 && c.expr.name.parts[0]!.value === 'proctime';
      return {
        name: c.name.value,
        type: bound.type,
        nullable: !proctime,
        kind: 'computed',
        expr: printExpr(c.expr),
        ...(proctime ? { proctime: true } : {}),
        ...comment,
      };
    }
    case 'metadata':
      throw notSupported('metadata columns', c.pos, 'Metadata columns need a connector table.');
  }
}

export async function createView(db: Database, pipeline: QueryPipeline, ast: CreateView, script: string): Promise<void> {
  checkSchema(ast.name);
  const name = objectName(ast.name);
  const existing = db.catalog.lookup(ast.name.parts.map((p) => p.value));
  if (existing !== undefined && existing.kind !== 'system' && !ast.orReplace) {
    if (ast.ifNotExists) return;
    throw new SqlError(SqlState.DUPLICATE_TABLE, `relation "${name}" already exists`, { position: ast.name.pos });
  }
  if (existing !== undefined && existing.kind !== 'system' && existing.kind !== 'view') {
    throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `"${name}" is not a view`, { position: ast.name.pos });
  }
  const { plan } = pipeline.plan(ast.query, []);
  if (ast.columns.length > plan.schema.length) {
    throw new SqlError(SqlState.SYNTAX_ERROR, 'CREATE VIEW specifies more column names than columns', { position: ast.pos });
  }
  const columns: ColumnDefinition[] = plan.schema.map((c, i) => ({
    name: ast.columns[i]?.value ?? c.name,
    type: c.type,
    nullable: c.nullable,
    kind: 'physical',
  }));
  const queryText = script.slice(ast.queryPos, ast.end).trim();
  const def = { kind: 'view' as const, name, schema: 'public', columns, query: queryText, ...(ast.comment !== undefined ? { comment: ast.comment } : {}) };
  if (existing !== undefined && existing.kind === 'view') {
    await db.catalog.replace({ ...def, id: existing.id });
  } else {
    await db.catalog.create(def);
  }
}

export async function dropRelations(db: Database, ast: Drop, session: SqlSession): Promise<void> {
  const wanted = ast.objectKind === 'TABLE' ? 'table' : ast.objectKind === 'VIEW' ? 'view' : 'materialized-view';
  for (const name of ast.names) {
    const rel = db.catalog.lookup(name.parts.map((p) => p.value));
    const display = objectName(name);
    if (rel === undefined) {
      if (ast.ifExists) {
        session.notice({ severity: 'NOTICE', code: '00000', message: `${ast.objectKind.toLowerCase()} "${display}" does not exist, skipping` });
        continue;
      }
      const what = ast.objectKind === 'TABLE' ? 'table' : ast.objectKind === 'VIEW' ? 'view' : 'materialized view';
      throw new SqlError(SqlState.UNDEFINED_TABLE, `${what} "${display}" does not exist`, { position: name.pos });
    }
    if (rel.kind === 'system') {
      throw new SqlError(SqlState.INSUFFICIENT_PRIVILEGE, `permission denied: "${display}" is a system catalog`, { position: name.pos });
    }
    if (rel.kind !== wanted) {
      const hint = rel.kind === 'table' ? 'Use DROP TABLE.' : rel.kind === 'view' ? 'Use DROP VIEW.' : 'Use DROP MATERIALIZED VIEW.';
      throw new SqlError(SqlState.WRONG_OBJECT_TYPE, `"${display}" is not a ${wanted.replace('-', ' ')}`, { position: name.pos, hint });
    }
    const dependents = dependentsOf(db, rel);
    if (dependents.length > 0 && !ast.cascade) {
      throw new SqlError(SqlState.DEPENDENT_OBJECTS_STILL_EXIST, `cannot drop ${wanted.replace('-', ' ')} ${display} because other objects depend on it`, {
        position: name.pos,
        detail: dependents.map((d) => `${d.kind.replace('-', ' ')} ${d.name} depends on ${wanted.replace('-', ' ')} ${display}`).join('\n'),
        hint: 'Use DROP ... CASCADE to drop the dependent objects too.',
      });
    }
    // Dependents of dependents go first (newest first: a view is created after what it reads).
    for (const d of dependents.sort((a, b) => b.id - a.id)) {
      await stopMaterializedView(db, d.id);
      await db.catalog.drop(d.id);
    }
    await stopMaterializedView(db, rel.id);
    if (isStoredTable(rel)) await db.tables.drop(rel.id);
    await db.catalog.drop(rel.id);
  }
}

/** Views and materialized views that read `rel`, directly or through other views. */
function dependentsOf(db: Database, rel: RelationDefinition): RelationDefinition[] {
  const all = db.catalog.list();
  const found = new Map<number, RelationDefinition>();
  const queue: RelationDefinition[] = [rel];
  for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
    const target = next;
    for (const r of all) {
      if ((r.kind !== 'view' && r.kind !== 'materialized-view') || r.id === rel.id || found.has(r.id)) continue;
      if (!readsRelation(r.query, target.name)) continue;
      found.set(r.id, r);
      queue.push(r);
    }
  }
  return [...found.values()];
}

/**
 * Whether a view's query names relation `name` in a FROM clause or as a window function's TABLE
 * argument, anywhere (subqueries, CTE bodies): a walk over its syntax tree, so column aliases and
 * string literals that happen to spell the name do not count.
 */
function readsRelation(query: string, name: string): boolean {
  let statements;
  try {
    statements = parseSql(query);
  } catch {
    return true; // An unreadable definition is kept safe: treat it as dependent.
  }
  const visit = (node: unknown): boolean => {
    if (Array.isArray(node)) return node.some(visit);
    if (node === null || typeof node !== 'object') return false;
    const o = node as { kind?: unknown; name?: { parts?: readonly { value: string }[] } };
    if ((o.kind === 'named' || o.kind === 'table-arg') && o.name?.parts !== undefined) {
      const parts = o.name.parts;
      if (parts[parts.length - 1]?.value === name) return true;
    }
    return Object.values(node).some(visit);
  };
  return visit(statements);
}
