/**
 * The SQL abstract syntax tree: immutable tagged data, no methods.
 *
 * Contract:
 * - Every node has `kind` and `pos`: the 0-based character offset of its first
 *   token in the whole text given to the parser (so a script of several
 *   statements reports positions relative to the script, as PostgreSQL does).
 * - Identifiers are case-folded the Postgres way by the parser: unquoted ones
 *   to lower case, quoted ("x" or `x`) ones kept verbatim. `Ident.quoted` tells which.
 * - Keywords that name things (type names, units, SHOW targets) are upper case.
 * - Flink spellings and Postgres spellings of the same thing produce the same
 *   node (e.g. `CAST(x AS INT)` and `x::int` are both `cast`).
 */

// ---------------------------------------------------------------- names

export interface Ident {
  readonly value: string;
  readonly quoted: boolean;
  readonly pos: number;
}

/** `a`, `db.a`, `catalog.db.a`: parts in order, at least one. */
export interface QualifiedName {
  readonly parts: readonly Ident[];
  readonly pos: number;
}

// ---------------------------------------------------------------- types

/**
 * A type as written. `name` is the canonical upper-case name after aliasing
 * that the grammar knows (INTEGER -> INT, INT4 -> INT, INT8 -> BIGINT, FLOAT8 ->
 * DOUBLE, FLOAT4/REAL -> FLOAT, NUMERIC -> DECIMAL, BOOL -> BOOLEAN, TEXT -> STRING? no:
 * TEXT stays TEXT, STRING stays STRING, "TIMESTAMP WITH LOCAL TIME ZONE" ->
 * TIMESTAMP_LTZ, "TIMESTAMP WITH TIME ZONE"/TIMESTAMPTZ -> TIMESTAMPTZ,
 * CHARACTER VARYING -> VARCHAR, DOUBLE PRECISION -> DOUBLE, BYTEA -> BYTES).
 * Unknown names (e.g. `regclass`, `pg_catalog.oid`, `"char"`) are kept as
 * written in `name`, lower-cased unless quoted, with `schema` set when qualified;
 * the binder resolves them.
 */
export interface TypeName {
  readonly kind: 'type';
  readonly name: string;
  readonly schema?: string;
  /** Numeric parameters: VARCHAR(10) -> [10], DECIMAL(10, 2) -> [10, 2], TIMESTAMP(3) -> [3]. */
  readonly params: readonly number[];
  /** ARRAY<T>, T ARRAY, T[] -> the element type; MAP<K, V> -> [K, V]. */
  readonly elementTypes: readonly TypeName[];
  /** ROW<a INT, b STRING> / ROW(a INT, b STRING) fields. */
  readonly fields: readonly { readonly name: Ident; readonly type: TypeName }[];
  /** INTERVAL DAY TO SECOND etc.: the qualifier, e.g. { from: 'DAY', to: 'SECOND' }. */
  readonly interval?: IntervalQualifier;
  /** `NOT NULL` written after the type (Flink allows it inside types). */
  readonly notNull: boolean;
  /** `T[]` / `T ARRAY` depth (Postgres spelling); 0 when not an array. Flink's ARRAY<T> uses name 'ARRAY'. */
  readonly arrayDims: number;
  readonly pos: number;
}

export type IntervalUnit = 'YEAR' | 'MONTH' | 'WEEK' | 'DAY' | 'HOUR' | 'MINUTE' | 'SECOND' | 'MILLISECOND' | 'MICROSECOND';

export interface IntervalQualifier {
  readonly from: IntervalUnit;
  readonly to?: IntervalUnit;
  /** SECOND(3) style precisions, when written. */
  readonly precision?: number;
}

// ---------------------------------------------------------------- expressions

