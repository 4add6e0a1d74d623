/**
 * String functions (Postgres semantics unless noted; positions are 1-based and
 * count characters, i.e. code points): || , upper, lower, length family,
 * substring/substr, position/strpos, trim family, lpad/rpad, replace, concat
 * (Flink: NULL if any argument is NULL), concat_ws (skips NULLs), initcap,
 * left/right (Flink: a negative count gives ''), repeat, reverse, split_part, split_index (Flink, 0-based),
 * starts_with, md5, chr, ascii, to_hex, format (%s %I %L), quote_ident,
 * quote_literal, quote_nullable, string_to_array, array_to_string, overlay,
 * instr/locate (Flink), to_base64/from_base64, translate.
 */
import { createHash } from 'node:crypto';
import { BIGINT, BOOLEAN, INT, isCharacter, STRING, arrayOf, type SqlType, type Value } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import { castFunction } from '../values/cast.ts';
import { formatValue } from '../values/text-format.ts';
import { invalidArgument } from './numeric-errors.ts';
import { fixed, generic, pure } from './registry.ts';
import type { ScalarImpl } from './signatures.ts';

const NULL_TYPE: SqlType = { kind: 'NULL' };

function chars(s: string): string[] {
  return [...s];
}

/** True when every character is one UTF-16 unit, so string indexes are character positions. */
function singleUnits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdfff) return false;
  }
  return true;
}

/** Characters [from, to) (0-based, clipped) without splitting surrogate pairs. */
function charSlice(s: string, from: number, to: number): string {
  if (singleUnits(s)) return s.slice(Math.max(0, from), Math.max(0, to));
  return chars(s).slice(Math.max(0, from), Math.max(0, to)).join('');
}

function charLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff) n++;
  }
  return n;
}

/** Postgres substring(s from start for count): the window [start, start + count) clipped to the string. */
export function substring(s: string, start: number, count: number | undefined): string {
  if (count !== undefined && count < 0) throw new SqlError('22011', 'negative substring length not allowed');
  const from = Math.max(start, 1);
  const to = count === undefined ? Number.MAX_SAFE_INTEGER : start + count;
  if (to <= from) return '';
  return charSlice(s, from - 1, to - 1);
}

/** 1-based position of `needle` in `hay` in characters, 0 if absent. */
export function strpos(hay: string, needle: string): number {
  const i = hay.indexOf(needle);
  return i < 0 ? 0 : charLength(hay.slice(0, i)) + 1;
}

function trimChars(s: string, set: string, leading: boolean, trailing: boolean): string {
  const cs = chars(s);
  const drop = new Set(chars(set));
  let b = 0;
  let e = cs.length;
  if (leading) while (b < e && drop.has(cs[b]!)) b++;
  if (trailing) while (e > b && drop.has(cs[e - 1]!)) e--;
  return cs.slice(b, e).join('');
}

function pad(s: string, len: number, fill: string, left: boolean): string {
  const cs = chars(s);
  if (len <= 0) return '';
  if (cs.length >= len) return cs.slice(0, len).join('');
  const fc = chars(fill);
  if (fc.length === 0) return s;
  const need = len - cs.length;
  const padding: string[] = [];
  for (let i = 0; i < need; i++) padding.push(fc[i % fc.length]!);
  return left ? padding.join('') + s : s + padding.join('');
}

export function initcap(s: string): string {
  let out = '';
  let inWord = false;
  for (const c of s) {
    const alnum = /[\p{L}\p{N}]/u.test(c);
    out += alnum ? (inWord ? c.toLowerCase() : c.toUpperCase()) : c;
    inWord = alnum;
  }
  return out;
}

export function quoteIdent(s: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(s) && !RESERVED.has(s)) return s;
  return `"${s.replace(/"/g, '""')}"`;
}

