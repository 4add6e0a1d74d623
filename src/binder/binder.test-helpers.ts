/**
 * Test support for the binder: AST constructors (so tests do not depend on the
 * parser), a small function library with Postgres-like resolution for the
 * operators and functions the tests use, and a catalog of a few tables.
 */
import type {
  BinaryOp,
  Expr,
  FunctionCall,
  GroupingElement,
  Ident,
  OrderItem,
  Query,
  QueryBody,
  Select,
  SelectItem,
  TableRef,
  TypeName,
} from '../../grammar/ast.ts';
import type { CatalogEntry, ColumnDefinition } from '../../catalog/relation.ts';
import {
  BIGINT,
  BOOLEAN,
  DATE,
  DOUBLE,
  INT,
  STRING,
  arrayOf,
  isCharacter,
  isNumeric,
  timestamp,
  type SqlType,
  type Value,
} from '../../catalog/types.ts';
import { compareValues } from '../values/compare.ts';
import { coercion } from '../functions/coercion.ts';
import type { FunctionLibrary, ScalarResolution } from '../functions/signatures.ts';
import { SqlError } from '../errors.ts';
import type { BinderContext } from './bind-env.ts';

// ---------------------------------------------------------------- AST

export function id(value: string, pos = 0): Ident {
  return { value, quoted: false, pos };
}

export function col(name: string, pos = 0): Expr {
  return { kind: 'column', name: { parts: name.split('.').map((p) => id(p, pos)), pos }, pos };
}

export const num = (text: string, pos = 0): Expr => ({ kind: 'number', text, pos });
export const str = (value: string, pos = 0): Expr => ({ kind: 'string', value, pos });
export const param = (index: number, pos = 0): Expr => ({ kind: 'param', index, pos });
export const nul = (pos = 0): Expr => ({ kind: 'null', pos });

export function bin(op: BinaryOp, left: Expr, right: Expr, pos = 0): Expr {
  return { kind: 'binary', op, left, right, pos };
}

export function call(name: string, args: Expr[], opts: Partial<Omit<FunctionCall, 'kind' | 'name' | 'args'>> = {}): FunctionCall {
  return {
    kind: 'call',
    name: { parts: [id(name, opts.pos ?? 0)], pos: opts.pos ?? 0 },
    args,
    distinct: opts.distinct ?? false,
    noParens: opts.noParens ?? false,
    orderBy: opts.orderBy ?? [],
    ...(opts.filter === undefined ? {} : { filter: opts.filter }),
    ...(opts.over === undefined ? {} : { over: opts.over }),
    pos: opts.pos ?? 0,
  };
}

export const starArg: Expr = { kind: 'star-arg', pos: 0 };

export function typeName(name: string, params: number[] = []): TypeName {
  return { kind: 'type', name, params, elementTypes: [], fields: [], notNull: false, arrayDims: 0, pos: 0 };
}

export function cast(operand: Expr, t: TypeName, pos = 0): Expr {
  return { kind: 'cast', operand, type: t, syntax: '::', pos };
}

export function item(expr: Expr, alias?: string): SelectItem {
  return alias === undefined ? { kind: 'expr', expr, pos: expr.pos } : { kind: 'expr', expr, alias: id(alias), pos: expr.pos };
}

export function star(qualifier?: string): SelectItem {
  return qualifier === undefined
    ? { kind: 'star', pos: 0 }
    : { kind: 'star', qualifier: { parts: [id(qualifier)], pos: 0 }, pos: 0 };
}

export function table(name: string, alias?: string, pos = 0): TableRef {
  return {
    kind: 'named',
    name: { parts: name.split('.').map((p) => id(p, pos)), pos },
    ...(alias === undefined ? {} : { alias: { name: id(alias), columns: [] } }),
    hints: [],
    pos,
  };
}

export function join(
  joinType: 'INNER' | 'LEFT' | 'RIGHT' | 'FULL' | 'CROSS',
  left: TableRef,
  right: TableRef,
  opts: { on?: Expr; using?: string[]; natural?: boolean } = {},
): TableRef {
  return {
    kind: 'join',
    joinType,
    left,
    right,
    ...(opts.on === undefined ? {} : { on: opts.on }),
    using: (opts.using ?? []).map((u) => id(u)),
    natural: opts.natural ?? false,
    pos: 0,
  };
}

export function select(
  items: SelectItem[],
  from: TableRef[] = [],
  opts: { where?: Expr; groupBy?: Expr[]; having?: Expr; distinct?: boolean } = {},
): Select {
  return {
    kind: 'select',
    distinct: opts.distinct ?? false,
    distinctOn: [],
    items,
    from,
    ...(opts.where === undefined ? {} : { where: opts.where }),
    groupBy: (opts.groupBy ?? []).map((expr): GroupingElement => ({ kind: 'expr', expr })),
    ...(opts.having === undefined ? {} : { having: opts.having }),
    windows: [],
    pos: 0,
  };
}