export type Expr =
  | NumberLiteral
  | StringLiteral
  | BooleanLiteral
  | NullLiteral
  | TypedLiteral
  | IntervalLiteral
  | ColumnRef
  | Parameter
  | UnaryExpr
  | BinaryExpr
  | IsNullExpr
  | IsBoolExpr
  | IsDistinctExpr
  | BetweenExpr
  | InListExpr
  | InSubqueryExpr
  | LikeExpr
  | CaseExpr
  | CastExpr
  | FunctionCall
  | SubqueryExpr
  | ExistsExpr
  | QuantifiedExpr
  | ArrayExpr
  | RowExpr
  | SubscriptExpr
  | FieldAccessExpr
  | CollateExpr
  | ExtractExpr
  | TableArg
  | DescriptorArg
  | NamedArg
  | StarArg;

/** Numeric literal, text kept exactly: `42`, `1.50`, `1e3`, `.5`. */
export interface NumberLiteral {
  readonly kind: 'number';
  readonly text: string;
  readonly pos: number;
}

/** 'text', E'esc\n' (escapes already resolved), $$dollar$$, U&'...'. */
export interface StringLiteral {
  readonly kind: 'string';
  readonly value: string;
  readonly pos: number;
}

export interface BooleanLiteral {
  readonly kind: 'boolean';
  readonly value: boolean;
  readonly pos: number;
}

export interface NullLiteral {
  readonly kind: 'null';
  readonly pos: number;
}

/** `DATE '2020-01-01'`, `TIMESTAMP '...'`, `TIME '...'`, also Postgres `int '1'`, `pg_catalog.oid '5'`. */
export interface TypedLiteral {
  readonly kind: 'typed-literal';
  readonly type: TypeName;
  readonly value: string;
  readonly pos: number;
}

/**
 * `INTERVAL '5' SECOND`, `INTERVAL '1 2:03' DAY TO MINUTE` (Flink / SQL standard),
 * `INTERVAL '5 seconds'` and `INTERVAL '1' DAY` (Postgres). `qualifier` is absent
 * for the Postgres free-text form. A leading sign (`INTERVAL -'1' DAY`) is folded into `value`.
 */
export interface IntervalLiteral {
  readonly kind: 'interval';
  readonly value: string;
  readonly qualifier?: IntervalQualifier;
  readonly pos: number;
}

/** `a`, `t.a`, `s.t.a`; a trailing `*` is StarArg / SelectStar instead. */
export interface ColumnRef {
  readonly kind: 'column';
  readonly name: QualifiedName;
  readonly pos: number;
}

/** `$1` (1-based as written), or `?` numbered in order of appearance. */
export interface Parameter {
  readonly kind: 'param';
  readonly index: number;
  readonly pos: number;
}

export interface UnaryExpr {
  readonly kind: 'unary';
  readonly op: '-' | '+' | 'NOT' | '~';
  readonly operand: Expr;
  readonly pos: number;
}

export type BinaryOp =
  | '+' | '-' | '*' | '/' | '%' | '^' | '||'
  | '=' | '<>' | '<' | '<=' | '>' | '>='
  | 'AND' | 'OR'
  | '~' | '!~' | '~*' | '!~*'
  | '&' | '|' | '#' | '<<' | '>>'
  | '@>' | '<@' | '&&'
  | '->' | '->>' | '#>' | '#>>';

/**
 * `a + b`, `a AND b`, and `a OPERATOR(pg_catalog.~) b` (then `schema` is set; `!=` is `<>`).
 */
export interface BinaryExpr {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly schema?: string;
  readonly pos: number;
}

export interface IsNullExpr {
  readonly kind: 'is-null';
  readonly operand: Expr;
  readonly not: boolean;
  readonly pos: number;
}

/** `x IS [NOT] TRUE | FALSE | UNKNOWN`. */
export interface IsBoolExpr {
  readonly kind: 'is-bool';
  readonly operand: Expr;
  readonly value: boolean | null;
  readonly not: boolean;
  readonly pos: number;
}

export interface IsDistinctExpr {
  readonly kind: 'is-distinct';
  readonly left: Expr;
  readonly right: Expr;
  /** true for IS NOT DISTINCT FROM. */
  readonly not: boolean;
  readonly pos: number;
}

export interface BetweenExpr {
  readonly kind: 'between';
  readonly operand: Expr;
  readonly low: Expr;
  readonly high: Expr;
  readonly not: boolean;
  readonly symmetric: boolean;
  readonly pos: number;
}

