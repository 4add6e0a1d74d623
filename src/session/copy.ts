/**
 * The COPY statement: `COPY t [(cols)] FROM STDIN` and `COPY {t [(cols)] | (query)} TO STDOUT`,
 * answered with a Cursor whose `copy` field drives the sub-protocol (src/session/api.ts).
 *
 * Contract:
 * - Options follow PostgreSQL (format text|csv, header, delimiter, null, quote, escape,
 *   force_quote, encoding 'utf8', freeze); invalid combinations raise its errors.
 * - FROM STDIN: fields are parsed with each column's text input function
 *   (src/values/text-parse.ts), so CHAR/VARCHAR lengths and ranges are checked as for
 *   INSERT; columns left out are NULL. All rows are stored by one atomic write at
 *   CopyDone; a bad row or CopyFail stores nothing. A bad value is reported with its
 *   own SQLSTATE and the context `COPY t, line n, column c: "text"` (CopyRowError).
 * - TO STDOUT: the table (or query) is read through the query pipeline; values are
 *   formatted like text-format DataRows; one CopyData per row, a header line first.
 * - FORMAT binary: PostgreSQL's binary file layout (copy-format.ts); each field is
 *   read and written with the column type's binary receive/send form, as for Bind
 *   parameters and binary DataRows (src/values/binary.ts). The CopyIn/CopyOut
 *   object then carries `format: 'binary'`, which src/session/api.ts does not list
 *   yet: see `isBinaryCopy`.
 * - Files and programs are refused (0A000): the server never touches the client's files.
 */
import type { Copy, CopyOption } from '../../grammar/ast.ts';
import type { Row, Value } from '../../catalog/types.ts';
import { SqlError, SqlState, notSupported } from '../errors.ts';
import type { Cursor, CopyIn, CopyOut } from './api.ts';
import type { Database } from '../database.ts';
import type { QueryPipeline } from './query-pipeline.ts';
import { selectFrom } from './select-from.ts';
import { runSubscribe } from './subscribe.ts';
import type { Schema } from '../planner/logical-plan.ts';
import { physicalColumns, storedTable } from './dml.ts';
import { parseValue } from '../values/text-parse.ts';
import { formatValue, type FormatContext } from '../values/text-format.ts';
import {
  BINARY_FORMAT,
  BinaryCopyReader,
  CopyReader,
  binaryCopyHeader,
  binaryCopyTrailer,
  defaultCopyFormat,
  formatBinaryRow,
  formatCopyHeader,
  formatCopyRow,
  type BinaryCopyRow,
  type CopyFormat,
  type CopyRow,
} from './copy-format.ts';
import { decodeBinary, encodeBinary } from '../values/binary.ts';
import { objectName } from './ddl.ts';

export async function runCopy(
  db: Database,
  pipeline: QueryPipeline,
  ast: Copy,
  format: FormatContext,
  signal: AbortSignal,
): Promise<Cursor> {
  if (ast.target.kind !== 'stdio') {
    throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `COPY ${ast.direction} a ${ast.target.kind === 'file' ? 'file' : 'program'} is not supported`, {
      position: ast.target.pos,
      hint: `Use COPY ... ${ast.direction === 'from' ? 'FROM STDIN' : 'TO STDOUT'} (psql's \\copy reads and writes files on the client).`,
    });
  }
  return ast.direction === 'from' ? copyIn(db, pipeline, ast) : copyOut(pipeline, ast, format, signal);
}

// ---------------------------------------------------------------- options

