/**
 * Lexical layer of the SQL grammar.
 *
 * Contract:
 * - `lexSql(text)` returns chevrotain tokens with `startOffset` relative to `text`.
 * - Words are lexed as one `Identifier` token type and then re-tagged as keyword
 *   token types by a lookup in `KEYWORDS` (one table, case-insensitive), so the
 *   keyword list is data and the lexer has a single word pattern.
 * - Reserved keywords can never be identifiers; non-reserved ones carry the
 *   `IdentTok` category and are accepted wherever an identifier is.
 * - Every token type except `;` carries the `RawTok` category (used by utility
 *   statements that are interpreted word by word in the AST builder).
 */
import { createToken, Lexer, tokenMatcher, type IToken, type TokenType } from 'chevrotain';

// ---------------------------------------------------------------- categories

/** Anything that may be used as an identifier (plain, quoted, or a non-reserved keyword). */
export const IdentTok = createToken({ name: 'IdentTok', pattern: Lexer.NA });
/** Any word at all, reserved or not (labels after `.`, SET values). */
export const AnyWord = createToken({ name: 'AnyWord', pattern: Lexer.NA });
/** Any token but `;`. */
export const RawTok = createToken({ name: 'RawTok', pattern: Lexer.NA });
/** Comparison operators. */
export const CompareOp = createToken({ name: 'CompareOp', pattern: Lexer.NA });
/** Operators between `||`-level precedence (Postgres "any other operator"). */
export const OtherOp = createToken({ name: 'OtherOp', pattern: Lexer.NA });

function tok(name: string, pattern: RegExp | string, categories: TokenType[] = [], extra: Partial<Parameters<typeof createToken>[0]> = {}): TokenType {
  return createToken({ name, pattern, categories: [RawTok, ...categories], ...extra });
}

// ---------------------------------------------------------------- trivia

export const WhiteSpace = createToken({ name: 'WhiteSpace', pattern: /\s+/, group: Lexer.SKIPPED, line_breaks: true });
export const LineComment = createToken({ name: 'LineComment', pattern: /--[^\n\r]*/, group: Lexer.SKIPPED });
/** Flink `/*+ OPTIONS('k' = 'v') *\/` table hint; kept only right after a name (see lexSql). */
export const Hint = createToken({ name: 'Hint', pattern: /\/\*\+[\s\S]*?\*\//, line_breaks: true });
export const BlockComment = createToken({ name: 'BlockComment', pattern: /\/\*[\s\S]*?\*\//, group: Lexer.SKIPPED, line_breaks: true });
export const UnterminatedComment = tok('UnterminatedComment', /\/\*[\s\S]*/, [], { line_breaks: true });

// ---------------------------------------------------------------- literals

export const EString = tok('EString', /[eE]'(?:[^'\\]|\\[\s\S]|'')*'/, [], { line_breaks: true });
export const XString = tok('XString', /[xX]'[^']*'/);
export const DollarString = tok('DollarString', /\$([A-Za-z_][A-Za-z_0-9]*)?\$[\s\S]*?\$\1\$/, [], { line_breaks: true });
export const StringLit = tok('StringLit', /'(?:[^']|'')*'/, [], { line_breaks: true });
export const UnterminatedString = tok('UnterminatedString', /[eE]?'[\s\S]*/, [], { line_breaks: true });
export const NumberLit = tok('NumberLit', /(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?/);
export const Param = tok('Param', /\$\d+/);
export const QuotedIdent = tok('QuotedIdent', /"(?:[^"]|"")*"/, [IdentTok, AnyWord], { line_breaks: true });
export const BacktickIdent = tok('BacktickIdent', /`(?:[^`]|``)*`/, [IdentTok, AnyWord], { line_breaks: true });
export const UnterminatedIdent = tok('UnterminatedIdent', /["`][\s\S]*/, [], { line_breaks: true });
export const Identifier = tok('Identifier', /[A-Za-z_\u0080-\uffff][A-Za-z0-9_$\u0080-\uffff]*/, [IdentTok, AnyWord]);

