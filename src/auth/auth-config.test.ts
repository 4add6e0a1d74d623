import { describe, expect, it } from 'vitest';
import { buildAuthPolicy, parseAuthMethod, parseUsersFile } from './auth-config.ts';
import { scramVerifyPassword } from './scram.ts';

const PG_VERIFIER =
  'SCRAM-SHA-256$4096:iO+2Kaw/vV41GpbrsvVmqA==$2v3bfqU0l4aj49oIZLDO/fPAGUn5YX+mhvcu1CQefOs=:1NXJDP81PC24sfgw4usssCimSepgBCWfdTgYdI2ZVS0=';

describe('users file', () => {
  it('reads plain passwords, pasted verifiers and md5 hashes; skips comments and blank lines', () => {
    const users = parseUsersFile(
      ['# operators', '', 'alice:se:cr:et', `pat:${PG_VERIFIER}`, 'bob:md524b72adbfafd9c8762319d2e71b421b9\r', '  # indented comment'].join('\n'),
      'users.txt',
    );
    expect([...users.keys()]).toEqual(['alice', 'pat', 'bob']);
    const alice = users.get('alice')!;
    expect(scramVerifyPassword(alice.scram!, 'se:cr:et')).toBe(true);
    expect(alice.md5).toMatch(/^md5[0-9a-f]{32}$/);
    expect(scramVerifyPassword(users.get('pat')!.scram!, 'pencil')).toBe(true);
    expect(users.get('pat')!.md5).toBeNull();
    expect(users.get('bob')).toEqual({ scram: null, md5: 'md524b72adbfafd9c8762319d2e71b421b9' });
  });

  it('names the file and line of a mistake, never the secret', () => {
    expect(() => parseUsersFile('alice:x\nbob', 'f')).toThrow('f:2: expected "name:password"');
    expect(() => parseUsersFile(':pw', 'f')).toThrow('f:1: empty user name');
    expect(() => parseUsersFile('a:', 'f')).toThrow('f:1: empty password for user "a"');
    expect(() => parseUsersFile('a:1\na:2', 'f')).toThrow('f:2: user "a" appears twice');
    expect(() => parseUsersFile('a:SCRAM-SHA-256$4096:zz', 'f')).toThrow('f:1: malformed SCRAM-SHA-256 verifier for user "a"');
  });
});

describe('auth policy', () => {
  it('defaults to trust without users and to SCRAM with them', () => {
    expect(buildAuthPolicy({}).method).toBe('trust');
    expect(buildAuthPolicy({ users: new Map() }).method).toBe('scram-sha-256');
    expect(buildAuthPolicy({ method: 'md5', users: new Map() }).method).toBe('md5');
    expect(buildAuthPolicy({ method: 'trust', users: new Map() }).method).toBe('trust');
  });

  it('needs a users file for password methods', () => {
    expect(() => buildAuthPolicy({ method: 'scram' })).toThrow('--auth scram needs --users FILE');
  });

  it('knows the method names', () => {
    expect(parseAuthMethod('scram')).toBe('scram-sha-256');
    expect(parseAuthMethod('SCRAM-SHA-256')).toBe('scram-sha-256');
    expect(parseAuthMethod('password')).toBe('password');
    expect(() => parseAuthMethod('ident')).toThrow('invalid --auth "ident"');
  });
});