/** Validates COPY's options as PostgreSQL's ProcessCopyOptions does. */
export function copyFormatOf(options: readonly CopyOption[], direction: 'from' | 'to', columns: readonly string[]): CopyFormat {
  const seen = new Set<string>();
  const given = new Map<string, CopyOption>();
  for (const o of options) {
    if (seen.has(o.name)) throw new SqlError(SqlState.SYNTAX_ERROR, 'conflicting or redundant options', { position: o.pos });
    seen.add(o.name);
    given.set(o.name, o);
  }
  const text = (o: CopyOption): string => {
    if (typeof o.value !== 'string') {
      throw new SqlError(SqlState.SYNTAX_ERROR, `${o.name} requires a string value`, { position: o.pos });
    }
    return o.value;
  };
  let format: 'text' | 'csv' | 'binary' = 'text';
  const f = given.get('format');
  if (f !== undefined) {
    const v = text(f).toLowerCase();
    if (v !== 'text' && v !== 'csv' && v !== 'binary') throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `COPY format "${v}" not recognized`, { position: f.pos });
    format = v;
  }
  const base = defaultCopyFormat(format, columns.length);
  let { delimiter, null: nullString, quote, escape, header } = base;
  const forceQuote = [...base.forceQuote];
  const csvOnly = (o: CopyOption, what: string): void => {
    if (format !== 'csv') throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `COPY ${what} available only in CSV mode`, { position: o.pos });
  };
  const oneByte = (o: CopyOption, what: string): string => {
    const v = text(o);
    if (Buffer.byteLength(v, 'utf8') !== 1) {
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `COPY ${what} must be a single one-byte character`, { position: o.pos });
    }
    return v;
  };
  for (const o of options) {
    switch (o.name) {
      case 'format':
        break;
      case 'header': {
        const v = o.value === undefined ? 'true' : text(o).toLowerCase();
        if (v === 'match') throw notSupported('COPY HEADER MATCH', o.pos);
        if (['true', 'on', '1', 'yes'].includes(v)) header = true;
        else if (['false', 'off', '0', 'no'].includes(v)) header = false;
        else throw new SqlError(SqlState.SYNTAX_ERROR, `header requires a Boolean value or "match"`, { position: o.pos });
        break;
      }
      case 'delimiter':
        delimiter = oneByte(o, 'delimiter');
        break;
      case 'null':
        nullString = text(o);
        break;
      case 'quote':
        csvOnly(o, 'quote');
        quote = oneByte(o, 'quote');
        break;
      case 'escape':
        csvOnly(o, 'escape');
        escape = oneByte(o, 'escape');
        break;
      case 'force_quote': {
        csvOnly(o, 'force quote');
        if (direction !== 'to') throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'COPY force quote only available using COPY TO', { position: o.pos });
        if (o.value === '*') forceQuote.fill(true);
        else if (Array.isArray(o.value)) {
          for (const name of o.value as readonly string[]) {
            const i = columns.indexOf(name);
            if (i < 0) throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${name}" does not exist`, { position: o.pos });
            forceQuote[i] = true;
          }
        } else throw new SqlError(SqlState.SYNTAX_ERROR, `argument to option "force_quote" must be a list of column names`, { position: o.pos });
        break;
      }
      case 'force_not_null':
      case 'force_null':
        csvOnly(o, o.name.replace('_', ' '));
        throw notSupported(`COPY option ${o.name}`, o.pos);
      case 'encoding': {
        const v = text(o).toLowerCase().replace(/[-_]/g, '');
        if (v !== 'utf8' && v !== 'unicode') throw notSupported(`COPY encoding "${text(o)}" (only UTF8)`, o.pos);
        break;
      }
      case 'freeze':
        break;
      default:
        throw new SqlError(SqlState.SYNTAX_ERROR, `option "${o.name}" not recognized`, { position: o.pos });
    }
  }
  if (format === 'binary') {
    for (const [name, what] of [['delimiter', 'DELIMITER'], ['null', 'NULL']] as const) {
      const o = given.get(name);
      if (o !== undefined) throw new SqlError(SqlState.SYNTAX_ERROR, `cannot specify ${what} in BINARY mode`, { position: o.pos });
    }
    if (header) throw new SqlError(SqlState.SYNTAX_ERROR, 'cannot specify HEADER in BINARY mode', { position: given.get('header')!.pos });
    return { format, delimiter, null: nullString, header, quote, escape, forceQuote };
  }
  const pos = options[0]?.pos;
  const invalid = (message: string): SqlError =>
    new SqlError(SqlState.INVALID_PARAMETER_VALUE, message, pos !== undefined ? { position: pos } : {});
  if (delimiter === '\n' || delimiter === '\r') throw invalid('COPY delimiter cannot be newline or carriage return');
  if (nullString.includes('\n') || nullString.includes('\r')) throw invalid('COPY null representation cannot use newline or carriage return');
  if (format === 'text' && '\\.abcdefghijklmnopqrstuvwxyz0123456789'.includes(delimiter)) {
    throw invalid(`COPY delimiter cannot be "${delimiter}"`);
  }
  if (format === 'csv' && delimiter === quote) throw invalid('COPY delimiter and quote must be different');
  if (nullString.includes(delimiter)) throw invalid('COPY delimiter character must not appear in the NULL specification');
  if (format === 'csv' && nullString.includes(quote)) throw invalid('CSV quote character must not appear in the NULL specification');
  return { format, delimiter, null: nullString, header, quote, escape, forceQuote };
}

// ---------------------------------------------------------------- FROM STDIN

/**
 * An error in a row of COPY input; `where` (the input line and column) goes to
 * the client as the ErrorResponse's CONTEXT field, as in PostgreSQL.
 */
export class CopyRowError extends SqlError {
  readonly where: string;