export interface InListExpr {
  readonly kind: 'in-list';
  readonly operand: Expr;
  readonly list: readonly Expr[];
  readonly not: boolean;
  readonly pos: number;
}

export interface InSubqueryExpr {
  readonly kind: 'in-subquery';
  readonly operand: Expr;
  readonly query: Query;
  readonly not: boolean;
  readonly pos: number;
}

/** LIKE, ILIKE, SIMILAR TO, each optionally NOT and with ESCAPE. */
export interface LikeExpr {
  readonly kind: 'like';
  readonly operand: Expr;
  readonly pattern: Expr;
  readonly escape?: Expr;
  readonly not: boolean;
  readonly mode: 'LIKE' | 'ILIKE' | 'SIMILAR';
  readonly pos: number;
}

export interface CaseExpr {
  readonly kind: 'case';
  /** Present for the simple form `CASE x WHEN 1 THEN ...`. */
  readonly operand?: Expr;
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly else?: Expr;
  readonly pos: number;
}

/** `CAST(x AS T)`, `TRY_CAST(x AS T)`, `x::T`. */
export interface CastExpr {
  readonly kind: 'cast';
  readonly operand: Expr;
  readonly type: TypeName;
  readonly syntax: 'cast' | 'try_cast' | '::';
  readonly pos: number;
}

/**
 * A function call. Special syntaxes are normalized here:
 * - `COUNT(*)`: args = [StarArg];
 * - niladic keywords (CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_TIME, LOCALTIMESTAMP,
 *   LOCALTIME, CURRENT_USER, SESSION_USER, USER, CURRENT_SCHEMA, CURRENT_CATALOG,
 *   CURRENT_ROLE) are calls with `noParens: true` and name lower-cased;
 * - `POSITION(a IN b)` -> position(a, b); `SUBSTRING(x FROM a FOR b)` -> substring(x, a, b);
 *   `TRIM([BOTH|LEADING|TRAILING] [c] FROM x)` -> trim with args [StringLiteral side, c or ' ' literal, x]
 *   and name 'trim'; `OVERLAY(x PLACING y FROM a [FOR b])` -> overlay(x, y, a[, b]);
 * - window TVF calls `TUMBLE(TABLE t, DESCRIPTOR(ts), INTERVAL ...)` keep TableArg /
 *   DescriptorArg / NamedArg arguments.
 * Function names are lower-cased unless quoted.
 */
export interface FunctionCall {
  readonly kind: 'call';
  readonly name: QualifiedName;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly noParens: boolean;
  /** `agg(x ORDER BY y)` (string_agg, array_agg) */
  readonly orderBy: readonly OrderItem[];
  /** `agg(x) FILTER (WHERE p)` */
  readonly filter?: Expr;
  /** `f(x) OVER (...)` or `OVER w` */
  readonly over?: WindowSpec;
  readonly pos: number;
}

export interface WindowSpec {
  /** `OVER w` or `OVER (w ...)` referring to a WINDOW clause entry. */
  readonly name?: Ident;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly frame?: WindowFrame;
  readonly pos: number;
}

export interface WindowFrame {
  readonly units: 'ROWS' | 'RANGE';
  readonly start: FrameBound;
  /** Absent for the short form `ROWS 2 PRECEDING`. */
  readonly end?: FrameBound;
}

export type FrameBound =
  | { readonly kind: 'unbounded-preceding' }
  | { readonly kind: 'preceding'; readonly offset: Expr }
  | { readonly kind: 'current-row' }
  | { readonly kind: 'following'; readonly offset: Expr }
  | { readonly kind: 'unbounded-following' };

export interface SubqueryExpr {
  readonly kind: 'subquery';
  readonly query: Query;
  /** `ARRAY(SELECT ...)` sets this. */
  readonly array: boolean;
  readonly pos: number;
}

export interface ExistsExpr {
  readonly kind: 'exists';
  readonly query: Query;
  readonly pos: number;
}