export function quoteLiteral(s: string): string {
  const body = s.replace(/'/g, "''");
  if (s.includes('\\')) return `E'${body.replace(/\\/g, '\\\\')}'`;
  return `'${body}'`;
}

/** Reserved key words that quote_ident must quote (Postgres' reserved list). */
const RESERVED = new Set(
  (
    'all analyse analyze and any array as asc asymmetric both case cast check collate column constraint create ' +
    'current_catalog current_date current_role current_time current_timestamp current_user default deferrable desc ' +
    'distinct do else end except false fetch for foreign from grant group having in initially intersect into lateral ' +
    'leading limit localtime localtimestamp not null offset on only or order placing primary references returning ' +
    'select session_user some symmetric table then to trailing true union unique user using variadic when where window with'
  ).split(' '),
);

function textOf(v: Value, t: SqlType): string {
  if (isCharacter(t)) return t.kind === 'CHAR' ? (v as string).replace(/ +$/, '') : (v as string);
  if (t.kind === 'BOOLEAN') return v ? 't' : 'f';
  return formatValue(v, t, { timeZone: 'UTC' });
}

// ------------------------------------------------------------ concatenation

/** `||`: string || string, string || any non-array (cast to text), arrays handled in array-functions. */
generic({
  name: '||',
  id: 'text||',
  match: (args) => {
    if (args.length !== 2) return undefined;
    const [a, b] = args as [SqlType, SqlType];
    if (a.kind === 'ARRAY' || b.kind === 'ARRAY') return undefined;
    const sa = isCharacter(a) || a.kind === 'NULL';
    const sb = isCharacter(b) || b.kind === 'NULL';
    if (!sa && !sb) return undefined;
    const cost = (isCharacter(a) ? 0 : 1) + (isCharacter(b) ? 0 : 1);
    for (const t of args) if (t.kind !== 'NULL' && castFunction(t, STRING) === undefined) return undefined;
    return { argTypes: [STRING, STRING], returnType: STRING, cost };
  },
  make: () => (a) => (a[0] as string) + (a[1] as string),
});

const upper = pure((a) => (a[0] as string).toUpperCase());
const lower = pure((a) => (a[0] as string).toLowerCase());
fixed({ name: ['upper', 'ucase'], params: [STRING], returns: STRING, make: upper });
fixed({ name: ['lower', 'lcase'], params: [STRING], returns: STRING, make: lower });
fixed({
  name: ['length', 'char_length', 'character_length'],
  params: [STRING],
  returns: INT,
  make: pure((a) => charLength(a[0] as string)),
});
fixed({
  name: 'octet_length',
  params: [STRING],
  returns: INT,
  make: pure((a) => Buffer.byteLength(a[0] as string, 'utf8')),
});
fixed({ name: ['octet_length', 'length'], params: [{ kind: 'BYTES' }], returns: INT, make: pure((a) => (a[0] as Uint8Array).length) });
fixed({ name: 'bit_length', params: [STRING], returns: INT, make: pure((a) => Buffer.byteLength(a[0] as string, 'utf8') * 8) });

fixed({
  name: ['substring', 'substr'],
  params: [STRING, INT],
  returns: STRING,
  make: pure((a) => substring(a[0] as string, a[1] as number, undefined)),
});
fixed({
  name: ['substring', 'substr'],
  params: [STRING, INT, INT],
  returns: STRING,
  make: pure((a) => substring(a[0] as string, a[1] as number, a[2] as number)),
});
// POSITION(needle IN hay) is bound as position(needle, hay); strpos(hay, needle).
fixed({ name: 'position', params: [STRING, STRING], returns: INT, make: pure((a) => strpos(a[1] as string, a[0] as string)) });
fixed({ name: 'strpos', params: [STRING, STRING], returns: INT, make: pure((a) => strpos(a[0] as string, a[1] as string)) });
fixed({ name: 'instr', params: [STRING, STRING], returns: INT, make: pure((a) => strpos(a[0] as string, a[1] as string)) });
fixed({
  name: 'locate',
  params: [STRING, STRING],
  returns: INT,
  make: pure((a) => strpos(a[1] as string, a[0] as string)),
});
fixed({
  name: 'locate',
  params: [STRING, STRING, INT],
  returns: INT,
  make: pure((a) => {
    const from = Math.max(1, a[2] as number);
    const hay = chars(a[1] as string);
    const p = strpos(hay.slice(from - 1).join(''), a[0] as string);
    return p === 0 ? 0 : p + from - 1;
  }),
});

for (const [name, leading, trailing] of [
  ['btrim', true, true],
  ['ltrim', true, false],
  ['rtrim', false, true],
] as const) {
  fixed({ name, params: [STRING], returns: STRING, make: pure((a) => trimChars(a[0] as string, ' ', leading, trailing)) });
  fixed({ name, params: [STRING, STRING], returns: STRING, make: pure((a) => trimChars(a[0] as string, a[1] as string, leading, trailing)) });
}

fixed({ name: 'trim', params: [STRING], returns: STRING, make: pure((a) => trimChars(a[0] as string, ' ', true, true)) });
/** TRIM([BOTH|LEADING|TRAILING] chars FROM x), bound as trim(side, chars, x). */
fixed({
  name: 'trim',
  params: [STRING, STRING, STRING],
  returns: STRING,
  make: pure((a) => {
    const side = (a[0] as string).toUpperCase();
    return trimChars(a[2] as string, a[1] as string, side !== 'TRAILING', side !== 'LEADING');
  }),
});

fixed({ name: 'lpad', params: [STRING, INT], returns: STRING, make: pure((a) => pad(a[0] as string, a[1] as number, ' ', true)) });
fixed({ name: 'rpad', params: [STRING, INT], returns: STRING, make: pure((a) => pad(a[0] as string, a[1] as number, ' ', false)) });
fixed({ name: 'lpad', params: [STRING, INT, STRING], returns: STRING, make: pure((a) => pad(a[0] as string, a[1] as number, a[2] as string, true)) });
fixed({ name: 'rpad', params: [STRING, INT, STRING], returns: STRING, make: pure((a) => pad(a[0] as string, a[1] as number, a[2] as string, false)) });

fixed({
  name: 'replace',
  params: [STRING, STRING, STRING],
  returns: STRING,
  make: pure((a) => {
    const from = a[1] as string;
    return from === '' ? (a[0] as string) : (a[0] as string).split(from).join(a[2] as string);
  }),
});

generic({
  name: 'concat',
  id: 'concat',
  strict: true,
  match: (args) => {
    if (args.length === 0) return undefined;
    for (const t of args) if (t.kind !== 'NULL' && castFunction(t, STRING) === undefined) return undefined;
    return { argTypes: args.map(() => STRING), returnType: STRING, cost: 0 };
  },
  make: () => (a) => {
    let s = '';
    for (const v of a) s += v as string;
    return s;
  },
});

generic({
  name: 'concat_ws',
  id: 'concat_ws',
  strict: false,
  match: (args) => {
    if (args.length < 1) return undefined;
    for (const t of args) if (t.kind !== 'NULL' && castFunction(t, STRING) === undefined) return undefined;
    return { argTypes: args.map(() => STRING), returnType: STRING, cost: 0 };
  },
  make: () => (a) => {
    const sep = a[0]!;
    if (sep === null) return null;
    const parts: string[] = [];
    for (let i = 1; i < a.length; i++) if (a[i] !== null) parts.push(a[i] as string);
    return parts.join(sep as string);
  },
});

fixed({ name: 'initcap', params: [STRING], returns: STRING, make: pure((a) => initcap(a[0] as string)) });
fixed({
  name: 'left',
  params: [STRING, INT],
  returns: STRING,
  make: pure((a) => {
    const n = a[1] as number;
    return n > 0 ? charSlice(a[0] as string, 0, n) : '';
  }),
});
fixed({
  name: 'right',
  params: [STRING, INT],
  returns: STRING,
  make: pure((a) => {
    const cs = chars(a[0] as string);
    const n = a[1] as number;
    return n > 0 ? cs.slice(Math.max(0, cs.length - n)).join('') : '';
  }),
});
fixed({
  name: 'repeat',
  params: [STRING, INT],
  returns: STRING,
  make: pure((a) => {
    const n = a[1] as number;
    if (n <= 0) return '';
    const s = a[0] as string;
    if (s.length * n > 1 << 28) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, 'requested length too large');
    return s.repeat(n);
  }),
});
fixed({ name: 'reverse', params: [STRING], returns: STRING, make: pure((a) => chars(a[0] as string).reverse().join('')) });
fixed({
  name: 'split_part',
  params: [STRING, STRING, INT],
  returns: STRING,
  make: pure((a) => {
    const n = a[2] as number;
    if (n === 0) throw invalidArgument('field position must not be zero');
    const delim = a[1] as string;
    const parts = delim === '' ? [a[0] as string] : (a[0] as string).split(delim);
    const i = n > 0 ? n - 1 : parts.length + n;
    return parts[i] ?? '';
  }),
});
fixed({
  name: 'split_index',
  params: [STRING, STRING, INT],
  returns: STRING,
  make: pure((a) => {
    const i = a[2] as number;
    if (i < 0) return null;
    return (a[0] as string).split(a[1] as string)[i] ?? null;
  }),
});
fixed({ name: 'starts_with', params: [STRING, STRING], returns: BOOLEAN, make: pure((a) => (a[0] as string).startsWith(a[1] as string)) });
fixed({ name: 'ends_with', params: [STRING, STRING], returns: BOOLEAN, make: pure((a) => (a[0] as string).endsWith(a[1] as string)) });
fixed({ name: 'md5', params: [STRING], returns: STRING, make: pure((a) => createHash('md5').update(a[0] as string, 'utf8').digest('hex')) });
fixed({ name: 'sha1', params: [STRING], returns: STRING, make: pure((a) => createHash('sha1').update(a[0] as string, 'utf8').digest('hex')) });
fixed({ name: 'sha256', params: [STRING], returns: STRING, make: pure((a) => createHash('sha256').update(a[0] as string, 'utf8').digest('hex')) });
fixed({
  name: 'chr',
  params: [INT],
  returns: STRING,
  make: pure((a) => {
    const n = a[0] as number;
    if (n === 0) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, 'null character not permitted');
    if (n < 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) throw new SqlError(SqlState.PROGRAM_LIMIT_EXCEEDED, 'requested character too large for encoding: ' + n);
    return String.fromCodePoint(n);
  }),
});
fixed({ name: 'ascii', params: [STRING], returns: INT, make: pure((a) => ((a[0] as string).codePointAt(0) ?? 0)) });
fixed({
  name: 'to_hex',
  params: [INT],
  returns: STRING,
  make: pure((a) => ((a[0] as number) >>> 0).toString(16)),
});
fixed({
  name: 'to_hex',
  params: [BIGINT],
  returns: STRING,
  make: pure((a) => BigInt.asUintN(64, a[0] as bigint).toString(16)),
});
fixed({ name: 'quote_ident', params: [STRING], returns: STRING, make: pure((a) => quoteIdent(a[0] as string)) });
fixed({ name: 'quote_literal', params: [STRING], returns: STRING, make: pure((a) => quoteLiteral(a[0] as string)) });
fixed({
  name: 'quote_nullable',
  params: [STRING],
  returns: STRING,
  strict: false,
  make: pure((a) => (a[0] === null ? 'NULL' : quoteLiteral(a[0] as string))),
});
fixed({
  name: 'translate',
  params: [STRING, STRING, STRING],
  returns: STRING,
  make: pure((a) => {
    const from = chars(a[1] as string);
    const to = chars(a[2] as string);
    let out = '';
    for (const c of a[0] as string) {
      const i = from.indexOf(c);
      if (i < 0) out += c;
      else if (i < to.length) out += to[i]!;
    }
    return out;
  }),
});
fixed({
  name: 'overlay',
  params: [STRING, STRING, INT],
  returns: STRING,
  make: pure((a) => {
    const s = chars(a[0] as string);
    const p = a[2] as number;
    const n = charLength(a[1] as string);
    return s.slice(0, Math.max(0, p - 1)).join('') + (a[1] as string) + s.slice(p - 1 + n).join('');
  }),
});
fixed({
  name: 'overlay',
  params: [STRING, STRING, INT, INT],
  returns: STRING,
  make: pure((a) => {
    const s = chars(a[0] as string);
    const p = a[2] as number;
    return s.slice(0, Math.max(0, p - 1)).join('') + (a[1] as string) + s.slice(p - 1 + (a[3] as number)).join('');
  }),
});
fixed({ name: 'to_base64', params: [STRING], returns: STRING, make: pure((a) => Buffer.from(a[0] as string, 'utf8').toString('base64')) });
fixed({ name: 'from_base64', params: [STRING], returns: STRING, make: pure((a) => Buffer.from(a[0] as string, 'base64').toString('utf8')) });