  constructor(cause: SqlError, where: string) {
    super(cause.code, cause.message, {
      ...(cause.detail !== undefined ? { detail: cause.detail } : {}),
      ...(cause.hint !== undefined ? { hint: cause.hint } : {}),
    });
    this.where = where;
  }
}

function copyIn(db: Database, pipeline: QueryPipeline, ast: Copy): Cursor {
  if (ast.source.kind !== 'table') throw new SqlError(SqlState.SYNTAX_ERROR, 'COPY (query) FROM is not allowed', { position: ast.pos });
  const { table: name, columns: listed } = ast.source;
  const table = storedTable(db, name, 'copy to');
  const columns = physicalColumns(table);
  const targets = listed.length === 0 ? columns.map((_, i) => i) : listed.map((c) => {
    const i = columns.findIndex((col) => col.name === c.value);
    if (i < 0) {
      throw new SqlError(SqlState.UNDEFINED_COLUMN, `column "${c.value}" of relation "${table.name}" does not exist`, { position: c.pos });
    }
    return i;
  });
  const dup = targets.find((t, i) => targets.indexOf(t) !== i);
  if (dup !== undefined) throw new SqlError(SqlState.DUPLICATE_COLUMN, `column "${columns[dup]!.name}" specified more than once`, { position: ast.pos });
  const fmt = copyFormatOf(ast.options, 'from', targets.map((t) => columns[t]!.name));
  const reader = fmt.format === 'binary' ? null : new CopyReader(fmt);
  const binaryReader = fmt.format === 'binary' ? new BinaryCopyReader(targets.length) : null;
  const ctx = { timeZone: pipeline.evalContext().timeZone };
  // Inside a transaction block the rows are staged until COMMIT.
  const access = pipeline.tables();
  const display = objectName(name);
  const rows: Row[] = [];
  let count = 0;
  let finished = false;

  const convert = (got: readonly CopyRow[]): void => {
    for (const { fields, line, text } of got) {
      const context = (column?: string, value?: string): string =>
        column === undefined ? `COPY ${display}, line ${line}: "${text}"` : `COPY ${display}, line ${line}, column ${column}: "${value ?? 'null'}"`;
      if (fields.length > targets.length) {
        throw new CopyRowError(new SqlError(SqlState.BAD_COPY_FILE_FORMAT, 'extra data after last expected column'), context());
      }
      const row: Row = new Array<Value>(columns.length).fill(null);
      for (let i = 0; i < targets.length; i++) {
        const column = columns[targets[i]!]!;
        if (i >= fields.length) {
          throw new CopyRowError(new SqlError(SqlState.BAD_COPY_FILE_FORMAT, `missing data for column "${column.name}"`), context());
        }
        const field = fields[i]!;
        if (field === null) {
          if (!column.nullable) {
            throw new CopyRowError(
              new SqlError(SqlState.NOT_NULL_VIOLATION, `null value in column "${column.name}" of relation "${table.name}" violates not-null constraint`),
              context(column.name),
            );
          }
          continue;
        }
        try {
          row[targets[i]!] = parseValue(field, column.type, ctx);
        } catch (err) {
          if (!(err instanceof SqlError)) throw err;
          throw new CopyRowError(err, context(column.name, field));
        }
      }
      rows.push(row);
    }
  };
  const convertBinary = (got: readonly BinaryCopyRow[]): void => {
    for (const { fields, line } of got) {
      const row: Row = new Array<Value>(columns.length).fill(null);
      for (let i = 0; i < targets.length; i++) {
        const column = columns[targets[i]!]!;
        const field = fields[i] ?? null;
        if (field === null) {
          if (!column.nullable) {
            throw new CopyRowError(
              new SqlError(SqlState.NOT_NULL_VIOLATION, `null value in column "${column.name}" of relation "${table.name}" violates not-null constraint`),
              `COPY ${display}, line ${line}, column ${column.name}`,
            );
          }
          continue;
        }
        try {
          const v = decodeBinary(field, column.type);
          // The binary receive form carries no length limit: VARCHAR(n) is checked as for text input.
          row[targets[i]!] = column.type.kind === 'VARCHAR' && typeof v === 'string' ? parseValue(v, column.type, ctx) : v;
        } catch (err) {
          if (!(err instanceof SqlError)) throw err;
          const cause = err.code === SqlState.INVALID_BINARY_REPRESENTATION ? new SqlError(err.code, 'incorrect binary data format') : err;
          throw new CopyRowError(cause, `COPY ${display}, line ${line}, column ${column.name}`);
        }
      }
      rows.push(row);
    }
  };
  const withLine = (err: unknown): never => {
    if (err instanceof SqlError && !(err instanceof CopyRowError) && err.code === SqlState.BAD_COPY_FILE_FORMAT && binaryReader?.headerRead !== false) {
      throw new CopyRowError(err, `COPY ${display}, line ${reader?.line ?? binaryReader?.line ?? 0}`);
    }
    throw err;
  };

  const copy: CopyIn = {
    direction: 'in',
    format: contractFormat(fmt),
    columnCount: targets.length,
    write(data) {
      try {
        if (reader !== null) convert(reader.push(data));
        else convertBinary(binaryReader!.push(data));
      } catch (err) {
        rows.length = 0;
        withLine(err);
      }
    },
    async end() {
      try {
        if (reader !== null) convert(reader.finish());
        else binaryReader!.finish();
      } catch (err) {
        rows.length = 0;
        withLine(err);
      }
      count = rows.length === 0 ? 0 : await access.insert(table, rows);
      rows.length = 0;
      finished = true;
    },
    fail(message) {
      rows.length = 0;
      return new SqlError(SqlState.QUERY_CANCELED, `COPY from stdin failed: ${message}`);
    },
  };
  return copyCursor(copy, () => (finished ? count : 0));
}