// ---------------------------------------------------------------- punctuation and operators

export const DoubleColon = tok('DoubleColon', '::');
export const Arrow = tok('Arrow', '=>');
export const LessEq = tok('LessEq', '<=', [CompareOp]);
export const GreaterEq = tok('GreaterEq', '>=', [CompareOp]);
export const NotEq = tok('NotEq', /<>|!=/, [CompareOp]);
export const ContainedBy = tok('ContainedBy', '<@', [OtherOp]);
export const Contains = tok('Contains', '@>', [OtherOp]);
export const Overlaps = tok('Overlaps', '&&', [OtherOp]);
export const Concat = tok('Concat', '||', [OtherOp]);
/** PostgreSQL's JSON operators: field or element (`->`, as text `->>`), at a path (`#>`, as text `#>>`). */
export const JsonFieldText = tok('JsonFieldText', '->>', [OtherOp]);
export const JsonField = tok('JsonField', '->', [OtherOp]);
export const JsonAtPathText = tok('JsonAtPathText', '#>>', [OtherOp]);
export const JsonAtPath = tok('JsonAtPath', '#>', [OtherOp]);
/** Postgres' operator spellings of [NOT] LIKE / ILIKE. */
export const LikeOp = createToken({ name: 'LikeOp', pattern: Lexer.NA });
export const NotILikeOp = tok('NotILikeOp', '!~~*', [LikeOp]);
export const NotLikeOp = tok('NotLikeOp', '!~~', [LikeOp]);
export const ILikeOp = tok('ILikeOp', '~~*', [LikeOp]);
export const LikeOpTok = tok('LikeOpTok', '~~', [LikeOp]);
export const NotRegexI = tok('NotRegexI', '!~*', [OtherOp]);
export const NotRegex = tok('NotRegex', '!~', [OtherOp]);
export const RegexI = tok('RegexI', '~*', [OtherOp]);
export const Tilde = tok('Tilde', '~', [OtherOp]);
export const Equals = tok('Equals', '=', [CompareOp]);
export const Less = tok('Less', '<', [CompareOp]);
export const Greater = tok('Greater', '>', [CompareOp]);
export const Ampersand = tok('Ampersand', '&', [OtherOp]);
export const Pipe = tok('Pipe', '|', [OtherOp]);
export const Hash = tok('Hash', '#', [OtherOp]);
export const Caret = tok('Caret', '^');
export const Plus = tok('Plus', '+');
export const Minus = tok('Minus', '-');
export const Star = tok('Star', '*');
export const Slash = tok('Slash', '/');
export const Percent = tok('Percent', '%');
export const LParen = tok('LParen', '(');
export const RParen = tok('RParen', ')');
export const LBracket = tok('LBracket', '[');
export const RBracket = tok('RBracket', ']');
export const Comma = tok('Comma', ',');
export const Semicolon = createToken({ name: 'Semicolon', pattern: ';' });
export const Dot = tok('Dot', '.');
export const Colon = tok('Colon', ':');
export const Question = tok('Question', '?');

// ---------------------------------------------------------------- keywords

/**
 * Reserved keywords: never identifiers. Everything else in `NON_RESERVED` is a
 * keyword the grammar mentions that can still name a column or table.
 * (Postgres reserves a few more; these are the ones the grammar needs.)
 */
