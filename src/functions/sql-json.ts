/**
 * Flink's (and the SQL standard's) JSON functions: JSON_VALUE, JSON_QUERY,
 * JSON_EXISTS, IS JSON, JSON_STRING, JSON_OBJECT and JSON_ARRAY.
 *
 * Their clauses (RETURNING, ON EMPTY, ON ERROR, wrappers, KEY ... VALUE,
 * NULL / ABSENT ON NULL) are turned into plain arguments by the AST builder
 * (grammar/ast-builder.ts `jsonCall`), so the overloads here see:
 * - json_value(json, path, returning, onEmpty, emptyDefault, onError, errorDefault)
 *   `returning` a NULL of the RETURNING type (STRING when absent), the
 *   behaviours 'NULL' | 'ERROR' | 'DEFAULT';
 * - json_query(json, path, wrapper, onEmpty, onError): wrapper 'WITHOUT' |
 *   'CONDITIONAL' | 'UNCONDITIONAL', behaviours 'NULL' | 'ERROR' |
 *   'EMPTY ARRAY' | 'EMPTY OBJECT';
 * - json_exists(json, path, onError): 'FALSE' | 'TRUE' | 'UNKNOWN' | 'ERROR';
 * - is_json(value, kind): 'VALUE' | 'SCALAR' | 'ARRAY' | 'OBJECT';
 * - json_object(onNull, key, value, ...), json_array(onNull, value, ...):
 *   onNull 'NULL' | 'ABSENT'.
 *
 * Semantics (Flink's documentation): a NULL input gives NULL; text that is
 * not JSON, a strict-mode path error, a non-scalar or several items for
 * JSON_VALUE and a value that does not convert to the RETURNING type are
 * errors, handled by ON ERROR (default NULL; FALSE for JSON_EXISTS); finding
 * nothing is handled by ON EMPTY (default NULL). A path that cannot be read
 * is always an error (42601). JSON text is produced compact
 * (`{"K1":"V1","K2":2}`); JSON_OBJECT and JSON_ARRAY return the JSON type,
 * so one nested in another is embedded as JSON, not as a string.
 */
import { BOOLEAN, flinkTypeName, isCharacter, JSON_TYPE, STRING, type SqlType, type Value } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import { castFunction } from '../values/cast.ts';
import type { EvalContext } from './eval-context.ts';
import { evaluateJsonPath, JsonPathError, parseJsonPath, type JsonItem, type JsonPath } from './json-path.ts';
import { toJsonText } from './json-functions.ts';
import { generic } from './registry.ts';

/** Text or JSON: what the JSON functions read. */
const readsJson = (t: SqlType): boolean => isCharacter(t) || t.kind === 'JSON' || t.kind === 'NULL';
const textArg = (t: SqlType): SqlType => (t.kind === 'NULL' ? STRING : t);

/** A cache of parsed paths per call site (paths are nearly always constants). */
function pathCache(): (text: string) => JsonPath {
  const cache = new Map<string, JsonPath>();
  return (text) => {
    let p = cache.get(text);
    if (p === undefined) {
      p = parseJsonPath(text);
      if (cache.size > 64) cache.clear();
      cache.set(text, p);
    }
    return p;
  };
}

function parseJson(text: string): JsonItem {
  try {
    return JSON.parse(text) as JsonItem;
  } catch {
    throw new JsonPathError(SqlState.INVALID_JSON_TEXT, `invalid input syntax for type json: "${text.length > 60 ? `${text.slice(0, 60)}...` : text}"`);
  }
}

/**
 * The items the path (`a[1]`) selects in the JSON text (`a[0]`), null when
 * either is NULL; errors of the text or of strict mode are JsonPathError.
 */
function selected(a: readonly Value[], pathOf: (text: string) => JsonPath): JsonItem[] | null {
  const json = a[0]!;
  const pathText = a[1]!;
  if (json === null || pathText === null) return null;
  const path = pathOf(pathText as string);
  return evaluateJsonPath(path, parseJson(json as string));
}

const isScalar = (v: JsonItem): boolean => v === null || typeof v !== 'object';

/** The SQL text of a scalar item: strings unquoted, numbers and booleans as written. */
function scalarText(v: JsonItem): string | null {
  if (v === null) return null;
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}

