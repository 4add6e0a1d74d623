import { describe, expect, it } from 'vitest';
import { INT } from '../../catalog/types.ts';
import { SqlError } from '../../src/errors.ts';
import { blackholeSink } from './index.ts';

const COLUMNS = [{ name: 'n', type: INT, nullable: true, kind: 'physical' as const }];

describe('blackhole sink', () => {
  it('takes rows of every kind and commits nothing', async () => {
    const w = blackholeSink.open(COLUMNS, { connector: 'blackhole' }, { writerId: 'w', timeZone: 'UTC' });
    await w.recover({});
    w.write([[1], [2]], new Uint8Array([0, 3]));
    const committable = await w.prepare(1);
    expect(committable.length).toBe(0);
    await w.commit(committable);
    await w.close();
    expect(blackholeSink.acceptsUpdates).toBe(true);
  });

  it('has no options besides connector (22023)', () => {
    expect(() => blackholeSink.validate(COLUMNS, { connector: 'blackhole' })).not.toThrow();
    let code: string | undefined;
    try {
      blackholeSink.validate(COLUMNS, { connector: 'blackhole', 'print-identifier': 'x' });
    } catch (e) {
      code = (e as SqlError).code;
    }
    expect(code).toBe('22023');
  });
});
