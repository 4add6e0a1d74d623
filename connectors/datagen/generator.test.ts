import { describe, expect, it } from 'vitest';
import { BIGINT, INT, NUMERIC, STRING, decimal, timestamp, varchar, type Row } from '../../catalog/types.ts';
import { datagenRows, datagenSpec } from './generator.ts';
import { SqlError } from '../../src/errors.ts';
import { Numeric } from '../../src/values/numeric.ts';

async function collect(spec: ReturnType<typeof datagenSpec>, from = 0, max = Infinity): Promise<Row[]> {
  const out: Row[] = [];
  const ac = new AbortController();
  for await (const batch of datagenRows(spec, ac.signal, from)) {
    out.push(...batch);
    if (out.length >= max) {
      ac.abort();
      break;
    }
  }
  return out;
}

describe('datagen', () => {
  it('is bounded by number-of-rows and keeps random values within min and max', async () => {
    const spec = datagenSpec(
      [
        { name: 'id', type: INT },
        { name: 'name', type: varchar(10) },
      ],
      { connector: 'datagen', 'number-of-rows': '500', 'rows-per-second': '1000000', 'fields.id.min': '5', 'fields.id.max': '9', 'fields.name.length': '4' },
    );
    const rows = await collect(spec);
    expect(rows).toHaveLength(500);
    const ids = new Set(rows.map((r) => r[0]));
    expect([...ids].sort()).toEqual([5, 6, 7, 8, 9]);
    for (const r of rows) expect(r[1]).toMatch(/^[0-9a-f]{4}$/);
  });

  it('ends a sequence at its end, with the first sequence to end deciding', async () => {
    const spec = datagenSpec(
      [
        { name: 'a', type: BIGINT },
        { name: 'b', type: INT },
      ],
      { 'fields.a.kind': 'sequence', 'fields.a.start': '10', 'fields.a.end': '14', 'fields.b.kind': 'sequence', 'fields.b.start': '1', 'fields.b.end': '100' },
    );
    expect(spec.rowCount).toBe(5);
    const rows = await collect(spec);
    expect(rows).toEqual([
      [10n, 1],
      [11n, 2],
      [12n, 3],
      [13n, 4],
      [14n, 5],
    ]);
  });

  it('generates whole numbers for an unconstrained NUMERIC column, in sequence or at random', async () => {
    const spec = datagenSpec(
      [
        { name: 'a', type: NUMERIC },
        { name: 'b', type: NUMERIC },
      ],
      { 'fields.a.kind': 'sequence', 'fields.a.start': '-1', 'fields.a.end': '1', 'fields.b.min': '3', 'fields.b.max': '4' },
    );
    const rows = await collect(spec);
    expect(rows.map((r) => r[0])).toEqual([new Numeric(-1n, 0), new Numeric(0n, 0), new Numeric(1n, 0)]);
    for (const r of rows) expect(['3', '4']).toContain(String(r[1]));
  });

  it('gives the same rows when read again from a position (rewind)', async () => {
    const cols = [
      { name: 'x', type: BIGINT },
      { name: 'd', type: decimal(6, 2) },
      { name: 's', type: STRING },
    ];
    const spec = datagenSpec(cols, { 'number-of-rows': '300', 'rows-per-second': '1000000', 'fields.s.var-len': 'true', 'fields.s.length': '8' });
    const all = await collect(spec);
    const tail = await collect(spec, 200);
    expect(tail).toEqual(all.slice(200));
    for (const r of all) {
      expect(typeof r[1]).toBe('bigint');
      expect((r[1] as bigint) <= 999999n && (r[1] as bigint) >= -999999n).toBe(true);
      expect((r[2] as string).length).toBeGreaterThan(0);
      expect((r[2] as string).length).toBeLessThanOrEqual(8);
    }
  });

  it('is unbounded without number-of-rows and paces by rows-per-second', async () => {
    const spec = datagenSpec([{ name: 'ts', type: timestamp(3) }], { 'rows-per-second': '200', 'fields.ts.max-past': '5 s' });
    expect(spec.rowCount).toBeUndefined();
    const t0 = Date.now();
    const rows = await collect(spec, 0, 100);
    const elapsed = Date.now() - t0;
    expect(rows.length).toBeGreaterThanOrEqual(100);
    // 100 rows at 200/s need about half a second; generous bounds, this checks pacing exists at all.
    expect(elapsed).toBeGreaterThan(200);
    const now = Date.now() * 1000;
    for (const r of rows) {
      expect(now - (r[0] as number)).toBeLessThan(10_000_000);
      expect((r[0] as number) % 1000).toBe(0);
    }
  });

  it('null-rate produces NULLs in about that proportion', async () => {
    const spec = datagenSpec([{ name: 'v', type: INT }], { 'number-of-rows': '2000', 'rows-per-second': '1000000', 'fields.v.null-rate': '0.25' });
    const rows = await collect(spec);
    const nulls = rows.filter((r) => r[0] === null).length;
    expect(nulls).toBeGreaterThan(350);
    expect(nulls).toBeLessThan(650);
  });

  it('rejects unknown options and bad values with 22023', () => {
    const cols = [{ name: 'id', type: INT }];
    const code = (opts: Record<string, string>) => {
      try {
        datagenSpec(cols, opts);
        return 'ok';
      } catch (err) {
        return (err as SqlError).code;
      }
    };
    expect(code({ 'rows-per-secnd': '5' })).toBe('22023');
    expect(code({ 'fields.nope.kind': 'random' })).toBe('22023');
    expect(code({ 'fields.id.kind': 'sequence' })).toBe('22023');
    expect(code({ 'fields.id.min': '9', 'fields.id.max': '1' })).toBe('22023');
    expect(code({ 'fields.id.min': 'x' })).toBe('22023');
    expect(code({ 'number-of-rows': '-1' })).toBe('22023');
    expect(code({ 'fields.id.kind': 'sequence', 'fields.id.start': '1', 'fields.id.end': '3' })).toBe('ok');
  });
});