const RESERVED = [
  'ALL', 'AND', 'ANY', 'ARRAY', 'AS', 'ASC', 'BETWEEN', 'BOTH', 'CASE', 'CAST', 'COLLATE', 'CONSTRAINT',
  'CREATE', 'CROSS', 'CURRENT_CATALOG', 'CURRENT_DATE', 'CURRENT_ROLE', 'CURRENT_SCHEMA', 'CURRENT_TIME',
  'CURRENT_TIMESTAMP', 'CURRENT_USER', 'DEFAULT', 'DESC', 'DISTINCT', 'ELSE', 'END', 'EXCEPT', 'EXISTS',
  'FALSE', 'FETCH', 'FOR', 'FROM', 'FULL', 'GROUP', 'HAVING', 'ILIKE', 'IN', 'INNER', 'INTERSECT',
  'INTERVAL', 'INTO', 'IS', 'ISNULL', 'JOIN', 'LATERAL', 'LEADING', 'LEFT', 'LIKE', 'LIMIT', 'LOCALTIME',
  'LOCALTIMESTAMP', 'NATURAL', 'NOT', 'NOTNULL', 'NULL', 'OFFSET', 'ON', 'OR', 'ORDER', 'OUTER',
  'PLACING', 'PRIMARY', 'RIGHT', 'ROW', 'SELECT', 'SESSION_USER', 'SIMILAR', 'SOME', 'TABLE', 'THEN',
  'TO', 'TRAILING', 'TRUE', 'TRY_CAST', 'UNION', 'USER', 'USING', 'VALUES', 'WHEN', 'WHERE', 'WINDOW',
  'WITH', 'OPERATOR',
] as const;

const NON_RESERVED = [
  'BEGIN', 'START', 'COMMIT', 'ROLLBACK', 'ABORT', 'SAVEPOINT', 'RELEASE', 'USE', 'DISCARD', 'DEALLOCATE',
  'CLOSE', 'SET', 'RESET', 'SHOW', 'DESCRIBE', 'DECLARE', 'MOVE', 'EXPLAIN', 'INSERT', 'UPDATE', 'DELETE',
  'DROP', 'BY', 'CASCADE', 'RESTRICT', 'COMMENT', 'CURSOR', 'DO', 'CONFLICT', 'NOTHING', 'ENFORCED',
  'ESCAPE', 'FIRST', 'LAST', 'NULLS', 'NEXT', 'ONLY', 'ROWS', 'RANGE', 'PRECEDING', 'FOLLOWING',
  'UNBOUNDED', 'CURRENT', 'PARTITION', 'PARTITIONED', 'OVERWRITE', 'RECURSIVE', 'REPLACE', 'TEMPORARY',
  'TEMP', 'MATERIALIZED', 'VIEW', 'KEY', 'IF', 'WATERMARK', 'METADATA', 'VIRTUAL', 'ORDINALITY',
  'SYSTEM_TIME', 'OF', 'SYMMETRIC', 'UNKNOWN', 'ZONE', 'LOCAL', 'WITHOUT', 'PLAN', 'SETS', 'GROUPING',
  'ROLLUP', 'CUBE', 'RETURNING', 'HOLD', 'BINARY', 'SCROLL', 'NO', 'FILTER', 'OVER', 'WITHIN',
  'YEAR', 'MONTH', 'WEEK', 'DAY', 'HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND',
  'YEARS', 'MONTHS', 'WEEKS', 'DAYS', 'HOURS', 'MINUTES', 'SECONDS',
  'DESCRIPTOR', 'MAP', 'AT', 'COPY',
  'SUBSCRIBE', 'STOP', 'JOB', 'DRAIN',
  'JSON', 'VALUE', 'SCALAR', 'OBJECT', 'ERROR', 'EMPTY', 'ABSENT', 'WRAPPER', 'CONDITIONAL', 'UNCONDITIONAL',
] as const;

export type Keyword = (typeof RESERVED)[number] | (typeof NON_RESERVED)[number];

/** Reserved keywords that may still be called as functions (`LEFT('abc', 2)`). */
export const FuncNameKw = createToken({ name: 'FuncNameKw', pattern: Lexer.NA });
const FUNCTION_NAME_KEYWORDS = new Set<string>(['LEFT', 'RIGHT']);

export const KW = {} as Record<Keyword, TokenType>;
const keywordByWord = new Map<string, TokenType>();
for (const word of RESERVED) {
  const cats = [RawTok, AnyWord];
  if (FUNCTION_NAME_KEYWORDS.has(word)) cats.push(FuncNameKw);
  const t = createToken({ name: word, pattern: Lexer.NA, categories: cats });
  KW[word] = t;
  keywordByWord.set(word.toLowerCase(), t);
}
for (const word of NON_RESERVED) {
  const t = createToken({ name: word, pattern: Lexer.NA, categories: [RawTok, AnyWord, IdentTok] });
  KW[word] = t;
  keywordByWord.set(word.toLowerCase(), t);
}

