/**
 * PostgreSQL's JSON operators: `json -> key | index` (a field or an array
 * element, as json), `json ->> key | index` (as text), `json #> path` and
 * `json #>> path` (following a text[] of keys and indexes).
 *
 * As in PostgreSQL for `json`, the result is the exact text of the value
 * found (white space kept), found by scanning the input text without
 * building it; `->>` and `#>>` unquote a string and give NULL for a JSON
 * null. Anything missing (no such key, an index out of range, a key applied
 * to an array or a scalar) is NULL; a negative index counts from the end.
 * The left operand is json (jsonb is the same type here) or text holding JSON;
 * text that is not JSON fails with 22P02.
 */
import { isCharacter, isIntegral, JSON_TYPE, STRING, type SqlType, type Value } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import { generic } from './registry.ts';

/** One step: a key of an object, or an element of an array by index. */
type Step = string | number;

function invalid(text: string): SqlError {
  return new SqlError(SqlState.INVALID_TEXT_REPRESENTATION, `invalid input syntax for type json: "${text.length > 60 ? `${text.slice(0, 60)}...` : text}"`);
}

function skipSpace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 10 && c !== 13) break;
    i++;
  }
  return i;
}

/** The index just after the string starting at `i` (a `"`). */
function stringEnd(text: string, i: number): number {
  for (let k = i + 1; k < text.length; k++) {
    const c = text[k];
    if (c === '\\') k++;
    else if (c === '"') return k + 1;
  }
  throw invalid(text);
}

/** The index just after the JSON value starting at `i`. */
function valueEnd(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return stringEnd(text, i);
  if (c === '{' || c === '[') {
    const close = c === '{' ? '}' : ']';
    let k = skipSpace(text, i + 1);
    if (text[k] === close) return k + 1;
    for (;;) {
      if (c === '{') {
        if (text[k] !== '"') throw invalid(text);
        k = skipSpace(text, stringEnd(text, k));
        if (text[k] !== ':') throw invalid(text);
        k = skipSpace(text, k + 1);
      }
      k = skipSpace(text, valueEnd(text, k));
      if (text[k] === ',') k = skipSpace(text, k + 1);
      else if (text[k] === close) return k + 1;
      else throw invalid(text);
    }
  }
  const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
  if (m === null) throw invalid(text);
  return i + m[0].length;
}

/** [start, end) of the value `step` selects in the value at [start, end), or undefined. */
function select(text: string, start: number, step: Step): [number, number] | undefined {
  const c = text[start];
  if (typeof step === 'string') {
    if (c !== '{') return undefined;
    let found: [number, number] | undefined;
    let k = skipSpace(text, start + 1);
    if (text[k] === '}') return undefined;
    for (;;) {
      if (text[k] !== '"') throw invalid(text);
      const keyEnd = stringEnd(text, k);
      const key = JSON.parse(text.slice(k, keyEnd)) as string;
      k = skipSpace(text, keyEnd);
      if (text[k] !== ':') throw invalid(text);
      k = skipSpace(text, k + 1);
      const end = valueEnd(text, k);
      if (key === step) found = [k, end]; // the last of duplicate keys, as PostgreSQL's json
      k = skipSpace(text, end);
      if (text[k] === ',') k = skipSpace(text, k + 1);
      else if (text[k] === '}') return found;
      else throw invalid(text);
    }
  }
  if (c !== '[') return undefined;
  const elements: [number, number][] = [];
  let k = skipSpace(text, start + 1);
  if (text[k] === ']') return undefined;
  for (;;) {
    const end = valueEnd(text, k);
    elements.push([k, end]);
    k = skipSpace(text, end);
    if (text[k] === ',') k = skipSpace(text, k + 1);
    else if (text[k] === ']') break;
    else throw invalid(text);
  }
  const at = step < 0 ? elements.length + step : step;
  return elements[at];
}

/** The text of the value `steps` lead to in `json`, or null. */
function follow(json: string, steps: readonly Step[]): string | null {
  let start = skipSpace(json, 0);
  let end = valueEnd(json, start);
  if (skipSpace(json, end) !== json.length) throw invalid(json);
  for (const step of steps) {
    const next = select(json, start, step);
    if (next === undefined) return null;
    [start, end] = next;
  }
  return json.slice(start, end);
}

/** A found value as text (`->>`, `#>>`): a string unquoted, a JSON null as NULL. */
function asText(found: string | null): string | null {
  if (found === null || found === 'null') return null;
  return found.startsWith('"') ? (JSON.parse(found) as string) : found;
}

const readsJson = (t: SqlType): boolean => t.kind === 'JSON' || isCharacter(t) || t.kind === 'NULL';
const json = (t: SqlType): SqlType => (t.kind === 'NULL' ? JSON_TYPE : t);

for (const [op, text] of [['->', false], ['->>', true]] as const) {
  generic({
    name: op,
    id: `json${op}`,
    match: (args) => {
      if (args.length !== 2 || !readsJson(args[0]!)) return undefined;
      const key = args[1]!;
      if (!isCharacter(key) && !isIntegral(key) && key.kind !== 'NULL') return undefined;
      return { argTypes: [json(args[0]!), key.kind === 'NULL' ? STRING : key], returnType: text ? STRING : JSON_TYPE, cost: 0 };
    },
    make: () => (a) => {
      const found = follow(a[0] as string, [typeof a[1] === 'bigint' ? Number(a[1]) : (a[1] as string | number)]);
      return text ? asText(found) : found;
    },
  });
}

for (const [op, text] of [['#>', false], ['#>>', true]] as const) {
  generic({
    name: op,
    id: `json${op}`,
    match: (args) => {
      if (args.length !== 2 || !readsJson(args[0]!)) return undefined;
      const path = args[1]!;
      if (!(path.kind === 'ARRAY' && isCharacter(path.element)) && !isCharacter(path) && path.kind !== 'NULL') return undefined;
      return { argTypes: [json(args[0]!), { kind: 'ARRAY', element: STRING }], returnType: text ? STRING : JSON_TYPE, cost: 0 };
    },
    make: () => (a) => {
      const steps: string[] = [];
      for (const p of a[1] as readonly Value[]) {
        if (p === null) return null;
        steps.push(p as string);
      }
      const found = followPath(a[0] as string, steps);
      return text ? asText(found) : found;
    },
  });
}

/** `#>`: a key that reads as an integer also indexes an array, as in PostgreSQL (one pass over the text). */
function followPath(json: string, keys: readonly string[]): string | null {
  let start = skipSpace(json, 0);
  let end = valueEnd(json, start);
  if (skipSpace(json, end) !== json.length) throw invalid(json);
  for (const key of keys) {
    const step: Step = json[start] === '[' ? (/^-?\d+$/.test(key) ? Number(key) : Number.NaN) : key;
    if (typeof step === 'number' && Number.isNaN(step)) return null;
    const next = select(json, start, step);
    if (next === undefined) return null;
    [start, end] = next;
  }
  return json.slice(start, end);
}
