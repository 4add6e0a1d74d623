/**
 * SQL/JSON path expressions, the part that JSON_VALUE, JSON_QUERY and
 * JSON_EXISTS use (as Flink and PostgreSQL read them):
 *
 *   [lax | strict] $ accessor*
 *   accessor: .name | ."name" | .* | [subscripts] | [*] | .["name"] | ['name']
 *   subscripts: n | last | last - n | n to m, comma-separated
 *
 * A path evaluates to a sequence of items (parsed JSON values). In lax mode
 * (the default) a member accessor applied to an array applies to each of its
 * elements, a subscript applied to a non-array treats it as a one-element
 * array, and what is missing is simply absent (an empty sequence); in strict
 * mode each of those is an error (JsonPathError, with its SQLSTATE), which the
 * calling function handles as its ON ERROR clause says.
 *
 * `parseJsonPath` throws SqlError 42601 for a path it cannot read; paths are
 * usually constants, so callers cache the parsed form per path text.
 */
import { SqlError, SqlState } from '../errors.ts';

/** A parsed JSON value (JSON.parse output). */
export type JsonItem = null | boolean | number | string | JsonItem[] | { [key: string]: JsonItem };

type Subscript = { readonly from: IndexExpr; readonly to: IndexExpr };
/** An index: a number, or `last` minus a number. */
type IndexExpr = { readonly last: boolean; readonly offset: number };

type Accessor =
  | { readonly kind: 'member'; readonly name: string }
  | { readonly kind: 'any-member' }
  | { readonly kind: 'elements'; readonly subscripts: readonly Subscript[] }
  | { readonly kind: 'any-element' };

export interface JsonPath {
  readonly strict: boolean;
  readonly accessors: readonly Accessor[];
}

/** An error of evaluating a path in strict mode (or of the item found), handled by ON ERROR. */
export class JsonPathError extends SqlError {}

export function parseJsonPath(text: string): JsonPath {
  const bad = (what: string): SqlError =>
    new SqlError(SqlState.SYNTAX_ERROR, `syntax error in JSON path "${text}": ${what}`, {
      hint: "Write a path such as '$.a', '$.a[0].b', '$.a[*]', '$[\"key with dots\"]' or 'strict $.a'.",
    });
  let i = 0;
  const space = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const word = (): string => {
    const m = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(text.slice(i));
    if (m === null) return '';
    i += m[0].length;
    return m[0];
  };
  const quoted = (): string => {
    const q = text[i]!;
    let out = '';
    i++;
    while (i < text.length && text[i] !== q) {
      if (text[i] === '\\' && i + 1 < text.length) {
        const c = text[i + 1]!;
        out += c === 'n' ? '\n' : c === 't' ? '\t' : c;
        i += 2;
      } else out += text[i++]!;
    }
    if (i >= text.length) throw bad('unterminated quoted name');
    i++;
    return out;
  };
  const index = (): IndexExpr => {
    space();
    if (text.startsWith('last', i)) {
      i += 4;
      space();
      if (text[i] === '-') {
        i++;
        space();
        return { last: true, offset: -integer() };
      }
      return { last: true, offset: 0 };
    }
    return { last: false, offset: integer() };
  };
  const integer = (): number => {
    const m = /^\d+/.exec(text.slice(i));
    if (m === null) throw bad(`expected an array index at position ${i + 1}`);
    i += m[0].length;
    return Number(m[0]);
  };

  space();
  let strict = false;
  const save = i;
  const mode = word().toLowerCase();
  if (mode === 'strict') strict = true;
  else if (mode !== 'lax') i = save;
  space();
  if (text[i] !== '$') throw bad('a path starts with $');
  i++;
  const accessors: Accessor[] = [];
  for (;;) {
    space();
    if (i >= text.length) break;
    const c = text[i]!;
    if (c === '.') {
      i++;
      space();
      const d = text[i];
      if (d === '*') {
        i++;
        accessors.push({ kind: 'any-member' });
      } else if (d === '"' || d === "'") accessors.push({ kind: 'member', name: quoted() });
      else if (d === '[') continue; // `$.["a.b"]`: a bracket right after the dot
      else {
        const name = word();
        if (name === '') throw bad(`expected a member name at position ${i + 1}`);
        accessors.push({ kind: 'member', name });
      }
    } else if (c === '[') {
      i++;
      space();
      if (text[i] === '*') {
        i++;
        space();
        if (text[i] !== ']') throw bad(`expected ] at position ${i + 1}`);
        i++;
        accessors.push({ kind: 'any-element' });
        continue;
      }
      if (text[i] === '"' || text[i] === "'") {
        accessors.push({ kind: 'member', name: quoted() });
        space();
        if (text[i] !== ']') throw bad(`expected ] at position ${i + 1}`);
        i++;
        continue;
      }
      const subscripts: Subscript[] = [];
      for (;;) {
        const from = index();
        space();
        let to = from;
        if (text.startsWith('to', i)) {
          i += 2;
          to = index();
          space();
        }
        subscripts.push({ from, to });
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          break;
        }
        throw bad(`expected , or ] at position ${i + 1}`);
      }
      accessors.push({ kind: 'elements', subscripts });
    } else throw bad(`unexpected "${c}" at position ${i + 1}`);
  }
  return { strict, accessors };
}

/** The items `path` selects in `root`; throws JsonPathError for what strict mode does not allow. */
export function evaluateJsonPath(path: JsonPath, root: JsonItem): JsonItem[] {
  let items: JsonItem[] = [root];
  for (const a of path.accessors) {
    const next: JsonItem[] = [];
    for (const item of items) step(path.strict, a, item, next);
    items = next;
  }
  return items;
}

function isObject(v: JsonItem): v is { [key: string]: JsonItem } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function step(strict: boolean, a: Accessor, item: JsonItem, out: JsonItem[]): void {
  switch (a.kind) {
    case 'member':
    case 'any-member':
      if (Array.isArray(item) && !strict) {
        for (const e of item) step(strict, a, e, out);
        return;
      }
      if (!isObject(item)) {
        if (strict) throw new JsonPathError(SqlState.SQL_JSON_OBJECT_NOT_FOUND, `JSON path member accessor can only be applied to an object`);
        return;
      }
      if (a.kind === 'any-member') {
        for (const v of Object.values(item)) out.push(v);
        return;
      }
      if (Object.prototype.hasOwnProperty.call(item, a.name)) out.push(item[a.name]!);
      else if (strict) throw new JsonPathError(SqlState.SQL_JSON_MEMBER_NOT_FOUND, `JSON object does not contain key "${a.name}"`);
      return;
    case 'any-element':
      if (Array.isArray(item)) for (const e of item) out.push(e);
      else if (strict) throw new JsonPathError(SqlState.SQL_JSON_ARRAY_NOT_FOUND, 'JSON path wildcard array accessor can only be applied to an array');
      else out.push(item);
      return;
    case 'elements': {
      const arr = Array.isArray(item) ? item : strict ? undefined : [item];
      if (arr === undefined) throw new JsonPathError(SqlState.SQL_JSON_ARRAY_NOT_FOUND, 'JSON path array accessor can only be applied to an array');
      const at = (e: IndexExpr): number => (e.last ? arr.length - 1 + e.offset : e.offset);
      for (const s of a.subscripts) {
        const from = at(s.from);
        const to = at(s.to);
        for (let k = from; k <= to; k++) {
          if (k >= 0 && k < arr.length) out.push(arr[k]!);
          else if (strict) throw new JsonPathError(SqlState.INVALID_SQL_JSON_SUBSCRIPT, 'JSON path array subscript is out of bounds');
        }
      }
      return;
    }
  }
}
