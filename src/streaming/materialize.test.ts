import { describe, expect, it } from 'vitest';
import { INT, STRING } from '../../catalog/types.ts';
import { parseChunk, RowKind } from '../dataflow/chunk.ts';
import { MaterializedTable, materializedEntryCodec, type MaterializedEntry } from './materialize.ts';
import { MemoryStateTable } from './state-table.ts';

describe('MaterializedTable', () => {
  it('keeps a multiset of rows under a retract changelog', () => {
    const t = new MaterializedTable([INT, STRING]);
    t.apply(parseChunk('+I 2 b\n+I 1 a\n+I 2 b\n-U 1 a\n+U 1 z'));
    expect(t.rows()).toEqual([[1, 'z'], [2, 'b'], [2, 'b']]);
    t.apply(parseChunk('-D 2 b'));
    expect(t.rows()).toEqual([[1, 'z'], [2, 'b']]);
    expect(t.rowCount).toBe(2);
  });

  it('upserts by key: +U replaces, -D removes, +I on a present key is refused', () => {
    const t = new MaterializedTable([STRING, INT], [0]);
    t.apply(parseChunk('+I b 1\n+I a 1\n+U a 2\n-U b 1\n+U b 5'));
    expect(t.rows()).toEqual([['a', 2], ['b', 5]]);
    expect(() => t.applyRow(RowKind.INSERT, ['a', 9])).toThrow(/already present/);
    t.apply(parseChunk('-D a 2'));
    expect(t.rows()).toEqual([['b', 5]]);
  });

  it('refuses (XX000) retracting a row that is not there, leaving the table unchanged', () => {
    const m = new MaterializedTable([INT]);
    m.apply(parseChunk('+I 1'));
    expect(() => m.applyRow(RowKind.DELETE, [2])).toThrow(expect.objectContaining({ code: 'XX000' }));
    expect(() => m.applyRow(RowKind.UPDATE_BEFORE, [3])).toThrow(/-U \(3\) but the row is not there/);
    const k = new MaterializedTable([INT, INT], [0]);
    expect(() => k.applyRow(RowKind.DELETE, [1, 1])).toThrow(/no row has its key/);
    expect(m.rows()).toEqual([[1]]);
  });

  it('continues from a copy of its table through the entry codec', () => {
    const types = [INT, STRING];
    const table = new MemoryStateTable<MaterializedEntry>();
    const t = new MaterializedTable(types, undefined, table);
    t.apply(parseChunk('+I 2 b\n+I 1 a\n+I 2 b\n+I 3 NULL'));
    const copy = new MemoryStateTable<MaterializedEntry>();
    for (const [k, v] of table.scan()) copy.put(k, materializedEntryCodec.decode(materializedEntryCodec.encode(v)));
    const restored = new MaterializedTable(types, undefined, copy);
    expect(restored.rows()).toEqual(t.rows());
    restored.apply(parseChunk('-D 2 b\n-D 3 NULL\n+I 1 a'));
    expect(restored.rows()).toEqual([[1, 'a'], [1, 'a'], [2, 'b']]);
    expect(() => restored.applyRow(RowKind.DELETE, [3, null])).toThrow(/not there/);
  });
});
