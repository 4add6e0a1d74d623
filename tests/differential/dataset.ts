/**
 * The tables both servers get, and their seeded rows.
 *
 * Every table has the same columns (types both engines understand) and a unique, non-NULL `id` so
 * that ORDER BY id is a total order. Values are chosen so that comparisons are exact: doubles are
 * multiples of 1/4 (sums are exact in any order), strings mix ASCII, spaces, `%`/`_` and a few
 * non-ASCII letters, and each column has NULLs, duplicates, zero, negatives and a few edge values.
 */
import { Rng } from './random.ts';

export type ColType = 'int' | 'bigint' | 'smallint' | 'double' | 'numeric' | 'varchar' | 'text' | 'bool' | 'date' | 'timestamp';

export interface Column {
  readonly name: string;
  readonly type: ColType;
  readonly sqlType: string;
}

export const COLUMNS: readonly Column[] = [
  { name: 'id', type: 'int', sqlType: 'INT' },
  { name: 'i', type: 'int', sqlType: 'INT' },
  { name: 'j', type: 'int', sqlType: 'INT' },
  { name: 'b', type: 'bigint', sqlType: 'BIGINT' },
  { name: 'sm', type: 'smallint', sqlType: 'SMALLINT' },
  { name: 'd', type: 'double', sqlType: 'DOUBLE PRECISION' },
  { name: 'n', type: 'numeric', sqlType: 'NUMERIC(10,2)' },
  { name: 'v', type: 'varchar', sqlType: 'VARCHAR(12)' },
  { name: 's', type: 'text', sqlType: 'TEXT' },
  { name: 'f', type: 'bool', sqlType: 'BOOLEAN' },
  { name: 'dt', type: 'date', sqlType: 'DATE' },
  { name: 'ts', type: 'timestamp', sqlType: 'TIMESTAMP(3)' },
];

export const TABLES = ['t1', 't2'] as const;

const WORDS = ['', 'a', 'abc', 'Abc', 'ABC', 'hello', 'Hello World', ' pad ', 'x_y', '50%', 'héllo', 'naïve', 'zz', 'a b c', 'b'];
const NUMERICS = ['0.00', '1.00', '-1.00', '12.34', '-12.34', '0.05', '-0.05', '99999999.99', '-99999999.99', '2.50', '-2.50', '1234.56'];
const BIGINTS = ['0', '1', '-1', '42', '9000000000', '-9000000000', '9223372036854775807', '-9223372036854775808'];
const DATES = ['2024-01-01', '2024-02-29', '2023-12-31', '1999-12-31', '2000-03-01', '2024-07-15', '1970-01-01'];

function quote(s: string): string {
  return `'${s.replaceAll("'", "''")}'`;
}

function value(rng: Rng, col: Column, id: number): string {
  if (col.name === 'id') return String(id);
  if (rng.chance(0.15)) return 'NULL';
  switch (col.type) {
    case 'int':
      return String(rng.chance(0.1) ? 0 : rng.int(-6, 9));
    case 'bigint':
      return rng.chance(0.3) ? rng.pick(BIGINTS) : String(rng.int(-1000, 1000));
    case 'smallint':
      return rng.chance(0.05) ? rng.pick(['32767', '-32768']) : String(rng.int(-50, 50));
    case 'double':
      return rng.chance(0.1) ? rng.pick(['0', '-0.25', '1e10', '-1e10']) : String(rng.int(-400, 400) / 4);
    case 'numeric':
      return rng.chance(0.5) ? rng.pick(NUMERICS) : (rng.int(-100000, 100000) / 100).toFixed(2);
    case 'varchar':
    case 'text':
      return quote(rng.pick(WORDS));
    case 'bool':
      return rng.chance(0.5) ? 'TRUE' : 'FALSE';
    case 'date':
      return `DATE '${rng.pick(DATES)}'`;
    case 'timestamp': {
      const d = rng.pick(DATES);
      const hh = String(rng.int(0, 23)).padStart(2, '0');
      const mm = String(rng.pick([0, 0, 30, rng.int(0, 59)])).padStart(2, '0');
      const ss = String(rng.int(0, 59)).padStart(2, '0');
      const ms = rng.pick(['', '', '.5', '.125', `.${String(rng.int(0, 999)).padStart(3, '0')}`]);
      return `TIMESTAMP '${d} ${hh}:${mm}:${ss}${ms}'`;
    }
  }
}

/** CREATE TABLE and INSERT statements for both tables, the same text for both servers. */
export function datasetStatements(seed: number, rowsPerTable: number): string[] {
  const rng = new Rng(seed ^ 0x5eed);
  const out: string[] = [];
  for (const table of TABLES) {
    out.push(`CREATE TABLE ${table} (${COLUMNS.map((c) => `${c.name} ${c.sqlType}`).join(', ')})`);
    const rows: string[] = [];
    for (let id = 1; id <= rowsPerTable; id++) {
      // Some rows repeat an earlier row's values (apart from id) to make duplicates.
      rows.push(`(${COLUMNS.map((c) => value(rng, c, id)).join(', ')})`);
    }
    for (let k = 0; k < 3; k++) {
      const src = rows[rng.int(0, rows.length - 1)]!;
      rows.push(src.replace(/^\(\d+/, `(${rowsPerTable + k + 1}`));
    }
    out.push(`INSERT INTO ${table} VALUES ${rows.join(', ')}`);
  }
  return out;
}