/** `x = ANY(array_expr)`, `x <> ALL (SELECT ...)`, `x = SOME(...)` (SOME is ANY). */
export interface QuantifiedExpr {
  readonly kind: 'quantified';
  readonly operand: Expr;
  readonly op: BinaryOp;
  readonly schema?: string;
  readonly quantifier: 'ANY' | 'ALL';
  readonly right: { readonly kind: 'expr'; readonly expr: Expr } | { readonly kind: 'query'; readonly query: Query };
  readonly pos: number;
}

/** `ARRAY[1, 2]` or Flink `ARRAY[1, 2]`; Postgres `'{1,2}'` is a string literal cast instead. */
export interface ArrayExpr {
  readonly kind: 'array';
  readonly elements: readonly Expr[];
  readonly pos: number;
}

/** `ROW(a, b)` or `(a, b)` with two or more elements. */
export interface RowExpr {
  readonly kind: 'row';
  readonly elements: readonly Expr[];
  readonly explicit: boolean;
  readonly pos: number;
}

/** `a[i]` or `a[i:j]` (then `upper` is set, `slice` true); Flink maps use `m['key']`. */
export interface SubscriptExpr {
  readonly kind: 'subscript';
  readonly operand: Expr;
  readonly index: Expr;
  readonly upper?: Expr;
  readonly slice: boolean;
  readonly pos: number;
}

/** `(expr).field` and `(expr).*`-less composite access, e.g. `(information_schema._pg_expandarray(x)).n`. */
export interface FieldAccessExpr {
  readonly kind: 'field';
  readonly operand: Expr;
  readonly field: Ident;
  readonly pos: number;
}

/** `x COLLATE "C"` / `COLLATE pg_catalog.default`. */
export interface CollateExpr {
  readonly kind: 'collate';
  readonly operand: Expr;
  readonly collation: QualifiedName;
  readonly pos: number;
}

/** `EXTRACT(YEAR FROM x)`; field upper-cased (YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, EPOCH, DOW, DOY, QUARTER, WEEK, MILLISECOND, MICROSECOND, ...). */
export interface ExtractExpr {
  readonly kind: 'extract';
  readonly field: string;
  readonly operand: Expr;
  readonly pos: number;
}

/** `TABLE t` as a table-valued function argument. */
export interface TableArg {
  readonly kind: 'table-arg';
  readonly name: QualifiedName;
  /** `TABLE t PARTITION BY a, b` (SESSION windows per key). */
  readonly partitionBy?: readonly Ident[];
  readonly pos: number;
}

/** `DESCRIPTOR(a, b)` as a table-valued function argument. */
export interface DescriptorArg {
  readonly kind: 'descriptor';
  readonly columns: readonly Ident[];
  readonly pos: number;
}

/** `name => value` in a function call (Flink's named arguments for window TVFs). */
export interface NamedArg {
  readonly kind: 'named-arg';
  readonly name: Ident;
  readonly value: Expr;
  readonly pos: number;
}

/** `*` in `COUNT(*)`. */
export interface StarArg {
  readonly kind: 'star-arg';
  readonly pos: number;
}

// ---------------------------------------------------------------- queries

/** A full query: optional WITH, a body, ORDER BY, LIMIT / OFFSET / FETCH FIRST. */
export interface Query {
  readonly kind: 'query';
  readonly with: readonly CommonTableExpr[];
  readonly recursive: boolean;
  readonly body: QueryBody;
  readonly orderBy: readonly OrderItem[];
  /** LIMIT n / FETCH FIRST n ROWS ONLY; absent for LIMIT ALL. */
  readonly limit?: Expr;
  readonly offset?: Expr;
  readonly pos: number;
}

export interface CommonTableExpr {
  readonly name: Ident;
  readonly columns: readonly Ident[];
  readonly query: Query;
  readonly pos: number;
}

export type QueryBody = Select | SetOperation | ValuesBody | NestedQuery;

export interface Select {
  readonly kind: 'select';
  /** SELECT DISTINCT (true), SELECT DISTINCT ON (...) (distinctOn non-empty). */
  readonly distinct: boolean;
  readonly distinctOn: readonly Expr[];
  readonly items: readonly SelectItem[];
  /** Comma-separated FROM items (an implicit cross join); empty without FROM. */
  readonly from: readonly TableRef[];
  readonly where?: Expr;
  readonly groupBy: readonly GroupingElement[];
  readonly having?: Expr;
  readonly windows: readonly { readonly name: Ident; readonly spec: WindowSpec }[];
  readonly pos: number;
}

