/**
 * User-facing errors, shaped like PostgreSQL's ErrorResponse.
 *
 * Every error a client can see is a SqlError with a SQLSTATE. Internal invariant
 * failures go through `assert`/`unreachable` and surface as XX000.
 */

/** SQLSTATE codes used by millrace (PostgreSQL's codes, appendix A of its manual). */
export const SqlState = {
  SUCCESSFUL_COMPLETION: '00000',
  WARNING: '01000',
  FEATURE_NOT_SUPPORTED: '0A000',
  CARDINALITY_VIOLATION: '21000',
  DATA_EXCEPTION: '22000',
  STRING_DATA_RIGHT_TRUNCATION: '22001',
  NUMERIC_VALUE_OUT_OF_RANGE: '22003',
  NULL_VALUE_NOT_ALLOWED: '22004',
  INVALID_DATETIME_FORMAT: '22007',
  DATETIME_FIELD_OVERFLOW: '22008',
  INVALID_TIME_ZONE_DISPLACEMENT_VALUE: '22009',
  DIVISION_BY_ZERO: '22012',
  INVALID_PARAMETER_VALUE: '22023',
  INVALID_REGULAR_EXPRESSION: '2201B',
  INVALID_ROW_COUNT_IN_LIMIT_CLAUSE: '2201W',
  INVALID_JSON_TEXT: '22032',
  INVALID_SQL_JSON_SUBSCRIPT: '22033',
  MORE_THAN_ONE_SQL_JSON_ITEM: '22034',
  NO_SQL_JSON_ITEM: '22035',
  SQL_JSON_MEMBER_NOT_FOUND: '2203A',
  SQL_JSON_OBJECT_NOT_FOUND: '2203C',
  SQL_JSON_ARRAY_NOT_FOUND: '2203D',
  SQL_JSON_SCALAR_REQUIRED: '2203F',
  INVALID_TEXT_REPRESENTATION: '22P02',
  INVALID_BINARY_REPRESENTATION: '22P03',
  BAD_COPY_FILE_FORMAT: '22P04',
  NOT_NULL_VIOLATION: '23502',
  UNIQUE_VIOLATION: '23505',
  ACTIVE_SQL_TRANSACTION: '25001',
  NO_ACTIVE_SQL_TRANSACTION: '25P01',
  IN_FAILED_SQL_TRANSACTION: '25P02',
  INVALID_SQL_STATEMENT_NAME: '26000',
  INVALID_AUTHORIZATION_SPECIFICATION: '28000',
  INVALID_PASSWORD: '28P01',
  INVALID_CURSOR_NAME: '34000',
  INVALID_CATALOG_NAME: '3D000',
  INVALID_SCHEMA_NAME: '3F000',
  SYNTAX_ERROR: '42601',
  INSUFFICIENT_PRIVILEGE: '42501',
  GROUPING_ERROR: '42803',
  DATATYPE_MISMATCH: '42804',
  WRONG_OBJECT_TYPE: '42809',
  UNDEFINED_COLUMN: '42703',
  UNDEFINED_FUNCTION: '42883',
  UNDEFINED_TABLE: '42P01',
  UNDEFINED_PARAMETER: '42P02',
  UNDEFINED_OBJECT: '42704',
  DUPLICATE_COLUMN: '42701',
  DUPLICATE_CURSOR: '42P03',
  DUPLICATE_PREPARED_STATEMENT: '42P05',
  DUPLICATE_TABLE: '42P07',
  DUPLICATE_OBJECT: '42710',
  AMBIGUOUS_COLUMN: '42702',
  AMBIGUOUS_FUNCTION: '42725',
  INVALID_COLUMN_REFERENCE: '42P10',
  INVALID_TABLE_DEFINITION: '42P16',
  INVALID_OBJECT_DEFINITION: '42P17',
  INDETERMINATE_DATATYPE: '42P18',
  DEPENDENT_OBJECTS_STILL_EXIST: '2BP01',
  PROGRAM_LIMIT_EXCEEDED: '54000',
  OBJECT_NOT_IN_PREREQUISITE_STATE: '55000',
  QUERY_CANCELED: '57014',
  ADMIN_SHUTDOWN: '57P01',
  TOO_MANY_CONNECTIONS: '53300',
  PROTOCOL_VIOLATION: '08P01',
  CONNECTION_EXCEPTION: '08000',
  IO_ERROR: '58030',
  DISK_FULL: '53100',
  DATA_CORRUPTED: 'XX001',
  INTERNAL_ERROR: 'XX000',
} as const;

export type SqlStateCode = (typeof SqlState)[keyof typeof SqlState];

export interface SqlErrorFields {
  readonly detail?: string;
  readonly hint?: string;
  /** 0-based character offset into the SQL text the client sent (sent to the client 1-based). */
  readonly position?: number;
  /** Severity sent to the client; ERROR unless the session must end (FATAL). */
  readonly severity?: 'ERROR' | 'FATAL';
}

export class SqlError extends Error {
  readonly code: string;
  readonly detail: string | undefined;
  readonly hint: string | undefined;
  readonly position: number | undefined;
  readonly severity: 'ERROR' | 'FATAL';

  constructor(code: string, message: string, fields: SqlErrorFields = {}) {
    super(message);
    this.name = 'SqlError';
    this.code = code;
    this.detail = fields.detail;
    this.hint = fields.hint;
    this.position = fields.position;
    this.severity = fields.severity ?? 'ERROR';
  }

  /** A copy of this error that points at `position`, unless it already points somewhere. */
  at(position: number | undefined): SqlError {
    if (position === undefined || this.position !== undefined) return this;
    return new SqlError(this.code, this.message, {
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
      ...(this.hint !== undefined ? { hint: this.hint } : {}),
      position,
      severity: this.severity,
    });
  }
}

/** "Not supported yet": a feature millrace intends to have. */
export function notSupported(what: string, position?: number, hint?: string): SqlError {
  return new SqlError(SqlState.FEATURE_NOT_SUPPORTED, `${what} is not supported yet`, {
    ...(position !== undefined ? { position } : {}),
    ...(hint !== undefined ? { hint } : {}),
  });
}

/** An internal invariant failed: a bug in millrace, reported as XX000. */
export class InternalError extends SqlError {
  constructor(message: string) {
    super(SqlState.INTERNAL_ERROR, `internal error: ${message}`);
    this.name = 'InternalError';
  }
}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new InternalError(message);
}

/** Ends an exhaustive switch; a new variant breaks the build wherever it is not handled. */
export function unreachable(value: never): never {
  throw new InternalError(`unexpected variant ${JSON.stringify(value)}`);
}

/** Turns anything thrown into a SqlError a client can be shown. */
export function toSqlError(err: unknown): SqlError {
  if (err instanceof SqlError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new InternalError(message);
}
