/**
 * Entry points of the SQL grammar: text -> AST.
 *
 * Contract:
 * - `parseScript` parses a script of `;`-separated statements (empty ones
 *   skipped); positions are offsets in the whole script. `parseSql` is the same
 *   restricted to the statements the session runs (`Statement`).
 * - `parseExpression` parses one expression (computed columns, watermarks, tests).
 * - Every failure is a `ParseError` with a Postgres message and 0-based position:
 *   `syntax error at or near "tok"`, `syntax error at end of input`,
 *   `unterminated quoted string at or near "'abc"`, ...
 */
import type { IRecognitionException, IToken, TokenType } from 'chevrotain';
import type { Expr, Insert, ScriptStatement, Statement } from './ast.ts';
import { AstBuilder, type InsertWithConflict, type OnConflict } from './ast-builder.ts';
import { sqlParser } from './parser.ts';
import {
  lexSql, ParseError, Semicolon, syntaxErrorAt, UnterminatedComment, UnterminatedIdent, UnterminatedString,
} from './tokens.ts';

export { ParseError };
export type { OnConflict, InsertWithConflict };

function tokenize(text: string): IToken[] {
  const { tokens, errorOffset } = lexSql(text);
  for (const t of tokens) {
    if (t.tokenType === UnterminatedString) throw new ParseError(`unterminated quoted string at or near "${t.image}"`, t.startOffset);
    if (t.tokenType === UnterminatedIdent) throw new ParseError(`unterminated quoted identifier at or near "${t.image}"`, t.startOffset);
    if (t.tokenType === UnterminatedComment) throw new ParseError('unterminated /* comment at or near "' + t.image + '"', t.startOffset);
  }
  if (errorOffset !== undefined) throw new ParseError(`syntax error at or near "${text.charAt(errorOffset)}"`, errorOffset);
  return tokens;
}

/** How a token type is named in "expected" lists: keywords as written, punctuation as its symbol. */
function displayName(t: TokenType): string | undefined {
  const pattern = t.PATTERN;
  if (typeof pattern === 'string') return pattern;
  switch (t.name) {
    case 'Identifier':
    case 'IdentTok':
    case 'AnyWord':
      return 'an identifier';
    case 'NumberLit':
      return 'a number';
    case 'StringLit':
      return 'a string';
    case 'Param':
      return 'a parameter ($1)';
    case 'NotEq':
      return '<>';
    case 'Semicolon':
      return ';';
    case 'CompareOp':
      return 'a comparison operator';
    default:
      // Keyword tokens are named by their word; other internal categories are not shown.
      return /^[A-Z][A-Z_]*$/.test(t.name) ? t.name : undefined;
  }
}

/**
 * The tokens that could have come where the error is, computed from the
 * grammar (content assist over the statement's tokens before the error).
 */
function expectedAt(tokens: readonly IToken[], errorToken: IToken | undefined): string[] {
  let end = tokens.length;
  if (errorToken !== undefined && errorToken.tokenType !== undefined && !Number.isNaN(errorToken.startOffset)) {
    end = tokens.findIndex((t) => t.startOffset >= errorToken.startOffset);
    if (end < 0) end = tokens.length;
  }
  let start = end;
  while (start > 0 && tokens[start - 1]!.tokenType !== Semicolon) start--;
  try {
    const paths = sqlParser.computeContentAssist('script', tokens.slice(start, end) as IToken[]);
    const names = new Set<string>();
    for (const p of paths) {
      const n = displayName(p.nextTokenType);
      if (n !== undefined) names.add(n);
    }
    return [...names].sort((a, b) => Number(/^[a-z]/.test(a)) - Number(/^[a-z]/.test(b)) || a.localeCompare(b));
  } catch {
    return [];
  }
}

function throwFirstError(text: string, tokens: readonly IToken[]): void {
  const err: IRecognitionException | undefined = sqlParser.errors[0];
  if (err === undefined) return;
  throw syntaxErrorAt(err.token, text.length, expectedAt(tokens, err.token));
}

/** Parses a `;`-separated script into statements, streaming ones (SUBSCRIBE, STOP JOB) included. */
export function parseScript(text: string): ScriptStatement[] {
  const tokens = tokenize(text);
  sqlParser.input = tokens;
  const cst = sqlParser.script();
  throwFirstError(text, tokens);
  return new AstBuilder(text).script(cst);
}

/** Parses a `;`-separated script into the statements the session runs. */
export function parseSql(text: string): Statement[] {
  return parseScript(text);
}

/** Parses a single expression. */
export function parseExpression(text: string): Expr {
  const tokens = tokenize(text);
  sqlParser.input = tokens;
  const cst = sqlParser.standaloneExpr();
  throwFirstError(text, []);
  return new AstBuilder(text).expr(cst.children['expr']![0] as never);
}

/** The ON CONFLICT clause of an INSERT, if it had one (ast.ts has no field for it). */
export function onConflictOf(insert: Insert): OnConflict | undefined {
  return (insert as Partial<InsertWithConflict>).onConflict;
}
