/**
 * The authentication exchange of one connection, between its StartupMessage
 * and AuthenticationOk, independent of sockets: begin() says what to send
 * first, respond() takes the body of each PasswordMessage-family message
 * ('p') and says what to send next; `done` means authenticated (the caller
 * sends AuthenticationOk and opens the session). Failures throw FATAL
 * SqlErrors; an unknown user and a wrong password both give 28P01
 * `password authentication failed for user "x"` after a complete exchange
 * (a mock SCRAM salt derived from the user name hides which users exist).
 *
 * Messages (PostgreSQL manual, "Message Formats"):
 *   Authentication 'R': int32 code, then per code
 *     3 CleartextPassword; 5 MD5Password: byte4 salt;
 *     10 SASL: mechanism cstrings, then an empty string;
 *     11 SASLContinue / 12 SASLFinal: SCRAM message bytes.
 *   'p' PasswordMessage: cstring password
 *   'p' SASLInitialResponse: cstring mechanism, int32 length (-1: none), bytes
 *   'p' SASLResponse: bytes (the whole body)
 */
import { createHmac, randomBytes } from 'node:crypto';
import { SqlError, SqlState, unreachable } from '../errors.ts';
import { MessageReader } from '../server/message-reader.ts';
import type { AuthPolicy, UserSecrets } from './auth-policy.ts';
import { MD5_SALT_BYTES, md5VerifyPassword, md5VerifyResponse } from './md5.ts';
import {
  SCRAM_DEFAULT_ITERATIONS,
  SCRAM_MECHANISM,
  SCRAM_SALT_BYTES,
  ScramServer,
  scramVerifyPassword,
  type ScramVerifier,
} from './scram.ts';

/** Codes of the Authentication message. */
export const AuthCode = {
  OK: 0,
  CLEARTEXT_PASSWORD: 3,
  MD5_PASSWORD: 5,
  SASL: 10,
  SASL_CONTINUE: 11,
  SASL_FINAL: 12,
} as const;

export interface AuthRequest {
  readonly code: number;
  readonly payload: Buffer | null;
}

export interface AuthStep {
  /** Authentication messages to send now, in order. */
  readonly send: readonly AuthRequest[];
  /** True once the user is authenticated. */
  readonly done: boolean;
}

type State =
  | { readonly kind: 'cleartext' }
  | { readonly kind: 'md5'; readonly hash: string | null; readonly salt: Buffer }
  | { readonly kind: 'sasl-initial'; readonly scram: ScramServer }
  | { readonly kind: 'sasl-first'; readonly scram: ScramServer }
  | { readonly kind: 'sasl-final'; readonly scram: ScramServer }
  | { readonly kind: 'done' };

/** Per-process secret behind the mock SCRAM salts of unknown users. */
const MOCK_SECRET = randomBytes(32);

const DONE: AuthStep = { send: [], done: true };

export function passwordFailed(user: string): SqlError {
  return new SqlError(SqlState.INVALID_PASSWORD, `password authentication failed for user "${user}"`, { severity: 'FATAL' });
}

function protocolFatal(message: string): SqlError {
  return new SqlError(SqlState.PROTOCOL_VIOLATION, message, { severity: 'FATAL' });
}

/** A verifier no password matches, with a salt stable per user name (as PostgreSQL's mock salt). */
function mockVerifier(user: string): ScramVerifier {
  return {
    iterations: SCRAM_DEFAULT_ITERATIONS,
    salt: createHmac('sha256', MOCK_SECRET).update(user).digest().subarray(0, SCRAM_SALT_BYTES),
    storedKey: randomBytes(32),
    serverKey: randomBytes(32),
  };
}

function saslMechanisms(): Buffer {
  return Buffer.from(`${SCRAM_MECHANISM}\0\0`, 'utf8');
}

export class Authenticator {
  readonly #policy: AuthPolicy;
  readonly #user: string;
  readonly #secrets: UserSecrets | undefined;
  #state: State = { kind: 'done' };

  constructor(policy: AuthPolicy, user: string) {
    this.#policy = policy;
    this.#user = user;
    this.#secrets = policy.users.get(user);
  }