export type SelectItem =
  | { readonly kind: 'expr'; readonly expr: Expr; readonly alias?: Ident; readonly pos: number }
  /** `*` or `t.*` */
  | { readonly kind: 'star'; readonly qualifier?: QualifiedName; readonly pos: number };

export type GroupingElement =
  | { readonly kind: 'expr'; readonly expr: Expr }
  | { readonly kind: 'rollup' | 'cube'; readonly sets: readonly (readonly Expr[])[]; readonly pos: number }
  | { readonly kind: 'grouping-sets'; readonly sets: readonly (readonly Expr[])[]; readonly pos: number }
  | { readonly kind: 'empty'; readonly pos: number };

export interface SetOperation {
  readonly kind: 'set-op';
  readonly op: 'UNION' | 'INTERSECT' | 'EXCEPT';
  readonly all: boolean;
  readonly left: QueryBody;
  readonly right: QueryBody;
  readonly pos: number;
}

export interface ValuesBody {
  readonly kind: 'values';
  readonly rows: readonly (readonly Expr[])[];
  readonly pos: number;
}

/** A parenthesized query used as a set-operation operand, keeping its own ORDER BY / LIMIT. */
export interface NestedQuery {
  readonly kind: 'nested';
  readonly query: Query;
  readonly pos: number;
}

export interface OrderItem {
  readonly expr: Expr;
  readonly desc: boolean;
  /** Explicit NULLS FIRST (true) / NULLS LAST (false); absent means the default. */
  readonly nullsFirst?: boolean;
  readonly pos: number;
}

export interface TableAlias {
  readonly name: Ident;
  readonly columns: readonly Ident[];
}

export type TableRef = NamedTableRef | SubqueryRef | JoinRef | FunctionTableRef;

export interface NamedTableRef {
  readonly kind: 'named';
  readonly name: QualifiedName;
  readonly alias?: TableAlias;
  /** `FOR SYSTEM_TIME AS OF expr` (temporal join). */
  readonly asOf?: Expr;
  /** Flink `/*+ OPTIONS('k'='v') *\/` hints on the table. */
  readonly hints: readonly { readonly key: string; readonly value: string }[];
  readonly pos: number;
}

export interface SubqueryRef {
  readonly kind: 'subquery';
  readonly query: Query;
  readonly alias?: TableAlias;
  readonly lateral: boolean;
  readonly pos: number;
}

/** `generate_series(1, 3) AS s(i)`, `unnest(x)`, `TABLE(TUMBLE(TABLE t, ...))`, `LATERAL f(x)`. */
export interface FunctionTableRef {
  readonly kind: 'function';
  readonly call: FunctionCall;
  readonly alias?: TableAlias;
  readonly lateral: boolean;
  /** `WITH ORDINALITY` */
  readonly ordinality: boolean;
  /** true when written as Flink's `TABLE(f(...))`. */
  readonly tableWrapper: boolean;
  readonly pos: number;
}

export interface JoinRef {
  readonly kind: 'join';
  readonly joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS';
  readonly left: TableRef;
  readonly right: TableRef;
  readonly on?: Expr;
  readonly using: readonly Ident[];
  readonly natural: boolean;
  readonly pos: number;
}

// ---------------------------------------------------------------- statements

export type Statement =
  | QueryStatement
  | CreateTable
  | CreateView
  | Drop
  | Insert
  | Update
  | Delete
  | SetStatement
  | ResetStatement
  | ShowStatement
  | Describe
  | Explain
  | Transaction
  | Use
  | Discard
  | Deallocate
  | DeclareCursor
  | Fetch
  | CloseCursor
  | Copy
  | Subscribe
  | StopJob
  | SavepointCommand;

