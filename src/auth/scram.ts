/**
 * SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it, server side.
 *
 * Verifier: what the server keeps instead of the password, in PostgreSQL's
 * pg_authid text form `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`
 * (base64 fields). SaltedPassword = PBKDF2-HMAC-SHA-256(SASLprep(password),
 * salt, iterations); ClientKey = HMAC(SaltedPassword, "Client Key");
 * StoredKey = SHA-256(ClientKey); ServerKey = HMAC(SaltedPassword, "Server Key").
 *
 * Exchange (ScramServer), messages as RFC 5802 section 7:
 *   client-first  = gs2-header client-first-bare; gs2-header = ("n" | "y") "," [authzid] ","
 *                   client-first-bare = "n=" user "," "r=" c-nonce ["," extensions]
 *   server-first  = "r=" c-nonce s-nonce ",s=" salt ",i=" iterations
 *   client-final  = "c=" base64(gs2-header) ",r=" nonce ["," extensions] ",p=" proof
 *   server-final  = "v=" base64(HMAC(ServerKey, AuthMessage))
 * AuthMessage = client-first-bare "," server-first "," client-final-without-proof.
 * Channel binding is never offered, so a "p=" gs2 flag is malformed; an
 * authzid or a mandatory extension ("m=") is not supported. As in
 * PostgreSQL the user name inside the SCRAM messages is ignored (the
 * StartupMessage's user is the one authenticated). Malformed messages throw
 * FATAL 08P01 / 0A000 SqlErrors; a wrong proof is reported by finish()
 * returning null so the caller can raise 28P01.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { SqlError, SqlState } from '../errors.ts';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';
/** PostgreSQL's defaults for new verifiers (scram_iterations, SCRAM_DEFAULT_SALT_LEN). */
export const SCRAM_DEFAULT_ITERATIONS = 4096;
export const SCRAM_SALT_BYTES = 16;
/** Raw bytes of the server nonce before base64 (PostgreSQL's SCRAM_RAW_NONCE_LEN). */
const SERVER_NONCE_BYTES = 18;
const KEY_BYTES = 32;

export interface ScramVerifier {
  readonly iterations: number;
  readonly salt: Buffer;
  readonly storedKey: Buffer;
  readonly serverKey: Buffer;
}

function hmac(key: Buffer, data: string | Buffer): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

/** PBKDF2 over the SASLprep-ed password: the SaltedPassword of RFC 5802. */
export function saltedPassword(password: string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(Buffer.from(saslPrep(password), 'utf8'), salt, iterations, KEY_BYTES, 'sha256');
}

/** A new verifier for `password` (random salt unless given). */
export function scramVerifierFromPassword(
  password: string,
  opts: { readonly salt?: Buffer; readonly iterations?: number } = {},
): ScramVerifier {
  const salt = opts.salt ?? randomBytes(SCRAM_SALT_BYTES);
  const iterations = opts.iterations ?? SCRAM_DEFAULT_ITERATIONS;
  const salted = saltedPassword(password, salt, iterations);
  return {
    iterations,
    salt,
    storedKey: sha256(hmac(salted, 'Client Key')),
    serverKey: hmac(salted, 'Server Key'),
  };
}

