/**
 * Flink's 'json' format over lines: one JSON object per line, keyed by column name.
 *
 * Options (all optional):
 * - 'json.fail-on-missing-field' (false: a missing field is NULL);
 * - 'json.ignore-parse-errors' (false); both true is refused, as Flink does;
 * - 'json.timestamp-format.standard': 'SQL' (`2024-05-01 10:00:00.123`, the
 *   default) or 'ISO-8601' (`2024-05-01T10:00:00.123`); it sets how the writer
 *   writes TIMESTAMP / TIMESTAMP_LTZ (LTZ with a trailing `Z`); the reader takes both;
 * - 'json.map-null-key.mode': 'FAIL' (default: encode throws SqlError 22004),
 *   'DROP' or 'LITERAL' with 'json.map-null-key.literal' (default 'null'):
 *   what the writer does with a NULL map key;
 * - 'json.encode.ignore-null-fields' (false): the writer leaves NULL fields out;
 * - 'json.encode.decimal-as-plain-number': accepted; DECIMAL is always written
 *   as a plain number (`12.50`), never in exponent form.
 *
 * Reading: numbers are read from their text (BIGINT and DECIMAL exact); a
 * numeric column also takes a string holding a number, a string column takes
 * a number, boolean, object or array as its JSON text; temporal, BYTES
 * (base64), interval and UUID columns take strings (scalar-text.ts); ARRAY
 * takes an array, MAP an object (keys read as the key type), ROW an object
 * keyed by field name (missing fields NULL), a JSON column any value as its
 * text (JSON `null` is SQL NULL there too, so a JSON column cannot hold `null`).
 * Fields that are not columns are ignored. A NULL in a NOT NULL column is an error.
 */
import type { ColumnDefinition } from '../../catalog/relation.ts';
import { isCharacter, isIntegral, type Row, type SqlType, type Value } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../../src/errors.ts';
import { formatDecimal } from '../../src/values/decimal.ts';
import type { Numeric } from '../../src/values/numeric.ts';
import { formatFloat4, formatFloat8 } from '../../src/values/text-format.ts';
import { booleanOption, checkFormatOptions, invalidOption } from './format-options.ts';
import type { LineRowFormat } from './index.ts';
import { jsonNodeText, JsonNumber, parseJson, type JsonNode } from './json-text.ts';
import { FormatError } from './row-format.ts';
import { textDecoder, textEncoder, type TimestampStandard } from './scalar-text.ts';

export const JSON_OPTIONS = [
  'json.fail-on-missing-field',
  'json.ignore-parse-errors',
  'json.timestamp-format.standard',
  'json.map-null-key.mode',
  'json.map-null-key.literal',
  'json.encode.ignore-null-fields',
  'json.encode.decimal-as-plain-number',
] as const;

type NullKeyMode = 'FAIL' | 'DROP' | 'LITERAL';

interface JsonConfig {
  readonly failOnMissingField: boolean;
  readonly ignoreParseErrors: boolean;
  readonly standard: TimestampStandard;
  readonly nullKeyMode: NullKeyMode;
  readonly nullKeyLiteral: string;
  readonly ignoreNullFields: boolean;
}

function jsonConfig(options: Readonly<Record<string, string>>): JsonConfig {
  checkFormatOptions('json', JSON_OPTIONS, options);
  const failOnMissingField = booleanOption(options, 'json.fail-on-missing-field', false);
  const ignoreParseErrors = booleanOption(options, 'json.ignore-parse-errors', false);
  if (failOnMissingField && ignoreParseErrors) {
    throw invalidOption("options 'json.fail-on-missing-field' and 'json.ignore-parse-errors' cannot both be true", 'A missing field is either an error or skipped with the line; choose one.');
  }
  booleanOption(options, 'json.encode.decimal-as-plain-number', false);
  return {
    failOnMissingField,
    ignoreParseErrors,
    standard: choice(options, 'json.timestamp-format.standard', ['SQL', 'ISO-8601'] as const, 'SQL'),
    nullKeyMode: choice(options, 'json.map-null-key.mode', ['FAIL', 'DROP', 'LITERAL'] as const, 'FAIL'),
    nullKeyLiteral: options['json.map-null-key.literal'] ?? 'null',
    ignoreNullFields: booleanOption(options, 'json.encode.ignore-null-fields', false),
  };
}

