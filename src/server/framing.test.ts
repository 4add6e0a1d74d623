import { describe, expect, it } from 'vitest';
import { FrameDecoder, type Frame } from './framing.ts';
import { msg } from './wire-client.test-helpers.ts';

function decode(decoder: FrameDecoder, ...chunks: Buffer[]): Frame[] {
  const out: Frame[] = [];
  for (const c of chunks) decoder.push(c, (f) => out.push(f));
  return out;
}

describe('FrameDecoder', () => {
  it('stays in the startup phase after SSLRequest and switches to tagged messages after StartupMessage', () => {
    const d = new FrameDecoder(1024);
    const frames = decode(d, Buffer.concat([msg.sslRequest(), msg.startup({ user: 'u' }), msg.query('SELECT 1')]));
    expect(frames.map((f) => f.kind)).toEqual(['startup', 'startup', 'message']);
    const q = frames[2]!;
    expect(q.kind === 'message' && String.fromCharCode(q.type)).toBe('Q');
    expect(q.kind === 'message' && q.body.toString()).toBe('SELECT 1\0');
  });

  it('reassembles messages split at every byte', () => {
    const d = new FrameDecoder(1024);
    const bytes = Buffer.concat([msg.startup({ user: 'u' }), msg.query('SELECT 1'), msg.sync()]);
    const frames = decode(d, ...[...bytes].map((b) => Buffer.from([b])));
    expect(frames.map((f) => (f.kind === 'message' ? String.fromCharCode(f.type) : f.kind))).toEqual([
      'startup',
      'Q',
      'S',
    ]);
    expect(d.bufferedBytes).toBe(0);
  });

  it('breaks on an invalid length and ignores everything after', () => {
    const d = new FrameDecoder(1024);
    decode(d, msg.startup({ user: 'u' }));
    const frames = decode(d, Buffer.from([0x51, 0, 0, 0, 2]), msg.sync());
    expect(frames).toHaveLength(1);
    expect(frames[0]!.kind === 'broken' && frames[0]!.error.code).toBe('08P01');
  });

  it('reports an oversized message as 54000 as soon as its header arrives', () => {
    const d = new FrameDecoder(100);
    decode(d, msg.startup({ user: 'u' }));
    const frames = decode(d, Buffer.from([0x51, 0, 0, 1, 0]));
    expect(frames[0]!.kind === 'broken' && frames[0]!.error.code).toBe('54000');
    expect(frames[0]!.kind === 'broken' && frames[0]!.error.severity).toBe('FATAL');
  });

  it('rejects an oversized startup packet', () => {
    const d = new FrameDecoder(1024);
    const frames = decode(d, Buffer.from('GET / HTTP/1.1\r\n'));
    expect(frames[0]!.kind).toBe('broken');
  });
});
