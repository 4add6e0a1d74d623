import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isMd5PasswordHash, md5PasswordHash, md5SaltedResponse, md5VerifyPassword, md5VerifyResponse } from './md5.ts';

// From PostgreSQL 15: SET password_encryption = 'md5'; CREATE ROLE authprobe_md5 PASSWORD 'secret';
const PG_HASH = 'md524b72adbfafd9c8762319d2e71b421b9';

describe('md5 passwords', () => {
  it('hashes as pg_authid does', () => {
    expect(md5PasswordHash('authprobe_md5', 'secret')).toBe(PG_HASH);
    expect(isMd5PasswordHash(PG_HASH)).toBe(true);
    expect(isMd5PasswordHash('md5abc')).toBe(false);
  });

  it('computes and checks the salted response of the protocol', () => {
    const salt = Buffer.from([0x01, 0xff, 0x00, 0x7f]);
    const inner = PG_HASH.slice(3);
    const expected = 'md5' + createHash('md5').update(Buffer.concat([Buffer.from(inner), salt])).digest('hex');
    expect(md5SaltedResponse(PG_HASH, salt)).toBe(expected);
    expect(md5VerifyResponse(PG_HASH, salt, expected)).toBe(true);
    expect(md5VerifyResponse(PG_HASH, Buffer.from([1, 2, 3, 4]), expected)).toBe(false);
    expect(md5VerifyResponse(PG_HASH, salt, expected.slice(0, -1))).toBe(false);
  });

  it('checks a cleartext password against the hash', () => {
    expect(md5VerifyPassword(PG_HASH, 'authprobe_md5', 'secret')).toBe(true);
    expect(md5VerifyPassword(PG_HASH, 'other_user', 'secret')).toBe(false);
    expect(md5VerifyPassword(PG_HASH, 'authprobe_md5', 'secret ')).toBe(false);
  });
});
