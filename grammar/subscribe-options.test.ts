import { describe, expect, it } from 'vitest';
import type * as A from './ast.ts';
import { parseScript } from './parse.ts';
import { subscribeSettings } from './subscribe-options.ts';
import { SqlError, SqlState } from '../src/errors.ts';

function settings(text: string): ReturnType<typeof subscribeSettings> {
  const [s] = parseScript(text);
  if (s?.kind !== 'subscribe') throw new Error('not a SUBSCRIBE');
  return subscribeSettings(s as A.Subscribe);
}

function failure(text: string): SqlError {
  try {
    settings(text);
  } catch (err) {
    if (err instanceof SqlError) return err;
    throw err;
  }
  throw new Error(`accepted: ${text}`);
}

describe('SUBSCRIBE options', () => {
  it('default to a snapshot without progress', () => {
    expect(settings('SUBSCRIBE t')).toEqual({ snapshot: true, progress: false });
  });

  it('read booleans in every Postgres spelling', () => {
    expect(settings('SUBSCRIBE t WITH (SNAPSHOT = false, PROGRESS)')).toEqual({ snapshot: false, progress: true });
    expect(settings("SUBSCRIBE t WITH (snapshot 'off', progress = 'ON')")).toEqual({ snapshot: false, progress: true });
    expect(settings('SUBSCRIBE t WITH (snapshot = 0, progress = 1)')).toEqual({ snapshot: false, progress: true });
    expect(settings('SUBSCRIBE t WITH (progress = false, snapshot = true)')).toEqual({ snapshot: true, progress: false });
  });

  it('reject unknown, repeated and non-boolean options at the option', () => {
    const text1 = 'SUBSCRIBE t WITH (snapshot = true, envelope = upsert)';
    const e1 = failure(text1);
    expect([e1.code, e1.message, e1.position]).toEqual([SqlState.SYNTAX_ERROR, 'option "envelope" not recognized', text1.indexOf('envelope')]);
    const text2 = 'SUBSCRIBE t WITH (progress, PROGRESS = false)';
    const e2 = failure(text2);
    expect([e2.code, e2.message, e2.position]).toEqual([SqlState.SYNTAX_ERROR, 'conflicting or redundant options', text2.indexOf('PROGRESS')]);
    const text3 = "SUBSCRIBE t WITH (snapshot = 'maybe')";
    const e3 = failure(text3);
    expect([e3.code, e3.message, e3.position]).toEqual([SqlState.INVALID_PARAMETER_VALUE, 'snapshot requires a Boolean value', text3.indexOf('snapshot')]);
    expect(failure('SUBSCRIBE t WITH (snapshot = 2)').code).toBe(SqlState.INVALID_PARAMETER_VALUE);
    expect(failure('SUBSCRIBE t WITH ("Snapshot" = true)').message).toBe('option "Snapshot" not recognized');
  });
});
