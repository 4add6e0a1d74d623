/**
 * Postgres protocol v3 message codes (PostgreSQL manual, "Message Formats").
 *
 * Tagged messages carry a one-byte type then an int32 length that counts
 * itself; the startup-phase messages carry no type byte and are told apart by
 * the int32 code after their length.
 */

/** Codes of the untagged startup-phase messages. */
export const StartupCode = {
  /** 1234.5679 */
  SSL_REQUEST: 80877103,
  /** 1234.5680 */
  GSSENC_REQUEST: 80877104,
  /** 1234.5678 */
  CANCEL_REQUEST: 80877102,
  /** 3.0 */
  PROTOCOL_3_0: 196608,
} as const;

/** Type bytes of frontend (client -> server) messages. */
export const Frontend = {
  BIND: 0x42, // 'B'
  CLOSE: 0x43, // 'C'
  DESCRIBE: 0x44, // 'D'
  EXECUTE: 0x45, // 'E'
  FUNCTION_CALL: 0x46, // 'F'
  FLUSH: 0x48, // 'H'
  PARSE: 0x50, // 'P'
  QUERY: 0x51, // 'Q'
  SYNC: 0x53, // 'S'
  TERMINATE: 0x58, // 'X'
  COPY_FAIL: 0x66, // 'f'
  COPY_DONE: 0x63, // 'c'
  COPY_DATA: 0x64, // 'd'
  /** PasswordMessage, SASLInitialResponse, SASLResponse, GSSResponse. */
  PASSWORD: 0x70, // 'p'
} as const;

/** Type bytes of backend (server -> client) messages. */
export const Backend = {
  PARSE_COMPLETE: 0x31, // '1'
  BIND_COMPLETE: 0x32, // '2'
  CLOSE_COMPLETE: 0x33, // '3'
  COMMAND_COMPLETE: 0x43, // 'C'
  DATA_ROW: 0x44, // 'D'
  ERROR_RESPONSE: 0x45, // 'E'
  EMPTY_QUERY_RESPONSE: 0x49, // 'I'
  BACKEND_KEY_DATA: 0x4b, // 'K'
  NOTICE_RESPONSE: 0x4e, // 'N'
  AUTHENTICATION: 0x52, // 'R'
  PARAMETER_STATUS: 0x53, // 'S'
  ROW_DESCRIPTION: 0x54, // 'T'
  READY_FOR_QUERY: 0x5a, // 'Z'
  COPY_IN_RESPONSE: 0x47, // 'G'
  COPY_OUT_RESPONSE: 0x48, // 'H'
  COPY_DATA: 0x64, // 'd'
  COPY_DONE: 0x63, // 'c'
  NO_DATA: 0x6e, // 'n'
  PORTAL_SUSPENDED: 0x73, // 's'
  PARAMETER_DESCRIPTION: 0x74, // 't'
  NEGOTIATE_PROTOCOL_VERSION: 0x76, // 'v'
} as const;

/** Format codes of parameters and result columns. */
export const Format = {
  TEXT: 0,
  BINARY: 1,
} as const;

/** Largest startup-phase message accepted (PostgreSQL's MAX_STARTUP_PACKET_LENGTH). */
export const MAX_STARTUP_MESSAGE_BYTES = 10000;

/** Default largest tagged message accepted. */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
