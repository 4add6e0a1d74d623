/**
 * Flink's catalog listings: SHOW TABLES / VIEWS / ..., SHOW COLUMNS and
 * DESCRIBE, with Flink's column headers (`table name`, `view name`, and
 * DESCRIBE's name / type / null / key / extras / watermark / comment).
 */
import type { QualifiedName, ShowStatement } from '../../grammar/ast.ts';
import type { Row } from '../../catalog/types.ts';
import { BIGINT, BOOLEAN, flinkTypeName } from '../../catalog/types.ts';
import type { RelationDefinition } from '../../catalog/relation.ts';
import { SqlError, SqlState } from '../errors.ts';
import type { Cursor, ResultColumn } from './api.ts';
import { staticCursor } from './cursors.ts';
import type { Database } from '../database.ts';
import type { SqlSession } from './session.ts';
import { objectName } from './ddl.ts';
import { builtinFunctionNames } from '../functions/functions.ts';
import { listDataflows } from '../jobs/dataflows.ts';

function text(name: string): ResultColumn {
  return { name, type: { kind: 'VARCHAR', length: 2147483647 }, tableOid: 0, attnum: 0 };
}

export function describeColumns(): ResultColumn[] {
  return [text('name'), text('type'), { name: 'null', type: BOOLEAN, tableOid: 0, attnum: 0 }, text('key'), text('extras'), text('watermark'), text('comment')];
}

function relationOrThrow(db: Database, name: QualifiedName): RelationDefinition {
  const rel = db.catalog.lookup(name.parts.map((p) => p.value));
  if (rel === undefined || rel.kind === 'system') {
    if (rel?.kind === 'system') return { ...rel, kind: 'view', query: '' } as unknown as RelationDefinition;
    throw new SqlError(SqlState.UNDEFINED_TABLE, `relation "${objectName(name)}" does not exist`, { position: name.pos });
  }
  return rel;
}

/** DESCRIBE t: one row per column, as Flink prints it. */
export function describeTable(db: Database, name: QualifiedName): Row[] {
  const rel = relationOrThrow(db, name);
  const pk = rel.kind === 'table' || rel.kind === 'materialized-view' ? rel.primaryKey : [];
  const watermark = rel.kind === 'table' ? rel.watermark : undefined;
  return rel.columns.map((c) => {
    let type = flinkTypeName(c.type);
    if (watermark?.column === c.name) type += ' *ROWTIME*';
    if (c.proctime) type += ' *PROCTIME*';
    if (!c.nullable && !type.includes('NOT NULL') && c.proctime !== true) {
      // Flink shows NOT NULL in the `null` column, not in the type.
    }
    const extras =
      c.kind === 'computed' ? `AS ${c.expr ?? ''}` : c.kind === 'metadata' ? `METADATA${c.metadataKey ? ` FROM '${c.metadataKey}'` : ''}${c.virtual ? ' VIRTUAL' : ''}` : null;
    return [
      c.name,
      type,
      c.nullable,
      pk.includes(c.name) ? `PRI(${pk.join(', ')})` : null,
      extras,
      watermark?.column === c.name ? watermark.expr : null,
      c.comment ?? null,
    ];
  });
}

/** SHOW COLUMNS FROM t [LIKE p]: Flink's DESCRIBE columns, filtered by name. */
export function showColumns(db: Database, ast: ShowStatement): Cursor {
  if (ast.object === undefined) throw new SqlError(SqlState.SYNTAX_ERROR, 'SHOW COLUMNS needs FROM <table>', { position: ast.pos });
  const rows = describeTable(db, ast.object).filter((r) => matchesLike(r[0] as string, ast.like));
  return staticCursor(describeColumns(), rows, 'SHOW');
}

