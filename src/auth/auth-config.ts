/**
 * The operator's authentication settings (`--users FILE`, `--auth METHOD`)
 * turned into an AuthPolicy. The caller reads the file; this module only
 * parses its text.
 *
 * Users file: one user per line, `name:secret`, split at the first colon;
 * blank lines and lines starting with `#` are ignored. `secret` is
 * - `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`: a verifier
 *   as stored in PostgreSQL's pg_authid.rolpassword;
 * - `md5` followed by 32 hex digits: a pg_authid md5 hash (made for this user name);
 * - anything else: the password in the clear, turned into a SCRAM verifier
 *   (random salt, 4096 iterations) and an md5 hash at load; the clear text is
 *   not kept.
 * Errors name the file and line, never the secret.
 */
import { AUTH_METHODS, type AuthMethod, type AuthPolicy, type UserSecrets } from './auth-policy.ts';
import { isMd5PasswordHash, md5PasswordHash } from './md5.ts';
import { parseScramVerifier, SCRAM_MECHANISM, scramVerifierFromPassword } from './scram.ts';

/** `--auth` values: the pg_hba names, `scram` short for `scram-sha-256`. */
export function parseAuthMethod(text: string): AuthMethod {
  const name = text.toLowerCase() === 'scram' ? 'scram-sha-256' : text.toLowerCase();
  const method = AUTH_METHODS.find((m) => m === name);
  if (method === undefined) throw new Error(`invalid --auth "${text}": expected trust, password, md5 or scram`);
  return method;
}

export function parseUsersFile(text: string, source: string): Map<string, UserSecrets> {
  const users = new Map<string, UserSecrets>();
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.endsWith('\r') ? lines[i]!.slice(0, -1) : lines[i]!;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const where = `${source}:${i + 1}`;
    const colon = line.indexOf(':');
    if (colon < 0) throw new Error(`${where}: expected "name:password"`);
    const name = line.slice(0, colon);
    const secret = line.slice(colon + 1);
    if (name === '') throw new Error(`${where}: empty user name`);
    if (secret === '') throw new Error(`${where}: empty password for user "${name}"`);
    if (users.has(name)) throw new Error(`${where}: user "${name}" appears twice`);
    users.set(name, secretsOf(name, secret, where));
  }
  return users;
}

function secretsOf(name: string, secret: string, where: string): UserSecrets {
  if (secret.startsWith(`${SCRAM_MECHANISM}$`)) {
    const scram = parseScramVerifier(secret);
    if (scram === null) throw new Error(`${where}: malformed SCRAM-SHA-256 verifier for user "${name}"`);
    return { scram, md5: null };
  }
  if (isMd5PasswordHash(secret)) return { scram: null, md5: secret };
  return { scram: scramVerifierFromPassword(secret), md5: md5PasswordHash(name, secret) };
}

/**
 * The policy for `--auth` / `--users`: without a users file only `trust`
 * is possible (and is the default); with one the default is SCRAM.
 */
export function buildAuthPolicy(opts: { readonly method?: string; readonly users?: ReadonlyMap<string, UserSecrets> }): AuthPolicy {
  const users = opts.users ?? new Map<string, UserSecrets>();
  const method = opts.method === undefined ? (opts.users === undefined ? 'trust' : 'scram-sha-256') : parseAuthMethod(opts.method);
  if (method !== 'trust' && opts.users === undefined) {
    throw new Error(`--auth ${opts.method ?? method} needs --users FILE`);
  }
  return { method, users };
}