// ------------------------------------------------------------ format()

/** Postgres format(): %s (text), %I (identifier), %L (literal), %% ; positions `%2$s` supported. */
export function formatText(fmt: string, args: readonly Value[], types: readonly SqlType[]): string {
  let out = '';
  let next = 0;
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%') {
      out += c;
      continue;
    }
    i++;
    if (i >= fmt.length) throw invalidArgument('unterminated format() type specifier');
    let spec = fmt[i]!;
    if (spec === '%') {
      out += '%';
      continue;
    }
    let argIndex = next;
    const pos = /^(\d+)\$/.exec(fmt.slice(i));
    if (pos !== null) {
      argIndex = Number(pos[1]) - 1;
      i += pos[0].length;
      spec = fmt[i] ?? '';
    }
    next = argIndex + 1;
    if (argIndex >= args.length) throw invalidArgument('too few arguments for format()');
    const v = args[argIndex]!;
    const t = types[argIndex] ?? NULL_TYPE;
    switch (spec) {
      case 's':
        out += v === null ? '' : textOf(v, t);
        break;
      case 'I':
        if (v === null) throw new SqlError(SqlState.NULL_VALUE_NOT_ALLOWED, 'null values cannot be formatted as an SQL identifier');
        out += quoteIdent(textOf(v, t));
        break;
      case 'L':
        out += v === null ? 'NULL' : quoteLiteral(textOf(v, t));
        break;
      default:
        throw invalidArgument(`unrecognized format() type specifier "${spec}"`);
    }
  }
  return out;
}