  /** What to send right after the StartupMessage. */
  begin(): AuthStep {
    const secrets = this.#secrets;
    switch (this.#policy.method) {
      case 'trust':
        return DONE;
      case 'password':
        return this.#ask({ kind: 'cleartext' }, AuthCode.CLEARTEXT_PASSWORD, null);
      case 'md5':
        if (secrets?.md5 != null) {
          const salt = randomBytes(MD5_SALT_BYTES);
          return this.#ask({ kind: 'md5', hash: secrets.md5, salt }, AuthCode.MD5_PASSWORD, salt);
        }
        return this.#beginScram();
      case 'scram-sha-256':
        return this.#beginScram();
      default:
        return unreachable(this.#policy.method);
    }
  }

  /** Handles the body of a 'p' message. */
  respond(body: Buffer): AuthStep {
    const state = this.#state;
    switch (state.kind) {
      case 'cleartext': {
        const password = readPassword(body);
        const s = this.#secrets;
        const ok =
          password !== '' &&
          s !== undefined &&
          (s.scram !== null ? scramVerifyPassword(s.scram, password) : s.md5 !== null && md5VerifyPassword(s.md5, this.#user, password));
        return this.#finish(ok);
      }
      case 'md5': {
        const response = readPassword(body);
        return this.#finish(state.hash !== null && md5VerifyResponse(state.hash, state.salt, response));
      }
      case 'sasl-initial': {
        const r = new MessageReader(body);
        const mechanism = r.cstring();
        if (mechanism !== SCRAM_MECHANISM) {
          throw protocolFatal('client selected an invalid SASL authentication mechanism');
        }
        const length = r.int32();
        if (length === -1) {
          r.end();
          return this.#ask({ kind: 'sasl-first', scram: state.scram }, AuthCode.SASL_CONTINUE, Buffer.alloc(0));
        }
        const data = r.bytes(length);
        r.end();
        return this.#scramFirst(state.scram, data);
      }
      case 'sasl-first':
        return this.#scramFirst(state.scram, body);
      case 'sasl-final': {
        const serverFinal = state.scram.finish(body.toString('utf8'));
        if (serverFinal === null) throw passwordFailed(this.#user);
        this.#state = { kind: 'done' };
        return { send: [{ code: AuthCode.SASL_FINAL, payload: Buffer.from(serverFinal, 'utf8') }], done: true };
      }
      case 'done':
        throw protocolFatal('unexpected password message: authentication is complete');
      default:
        return unreachable(state);
    }
  }

  /** The message type a client sends next, for the "expected ... response" error. */
  get expecting(): 'password' | 'SASL' {
    const kind = this.#state.kind;
    return kind === 'sasl-initial' || kind === 'sasl-first' || kind === 'sasl-final' ? 'SASL' : 'password';
  }

  #beginScram(): AuthStep {
    const verifier = this.#secrets?.scram;
    const scram = verifier != null ? new ScramServer(verifier) : new ScramServer(mockVerifier(this.#user), { genuine: false });
    return this.#ask({ kind: 'sasl-initial', scram }, AuthCode.SASL, saslMechanisms());
  }

  #scramFirst(scram: ScramServer, data: Buffer): AuthStep {
    const serverFirst = scram.start(data.toString('utf8'));
    return this.#ask({ kind: 'sasl-final', scram }, AuthCode.SASL_CONTINUE, Buffer.from(serverFirst, 'utf8'));
  }

  #ask(state: State, code: number, payload: Buffer | null): AuthStep {
    this.#state = state;
    return { send: [{ code, payload }], done: false };
  }

  #finish(ok: boolean): AuthStep {
    if (!ok) throw passwordFailed(this.#user);
    this.#state = { kind: 'done' };
    return DONE;
  }
}

function readPassword(body: Buffer): string {
  const r = new MessageReader(body);
  let password: string;
  try {
    password = r.cstring();
    r.end();
  } catch {
    throw protocolFatal('invalid password packet size');
  }
  return password;
}
