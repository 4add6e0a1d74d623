import { describe, expect, it } from 'vitest';
import { INT } from '../../catalog/types.ts';
import { staticCursor } from './cursors.ts';
import { CursorRegistry } from './sql-cursors.ts';

const columns = [{ name: 'x', type: INT, tableOid: 0, attnum: 0 }];

describe('SQL cursor registry', () => {
  it('lists its cursors in declaration order with the statements that declared them', () => {
    const registry = new CursorRegistry();
    registry.declare('a', staticCursor(columns, [[1]], 'SELECT 1'), false, 'DECLARE a CURSOR FOR SELECT 1');
    registry.declare('b', staticCursor(columns, [[2]], 'SELECT 1'), true, 'DECLARE b CURSOR WITH HOLD FOR SELECT 2');
    expect(registry.get('a')?.columns).toEqual(columns);
    expect(registry.list().map((c) => [c.name, c.statement, c.holdable])).toEqual([
      ['a', 'DECLARE a CURSOR FOR SELECT 1', false],
      ['b', 'DECLARE b CURSOR WITH HOLD FOR SELECT 2', true],
    ]);
    expect(registry.close('a')).toBe(true);
    expect(registry.get('a')).toBeUndefined();
    expect(registry.list().map((c) => c.name)).toEqual(['b']);
  });

  it('refuses a second cursor of the same name (42P03) and closes the new one', async () => {
    const registry = new CursorRegistry();
    registry.declare('d', staticCursor(columns, [[1]], 'SELECT 1'));
    const second = staticCursor(columns, [[2]], 'SELECT 1');
    expect(() => registry.declare('d', second)).toThrow(expect.objectContaining({ code: '42P03' }));
    expect(await second.next(5)).toEqual([]);
  });

  it('closes at the end of a block only the cursors declared in it without WITH HOLD', async () => {
    const registry = new CursorRegistry();
    const inBlock = staticCursor(columns, [[1]], 'SELECT 1');
    registry.declare('in_block', inBlock, false, '', true);
    registry.declare('held', staticCursor(columns, [[2]], 'SELECT 1'), true, '', true);
    registry.declare('outside', staticCursor(columns, [[3]], 'SELECT 1'), false, '', false);
    registry.closeAtBlockEnd(false);
    expect(registry.list().map((c) => c.name)).toEqual(['held', 'outside']);
    expect(await inBlock.next(5)).toEqual([]);
    registry.declare('held_again', staticCursor(columns, [[4]], 'SELECT 1'), true, '', true);
    registry.closeAtBlockEnd(true);
    expect(registry.list().map((c) => c.name)).toEqual(['held', 'outside']);
  });
});