function choice<T extends string>(options: Readonly<Record<string, string>>, key: string, values: readonly T[], fallback: T): T {
  const text = options[key];
  if (text === undefined) return fallback;
  const v = values.find((x) => x === text.trim().toUpperCase());
  if (v === undefined) throw invalidOption(`invalid value '${text}' for option '${key}'`, `Expected one of ${values.map((x) => `'${x}'`).join(', ')}.`);
  return v;
}

type NodeDecode = (node: JsonNode) => Value;
type JsonEncode = (value: Value) => string;

export function jsonFormat(columns: readonly ColumnDefinition[], options: Readonly<Record<string, string>>): LineRowFormat {
  const config = jsonConfig(options);
  const n = columns.length;
  const decoders: NodeDecode[] = columns.map((c) => nodeDecoder(c.type));
  const encoders: JsonEncode[] = columns.map((c) => jsonEncoder(c.type, config));
  const keys: string[] = columns.map((c) => JSON.stringify(c.name));

  return {
    name: 'json',
    extension: 'json',
    ignoreParseErrors: config.ignoreParseErrors,
    skips(line) {
      return line.trim().length === 0;
    },
    decode(line) {
      const node = parseJson(line);
      if (!(node instanceof Map)) throw new FormatError('expected a JSON object');
      const row: Row = new Array<Value>(n);
      for (let i = 0; i < n; i++) {
        const column = columns[i]!;
        const field = node.get(column.name);
        let value: Value;
        if (field === undefined) {
          if (config.failOnMissingField) throw new FormatError(`field "${column.name}" is missing`);
          value = null;
        } else {
          try {
            value = decoders[i]!(field);
          } catch (err) {
            if (err instanceof FormatError) throw new FormatError(`field "${column.name}": ${err.message}`);
            throw err;
          }
        }
        if (value === null && !column.nullable) throw new FormatError(`field "${column.name}": NULL in a NOT NULL column`);
        row[i] = value;
      }
      return row;
    },
    encode(row) {
      let line = '{';
      for (let i = 0; i < n; i++) {
        const v = row[i] ?? null;
        if (v === null && config.ignoreNullFields) continue;
        if (line.length > 1) line += ',';
        line += keys[i]! + ':' + (v === null ? 'null' : encoders[i]!(v));
      }
      return line + '}';
    },
  };
}

function kindName(node: JsonNode): string {
  if (node === null) return 'null';
  if (typeof node === 'boolean') return 'a boolean';
  if (typeof node === 'string') return 'a string';
  if (node instanceof JsonNumber) return 'a number';
  return Array.isArray(node) ? 'an array' : 'an object';
}

function mismatch(node: JsonNode, type: SqlType, expected: string): FormatError {
  return new FormatError(`expected ${expected} for type ${type.kind}, found ${kindName(node)}`);
}