generic({
  name: 'json_value',
  id: 'json_value',
  strict: false,
  match: (args) => {
    if (args.length !== 7 || !readsJson(args[0]!) || !readsJson(args[1]!)) return undefined;
    const returning = args[2]!.kind === 'NULL' ? STRING : args[2]!;
    return { argTypes: [textArg(args[0]!), textArg(args[1]!), returning, STRING, args[4]!, STRING, args[6]!], returnType: returning, cost: 0 };
  },
  make: (argTypes, returnType) => {
    const pathOf = pathCache();
    const convert = castFunction(STRING, returnType);
    if (convert === undefined) throw new SqlError(SqlState.DATATYPE_MISMATCH, `JSON_VALUE cannot return type ${flinkTypeName(returnType)}`);
    const emptyDefault = defaultCast(argTypes[4]!, returnType);
    const errorDefault = defaultCast(argTypes[6]!, returnType);
    return (a, ctx) => {
      try {
        const items = selected(a, pathOf);
        if (items === null) return null;
        if (items.length === 0) {
          switch (a[3]) {
            case 'ERROR':
              throw new SqlError(SqlState.NO_SQL_JSON_ITEM, 'no SQL/JSON item found for the JSON_VALUE path');
            case 'DEFAULT':
              return emptyDefault(a[4]!, ctx);
            default:
              return null;
          }
        }
        if (items.length > 1) throw new JsonPathError(SqlState.MORE_THAN_ONE_SQL_JSON_ITEM, 'JSON path expression in JSON_VALUE should return a single scalar value, it returned several items');
        const item = items[0]!;
        if (!isScalar(item)) throw new JsonPathError(SqlState.SQL_JSON_SCALAR_REQUIRED, 'JSON path expression in JSON_VALUE should return a single scalar value, it returned an object or array');
        const text = scalarText(item);
        if (text === null) return null;
        try {
          return convert(text, ctx);
        } catch (err) {
          throw new JsonPathError(err instanceof SqlError ? err.code : SqlState.INVALID_TEXT_REPRESENTATION, err instanceof Error ? err.message : String(err));
        }
      } catch (err) {
        if (!(err instanceof JsonPathError)) throw err;
        switch (a[5]) {
          case 'ERROR':
            throw err;
          case 'DEFAULT':
            return errorDefault(a[6]!, ctx);
          default:
            return null;
        }
      }
    };
  },
});

generic({
  name: 'json_query',
  id: 'json_query',
  strict: false,
  match: (args) => {
    if (args.length !== 5 || !readsJson(args[0]!) || !readsJson(args[1]!)) return undefined;
    return { argTypes: [textArg(args[0]!), textArg(args[1]!), STRING, STRING, STRING], returnType: STRING, cost: 0 };
  },
  make: () => {
    const pathOf = pathCache();
    const behave = (mode: Value, err: SqlError): string | null => {
      switch (mode) {
        case 'ERROR':
          throw err;
        case 'EMPTY ARRAY':
          return '[]';
        case 'EMPTY OBJECT':
          return '{}';
        default:
          return null;
      }
    };
    return (a) => {
      try {
        const items = selected(a, pathOf);
        if (items === null) return null;
        const wrapper = a[2];
        if (items.length === 0) return behave(a[3]!, new SqlError(SqlState.NO_SQL_JSON_ITEM, 'no SQL/JSON item found for the JSON_QUERY path'));
        if (wrapper === 'UNCONDITIONAL' || (wrapper === 'CONDITIONAL' && (items.length > 1 || isScalar(items[0]!)))) return JSON.stringify(items);
        if (items.length > 1) throw new JsonPathError(SqlState.MORE_THAN_ONE_SQL_JSON_ITEM, 'JSON path expression in JSON_QUERY should return a single item without a wrapper (add WITH ARRAY WRAPPER)');
        const item = items[0]!;
        if (isScalar(item)) throw new JsonPathError(SqlState.SQL_JSON_SCALAR_REQUIRED, 'JSON path expression in JSON_QUERY should return an object or array without a wrapper, it returned a scalar (add WITH ARRAY WRAPPER)');
        return JSON.stringify(item);
      } catch (err) {
        if (!(err instanceof JsonPathError)) throw err;
        return behave(a[4]!, err);
      }
    };
  },
});