generic({
  name: 'format',
  id: 'format',
  strict: false,
  match: (args) => {
    if (args.length < 1 || !(isCharacter(args[0]!) || args[0]!.kind === 'NULL')) return undefined;
    return { argTypes: [STRING, ...args.slice(1).map((t) => (t.kind === 'NULL' ? STRING : t))], returnType: STRING, cost: 0 };
  },
  make: (argTypes): ScalarImpl => {
    const types = argTypes.slice(1);
    return (a) => (a[0] === null ? null : formatText(a[0] as string, a.slice(1), types));
  },
});

// ------------------------------------------------------------ string <-> array

function stringToArray(s: string, delim: string | null, nullStr: string | null): Value[] {
  if (s === '') return [];
  const parts = delim === null ? chars(s) : delim === '' ? [s] : s.split(delim);
  return nullStr === null ? parts : parts.map((p) => (p === nullStr ? null : p));
}

fixed({
  name: ['string_to_array', 'split'],
  params: [STRING, STRING],
  returns: arrayOf(STRING),
  strict: false,
  make: pure((a) => (a[0] === null ? null : stringToArray(a[0] as string, a[1] as string | null, null))),
});
fixed({
  name: 'string_to_array',
  params: [STRING, STRING, STRING],
  returns: arrayOf(STRING),
  strict: false,
  make: pure((a) => (a[0] === null ? null : stringToArray(a[0] as string, a[1] as string | null, a[2] as string | null))),
});