function nodeDecoder(type: SqlType): NodeDecode {
  const text = textDecoder(type);
  if (type.kind === 'JSON') return (node) => (node === null ? null : jsonNodeText(node));
  if (isCharacter(type)) {
    return (node) => {
      if (node === null) return null;
      if (typeof node === 'string') return text(node);
      return text(node instanceof JsonNumber ? node.text : typeof node === 'boolean' ? String(node) : jsonNodeText(node));
    };
  }
  switch (type.kind) {
    case 'BOOLEAN':
      return (node) => {
        if (node === null || typeof node === 'boolean') return node;
        if (typeof node === 'string') return text(node);
        throw mismatch(node, type, 'a boolean');
      };
    case 'TINYINT':
    case 'SMALLINT':
    case 'INT':
    case 'BIGINT':
    case 'FLOAT':
    case 'DOUBLE':
    case 'DECIMAL':
    case 'NUMERIC':
      return (node) => {
        if (node === null) return null;
        if (node instanceof JsonNumber) return text(node.text);
        if (typeof node === 'string') return text(node);
        throw mismatch(node, type, 'a number');
      };
    case 'ARRAY': {
      const element = nodeDecoder(type.element);
      return (node) => {
        if (node === null) return null;
        if (!Array.isArray(node)) throw mismatch(node, type, 'an array');
        return node.map(element);
      };
    }
    case 'MAP': {
      const key = textDecoder(type.key);
      const value = nodeDecoder(type.value);
      return (node) => {
        if (node === null) return null;
        if (!(node instanceof Map)) throw mismatch(node, type, 'an object');
        const out = new Map<Value, Value>();
        for (const [k, v] of node) out.set(key(k), value(v));
        return out;
      };
    }
    case 'ROW': {
      const fields = type.fields.map((f) => ({ name: f.name, decode: nodeDecoder(f.type) }));
      return (node) => {
        if (node === null) return null;
        if (!(node instanceof Map)) throw mismatch(node, type, 'an object');
        return fields.map((f) => {
          const v = node.get(f.name);
          return v === undefined ? null : f.decode(v);
        });
      };
    }
    default:
      return (node) => {
        if (node === null) return null;
        if (typeof node === 'string') return text(node);
        throw mismatch(node, type, 'a string');
      };
  }
}

function jsonEncoder(type: SqlType, config: JsonConfig): JsonEncode {
  if (isIntegral(type)) return (v) => String(v);
  if (isCharacter(type) || type.kind === 'UUID') return (v) => JSON.stringify(v);
  switch (type.kind) {
    case 'BOOLEAN':
      return (v) => (v ? 'true' : 'false');
    case 'FLOAT':
    case 'DOUBLE': {
      const format = type.kind === 'FLOAT' ? formatFloat4 : formatFloat8;
      return (v) => (Number.isFinite(v as number) ? format(v as number) : `"${format(v as number)}"`);
    }
    case 'DECIMAL':
      return (v) => formatDecimal(v as bigint, type.scale);
    case 'NUMERIC':
      return (v) => formatDecimal((v as Numeric).unscaled, (v as Numeric).scale);
    case 'JSON':
      return (v) => v as string;
    case 'ARRAY': {
      const element = jsonEncoder(type.element, config);
      return (v) => `[${(v as readonly Value[]).map((e) => (e === null ? 'null' : element(e))).join(',')}]`;
    }
    case 'MAP': {
      const keyText = textEncoder(type.key, config.standard);
      const value = jsonEncoder(type.value, config);
      return (v) => {
        let out = '{';
        for (const [k, e] of v as ReadonlyMap<Value, Value>) {
          let key: string;
          if (k === null) {
            if (config.nullKeyMode === 'DROP') continue;
            if (config.nullKeyMode === 'FAIL') {
              throw new SqlError(SqlState.NULL_VALUE_NOT_ALLOWED, 'the json format cannot write a MAP value with a NULL key', {
                hint: "Set 'json.map-null-key.mode' to 'DROP' (leave the entry out) or 'LITERAL' (write 'json.map-null-key.literal').",
              });
            }
            key = config.nullKeyLiteral;
          } else key = keyText(k);
          out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${e === null ? 'null' : value(e)}`;
        }
        return out + '}';
      };
    }
    case 'ROW': {
      const fields = type.fields.map((f) => ({ key: JSON.stringify(f.name), encode: jsonEncoder(f.type, config) }));
      return (v) => {
        const values = v as readonly Value[];
        let out = '{';
        for (let i = 0; i < fields.length; i++) {
          const e = values[i] ?? null;
          if (i > 0) out += ',';
          out += fields[i]!.key + ':' + (e === null ? 'null' : fields[i]!.encode(e));
        }
        return out + '}';
      };
    }
    default: {
      const text = textEncoder(type, config.standard);
      return (v) => JSON.stringify(text(v));
    }
  }
}
