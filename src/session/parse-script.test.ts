import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors.ts';
import { parseScript } from './session.ts';

function syntaxError(sql: string): SqlError {
  try {
    parseScript(sql);
  } catch (err) {
    expect(err).toBeInstanceOf(SqlError);
    return err as SqlError;
  }
  throw new Error(`expected a syntax error for ${sql}`);
}

describe('syntax errors', () => {
  it('name the token, point at it and say what could come there', () => {
    const e = syntaxError('SELECT * FORM t');
    expect(e.code).toBe('42601');
    expect(e.message).toBe('syntax error at or near "FORM"');
    expect(e.position).toBe(9);
    expect(e.hint).toMatch(/^Expected one of: /);
    expect(e.hint).toContain('"FROM"');
  });

  it('at the end of the input list the tokens that could follow', () => {
    const e = syntaxError('SELECT * FROM');
    expect(e.message).toBe('syntax error at end of input');
    expect(e.position).toBe(13);
    expect(e.hint).toBe('Expected one of: "(", "LATERAL", "TABLE", an identifier.');
  });

  it('summarise a missing expression', () => {
    expect(syntaxError('SELECT a FROM t WHERE').hint).toBe('Expected an expression.');
    expect(syntaxError('CREATE TABLE t (a INT').hint).toContain('")"');
  });

  it('report positions within a script of several statements', () => {
    const e = syntaxError('SELECT 1; SELEC 2');
    expect(e.message).toBe('syntax error at or near "SELEC"');
    expect(e.position).toBe(10);
    expect(e.hint).toMatch(/^Expected the start of a statement: SELECT, /);
  });
});