export function query(body: QueryBody, opts: { orderBy?: OrderItem[]; limit?: Expr; offset?: Expr; with?: Query['with'] } = {}): Query {
  return {
    kind: 'query',
    with: opts.with ?? [],
    recursive: false,
    body,
    orderBy: opts.orderBy ?? [],
    ...(opts.limit === undefined ? {} : { limit: opts.limit }),
    ...(opts.offset === undefined ? {} : { offset: opts.offset }),
    pos: 0,
  };
}

export function order(expr: Expr, desc = false): OrderItem {
  return { expr, desc, pos: expr.pos };
}

// ---------------------------------------------------------------- functions

function res(id: string, argTypes: SqlType[], returnType: SqlType, volatile = false): ScalarResolution {
  return { id, argTypes, returnType, strict: true, volatile };
}

function common(types: readonly SqlType[]): SqlType | undefined {
  return coercion.commonType(types);
}

function arith(op: string, x: Value, y: Value): Value {
  if (typeof x === 'bigint' && typeof y === 'bigint') {
    return op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : x / y;
  }
  const a = x as number;
  const b = y as number;
  return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : a / b;
}

const COMPARISONS = new Set(['=', '<>', '<', '<=', '>', '>=']);

/** A small library: enough overloads to exercise the binder, Postgres-like errors. */
export const fakeFunctions: FunctionLibrary = {
  resolveScalar(name, argTypes) {
    const [a, b] = argTypes;
    if (COMPARISONS.has(name) || name === 'is_distinct_from') {
      const t = common(argTypes);
      if (t === undefined) return undefined;
      return res(`${name}(${t.kind})`, [t, t], BOOLEAN);
    }
    if (name.startsWith('any:') || name.startsWith('all:')) {
      if (b?.kind !== 'ARRAY' || a === undefined) return undefined;
      const t = common([a, b.element]);
      if (t === undefined) return undefined;
      return res(name, [t, arrayOf(t)], BOOLEAN);
    }
    switch (name) {
      case '+':
      case '-':
      case '*':
      case '/': {
        if (a === undefined || b === undefined || !isNumeric(a) || !isNumeric(b)) return undefined;
        const t = common([a, b])!;
        return res(`${name}(${t.kind})`, [t, t], t);
      }
      case 'neg':
        return a !== undefined && isNumeric(a) ? res('neg', [a], a) : undefined;
      case '||':
        return res('concat_op', [STRING, STRING], STRING);
      case 'like':
      case 'ilike':
        return res(name, [STRING, STRING], BOOLEAN);
      case 'upper':
      case 'lower':
        if (argTypes.length !== 1 || !isCharacter(a!)) {
          throw new SqlError('42883', `function ${name}(${argTypes.map((t) => t.kind.toLowerCase()).join(', ')}) does not exist`);
        }
        return res(name, [STRING], STRING);
      case 'length':
        return argTypes.length === 1 && isCharacter(a!) ? res(name, [STRING], INT) : undefined;
      case 'least':
      case 'greatest': {
        const t = common(argTypes);
        return t === undefined ? undefined : res(name, argTypes.map(() => t), t);
      }
      case 'date_part':
        return res('date_part', [STRING, b ?? DATE], DOUBLE);
      case 'array_constructor':
        return res(name, [...argTypes], arrayOf(argTypes[0]!));
      case 'now':
      case 'current_timestamp':
        return res(name, [], timestamp(6), true);
      case 'abs':
        return a !== undefined && isNumeric(a) ? res('abs', [a], a) : undefined;
      default:
        return undefined;
    }
  },
  instantiateScalar(id, argTypes) {
    const t = argTypes[0]!;
    const m = /^(=|<>|<=|>=|<|>|is_distinct_from|[-+*/])\(/.exec(id);
    if (m !== null) {
      const op = m[1]!;
      switch (op) {
        case '=':
          return (a) => compareValues(a[0]!, a[1]!, t) === 0;
        case '<>':
          return (a) => compareValues(a[0]!, a[1]!, t) !== 0;
        case '<':
          return (a) => compareValues(a[0]!, a[1]!, t) < 0;
        case '<=':
          return (a) => compareValues(a[0]!, a[1]!, t) <= 0;
        case '>':
          return (a) => compareValues(a[0]!, a[1]!, t) > 0;
        case '>=':
          return (a) => compareValues(a[0]!, a[1]!, t) >= 0;
        case 'is_distinct_from':
          return (a) => (a[0] === null || a[1] === null ? a[0] !== a[1] : compareValues(a[0]!, a[1]!, t) !== 0);
        default:
          return (a) => arith(op, a[0]!, a[1]!);
      }
    }
    switch (id) {
      case 'neg':
        return (a) => (typeof a[0] === 'bigint' ? -a[0] : -(a[0] as number));
      case 'upper':
        return (a) => (a[0] as string).toUpperCase();
      case 'lower':
        return (a) => (a[0] as string).toLowerCase();
      case 'length':
        return (a) => (a[0] as string).length;
      case 'concat_op':
        return (a) => (a[0] as string) + (a[1] as string);
      default:
        throw new Error(`fake implementation of ${id} missing`);
    }
  },
  resolveAggregate(name, argTypes) {
    const a = argTypes[0];
    switch (name) {
      case 'count':
        return { fn: 'count', argTypes: [...argTypes], returnType: BIGINT };
      case 'sum':
        if (a === undefined) return { fn: 'sum', argTypes: [], returnType: BIGINT };
        return { fn: 'sum', argTypes: [a], returnType: a.kind === 'INT' ? BIGINT : a };
      case 'min':
      case 'max':
        return { fn: name, argTypes: [...argTypes], returnType: a ?? INT };
      case 'avg':
        return { fn: 'avg', argTypes: [...argTypes], returnType: DOUBLE };
      default:
        return undefined;
    }
  },
  resolveWindowFunction(name, argTypes) {
    switch (name) {
      case 'row_number':
      case 'rank':
        return { fn: name, argTypes: [], returnType: BIGINT };
      case 'lag':
        return { fn: 'lag', argTypes: [...argTypes], returnType: argTypes[0] ?? INT };
      default:
        return undefined;
    }
  },
  isTableFunction(name) {
    return name === 'generate_series' || name === 'unnest';
  },
};

// ---------------------------------------------------------------- catalog

function column(name: string, type: SqlType, extra: Partial<ColumnDefinition> = {}): ColumnDefinition {
  return { name, type, nullable: true, kind: 'physical', ...extra };
}

export const TABLES: readonly CatalogEntry[] = [
  {
    kind: 'table',
    id: 16384,
    name: 't',
    schema: 'public',
    columns: [column('a', INT, { nullable: false }), column('b', STRING), column('c', DOUBLE)],
    primaryKey: [],
    partitionedBy: [],
    options: {},
  },
  {
    kind: 'table',
    id: 16385,
    name: 'u',
    schema: 'public',
    columns: [column('a', INT), column('d', DATE)],
    primaryKey: [],
    partitionedBy: [],
    options: {},
  },
  {
    kind: 'table',
    id: 16386,
    name: 'events',
    schema: 'public',
    columns: [
      column('id', BIGINT),
      column('doubled', BIGINT, { kind: 'computed', expr: 'id * 2' }),
      column('ts', timestamp(3)),
    ],
    primaryKey: [],
    partitionedBy: [],
    options: {},
  },
  {
    kind: 'table',
    id: 16387,
    name: 'gen',
    schema: 'public',
    columns: [column('x', INT)],
    primaryKey: [],
    partitionedBy: [],
    options: { connector: 'datagen' },
  },
  {
    kind: 'table',
    id: 16388,
    name: 'seq',
    schema: 'public',
    columns: [column('id', BIGINT)],
    primaryKey: [],
    partitionedBy: [],
    options: { connector: 'datagen', 'fields.id.kind': 'sequence', 'fields.id.end': '5' },
  },
  {
    kind: 'view',
    id: 16390,
    name: 'v',
    schema: 'public',
    columns: [column('va', INT), column('vb', STRING)],
    query: 'v',
  },
];

export interface TestContextOptions {
  paramTypes?: (SqlType | undefined)[];
  parseExpression?: (text: string) => Expr;
  parseSql?: BinderContext['parseSql'];
  functions?: FunctionLibrary;
}

export function testContext(opts: TestContextOptions = {}): BinderContext {
  return {
    lookup: (parts) => {
      const name = parts[parts.length - 1];
      const schema = parts.length > 1 ? parts[parts.length - 2] : 'public';
      return TABLES.find((t) => t.name === name && t.schema === schema);
    },
    functions: opts.functions ?? fakeFunctions,
    coercion,
    parseSql:
      opts.parseSql ??
      (() => {
        throw new Error('no parser in this test');
      }),
    parseExpression:
      opts.parseExpression ??
      ((text) => {
        // The only computed column in TABLES: `id * 2`.
        if (text === 'id * 2') return bin('*', col('id'), num('2'));
        throw new Error(`unexpected expression ${text}`);
      }),
    paramTypes: opts.paramTypes ?? [],
    timeZone: 'UTC',
  };
}

export { STRING, INT, BIGINT, DOUBLE, BOOLEAN };
