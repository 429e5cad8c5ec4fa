/** The one set of error codes clients see in `extensions.code` (docs/architecture.md, "Errors"). */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  RATE_LIMITED: 'RATE_LIMITED',
  /** Refused before execution: too deep, too many aliases/directives/tokens, or too costly. */
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  /** A valid operation on the wrong transport (queries and mutations over WebSocket). */
  OPERATION_NOT_ALLOWED: 'OPERATION_NOT_ALLOWED',
  /** A `documentId` that names no trusted document (server/trusted-documents.ts). */
  PERSISTED_QUERY_NOT_FOUND: 'PERSISTED_QUERY_NOT_FOUND',
  /** Free-form query text where only trusted documents run (TRUSTED_DOCUMENTS_ONLY). */
  TRUSTED_DOCUMENT_REQUIRED: 'TRUSTED_DOCUMENT_REQUIRED',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * A deliberate, client-safe failure. The GraphQL layer turns it into a `GraphQLError` with this
 * code; every other error is masked to INTERNAL_SERVER_ERROR.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const notFound = (what: string, id: string) =>
  new DomainError(ErrorCode.NOT_FOUND, `${what} ${id} not found`, { id });
export const badInput = (message: string, details?: Record<string, unknown>) =>
  new DomainError(ErrorCode.BAD_USER_INPUT, message, details);

/**
 * A processing failure that retrying cannot fix (bad bytes, missing original): the job ends FAILED
 * with this code. Anything else a worker throws is treated as transient and retried.
 */
export class ProcessingError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ProcessingError';
  }
}