function arrayToString(arr: readonly Value[], el: SqlType, sep: string, nullStr: string | null): string {
  const parts: string[] = [];
  const flat = (xs: readonly Value[], t: SqlType): void => {
    for (const x of xs) {
      if (x === null) {
        if (nullStr !== null) parts.push(nullStr);
      } else if (t.kind === 'ARRAY') flat(x as readonly Value[], t.element);
      else parts.push(textOf(x, t));
    }
  };
  flat(arr, el);
  return parts.join(sep);
}

generic({
  name: 'array_to_string',
  id: 'array_to_string',
  match: (args) => {
    if ((args.length !== 2 && args.length !== 3) || args[0]!.kind !== 'ARRAY') return undefined;
    for (const t of args.slice(1)) if (!isCharacter(t) && t.kind !== 'NULL') return undefined;
    return { argTypes: [args[0]!, ...args.slice(1).map(() => STRING)], returnType: STRING, cost: 0 };
  },
  strict: false,
  make: (argTypes) => {
    const el = (argTypes[0] as { element: SqlType }).element;
    return (a) => {
      if (a[0] === null || a[1] === null) return null;
      return arrayToString(a[0] as readonly Value[], el, a[1] as string, a.length > 2 ? (a[2] as string | null) : null);
    };
  },
});
