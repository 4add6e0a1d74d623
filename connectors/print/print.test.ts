import { describe, expect, it } from 'vitest';
import { BIGINT, BOOLEAN, STRING, timestamp, type SqlType } from '../../catalog/types.ts';
import type { ColumnDefinition } from '../../catalog/relation.ts';
import { SqlError } from '../../src/errors.ts';
import { RowKind } from '../../src/dataflow/chunk.ts';
import { printLine, printSinkTo } from './index.ts';

const col = (name: string, type: SqlType): ColumnDefinition => ({ name, type, nullable: true, kind: 'physical' });
const COLUMNS = [col('item', STRING), col('n', BIGINT), col('ok', BOOLEAN), col('ts', timestamp(3))];

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const sink = printSinkTo({ stdout: { write: (t) => out.push(t) }, stderr: { write: (t) => err.push(t) } });
  return { sink, out, err };
}

describe('print sink', () => {
  it('prints each row with its kind as Flink does, NULL as null, booleans as true/false', () => {
    expect(printLine('', RowKind.INSERT, ['a', 1n, true, 1_714_557_600_123_000], COLUMNS.map((c) => c.type), { timeZone: 'UTC' })).toBe(
      '+I[a, 1, true, 2024-05-01 10:00:00.123]',
    );
    expect(printLine('x> ', RowKind.UPDATE_BEFORE, [null, null, false, null], COLUMNS.map((c) => c.type), { timeZone: 'UTC' })).toBe(
      'x> -U[null, null, false, null]',
    );
  });

  it('writes lines to stdout, with the print-identifier prefix and every row kind', async () => {
    const { sink, out, err } = capture();
    const options = { connector: 'print', 'print-identifier': 'counts' };
    sink.validate(COLUMNS, options);
    const w = sink.open(COLUMNS, options, { writerId: 'job-0001', timeZone: 'UTC' });
    await w.recover({});
    w.write([['a', 1n, true, null], ['a', 1n, true, null], ['a', 2n, true, null], ['b', 5n, null, null]], new Uint8Array([0, 1, 2, 3]));
    w.write([['c', 3n, false, null]], null);
    await w.commit(await w.prepare(1));
    await w.close();
    expect(out.join('')).toBe(
      'counts> +I[a, 1, true, null]\ncounts> -U[a, 1, true, null]\ncounts> +U[a, 2, true, null]\ncounts> -D[b, 5, null, null]\ncounts> +I[c, 3, false, null]\n',
    );
    expect(err).toEqual([]);
  });

  it("writes to stderr with 'standard-error' = 'true'", async () => {
    const { sink, out, err } = capture();
    const w = sink.open(COLUMNS, { connector: 'print', 'standard-error': 'TRUE' }, { writerId: 'x', timeZone: 'UTC' });
    w.write([['a', 1n, null, null]], null);
    expect(out).toEqual([]);
    expect(err.join('')).toBe('+I[a, 1, null, null]\n');
  });

  it('refuses unknown options and bad values with 22023', () => {
    const { sink } = capture();
    const refused = (options: Record<string, string>) => {
      try {
        sink.validate(COLUMNS, { connector: 'print', ...options });
      } catch (e) {
        return e instanceof SqlError ? e.code : 'not a SqlError';
      }
      return 'accepted';
    };
    expect(refused({ path: '/tmp' })).toBe('22023');
    expect(refused({ 'standard-error': 'yes' })).toBe('22023');
    expect(refused({ 'standard-error': 'false', 'print-identifier': 'p' })).toBe('accepted');
  });
});
