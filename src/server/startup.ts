/**
 * The startup phase after SSL/GSS negotiation: StartupMessage parsing and
 * the reply that makes a connection ready.
 *
 * StartupMessage: int32 length, int32 protocol version (major << 16 | minor),
 * then (name cstring, value cstring)* and a terminating NUL. Major versions
 * other than 3 are refused with FATAL 0A000 as PostgreSQL does; a newer 3.x
 * minor or `_pq_.` protocol options are answered with NegotiateProtocolVersion
 * (newest minor 0 and the options not recognized), after which the connection
 * continues as 3.0.
 *
 * Reply (once authenticated, see auth/authenticator.ts): AuthenticationOk, ParameterStatus for every
 * reported setting, BackendKeyData, NoticeResponse for notices the session
 * raised while opening (e.g. an unknown startup setting), ReadyForQuery.
 */
import { SqlError, SqlState } from '../errors.ts';
import type { Session } from '../session/api.ts';
import { writeNotice } from './error-response.ts';
import type { MessageWriter } from './message-writer.ts';

export interface StartupRequest {
  readonly minorVersion: number;
  /** Connection parameters, `database` defaulted to `user`. */
  readonly params: ReadonlyMap<string, string>;
  /** `_pq_.*` options: none is supported. */
  readonly protocolOptions: readonly string[];
}

const PROTOCOL_OPTION_PREFIX = '_pq_.';

function fatal(code: string, message: string): SqlError {
  return new SqlError(code, message, { severity: 'FATAL' });
}

/** Parses a StartupMessage whose version code is `code`; throws FATAL SqlErrors. */
export function parseStartupMessage(code: number, body: Buffer): StartupRequest {
  const major = code >>> 16;
  const minor = code & 0xffff;
  if (major !== 3) {
    throw fatal(
      SqlState.FEATURE_NOT_SUPPORTED,
      `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.0`,
    );
  }
  if (body.length === 0 || body[body.length - 1] !== 0) {
    throw fatal(SqlState.PROTOCOL_VIOLATION, 'invalid startup packet layout: expected terminator as last byte');
  }
  const params = new Map<string, string>();
  const protocolOptions: string[] = [];
  let pos = 0;
  while (pos < body.length - 1) {
    const nameEnd = body.indexOf(0, pos);
    if (nameEnd >= body.length - 1) {
      throw fatal(SqlState.PROTOCOL_VIOLATION, 'invalid startup packet layout: expected terminator as last byte');
    }
    const valueEnd = body.indexOf(0, nameEnd + 1);
    const name = body.toString('utf8', pos, nameEnd);
    const value = body.toString('utf8', nameEnd + 1, valueEnd);
    if (name.startsWith(PROTOCOL_OPTION_PREFIX)) protocolOptions.push(name);
    else params.set(name, value);
    pos = valueEnd + 1;
  }
  if (pos !== body.length - 1) {
    throw fatal(SqlState.PROTOCOL_VIOLATION, 'invalid startup packet layout: expected terminator as last byte');
  }
  const user = params.get('user');
  if (user === undefined || user === '') {
    throw fatal(SqlState.INVALID_AUTHORIZATION_SPECIFICATION, 'no PostgreSQL user name specified in startup packet');
  }
  if (!params.has('database') || params.get('database') === '') params.set('database', user);
  return { minorVersion: minor, params, protocolOptions };
}

/** Everything sent between a successful StartupMessage and the first ReadyForQuery. */
export function writeStartupReply(
  w: MessageWriter,
  request: StartupRequest,
  session: Session,
  key: { readonly pid: number; readonly secret: number },
): void {
  if (request.minorVersion > 0 || request.protocolOptions.length > 0) {
    w.negotiateProtocolVersion(0, request.protocolOptions);
  }
  w.authentication(0);
  for (const [name, value] of session.reportedParameters()) w.parameterStatus(name, value);
  w.backendKeyData(key.pid, key.secret);
  for (const notice of session.takeNotices()) writeNotice(w, notice);
  w.readyForQuery(session.transactionStatus());
}