/** True when `password` is the one the verifier was made from (cleartext password authentication). */
export function scramVerifyPassword(verifier: ScramVerifier, password: string): boolean {
  const candidate = scramVerifierFromPassword(password, { salt: verifier.salt, iterations: verifier.iterations });
  return timingSafeEqual(candidate.storedKey, verifier.storedKey) && timingSafeEqual(candidate.serverKey, verifier.serverKey);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodeBase64(text: string): Buffer | null {
  return BASE64.test(text) ? Buffer.from(text, 'base64') : null;
}

/** Parses PostgreSQL's verifier text; null when `text` is not one. */
export function parseScramVerifier(text: string): ScramVerifier | null {
  const m = /^SCRAM-SHA-256\$(\d+):([^$:]+)\$([^$:]+):([^$:]+)$/.exec(text);
  if (m === null) return null;
  const iterations = Number(m[1]);
  const salt = decodeBase64(m[2]!);
  const storedKey = decodeBase64(m[3]!);
  const serverKey = decodeBase64(m[4]!);
  if (!Number.isSafeInteger(iterations) || iterations < 1) return null;
  if (salt === null || salt.length === 0 || storedKey?.length !== KEY_BYTES || serverKey?.length !== KEY_BYTES) return null;
  return { iterations, salt, storedKey, serverKey };
}

export function formatScramVerifier(v: ScramVerifier): string {
  return `${SCRAM_MECHANISM}$${v.iterations}:${v.salt.toString('base64')}$${v.storedKey.toString('base64')}:${v.serverKey.toString('base64')}`;
}

// ------------------------------------------------------------ SASLprep (RFC 4013)

/** RFC 3454 C.1.2: non-ASCII space characters, mapped to SPACE. */
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g;
/** RFC 3454 B.1: commonly mapped to nothing. */
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;
/** RFC 3454 C.2-C.9 (controls, private use, non-characters, surrogates, tagging, display-changing). */
const PROHIBITED =
  /[\u0000-\u001F\u007F-\u009F\u0340\u0341\u06DD\u070F\u180E\u200E\u200F\u202A-\u202E\u2028\u2029\u206A-\u206F\u2FF0-\u2FFB\uD800-\uDFFF\uE000-\uF8FF\uFDD0-\uFDEF\uFFF9-\uFFFF]|[\u{1FFFE}-\u{1FFFF}\u{E0001}\u{E0020}-\u{E007F}\u{F0000}-\u{10FFFF}]/u;

/**
 * SASLprep as PostgreSQL applies it to SCRAM passwords: ASCII passwords are
 * used as they are; others are mapped (B.1, C.1.2) and NFKC-normalized, and
 * a password with prohibited characters is used raw (PostgreSQL falls back
 * the same way). The bidirectional-text check and the unassigned-code-point
 * table are not applied.
 */
export function saslPrep(password: string): string {
  if (/^[\x00-\x7f]*$/.test(password)) return password;
  const prepared = password.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '').normalize('NFKC');
  return PROHIBITED.test(prepared) || prepared === '' ? password : prepared;
}

// ------------------------------------------------------------ the exchange

function malformed(detail: string): SqlError {
  return new SqlError(SqlState.PROTOCOL_VIOLATION, 'malformed SCRAM message', { detail, severity: 'FATAL' });
}

/** Attributes after the first two must be `x=value` (extensions, ignored). */
function checkExtensions(attrs: readonly string[], where: string): void {
  for (let i = 2; i < attrs.length; i++) {
    if (!/^[A-Za-z]=/.test(attrs[i]!)) throw malformed(`Malformed attribute in ${where}.`);
  }
}

/** printable = %x21-2B / %x2D-7E (no comma). */
const NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

/**
 * One SCRAM-SHA-256 authentication, server side: start() answers the
 * client-first-message, finish() checks the client-final-message.
 * `genuine` false makes finish() fail whatever the proof (a mock exchange
 * for an unknown user, so the client cannot tell it from a wrong password).
 */
export class ScramServer {
  readonly #verifier: ScramVerifier;
  readonly #genuine: boolean;
  readonly #serverNonce: string;
  #gs2Header = '';
  #nonce = '';
  #clientFirstBare = '';
  #serverFirst = '';

  constructor(verifier: ScramVerifier, opts: { readonly genuine?: boolean; readonly serverNonce?: string } = {}) {
    this.#verifier = verifier;
    this.#genuine = opts.genuine ?? true;
    this.#serverNonce = opts.serverNonce ?? randomBytes(SERVER_NONCE_BYTES).toString('base64');
  }

