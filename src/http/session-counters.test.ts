import { describe, expect, it } from 'vitest';
import type { Cursor, PreparedStatement, Session, SessionFactory } from '../session/api.ts';
import { SessionCounters } from './session-counters.ts';

describe('SessionCounters', () => {
  function fakeFactory(): SessionFactory {
    return {
      openSession: (startup) => {
        if (startup.get('database') === 'nope') throw new Error('no such database');
        const session = {
          startup,
          execute: (stmt: PreparedStatement): Promise<Cursor> => (stmt.command === 'FAIL' ? Promise.reject(new Error('bad')) : Promise.resolve({} as Cursor)),
          close: () => undefined,
        };
        return session as unknown as Session;
      },
    };
  }

  it('counts open sessions, statements started and starts that failed', async () => {
    const counters = new SessionCounters();
    const factory = counters.instrument(fakeFactory());
    const a = factory.openSession(new Map());
    const b = factory.openSession(new Map());
    expect(() => factory.openSession(new Map([['database', 'nope']]))).toThrow();
    expect(counters).toMatchObject({ open: 2, opened: 2, statements: 0 });
    const signal = new AbortController().signal;
    await a.execute({ command: 'SELECT' } as PreparedStatement, [], [], signal);
    await expect(b.execute({ command: 'FAIL' } as PreparedStatement, [], [], signal)).rejects.toThrow('bad');
    expect(counters).toMatchObject({ statements: 2, failedStarts: 1 });
    a.close();
    a.close();
    expect(counters.open).toBe(1);
    b.close();
    expect(counters).toMatchObject({ open: 0, opened: 2 });
  });
});
