import type { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { arrayOf, OID, PgOid, SMALLINT, type SqlType } from '../../catalog/types.ts';
import { SystemOid } from '../../catalog/pg-catalog/oids.ts';
import { PG_INDEX_VECTOR_ATTNUMS } from '../../catalog/pg-catalog/pg-index.ts';
import type { ResultColumn } from '../session/api.ts';
import { encodeVectorBinary, formatVector, vectorTypeOid } from './catalog-vectors.ts';
import { writeDataRow } from './data-rows.ts';
import { MessageWriter } from './message-writer.ts';

const [INDKEY, INDCOLLATION] = [...PG_INDEX_VECTOR_ATTNUMS].sort((a, b) => a - b);

function column(type: SqlType, tableOid: number, attnum: number): ResultColumn {
  return { name: 'c', type, tableOid, attnum };
}

describe('int2vector / oidvector result columns', () => {
  it('are recognised by table oid and attribute number only', () => {
    expect(vectorTypeOid(column(arrayOf(SMALLINT), SystemOid.pg_index, INDKEY!))).toBe(PgOid.int2vector);
    expect(vectorTypeOid(column(arrayOf(OID), SystemOid.pg_index, INDCOLLATION!))).toBe(PgOid.oidvector);
    expect(vectorTypeOid(column(arrayOf(SMALLINT), 0, 0))).toBeUndefined();
    expect(vectorTypeOid(column(arrayOf(SMALLINT), SystemOid.pg_index, 1))).toBeUndefined();
    // indkey::text or an element: no longer the vector.
    expect(vectorTypeOid(column(SMALLINT, SystemOid.pg_index, INDKEY!))).toBeUndefined();
  });

  it('go out in binary as arrays subscripted from 0', () => {
    const bytes = encodeVectorBinary([2, 1], arrayOf(SMALLINT));
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect([view.getInt32(0), view.getInt32(8), view.getInt32(12), view.getInt32(16)]).toEqual([1, PgOid.int2, 2, 0]);
    expect(view.getInt16(24)).toBe(2);
    expect(view.getInt16(30)).toBe(1);
    // An empty vector has no dimensions to bound.
    expect(new DataView(encodeVectorBinary([], arrayOf(SMALLINT)).buffer).getInt32(0)).toBe(0);
  });

  it('print their elements separated by spaces', () => {
    expect(formatVector([2, 1])).toBe('2 1');
    expect(formatVector([])).toBe('');
  });

  it('are written as text in the vector form, other columns unchanged', async () => {
    const written: Buffer[] = [];
    const socket = { destroyed: false, writable: true, write: (b: Buffer) => (written.push(Buffer.from(b)), true) };
    const writer = new MessageWriter(socket as unknown as Socket);
    writeDataRow(writer, [[3, 1], [3, 1]], [arrayOf(SMALLINT), arrayOf(SMALLINT)], [0, 0], { timeZone: 'UTC' }, [true, false]);
    await writer.flush();
    const bytes = Buffer.concat(written);
    expect(bytes.readInt32BE(7)).toBe(3);
    expect(bytes.toString('utf8', 11, 14)).toBe('3 1');
    expect(bytes.readInt32BE(14)).toBe(5);
    expect(bytes.toString('utf8', 18, 23)).toBe('{3,1}');
  });
});
