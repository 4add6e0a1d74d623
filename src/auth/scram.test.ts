import { describe, expect, it } from 'vitest';
import { SqlError } from '../errors.ts';
import {
  formatScramVerifier,
  parseScramVerifier,
  saslPrep,
  ScramClient,
  ScramServer,
  scramVerifierFromPassword,
  scramVerifyPassword,
} from './scram.ts';

// RFC 7677 section 3: user "user", password "pencil".
const CLIENT_FIRST = 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO';
const SERVER_NONCE = '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const CLIENT_FINAL =
  'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';
const RFC_SALT = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');

function rfcVerifier() {
  return scramVerifierFromPassword('pencil', { salt: RFC_SALT, iterations: 4096 });
}

function fatalCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SqlError);
    expect((err as SqlError).severity).toBe('FATAL');
    return (err as SqlError).code;
  }
  throw new Error('expected a SqlError');
}

describe('SCRAM-SHA-256 server', () => {
  it('reproduces the RFC 7677 exchange', () => {
    const server = new ScramServer(rfcVerifier(), { serverNonce: SERVER_NONCE });
    expect(server.start(CLIENT_FIRST)).toBe(SERVER_FIRST);
    expect(server.finish(CLIENT_FINAL)).toBe(SERVER_FINAL);
  });

  it('rejects a wrong proof', () => {
    const server = new ScramServer(scramVerifierFromPassword('pencils', { salt: RFC_SALT }), { serverNonce: SERVER_NONCE });
    server.start(CLIENT_FIRST);
    expect(server.finish(CLIENT_FINAL)).toBeNull();
  });

  it('fails a mock exchange even with the right proof', () => {
    const server = new ScramServer(rfcVerifier(), { serverNonce: SERVER_NONCE, genuine: false });
    server.start(CLIENT_FIRST);
    expect(server.finish(CLIENT_FINAL)).toBeNull();
  });

  it('talks to its client with a random nonce and salt', () => {
    const server = new ScramServer(scramVerifierFromPassword('s3cr3t'));
    const client = new ScramClient('s3cr3t');
    const serverFirst = server.start(client.first());
    expect(serverFirst).toMatch(/^r=[^,]+,s=[A-Za-z0-9+/=]+,i=4096$/);
    expect(server.finish(client.final(serverFirst))).toBe(client.expectedServerFinal);
  });

  it('refuses channel binding, authzid and mandatory extensions', () => {
    const v = rfcVerifier();
    expect(fatalCode(() => new ScramServer(v).start('p=tls-server-end-point,,n=,r=abc'))).toBe('08P01');
    expect(fatalCode(() => new ScramServer(v).start('n,a=admin,n=,r=abc'))).toBe('0A000');
    expect(fatalCode(() => new ScramServer(v).start('n,,m=ext,n=,r=abc'))).toBe('0A000');
    expect(fatalCode(() => new ScramServer(v).start('x,,n=,r=abc'))).toBe('08P01');
    expect(fatalCode(() => new ScramServer(v).start('n,,n=,r=a,b'))).toBe('08P01');
    expect(fatalCode(() => new ScramServer(v).start('n,,n='))).toBe('08P01');
  });

  it('accepts the y flag (client could bind, server offers no PLUS)', () => {
    const server = new ScramServer(rfcVerifier(), { serverNonce: SERVER_NONCE });
    server.start('y,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    // The c= attribute must echo the same gs2 header: biws ("n,,") no longer matches.
    expect(fatalCode(() => server.finish(CLIENT_FINAL))).toBe('08P01');
  });

  it('checks the nonce and the proof format of the final message', () => {
    const server = new ScramServer(rfcVerifier(), { serverNonce: SERVER_NONCE });
    server.start(CLIENT_FIRST);
    expect(fatalCode(() => server.finish(CLIENT_FINAL.replace('hNlF$k0', 'hNlF$k1')))).toBe('08P01');
    expect(fatalCode(() => server.finish('c=biws,r=x'))).toBe('08P01');
    expect(fatalCode(() => server.finish(CLIENT_FINAL.replace(/p=.*$/, 'p=AAAA')))).toBe('08P01');
  });
});

describe('SCRAM verifiers', () => {
  it('round-trips the pg_authid text form', () => {
    const v = rfcVerifier();
    const text = formatScramVerifier(v);
    expect(text).toMatch(/^SCRAM-SHA-256\$4096:W22ZaJ0SNY7soEsUEjb6gQ==\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/);
    const back = parseScramVerifier(text);
    expect(back).not.toBeNull();
    expect(formatScramVerifier(back!)).toBe(text);
  });

  it('matches a verifier made by PostgreSQL', () => {
    // PostgreSQL 15: SET password_encryption = 'scram-sha-256'; CREATE ROLE r PASSWORD 'pencil';
    const v = parseScramVerifier(
      'SCRAM-SHA-256$4096:iO+2Kaw/vV41GpbrsvVmqA==$2v3bfqU0l4aj49oIZLDO/fPAGUn5YX+mhvcu1CQefOs=:1NXJDP81PC24sfgw4usssCimSepgBCWfdTgYdI2ZVS0=',
    );
    expect(v).not.toBeNull();
    expect(scramVerifyPassword(v!, 'pencil')).toBe(true);
    expect(scramVerifyPassword(v!, 'Pencil')).toBe(false);
    const server = new ScramServer(v!);
    const client = new ScramClient('pencil');
    expect(server.finish(client.final(server.start(client.first())))).toBe(client.expectedServerFinal);
  });

  it('rejects malformed verifier text', () => {
    expect(parseScramVerifier('SCRAM-SHA-256$4096:abc')).toBeNull();
    expect(parseScramVerifier('SCRAM-SHA-256$0:W22ZaJ0SNY7soEsUEjb6gQ==$AAAA:AAAA')).toBeNull();
    expect(parseScramVerifier('md5abc')).toBeNull();
  });

  it('SASLprep maps spaces and soft hyphens, normalizes NFKC, keeps ASCII as it is', () => {
    expect(saslPrep('I\u00ADX')).toBe('IX');
    expect(saslPrep('a\u00A0b')).toBe('a b');
    expect(saslPrep('\u2168')).toBe('IX');
    expect(saslPrep('plain ascii\t')).toBe('plain ascii\t');
    expect(saslPrep('bad\u0007\u00E9')).toBe('bad\u0007\u00E9');
  });
});
