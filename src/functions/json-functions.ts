/**
 * JSON constructors clients use in catalogue and dashboard queries:
 * json_build_object(k, v, ...), json_build_array(...), to_json(x),
 * array_to_json(arr). Values become JSON as Postgres' to_json does: finite
 * numbers as numbers, booleans, NULL as null, arrays and rows as arrays /
 * objects, JSON as itself, everything else as a string of its text form.
 */
import { isCharacter, isNumeric, JSON_TYPE, type SqlType, type Value } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import { formatValue } from '../values/text-format.ts';
import type { EvalContext } from './eval-context.ts';
import { generic } from './registry.ts';

const TEXT: SqlType = { kind: 'VARCHAR', length: 2147483647 };

/** The JSON text of a value of type `t`. */
export function toJsonText(v: Value, t: SqlType, ctx: EvalContext): string {
  if (v === null) return 'null';
  switch (t.kind) {
    case 'BOOLEAN':
      return v ? 'true' : 'false';
    case 'JSON':
      return v as string;
    case 'ARRAY':
      return `[${(v as readonly Value[]).map((e) => toJsonText(e, t.element, ctx)).join(',')}]`;
    case 'ROW':
      return `{${t.fields.map((f, i) => `${JSON.stringify(f.name)}:${toJsonText((v as readonly Value[])[i] ?? null, f.type, ctx)}`).join(',')}}`;
    case 'TIMESTAMP':
    case 'TIMESTAMP_LTZ':
      return JSON.stringify(formatValue(v, t, ctx).replace(' ', 'T'));
    default: {
      const text = isCharacter(t) ? (v as string) : formatValue(v, t, ctx);
      if (isNumeric(t) && /^-?\d/.test(text) && !/Infinity|NaN/.test(text)) return text;
      return JSON.stringify(text);
    }
  }
}

const settle = (t: SqlType): SqlType => (t.kind === 'NULL' ? TEXT : t);

generic({
  name: 'json_build_object',
  id: 'json_build_object',
  strict: false,
  match: (args) => {
    if (args.length % 2 !== 0) {
      throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, 'argument list must have even number of elements', {
        hint: 'The arguments of json_build_object() must consist of alternating keys and values.',
      });
    }
    return { argTypes: args.map(settle), returnType: JSON_TYPE, cost: 0 };
  },
  make: (argTypes) => (a, ctx) => {
    const parts: string[] = [];
    for (let i = 0; i < a.length; i += 2) {
      const k = a[i]!;
      if (k === null) throw new SqlError(SqlState.NULL_VALUE_NOT_ALLOWED, 'null value not allowed for object key');
      const kt = argTypes[i]!;
      const key = isCharacter(kt) ? (k as string) : formatValue(k, kt, ctx);
      parts.push(`${JSON.stringify(key)} : ${toJsonText(a[i + 1]!, argTypes[i + 1]!, ctx)}`);
    }
    return `{${parts.join(', ')}}`;
  },
});

generic({
  name: 'json_build_array',
  id: 'json_build_array',
  strict: false,
  match: (args) => ({ argTypes: args.map(settle), returnType: JSON_TYPE, cost: 0 }),
  make: (argTypes) => (a, ctx) => `[${a.map((v, i) => toJsonText(v, argTypes[i]!, ctx)).join(', ')}]`,
});

generic({
  name: ['to_json', 'to_jsonb'],
  id: 'to_json',
  match: (args) => (args.length === 1 ? { argTypes: args.map(settle), returnType: JSON_TYPE, cost: 0 } : undefined),
  make: (argTypes) => (a, ctx) => toJsonText(a[0]!, argTypes[0]!, ctx),
});

generic({
  name: 'array_to_json',
  id: 'array_to_json',
  match: (args) => (args.length === 1 && args[0]!.kind === 'ARRAY' ? { argTypes: args, returnType: JSON_TYPE, cost: 0 } : undefined),
  make: (argTypes) => (a, ctx) => toJsonText(a[0]!, argTypes[0]!, ctx),
});