/** Fields every statement carries besides `kind` and `pos`. */
export interface StatementSpan {
  /** Offset of the statement's first character in the script. */
  readonly pos: number;
  /** Offset just past the statement's last character (before any `;`). */
  readonly end: number;
}

export interface QueryStatement extends StatementSpan {
  readonly kind: 'query-statement';
  readonly query: Query;
}

export type ColumnDef =
  | {
      readonly kind: 'physical';
      readonly name: Ident;
      readonly type: TypeName;
      /** NOT NULL written on the column (also implied by a column-level PRIMARY KEY). */
      readonly notNull: boolean;
      readonly primaryKey: boolean;
      readonly comment?: string;
      readonly pos: number;
    }
  | {
      readonly kind: 'computed';
      readonly name: Ident;
      readonly expr: Expr;
      readonly comment?: string;
      readonly pos: number;
    }
  | {
      readonly kind: 'metadata';
      readonly name: Ident;
      readonly type: TypeName;
      readonly from?: string;
      readonly virtual: boolean;
      readonly comment?: string;
      readonly pos: number;
    };

export interface WithOption {
  readonly key: string;
  readonly value: string;
  readonly pos: number;
}

export interface CreateTable extends StatementSpan {
  readonly kind: 'create-table';
  readonly name: QualifiedName;
  readonly ifNotExists: boolean;
  readonly temporary: boolean;
  readonly columns: readonly ColumnDef[];
  readonly watermark?: { readonly column: Ident; readonly expr: Expr; readonly pos: number };
  /** Table-level PRIMARY KEY (...) NOT ENFORCED; column-level ones are on the column. */
  readonly primaryKey?: { readonly columns: readonly Ident[]; readonly enforced: boolean; readonly pos: number };
  readonly comment?: string;
  readonly partitionedBy: readonly Ident[];
  readonly options: readonly WithOption[];
  readonly like?: { readonly name: QualifiedName; readonly pos: number };
  /** CREATE TABLE ... AS SELECT */
  readonly asQuery?: Query;
}

export interface CreateView extends StatementSpan {
  readonly kind: 'create-view';
  readonly name: QualifiedName;
  readonly materialized: boolean;
  readonly ifNotExists: boolean;
  readonly orReplace: boolean;
  readonly temporary: boolean;
  readonly columns: readonly Ident[];
  readonly comment?: string;
  readonly options: readonly WithOption[];
  readonly query: Query;
  /** Offsets of the query text within the script, so the definition can be stored verbatim. */
  readonly queryPos: number;
}

export interface Drop extends StatementSpan {
  readonly kind: 'drop';
  readonly objectKind: 'TABLE' | 'VIEW' | 'MATERIALIZED VIEW';
  readonly names: readonly QualifiedName[];
  readonly ifExists: boolean;
  readonly temporary: boolean;
  readonly cascade: boolean;
}

export interface Insert extends StatementSpan {
  readonly kind: 'insert';
  readonly table: QualifiedName;
  readonly overwrite: boolean;
  readonly columns: readonly Ident[];
  /** VALUES (...) is a Query whose body is `values`. */
  readonly source: Query;
  readonly returning: readonly SelectItem[];
}

export interface Update extends StatementSpan {
  readonly kind: 'update';
  readonly table: QualifiedName;
  readonly alias?: Ident;
  readonly assignments: readonly { readonly column: Ident; readonly value: Expr; readonly pos: number }[];
  readonly where?: Expr;
}

export interface Delete extends StatementSpan {
  readonly kind: 'delete';
  readonly table: QualifiedName;
  readonly alias?: Ident;
  readonly where?: Expr;
}

/**
 * All SET forms:
 * - Flink: `SET 'key' = 'value'` (name and value from string literals), `SET` alone (list);
 * - Postgres: `SET [SESSION | LOCAL] name { TO | = } value [, value]`, `SET name TO DEFAULT`,
 *   `SET TIME ZONE value`, `SET SESSION CHARACTERISTICS AS TRANSACTION ...`,
 *   `SET TRANSACTION ...` (name 'transaction', values the raw words).
 * `name` is lower-cased unless it came from a string literal; absent for bare SET.
 * `values` hold each value as text (identifiers, numbers and strings alike); empty for DEFAULT.
 */
