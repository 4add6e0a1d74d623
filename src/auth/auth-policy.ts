/**
 * What the operator configured: the authentication method every connection
 * must pass and the users' secrets. Secrets only (a SCRAM verifier and/or an
 * md5 hash), never a password in the clear.
 *
 * Methods, as PostgreSQL's pg_hba methods of the same names:
 * - `trust`: any user name is accepted without a password.
 * - `password`: AuthenticationCleartextPassword; the password is checked
 *   against the SCRAM verifier, else the md5 hash.
 * - `md5`: AuthenticationMD5Password for users with an md5 hash; users that
 *   only have a SCRAM verifier are asked for SCRAM instead (as PostgreSQL).
 * - `scram-sha-256`: AuthenticationSASL with SCRAM-SHA-256 only.
 */
import type { ScramVerifier } from './scram.ts';

export const AUTH_METHODS = ['trust', 'password', 'md5', 'scram-sha-256'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

export interface UserSecrets {
  readonly scram: ScramVerifier | null;
  /** "md5" || hex(md5(password || user)). */
  readonly md5: string | null;
}

export interface AuthPolicy {
  readonly method: AuthMethod;
  readonly users: ReadonlyMap<string, UserSecrets>;
}

export const TRUST_ALL: AuthPolicy = { method: 'trust', users: new Map() };
