/**
 * Entry points of the SQL grammar: text -> AST.
 *
 * Contract:
 * - `parseSql` parses a script of `;`-separated statements (empty ones skipped);
 *   positions are offsets in the whole script.
 * - `parseExpression` parses one expression (computed columns, watermarks, tests).
 * - Every failure is a `ParseError` with a Postgres message and 0-based position:
 *   `syntax error at or near "tok"`, `syntax error at end of input`,
 *   `unterminated quoted string at or near "'abc"`, ...
 */
import type { IRecognitionException, IToken } from 'chevrotain';
import type { Expr, Insert, Statement } from './ast.ts';
import { AstBuilder, type InsertWithConflict, type OnConflict } from './ast-builder.ts';
import { sqlParser } from './parser.ts';
import {
  lexSql, ParseError, syntaxErrorAt, UnterminatedComment, UnterminatedIdent, UnterminatedString,
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

function expectedOf(e: IRecognitionException): string[] {
  const out = new Set<string>();
  for (const m of e.message.matchAll(/-->\s*([^<]+?)\s*<--/g)) out.add(m[1]!);
  return [...out];
}

function throwFirstError(text: string): void {
  const err = sqlParser.errors[0];
  if (err === undefined) return;
  throw syntaxErrorAt(err.token, text.length, expectedOf(err));
}

/** Parses a `;`-separated script into statements. */
export function parseSql(text: string): Statement[] {
  sqlParser.input = tokenize(text);
  const cst = sqlParser.script();
  throwFirstError(text);
  return new AstBuilder(text).script(cst);
}

/** Parses a single expression. */
export function parseExpression(text: string): Expr {
  sqlParser.input = tokenize(text);
  const cst = sqlParser.standaloneExpr();
  throwFirstError(text);
  return new AstBuilder(text).expr(cst.children['expr']![0] as never);
}

/** The ON CONFLICT clause of an INSERT, if it had one (ast.ts has no field for it). */
export function onConflictOf(insert: Insert): OnConflict | undefined {
  return (insert as Partial<InsertWithConflict>).onConflict;
}