export interface SetStatement extends StatementSpan {
  readonly kind: 'set';
  readonly name?: string;
  readonly values: readonly string[];
  readonly local: boolean;
  readonly isDefault: boolean;
}

/** `RESET 'key'`, `RESET name`, `RESET ALL`, `RESET` (all). */
export interface ResetStatement extends StatementSpan {
  readonly kind: 'reset';
  readonly name?: string;
}

/**
 * SHOW forms. `target` is one of the Flink object listings (TABLES, VIEWS,
 * MATERIALIZED VIEWS, DATABASES, CATALOGS, CURRENT CATALOG, CURRENT DATABASE,
 * FUNCTIONS, JOBS, CHECKPOINTS, SAVEPOINTS, COLUMNS, CREATE TABLE, CREATE VIEW, ALL) or 'VARIABLE' for
 * Postgres `SHOW name` (then `name` is lower-cased unless quoted).
 */
export interface ShowStatement extends StatementSpan {
  readonly kind: 'show';
  readonly target:
    | 'TABLES' | 'VIEWS' | 'MATERIALIZED VIEWS' | 'DATABASES' | 'CATALOGS' | 'CURRENT CATALOG'
    | 'CURRENT DATABASE' | 'FUNCTIONS' | 'JOBS' | 'CHECKPOINTS' | 'SAVEPOINTS' | 'COLUMNS' | 'CREATE TABLE' | 'CREATE VIEW'
    | 'ALL' | 'VARIABLE';
  readonly name?: string;
  /** The object of SHOW COLUMNS FROM t / SHOW CREATE TABLE t. */
  readonly object?: QualifiedName;
  readonly like?: { readonly pattern: string; readonly not: boolean };
}

/** `DESCRIBE t`, `DESC t`, `DESCRIBE TABLE t`. */
export interface Describe extends StatementSpan {
  readonly kind: 'describe';
  readonly name: QualifiedName;
}

/** `EXPLAIN [PLAN FOR | detail, ...] statement`; details upper-cased (CHANGELOG_MODE, ...). */
export interface Explain extends StatementSpan {
  readonly kind: 'explain';
  readonly details: readonly string[];
  readonly statement: Statement;
}

export interface Transaction extends StatementSpan {
  readonly kind: 'transaction';
  /** START TRANSACTION -> BEGIN; END -> COMMIT; ABORT -> ROLLBACK. */
  readonly action: 'BEGIN' | 'COMMIT' | 'ROLLBACK' | 'SAVEPOINT' | 'RELEASE' | 'ROLLBACK TO';
  /** Transaction modes as written (ISOLATION LEVEL ..., READ ONLY, ...), upper-cased words. */
  readonly modes: readonly string[];
  readonly savepoint?: string;
}

/** `USE db`, `USE CATALOG c`. */
export interface Use extends StatementSpan {
  readonly kind: 'use';
  readonly catalog: boolean;
  readonly name: QualifiedName;
}

/** `DISCARD ALL | PLANS | SEQUENCES | TEMP`. */
export interface Discard extends StatementSpan {
  readonly kind: 'discard';
  readonly what: string;
}

/** `DEALLOCATE [PREPARE] name | ALL`. */
export interface Deallocate extends StatementSpan {
  readonly kind: 'deallocate';
  readonly name?: string;
}

/**
 * `DECLARE name [BINARY] [NO SCROLL] CURSOR [WITH[OUT] HOLD] FOR {query | subscribe}`.
 * For `FOR SUBSCRIBE ...`, `subscribe` is set and `query` is the subscribed query
 * (`SELECT * FROM name` for a relation target), so code that ignores `subscribe`
 * still sees a well-formed snapshot query.
 */
export interface DeclareCursor extends StatementSpan {
  readonly kind: 'declare-cursor';
  readonly name: string;
  readonly hold: boolean;
  readonly query: Query;
  readonly subscribe?: Subscribe;
}

/**
 * `FETCH [FORWARD|NEXT|ALL|n|FORWARD n|FORWARD ALL] [FROM|IN] name [WITH (timeout = '1s')]`,
 * and `MOVE` with the same shape (`move` true). `count` absent means ALL.
 */
