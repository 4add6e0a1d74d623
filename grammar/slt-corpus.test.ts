/** Every statement the sqllogictest files expect to succeed must parse. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSlt } from '../tests/sqllogictest/parser.ts';
import { parseScript } from './parse.ts';

const dir = join(import.meta.dirname, '..', 'sqllogictest');
const files = readdirSync(dir).filter((f) => f.endsWith('.slt'));

describe('sqllogictest corpus parses', () => {
  it('has files', () => {
    expect(files.length).toBeGreaterThan(0);
  });
  for (const file of files) {
    it(file, () => {
      const records = parseSlt(readFileSync(join(dir, file), 'utf8'), file);
      const failures: string[] = [];
      let count = 0;
      for (const r of records) {
        if (r.kind !== 'statement' && r.kind !== 'query') continue;
        if (r.kind === 'statement' && r.expect.kind === 'error') continue;
        count++;
        try {
          const stmts = parseScript(r.sql);
          if (stmts.length === 0) failures.push(`${r.loc.line}: no statement`);
        } catch (e) {
          failures.push(`${r.loc.line}: ${r.sql.replace(/\n/g, ' ')} -> ${(e as Error).message}`);
        }
      }
      expect(failures).toEqual([]);
      expect(count).toBeGreaterThan(0);
    });
  }
});
