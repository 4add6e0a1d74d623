import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { INT, NULL_TYPE, STRING } from '../../catalog/types.ts';
import { expandResultFormats, writeDataRow } from './data-rows.ts';
import { MessageWriter } from './message-writer.ts';

const UTC = { timeZone: 'UTC' };

function capture(): { writer: MessageWriter; written: Buffer[] } {
  const written: Buffer[] = [];
  const socket = { destroyed: false, writable: true, write: (b: Buffer) => (written.push(Buffer.from(b)), true) };
  return { writer: new MessageWriter(socket as unknown as Socket), written };
}

describe('writeDataRow', () => {
  it('writes text, binary and NULL columns', async () => {
    const { writer, written } = capture();
    writeDataRow(writer, [7, null, 'hé'], [INT, INT, STRING], [1, 0, 0], UTC);
    await writer.flush();
    const bytes = Buffer.concat(written);
    expect(bytes.toString('latin1', 0, 1)).toBe('D');
    expect(bytes.readInt32BE(1)).toBe(bytes.length - 1);
    expect(bytes.readInt16BE(5)).toBe(3);
    expect(bytes.readInt32BE(7)).toBe(4);
    expect(bytes.readInt32BE(11)).toBe(7);
    expect(bytes.readInt32BE(15)).toBe(-1);
    expect(bytes.readInt32BE(19)).toBe(3);
    expect(bytes.toString('utf8', 23)).toBe('hé');
  });

  it('drops a row whose value cannot be encoded and leaves the writer usable', async () => {
    const { writer, written } = capture();
    writer.commandComplete('X');
    const before = writer.pendingBytes;
    expect(() => writeDataRow(writer, [1, 2], [INT, NULL_TYPE], [0, 1], UTC)).toThrow();
    expect(writer.pendingBytes).toBe(before);
    writer.commandComplete('Y');
    await writer.flush();
    expect(Buffer.concat(written).toString('latin1')).toBe('C\0\0\0\x06X\0C\0\0\0\x06Y\0');
  });
});

describe('expandResultFormats', () => {
  const cols = [INT, INT, INT].map((type, i) => ({ name: `c${i}`, type, tableOid: 0, attnum: 0 }));
  it('applies the 0 / 1 / N rule', () => {
    expect(expandResultFormats([], cols)).toEqual([0, 0, 0]);
    expect(expandResultFormats([1], cols)).toEqual([1, 1, 1]);
    expect(expandResultFormats([1, 0, 1], cols)).toEqual([1, 0, 1]);
    expect(expandResultFormats([1], null)).toEqual([]);
  });
  it('rejects a wrong count or an unknown code', () => {
    expect(() => expandResultFormats([1, 0], cols)).toThrow(/2 result formats but query has 3 columns/);
    expect(() => expandResultFormats([2], cols)).toThrow(/unsupported format code: 2/);
  });
});