generic({
  name: 'json_exists',
  id: 'json_exists',
  strict: false,
  match: (args) => {
    if (args.length !== 3 || !readsJson(args[0]!) || !readsJson(args[1]!)) return undefined;
    return { argTypes: [textArg(args[0]!), textArg(args[1]!), STRING], returnType: BOOLEAN, cost: 0 };
  },
  make: () => {
    const pathOf = pathCache();
    return (a) => {
      try {
        const items = selected(a, pathOf);
        return items === null ? null : items.length > 0;
      } catch (err) {
        if (!(err instanceof JsonPathError)) throw err;
        switch (a[2]) {
          case 'ERROR':
            throw err;
          case 'TRUE':
            return true;
          case 'UNKNOWN':
            return null;
          default:
            return false;
        }
      }
    };
  },
});

generic({
  name: 'is_json',
  id: 'is_json',
  strict: true,
  match: (args) => (args.length === 2 && readsJson(args[0]!) ? { argTypes: [textArg(args[0]!), STRING], returnType: BOOLEAN, cost: 0 } : undefined),
  make: () => (a) => {
    let v: JsonItem;
    try {
      v = JSON.parse(a[0] as string) as JsonItem;
    } catch {
      return false;
    }
    switch (a[1]) {
      case 'SCALAR':
        return isScalar(v);
      case 'ARRAY':
        return Array.isArray(v);
      case 'OBJECT':
        return v !== null && typeof v === 'object' && !Array.isArray(v);
      default:
        return true;
    }
  },
});

generic({
  name: 'json_string',
  id: 'json_string',
  strict: true,
  match: (args) => (args.length === 1 ? { argTypes: [textArg(args[0]!)], returnType: STRING, cost: 0 } : undefined),
  make: (argTypes) => (a, ctx) => compact(toJsonText(a[0]!, argTypes[0]!, ctx)),
});

generic({
  name: 'json_object',
  id: 'json_object',
  strict: false,
  match: (args) => {
    if (args.length % 2 !== 1) return undefined;
    return { argTypes: [STRING, ...args.slice(1).map((t, i) => (i % 2 === 0 ? STRING : textArg(t)))], returnType: JSON_TYPE, cost: 0 };
  },
  make: (argTypes) => (a, ctx) => {
    const absent = a[0] === 'ABSENT';
    const parts: string[] = [];
    for (let i = 1; i < a.length; i += 2) {
      const k = a[i]!;
      if (k === null) throw new SqlError(SqlState.NULL_VALUE_NOT_ALLOWED, 'JSON_OBJECT key must not be NULL');
      const v = a[i + 1]!;
      if (v === null && absent) continue;
      parts.push(`${JSON.stringify(k as string)}:${compact(toJsonText(v, argTypes[i + 1]!, ctx))}`);
    }
    return `{${parts.join(',')}}`;
  },
});

generic({
  name: 'json_array',
  id: 'json_array',
  strict: false,
  match: (args) => (args.length >= 1 ? { argTypes: [STRING, ...args.slice(1).map(textArg)], returnType: JSON_TYPE, cost: 0 } : undefined),
  make: (argTypes) => (a, ctx) => {
    const absent = a[0] !== 'NULL';
    const parts: string[] = [];
    for (let i = 1; i < a.length; i++) {
      const v = a[i]!;
      if (v === null && absent) continue;
      parts.push(compact(toJsonText(v, argTypes[i]!, ctx)));
    }
    return `[${parts.join(',')}]`;
  },
});

/** JSON text without insignificant white space (Flink writes JSON compact). */
function compact(text: string): string {
  if (!/[\s]/.test(text)) return text;
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return text;
  }
}

/** Converts a DEFAULT value to the RETURNING type (a failed conversion is an error, not handled again). */
function defaultCast(from: SqlType, to: SqlType): (v: Value, ctx: EvalContext) => Value {
  if (from.kind === 'NULL') return () => null;
  const cast = castFunction(from, to);
  if (cast === undefined) {
    throw new SqlError(SqlState.DATATYPE_MISMATCH, `the DEFAULT value of type ${flinkTypeName(from)} cannot be converted to the RETURNING type ${flinkTypeName(to)}`);
  }
  return (v, ctx) => (v === null ? null : cast(v, ctx));
}


