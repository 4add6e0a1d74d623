/**
 * PostgreSQL's md5 password scheme.
 *
 * Stored hash: "md5" || hex(md5(password || user)) (the pg_authid form, bound
 * to the user name). Challenge: AuthenticationMD5Password carries a 4-byte
 * random salt; the client answers with a PasswordMessage holding
 * "md5" || hex(md5(hex(md5(password || user)) || salt)).
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export const MD5_SALT_BYTES = 4;

function md5Hex(data: string | Buffer): string {
  return createHash('md5').update(data).digest('hex');
}

/** The pg_authid form of `password` for `user`. */
export function md5PasswordHash(user: string, password: string): string {
  return `md5${md5Hex(password + user)}`;
}

/** True when `text` looks like a stored md5 hash ("md5" and 32 lower-case hex digits). */
export function isMd5PasswordHash(text: string): boolean {
  return /^md5[0-9a-f]{32}$/.test(text);
}

/** The response a client knowing the password sends for the stored `hash` and `salt`. */
export function md5SaltedResponse(hash: string, salt: Buffer): string {
  return `md5${md5Hex(Buffer.concat([Buffer.from(hash.slice(3), 'utf8'), salt]))}`;
}

/** Checks a client's PasswordMessage text against the stored hash and the salt it was challenged with. */
export function md5VerifyResponse(hash: string, salt: Buffer, response: string): boolean {
  const expected = Buffer.from(md5SaltedResponse(hash, salt), 'utf8');
  const got = Buffer.from(response, 'utf8');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** Checks a cleartext password against the stored hash of `user`. */
export function md5VerifyPassword(hash: string, user: string, password: string): boolean {
  const expected = Buffer.from(hash, 'utf8');
  const got = Buffer.from(md5PasswordHash(user, password), 'utf8');
  return got.length === expected.length && timingSafeEqual(got, expected);
}
