/**
 * LIKE / ILIKE / SIMILAR TO (with optional ESCAPE), POSIX regex operators
 * ~ !~ ~* !~*, and the regexp_* functions.
 *
 * Patterns compile to JS RegExps (with the `s` flag so `.` and `%` cross
 * newlines, `u` for code points). LIKE's default escape is `\`; an empty
 * ESCAPE disables escaping. POSIX regexes are passed to JS RegExp as they are
 * (the common subset agrees); invalid ones give 2201B. The last compiled
 * pattern is cached per call site, so a constant pattern compiles once.
 */
import { BOOLEAN, INT, STRING, arrayOf, type Value } from '../../catalog/types.ts';
import { SqlError, SqlState } from '../errors.ts';
import { fixed } from './registry.ts';
import type { ScalarImpl } from './signatures.ts';

const REGEX_SPECIAL = /[.*+?^${}()|[\]\\/]/;

function escapeChar(c: string): string {
  return REGEX_SPECIAL.test(c) ? `\\${c}` : c;
}

function invalidEscape(): SqlError {
  return new SqlError('22025', 'invalid escape string', { hint: 'Escape string must be empty or one character.' });
}

/** Translates a LIKE pattern into a RegExp source (anchored). */
export function likeToRegexSource(pattern: string, escape: string | null): string {
  if (escape !== null && [...escape].length > 1) throw invalidEscape();
  let out = '^';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (escape !== null && escape !== '' && c === escape) {
      const next = chars[++i];
      if (next === undefined) {
        throw new SqlError('22025', 'LIKE pattern must not end with escape character');
      }
      out += escapeChar(next);
    } else if (c === '%') out += '.*';
    else if (c === '_') out += '.';
    else out += escapeChar(c);
  }
  return `${out}$`;
}

/** Translates a SIMILAR TO pattern into a RegExp source (anchored). */
export function similarToRegexSource(pattern: string, escape: string | null): string {
  if (escape !== null && [...escape].length > 1) throw invalidEscape();
  let out = '^(?:';
  const chars = [...pattern];
  let inClass = false;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!;
    if (escape !== null && escape !== '' && c === escape) {
      const next = chars[++i];
      if (next === undefined) throw new SqlError('2201B', 'SIMILAR TO pattern must not end with escape character');
      out += escapeChar(next);
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c === '\\' ? '\\\\' : c;
      continue;
    }
    switch (c) {
      case '%':
        out += '.*';
        break;
      case '_':
        out += '.';
        break;
      case '[':
        inClass = true;
        out += c;
        break;
      case '|':
      case '*':
      case '+':
      case '?':
      case '{':
      case '}':
      case '(':
      case ')':
        out += c === '(' ? '(?:' : c;
        break;
      default:
        out += escapeChar(c);
    }
  }
  return `${out})$`;
}

function compile(source: string, flags: string): RegExp {
  try {
    return new RegExp(source, flags);
  } catch (e) {
    throw new SqlError(SqlState.INVALID_REGULAR_EXPRESSION, `invalid regular expression: ${(e as Error).message}`);
  }
}

/** A per-call-site cache of the last (pattern, escape) -> RegExp. */
function cached(translate: (p: string, esc: string | null) => string, flags: string): (p: string, esc: string | null) => RegExp {
  let lastP: string | undefined;
  let lastE: string | null | undefined;
  let last: RegExp | undefined;
  return (p, esc) => {
    if (last !== undefined && p === lastP && esc === lastE) return last;
    last = compile(translate(p, esc), flags);
    lastP = p;
    lastE = esc;
    return last;
  };
}

function patternOp(name: string, translate: (p: string, esc: string | null) => string, flags: string, negate: boolean): void {
  const make = (): ScalarImpl => {
    const get = cached(translate, flags);
    return (a) => {
      const esc = a.length > 2 ? (a[2] as string) : '\\';
      return get(a[1] as string, esc).test(a[0] as string) !== negate;
    };
  };
  fixed({ name, params: [STRING, STRING], returns: BOOLEAN, make });
  fixed({ name, params: [STRING, STRING, STRING], returns: BOOLEAN, make });
}

patternOp('like', likeToRegexSource, 'su', false);
patternOp('not_like', likeToRegexSource, 'su', true);
patternOp('ilike', likeToRegexSource, 'isu', false);
patternOp('not_ilike', likeToRegexSource, 'isu', true);
patternOp('similar', similarToRegexSource, 'su', false);
patternOp('not_similar', similarToRegexSource, 'su', true);

/** POSIX-style regex translated for JS: `[[:alpha:]]` classes and `\y` word boundaries. */
export function posixToJs(p: string): string {
  return p
    .replace(/\[:alpha:\]/g, 'a-zA-Z')
    .replace(/\[:digit:\]/g, '0-9')
    .replace(/\[:alnum:\]/g, 'a-zA-Z0-9')
    .replace(/\[:upper:\]/g, 'A-Z')
    .replace(/\[:lower:\]/g, 'a-z')
    .replace(/\[:space:\]/g, '\\s')
    .replace(/\[:punct:\]/g, '!-\\/:-@\\[-`{-~')
    .replace(/\[:xdigit:\]/g, '0-9A-Fa-f')
    .replace(/\\y/g, '\\b');
}