/** Whether `word` (any case) is a reserved keyword, so printers know when to quote. */
export function isReservedWord(word: string): boolean {
  return RESERVED_SET.has(word.toUpperCase());
}
const RESERVED_SET = new Set<string>(RESERVED);

// ---------------------------------------------------------------- lexer

const LEXER_TOKENS: TokenType[] = [
  WhiteSpace, LineComment, Hint, BlockComment, UnterminatedComment,
  EString, XString, DollarString, StringLit, UnterminatedString, NumberLit, Param,
  QuotedIdent, BacktickIdent, UnterminatedIdent, Identifier,
  DoubleColon, Arrow, LessEq, GreaterEq, NotEq, ContainedBy, Contains, Overlaps, Concat,
  JsonFieldText, JsonField, JsonAtPathText, JsonAtPath,
  NotILikeOp, NotLikeOp, ILikeOp, LikeOpTok, NotRegexI, NotRegex, RegexI, Tilde, Equals, Less, Greater, Ampersand, Pipe, Hash, Caret,
  Plus, Minus, Star, Slash, Percent, LParen, RParen, LBracket, RBracket, Comma, Semicolon, Dot, Colon,
  Question,
];

/** Every token type the parser knows (lexer patterns, keywords, categories). */
export const ALL_TOKENS: TokenType[] = [
  IdentTok, AnyWord, RawTok, CompareOp, OtherOp, LikeOp, FuncNameKw,
  ...LEXER_TOKENS,
  ...Object.values(KW),
];

const lexer = new Lexer(LEXER_TOKENS, { positionTracking: 'onlyOffset', ensureOptimizations: true });

export interface LexResult {
  readonly tokens: IToken[];
  /** Offset of the first character no token pattern matched, if any. */
  readonly errorOffset?: number;
}

/** Lexes `text` and re-tags keyword words. */
export function lexSql(text: string): LexResult {
  const res = lexer.tokenize(text);
  let tokens = res.tokens;
  let hints = false;
  for (const t of tokens) {
    if (t.tokenType === Hint) hints = true;
    t.endOffset = t.startOffset + t.image.length - 1;
    if (t.tokenType === Identifier) {
      const kw = keywordByWord.get(t.image.toLowerCase());
      if (kw !== undefined) {
        t.tokenType = kw;
        t.tokenTypeIdx = kw.tokenTypeIdx!;
      }
    }
  }
  if (hints) {
    // An OPTIONS hint is only meaningful after a table name; anything else is a comment.
    tokens = tokens.filter((t, i) => t.tokenType !== Hint || (i > 0 && tokenMatcher(tokens[i - 1]!, IdentTok) && /^\/\*\+\s*OPTIONS\s*\(/i.test(t.image)));
  }
  const first = res.errors[0];
  return first === undefined ? { tokens } : { tokens, errorOffset: first.offset };
}

// ---------------------------------------------------------------- errors

/**
 * A syntax error. `position` is the 0-based offset in the parsed text (the text
 * length for "at end of input"); callers turn it into SqlError 42601 with a
 * 1-based position.
 */
export class ParseError extends Error {
  readonly position: number;
  readonly expected: string[];
  constructor(message: string, position: number, expected: string[] = []) {
    super(message);
    this.name = 'ParseError';
    this.position = position;
    this.expected = expected;
  }
}

/** `syntax error at or near "tok"` for a token, `at end of input` for EOF. */
export function syntaxErrorAt(token: IToken | undefined, textLength: number, expected: string[] = []): ParseError {
  if (token === undefined || token.tokenType === undefined || token.image === '' || Number.isNaN(token.startOffset)) {
    return new ParseError('syntax error at end of input', textLength, expected);
  }
  return new ParseError(`syntax error at or near "${token.image}"`, token.startOffset, expected);
}