// ---------------------------------------------------------------- TO STDOUT

function copyOut(pipeline: QueryPipeline, ast: Copy, format: FormatContext, signal: AbortSignal): Cursor {
  let schema: Schema;
  let rows: AsyncIterable<Row[]>;
  if (ast.source.kind === 'subscribe') {
    const sub = runSubscribe(pipeline, ast.source.subscribe, [], [], signal);
    schema = sub.schema;
    rows = sub.batches;
  } else {
    const query = ast.source.kind === 'query' ? ast.source.query : selectFrom(ast.source.table, ast.source.columns);
    const { plan } = pipeline.plan(query, []);
    schema = plan.schema;
    rows = pipeline.run(plan, [], signal);
  }
  const names = schema.map((c) => c.name);
  const types = schema.map((c) => c.type);
  const fmt = copyFormatOf(ast.options, 'to', names);
  const batches = rows[Symbol.asyncIterator]();
  const binary = fmt.format === 'binary';
  let header = fmt.header;
  // Binary: PostgreSQL sends the file header in the first row's CopyData and the trailer in its own.
  let binaryHeader = binary;
  let count = 0;
  let done = false;
  const texts: (string | null)[] = new Array<string | null>(types.length);
  const fields: (Uint8Array | null)[] = new Array<Uint8Array | null>(types.length);
  const copy: CopyOut = {
    direction: 'out',
    format: contractFormat(fmt),
    columnCount: types.length,
    /** `max` is a hint: a whole batch of the query is returned at once. */
    async next(max) {
      const out: Uint8Array[] = [];
      if (header) {
        header = false;
        out.push(Buffer.from(formatCopyHeader(names, fmt), 'utf8'));
      }
      if (done) return out;
      const r = await batches.next();
      if (r.done === true) {
        done = true;
        if (binary) {
          out.push(binaryHeader ? Buffer.concat([binaryCopyHeader(), binaryCopyTrailer()]) : binaryCopyTrailer());
          binaryHeader = false;
        }
        return out;
      }
      const batch = r.value;
      for (const row of batch) {
        if (binary) {
          for (let i = 0; i < types.length; i++) {
            const v = row[i] ?? null;
            fields[i] = v === null ? null : encodeBinary(v, types[i]!);
          }
          const tuple = formatBinaryRow(fields);
          out.push(binaryHeader ? Buffer.concat([binaryCopyHeader(), tuple]) : tuple);
          binaryHeader = false;
          continue;
        }
        for (let i = 0; i < types.length; i++) {
          const v = row[i] ?? null;
          texts[i] = v === null ? null : formatValue(v, types[i]!, format);
        }
        out.push(Buffer.from(formatCopyRow(texts, fmt), 'utf8'));
      }
      count += batch.length;
      if (out.length === 0) return copy.next(max);
      return out;
    },
  };
  return copyCursor(copy, () => count, () => {
    if (!done) void batches.return?.();
  });
}

/**
 * The `format` of a CopyIn/CopyOut. src/session/api.ts types it 'text' | 'csv'; a binary
 * COPY carries 'binary' there (the session passes the field through unchanged) and the
 * protocol layer recognizes it with `isBinaryCopy` (copy-format.ts).
 */
function contractFormat(fmt: CopyFormat): 'text' | 'csv' {
  return fmt.format === 'binary' ? (BINARY_FORMAT as 'text') : fmt.format;
}

function copyCursor(copy: CopyIn | CopyOut, rows: () => number, onClose?: () => void): Cursor {
  let closed = false;
  return {
    columns: null,
    copy,
    next: () => Promise.resolve([]),
    tag: () => `COPY ${rows()}`,
    close() {
      if (closed) return;
      closed = true;
      onClose?.();
    },
  };
}