/** Cached compile of a POSIX regex with flags. */
export function regexCache(): (p: string, flags: string) => RegExp {
  let lastP: string | undefined;
  let lastF: string | undefined;
  let last: RegExp | undefined;
  return (p, flags) => {
    if (last !== undefined && p === lastP && flags === lastF) return last;
    last = compile(posixToJs(p), flags);
    lastP = p;
    lastF = flags;
    return last;
  };
}

for (const [op, flags, negate] of [
  ['~', 'su', false],
  ['!~', 'su', true],
  ['~*', 'isu', false],
  ['!~*', 'isu', true],
] as const) {
  fixed({
    name: op,
    params: [STRING, STRING],
    returns: BOOLEAN,
    make: () => {
      const get = regexCache();
      return (a) => {
        const re = get(a[1] as string, flags);
        re.lastIndex = 0;
        return re.test(a[0] as string) !== negate;
      };
    },
  });
}

/** Postgres regexp flags (g, i, c, n, s...) to JS flags; `g` reported separately. */
function jsFlags(pgFlags: string): { flags: string; global: boolean } {
  let flags = 'su';
  let global = false;
  for (const f of pgFlags) {
    if (f === 'g') global = true;
    else if (f === 'i') flags += 'i';
    else if (f === 'n' || f === 'm') flags = flags.replace('s', '') + 'm';
    else if (f !== 'c') throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `invalid regular expression option: "${f}"`);
  }
  return { flags, global };
}

/** Postgres replacement text: `\1`..`\9` groups, `\&` whole match, `\\` a backslash. */
function pgReplacement(repl: string): (match: string, groups: readonly (string | undefined)[]) => string {
  return (match, groups) =>
    repl.replace(/\\([0-9&\\])/g, (_m, c: string) => {
      if (c === '\\') return '\\';
      if (c === '&' || c === '0') return match;
      return groups[Number(c) - 1] ?? '';
    });
}

function regexpReplace(a: readonly Value[], get: (p: string, f: string) => RegExp, pgFlags: string, flinkStyle: boolean): Value {
  const { flags, global } = jsFlags(pgFlags);
  const re = get(a[1] as string, flags + (global || flinkStyle ? 'g' : ''));
  re.lastIndex = 0;
  const repl = a[2] as string;
  if (flinkStyle) {
    // Java replacement: $1 groups, \ escapes.
    return (a[0] as string).replace(re, (match: string, ...rest: unknown[]) => {
      const groups = rest.slice(0, -2) as (string | undefined)[];
      return repl.replace(/\\(.)|\$(\d)/g, (_m, esc: string | undefined, g: string | undefined) =>
        esc !== undefined ? esc : g === '0' ? match : (groups[Number(g) - 1] ?? ''),
      );
    });
  }
  const f = pgReplacement(repl);
  return (a[0] as string).replace(re, (match: string, ...rest: unknown[]) => f(match, rest.slice(0, -2) as (string | undefined)[]));
}

fixed({
  name: 'regexp_replace',
  params: [STRING, STRING, STRING],
  returns: STRING,
  make: () => {
    const get = regexCache();
    return (a) => regexpReplace(a, get, '', true);
  },
});
fixed({
  name: 'regexp_replace',
  params: [STRING, STRING, STRING, STRING],
  returns: STRING,
  make: () => {
    const get = regexCache();
    return (a) => regexpReplace(a, get, a[3] as string, false);
  },
});

const extract = (a: readonly Value[], get: (p: string, f: string) => RegExp, group: number): Value => {
  const re = get(a[1] as string, 'su');
  const m = re.exec(a[0] as string);
  if (m === null) return null;
  if (group < 0 || group >= m.length) {
    throw new SqlError(SqlState.INVALID_PARAMETER_VALUE, `regexp_extract group index ${group} out of range`);
  }
  return m[group] ?? null;
};

fixed({
  name: 'regexp_extract',
  params: [STRING, STRING],
  returns: STRING,
  make: () => {
    const get = regexCache();
    return (a) => extract(a, get, 0);
  },
});
fixed({
  name: 'regexp_extract',
  params: [STRING, STRING, INT],
  returns: STRING,
  make: () => {
    const get = regexCache();
    return (a) => extract(a, get, a[2] as number);
  },
});

fixed({
  name: 'regexp',
  params: [STRING, STRING],
  returns: BOOLEAN,
  make: () => {
    const get = regexCache();
    return (a) => get(a[1] as string, 'su').test(a[0] as string);
  },
});

const matchImpl = (): ScalarImpl => {
  const get = regexCache();
  return (a) => {
    const flags = a.length > 2 ? jsFlags(a[2] as string).flags : 'su';
    const m = get(a[1] as string, flags).exec(a[0] as string);
    if (m === null) return null;
    return m.length > 1 ? m.slice(1).map((g) => g ?? null) : [m[0]];
  };
};
fixed({ name: 'regexp_match', params: [STRING, STRING], returns: arrayOf(STRING), make: matchImpl });
fixed({ name: 'regexp_match', params: [STRING, STRING, STRING], returns: arrayOf(STRING), make: matchImpl });


/** substring(s FROM pattern): the first parenthesised group of the first POSIX match, else the whole match. */
fixed({
  name: 'substring',
  params: [STRING, STRING],
  returns: STRING,
  make: () => {
    const get = regexCache();
    return (a) => {
      const m = get(a[1] as string, 'su').exec(a[0] as string);
      if (m === null) return null;
      return m.length > 1 ? (m[1] ?? null) : m[0];
    };
  },
});
