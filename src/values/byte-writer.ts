/**
 * A growable big-endian byte buffer for the binary codecs. One writer can be
 * reset and reused across rows so encoding allocates only the final copy.
 */

const encoder = new TextEncoder();

export class ByteWriter {
  buf: Uint8Array;
  view: DataView;
  len: number;

  constructor(capacity = 64) {
    this.buf = new Uint8Array(capacity);
    this.view = new DataView(this.buf.buffer);
    this.len = 0;
  }

  reset(): void {
    this.len = 0;
  }

  ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.buf[this.len++] = v;
  }

  i16(v: number): void {
    this.ensure(2);
    this.view.setInt16(this.len, v);
    this.len += 2;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.len, v);
    this.len += 2;
  }

  i32(v: number): void {
    this.ensure(4);
    this.view.setInt32(this.len, v);
    this.len += 4;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.len, v);
    this.len += 4;
  }

  i64(v: bigint): void {
    this.ensure(8);
    this.view.setBigInt64(this.len, v);
    this.len += 8;
  }

  /** A safe-integer number as int64, without allocating a bigint. */
  i64n(v: number): void {
    this.ensure(8);
    const hi = Math.floor(v / 4294967296);
    this.view.setInt32(this.len, hi);
    this.view.setUint32(this.len + 4, v - hi * 4294967296);
    this.len += 8;
  }

  f32(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.len, v);
    this.len += 4;
  }

  f64(v: number): void {
    this.ensure(8);
    this.view.setFloat64(this.len, v);
    this.len += 8;
  }

  /** Unsigned LEB128. */
  varint(v: number): void {
    this.ensure(5);
    while (v >= 0x80) {
      this.buf[this.len++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.buf[this.len++] = v;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** Raw UTF-8 of `s`, no length. */
  utf8(s: string): void {
    this.ensure(s.length * 3);
    this.len += encoder.encodeInto(s, this.buf.subarray(this.len)).written;
  }

  /** Varint byte length, then the UTF-8 of `s`. */
  lengthPrefixedUtf8(s: string): void {
    this.ensure(5 + s.length * 3);
    // Reserve the largest varint the string can need, then compact if it was smaller.
    const max = s.length * 3;
    const lenBytes = max < 0x80 ? 1 : max < 0x4000 ? 2 : max < 0x200000 ? 3 : max < 0x10000000 ? 4 : 5;
    const start = this.len + lenBytes;
    const written = encoder.encodeInto(s, this.buf.subarray(start)).written;
    const actual = written < 0x80 ? 1 : written < 0x4000 ? 2 : written < 0x200000 ? 3 : written < 0x10000000 ? 4 : 5;
    if (actual !== lenBytes) this.buf.copyWithin(this.len + actual, start, start + written);
    this.varint(written);
    this.len += written;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}
