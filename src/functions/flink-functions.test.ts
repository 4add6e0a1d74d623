import { describe, expect, it } from 'vitest';
import { INT, STRING } from '../../catalog/types.ts';
import { callRaw, run } from './test-helpers.ts';

const S = STRING;

describe('Flink-only functions', () => {
  it('character class tests', () => {
    expect(run('is_alpha', [S], ['abc'])).toBe('t');
    expect(run('is_alpha', [S], ['ab1'])).toBe('f');
    expect(run('is_digit', [S], ['123'])).toBe('t');
    expect(run('is_decimal', [S], ['-1.5e3'])).toBe('t');
    expect(run('is_decimal', [S], ['1.2.3'])).toBe('f');
  });
  it('str_to_map', () => {
    expect(run('str_to_map', [S], ['a=1,b=2'])).toBe('{"a":"1","b":"2"}');
    expect(run('str_to_map', [S, S, S], ['a:1;b', ';', ':'])).toBe('{"a":"1","b":null}');
  });
  it('parse_url (doc examples)', () => {
    const url = 'http://facebook.com/path1/p.php?k1=v1&k2=v2#Ref1';
    expect(run('parse_url', [S, S], [url, 'HOST'])).toBe('facebook.com');
    expect(run('parse_url', [S, S, S], [url, 'QUERY', 'k1'])).toBe('v1');
    expect(run('parse_url', [S, S], [url, 'QUERY'])).toBe('k1=v1&k2=v2');
    expect(run('parse_url', [S, S], [url, 'REF'])).toBe('Ref1');
    expect(run('parse_url', [S, S], [url, 'PATH'])).toBe('/path1/p.php');
  });
  it('url encoding, hashes and unhex', () => {
    expect(run('url_encode', [S], ['a b&c'])).toBe('a+b%26c');
    expect(run('url_decode', [S], ['a+b%26c'])).toBe('a b&c');
    expect(run('sha2', [S, INT], ['abc', 256])).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(run('sha256', [S], ['abc'])).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(run('unhex', [S], ['4142'])).toBe('\\x4142');
  });
  it('seeded random is repeatable', () => {
    const a = callRaw('rand', [INT], [7]).value;
    const b = callRaw('rand', [INT], [7]).value;
    expect(a).toBe(b);
    const n = callRaw('rand_integer', [INT, INT], [7, 10]).value as number;
    expect(n).toBeGreaterThanOrEqual(0);
    expect(n).toBeLessThan(10);
  });
});
