/**
 * Errors are values with a code a user can act on. Each adapter (CLI, HTTP, WebSocket upgrade)
 * turns a HubError into its own clear message; nothing shows a stack trace to a user.
 */
export const ErrorCodes = {
  BAD_REQUEST: 400,
  INVALID_ARGUMENT: 400,
  TOKEN_MISSING: 401,
  TOKEN_INVALID: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_REVOKED: 401,
  WRONG_BOARD: 403,
  ORIGIN_NOT_ALLOWED: 403,
  CROSS_SITE_REFUSED: 403,
  TOO_MANY_FAILURES: 429,
  BOARD_NOT_FOUND: 404,
  SHARE_NOT_FOUND: 404,
  FILE_NOT_FOUND: 404,
  FILE_TOO_LARGE: 413,
  FILE_TYPE_NOT_ALLOWED: 415,
  ROLE_NOT_ALLOWED: 403,
  BOARD_UNAVAILABLE: 503,
  DATA_DIR_IN_USE: 409,
  SCHEMA_TOO_NEW: 500,
  DATABASE_DAMAGED: 500,
  DATA_DIR_UNUSABLE: 500,
  PORT_IN_USE: 500,
  KEYS_PROTECTED: 409,
  PEER_NOT_FOUND: 404,
  PEER_UNREACHABLE: 502,
  PEER_NOT_A_HUB: 502,
  PEER_IDENTITY_INVALID: 502,
  INTERNAL: 500,
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class HubError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HubError';
    this.code = code;
  }

  get httpStatus(): number {
    return ErrorCodes[this.code];
  }
}

export function isHubError(value: unknown): value is HubError {
  return value instanceof HubError;
}

/** The text of any thrown value, for logs and messages (never a stack). */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