  /** client-first-message -> server-first-message. */
  start(clientFirst: string): string {
    let pos: number;
    switch (clientFirst[0]) {
      case 'n':
      case 'y':
        if (clientFirst[1] !== ',') throw malformed('Comma expected, but found character "' + (clientFirst[1] ?? '') + '".');
        pos = 2;
        break;
      case 'p':
        throw malformed('The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.');
      default:
        throw malformed(`Unexpected channel-binding flag "${clientFirst[0] ?? ''}".`);
    }
    if (clientFirst.startsWith('a=', pos)) {
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'client uses authorization identity, but it is not supported', {
        severity: 'FATAL',
      });
    }
    if (clientFirst[pos] !== ',') throw malformed(`Unexpected attribute "${clientFirst[pos] ?? ''}" in client-first-message.`);
    this.#gs2Header = clientFirst.slice(0, pos + 1);
    const bare = clientFirst.slice(pos + 1);
    if (bare.startsWith('m=')) {
      throw new SqlError(SqlState.FEATURE_NOT_SUPPORTED, 'client requires an unsupported SCRAM extension', { severity: 'FATAL' });
    }
    const attrs = bare.split(',');
    if (!attrs[0]?.startsWith('n=')) throw malformed('Expected attribute "n" in client-first-message.');
    const nonce = attrs[1];
    if (nonce === undefined || !nonce.startsWith('r=')) throw malformed('Expected attribute "r" in client-first-message.');
    const clientNonce = nonce.slice(2);
    if (!NONCE.test(clientNonce)) throw malformed('Invalid nonce in client-first-message.');
    checkExtensions(attrs, 'client-first-message');
    this.#clientFirstBare = bare;
    this.#nonce = clientNonce + this.#serverNonce;
    const v = this.#verifier;
    this.#serverFirst = `r=${this.#nonce},s=${v.salt.toString('base64')},i=${v.iterations}`;
    return this.#serverFirst;
  }

  /** client-final-message -> server-final-message, or null when the proof is wrong. */
  finish(clientFinal: string): string | null {
    if (this.#serverFirst === '') throw malformed('client-final-message before client-first-message.');
    const proofAt = clientFinal.lastIndexOf(',p=');
    if (proofAt < 0) throw malformed('Could not find proof in client-final-message.');
    const withoutProof = clientFinal.slice(0, proofAt);
    const attrs = withoutProof.split(',');
    const binding = attrs[0];
    if (binding === undefined || !binding.startsWith('c=')) throw malformed('Expected attribute "c" in client-final-message.');
    const cbind = decodeBase64(binding.slice(2));
    if (cbind === null || cbind.toString('utf8') !== this.#gs2Header) {
      throw new SqlError(SqlState.PROTOCOL_VIOLATION, 'unexpected SCRAM channel-binding attribute in client-final-message', {
        severity: 'FATAL',
      });
    }
    const nonce = attrs[1];
    if (nonce === undefined || !nonce.startsWith('r=')) throw malformed('Expected attribute "r" in client-final-message.');
    if (nonce.slice(2) !== this.#nonce) throw malformed('Nonce does not match.');
    checkExtensions(attrs, 'client-final-message');
    const proof = decodeBase64(clientFinal.slice(proofAt + 3));
    if (proof === null || proof.length !== KEY_BYTES) throw malformed('Malformed proof in client-final-message.');

    const authMessage = `${this.#clientFirstBare},${this.#serverFirst},${withoutProof}`;
    const v = this.#verifier;
    const clientSignature = hmac(v.storedKey, authMessage);
    const clientKey = Buffer.alloc(KEY_BYTES);
    for (let i = 0; i < KEY_BYTES; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    const matches = timingSafeEqual(sha256(clientKey), v.storedKey);
    if (!matches || !this.#genuine) return null;
    return `v=${hmac(v.serverKey, authMessage).toString('base64')}`;
  }
}

/** Client side of the exchange, for tests and tools: builds the messages a driver sends. */
export class ScramClient {
  readonly #password: string;
  readonly #clientNonce: string;
  #clientFirstBare = '';
  #expectedServerSignature = '';

  constructor(password: string, clientNonce: string = randomBytes(SERVER_NONCE_BYTES).toString('base64')) {
    this.#password = password;
    this.#clientNonce = clientNonce;
  }

  first(): string {
    this.#clientFirstBare = `n=,r=${this.#clientNonce}`;
    return `n,,${this.#clientFirstBare}`;
  }

  final(serverFirst: string): string {
    const fields = new Map(serverFirst.split(',').map((a) => [a.slice(0, 1), a.slice(2)] as const));
    const nonce = fields.get('r') ?? '';
    const salted = saltedPassword(this.#password, Buffer.from(fields.get('s') ?? '', 'base64'), Number(fields.get('i')));
    const clientKey = hmac(salted, 'Client Key');
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.#clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(sha256(clientKey), authMessage);
    const proof = Buffer.alloc(KEY_BYTES);
    for (let i = 0; i < KEY_BYTES; i++) proof[i] = clientKey[i]! ^ signature[i]!;
    this.#expectedServerSignature = `v=${hmac(hmac(salted, 'Server Key'), authMessage).toString('base64')}`;
    return `${withoutProof},p=${proof.toString('base64')}`;
  }

  /** The server-final-message a server knowing the password sends. */
  get expectedServerFinal(): string {
    return this.#expectedServerSignature;
  }
}