export interface Fetch extends StatementSpan {
  readonly kind: 'fetch';
  readonly cursor: string;
  readonly count?: number;
  readonly move: boolean;
  readonly options: readonly WithOption[];
}

/** `CLOSE name | ALL`. */
export interface CloseCursor extends StatementSpan {
  readonly kind: 'close-cursor';
  readonly name?: string;
}

/**
 * `COPY table [(columns)] FROM {STDIN | 'file' | PROGRAM 'command'} [options]` and
 * `COPY {table [(columns)] | (query)} TO {STDOUT | 'file' | PROGRAM 'command'} [options]`.
 * Options are `[WITH] (name [value], ...)` or the old unparenthesised forms (BINARY, CSV,
 * HEADER, DELIMITER [AS] 'c', NULL [AS] 's', QUOTE [AS] 'q', ESCAPE [AS] 'e',
 * FORCE QUOTE {* | cols}, FORCE NOT NULL cols, ENCODING 'e'), which are normalised to
 * the same list (CSV -> format csv, BINARY -> format binary, FORCE QUOTE -> force_quote).
 * The session validates names and values.
 */
export interface Copy extends StatementSpan {
  readonly kind: 'copy';
  readonly source:
    | { readonly kind: 'table'; readonly table: QualifiedName; readonly columns: readonly Ident[] }
    | { readonly kind: 'query'; readonly query: Query }
    /** `COPY (SUBSCRIBE ...) TO STDOUT`: the change stream, one line per change. */
    | { readonly kind: 'subscribe'; readonly subscribe: Subscribe };
  readonly direction: 'from' | 'to';
  readonly target:
    | { readonly kind: 'stdio'; readonly pos: number }
    | { readonly kind: 'file' | 'program'; readonly path: string; readonly pos: number };
  readonly options: readonly CopyOption[];
}

export interface CopyOption {
  /** Lower-case option name: format, header, delimiter, null, quote, escape, force_quote, ... */
  readonly name: string;
  /**
   * The value as text (strings as written, words lower-cased), `*`, or a column list;
   * absent when only the name was written (`HEADER`).
   */
  readonly value?: string | readonly string[];
  readonly pos: number;
}

// ---------------------------------------------------------------- streaming statements

/**
 * `SUBSCRIBE [TO] name [WITH (...)]` / `SUBSCRIBE [TO] (query) [WITH (...)]`: a
 * never-ending result carrying the relation's changelog.
 *
 * Options are `key [[=] value]`, keys lower-cased unless quoted; TRUE/FALSE/ON/OFF
 * and a bare key (`WITH (PROGRESS)`) give booleans, everything else its text
 * (strings decoded, numbers as written, other words lower-cased). The session
 * validates names (snapshot, progress) and value types.
 */
export interface Subscribe extends StatementSpan {
  readonly kind: 'subscribe';
  readonly target:
    | { readonly kind: 'relation'; readonly name: QualifiedName }
    | { readonly kind: 'query'; readonly query: Query };
  readonly options: readonly SubscribeOption[];
}

export interface SubscribeOption {
  readonly key: string;
  readonly value: string | boolean;
  readonly pos: number;
}

/** Flink's `STOP JOB '<id>' [WITH SAVEPOINT] [WITH DRAIN]`. */
export interface StopJob extends StatementSpan {
  readonly kind: 'stop-job';
  readonly jobId: string;
  readonly withSavepoint: boolean;
  readonly withDrain: boolean;
}

/** `CREATE SAVEPOINT FOR JOB '<job id>'` / `DROP SAVEPOINT '<savepoint id>'`. */
export interface SavepointCommand extends StatementSpan {
  readonly kind: 'savepoint-command';
  readonly action: 'create' | 'drop';
  /** The job id (create) or the savepoint id (drop). */
  readonly target: string;
}

/** The statements about continuous queries and jobs. */
export type StreamingStatement = Subscribe | StopJob | SavepointCommand;

/** Everything `parseScript` returns. */
export type ScriptStatement = Statement;