function matchesLike(value: string, like: ShowStatement['like']): boolean {
  if (like === undefined) return true;
  let re = '^';
  for (let i = 0; i < like.pattern.length; i++) {
    const ch = like.pattern[i]!;
    if (ch === '\\' && i + 1 < like.pattern.length) re += like.pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    else if (ch === '%') re += '.*';
    else if (ch === '_') re += '.';
    else re += ch.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  const m = new RegExp(re + '$', 's').test(value);
  return like.not ? !m : m;
}

/** SHOW TABLES / VIEWS / MATERIALIZED VIEWS / DATABASES / CATALOGS / CURRENT ... / FUNCTIONS / JOBS. */
export function showObjects(db: Database, _session: SqlSession, ast: ShowStatement): { columns: ResultColumn[]; rows: Row[] } {
  const names = (kinds: RelationDefinition['kind'][]) =>
    db.catalog
      .list()
      .filter((r) => kinds.includes(r.kind))
      .map((r) => r.name)
      .filter((n) => matchesLike(n, ast.like))
      .sort()
      .map((n): Row => [n]);
  switch (ast.target) {
    case 'TABLES':
      // Flink lists views among tables too.
      return { columns: [text('table name')], rows: names(['table', 'view', 'materialized-view']) };
    case 'VIEWS':
      return { columns: [text('view name')], rows: names(['view']) };
    case 'MATERIALIZED VIEWS':
      return { columns: [text('materialized view name')], rows: names(['materialized-view']) };
    case 'DATABASES':
      return { columns: [text('database name')], rows: [['millrace']] };
    case 'CATALOGS':
      return { columns: [text('catalog name')], rows: [['default_catalog']] };
    case 'CURRENT CATALOG':
      return { columns: [text('current catalog name')], rows: [['default_catalog']] };
    case 'CURRENT DATABASE':
      return { columns: [text('current database name')], rows: [['millrace']] };
    case 'FUNCTIONS':
      return { columns: [text('function name')], rows: builtinFunctionNames().filter((n) => matchesLike(n, ast.like)).map((n): Row => [n]) };
    case 'JOBS':
      return {
        columns: [text('job id'), text('job name'), text('status'), text('start time'), { name: 'rows written', type: BIGINT, tableOid: 0, attnum: 0 }, { name: 'late rows', type: BIGINT, tableOid: 0, attnum: 0 }, text('error'), text('statement')],
        rows: listDataflows(db).map((d): Row => [d.id, d.name, d.status, d.startTime.toISOString(), BigInt(d.rowsWritten), BigInt(d.lateRows), d.error, d.statement]),
      };
    case 'CHECKPOINTS': {
      const bigint = (name: string): ResultColumn => ({ name, type: BIGINT, tableOid: 0, attnum: 0 });
      return {
        columns: [text('dataflow'), bigint('checkpoint id'), text('kind'), text('status'), text('trigger time'), bigint('duration ms'), bigint('size bytes'), bigint('state entries'), text('error')],
        rows: db.checkpoints
          .list()
          .map((c): Row => [c.dataflow, BigInt(c.id), c.kind, c.status, c.triggered.toISOString(), BigInt(c.durationMs), BigInt(c.bytes), BigInt(c.entries), c.error]),
      };
    }
    case 'SAVEPOINTS': {
      const bigint = (name: string): ResultColumn => ({ name, type: BIGINT, tableOid: 0, attnum: 0 });
      const list = db.savepoints.list();
      return {
        columns: [text('savepoint'), text('dataflow'), bigint('checkpoint id'), text('created'), bigint('size bytes'), text('statement')],
        rows: list.map((sp): Row => [sp.id, sp.dataflow, BigInt(sp.checkpoint), new Date(sp.created).toISOString(), BigInt(sp.bytes), sp.statement]),
      };
    }
    case 'CREATE TABLE':
    case 'CREATE VIEW': {
      if (ast.object === undefined) throw new SqlError(SqlState.SYNTAX_ERROR, `${ast.target} needs a name`, { position: ast.pos });
      const rel = relationOrThrow(db, ast.object);
      return { columns: [text('result')], rows: [[showCreate(rel)]] };
    }
    case 'COLUMNS':
    case 'VARIABLE':
    case 'ALL':
      return { columns: [text('result')], rows: [] };
  }
}

function quote(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

/** SHOW CREATE TABLE / VIEW: the definition as Flink SQL. */
function showCreate(rel: RelationDefinition): string {
  if (rel.kind === 'view' || rel.kind === 'materialized-view') {
    return `CREATE ${rel.kind === 'view' ? 'VIEW' : 'MATERIALIZED VIEW'} ${quote(rel.name)} AS\n${rel.query}`;
  }
  const lines = rel.columns.map((c) =>
    c.kind === 'computed' ? `  ${quote(c.name)} AS ${c.expr ?? ''}` : `  ${quote(c.name)} ${flinkTypeName(c.type)}${c.nullable ? '' : ' NOT NULL'}`,
  );
  if (rel.watermark) lines.push(`  WATERMARK FOR ${quote(rel.watermark.column)} AS ${rel.watermark.expr}`);
  if (rel.primaryKey.length > 0) lines.push(`  PRIMARY KEY (${rel.primaryKey.map(quote).join(', ')}) NOT ENFORCED`);
  let out = `CREATE TABLE ${quote(rel.name)} (\n${lines.join(',\n')}\n)`;
  const opts = Object.entries(rel.options);
  if (opts.length > 0) out += ` WITH (\n${opts.map(([k, v]) => `  '${k}' = '${v.replace(/'/g, "''")}'`).join(',\n')}\n)`;
  return out;
}
