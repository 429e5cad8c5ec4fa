/**
 * Typed SDK errors. Server codes are the api's `extensions.code` values (docs/architecture.md,
 * "Errors"); the client adds a few of its own for failures that never reached GraphQL.
 */

/** Codes the api puts in `extensions.code`. */
export const SERVER_ERROR_CODES = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RATE_LIMITED',
  'QUERY_TOO_COMPLEX',
  'OPERATION_NOT_ALLOWED',
  'PERSISTED_QUERY_NOT_FOUND',
  'TRUSTED_DOCUMENT_REQUIRED',
  'INTERNAL_SERVER_ERROR',
] as const;
export type ServerErrorCode = (typeof SERVER_ERROR_CODES)[number];

/**
 * Codes raised by the SDK itself:
 * - `NETWORK_ERROR`: the api could not be reached, or a subscription's connection was lost and every
 *   reconnect attempt failed;
 * - `BAD_RESPONSE`: the reply was not a GraphQL response (a proxy's error page, for instance);
 * - `ABORTED`: the caller's `AbortSignal` fired.
 */
export type ClientErrorCode = 'NETWORK_ERROR' | 'BAD_RESPONSE' | 'ABORTED';

/** Every code a {@link DocpipeError} can carry. Unknown server codes are passed through as strings. */
export type DocpipeErrorCode = ServerErrorCode | ClientErrorCode | (string & {});

/** One entry of a GraphQL response's `errors` array, as the api formats it. */
export interface GraphQLErrorEntry {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/** Why a docpipe call failed. `code` is the first error's `extensions.code` or a client code. */
export class DocpipeError extends Error {
  override readonly name = 'DocpipeError';
  /** Machine-readable reason: switch on this, not on `message`. */
  readonly code: DocpipeErrorCode;
  /** Every GraphQL error of the response (empty for client-side failures). */
  readonly errors: readonly GraphQLErrorEntry[];
  /** HTTP status, when the failure came with an HTTP response. */
  readonly status: number | undefined;
  /**
   * For `RATE_LIMITED`: seconds to wait before trying again, from the `Retry-After` header or the
   * error's `extensions.retryAfterSeconds`, when the api (or a proxy) said.
   */
  readonly retryAfterSeconds: number | undefined;

  constructor(
    code: DocpipeErrorCode,
    message: string,
    options: {
      errors?: readonly GraphQLErrorEntry[];
      status?: number;
      retryAfterSeconds?: number;
      cause?: unknown;
    } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.errors = options.errors ?? [];
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  /** The first GraphQL error's `extensions` (e.g. `{ code, id }`), or an empty object. */
  get extensions(): Readonly<Record<string, unknown>> {
    return this.errors[0]?.extensions ?? {};
  }
}

/**
 * True when `error` is a {@link DocpipeError}, optionally with the given code.
 *
 * @example
 * ```ts
 * try { await client.reprocessDocument(id); }
 * catch (err) { if (isDocpipeError(err, 'NOT_FOUND')) console.log('gone'); else throw err; }
 * ```
 */
export function isDocpipeError(error: unknown, code?: DocpipeErrorCode): error is DocpipeError {
  return error instanceof DocpipeError && (code === undefined || error.code === code);
}

/** HTTP statuses whose meaning does not depend on the body: the code follows the status. */
const CODE_BY_STATUS: Readonly<Record<number, ServerErrorCode>> = {
  401: 'UNAUTHENTICATED',
  429: 'RATE_LIMITED',
};

/**
 * Builds the error for a GraphQL response that carries `errors`. A 401 is always `UNAUTHENTICATED`
 * and a 429 always `RATE_LIMITED`, whatever the body says; `retryAfter` is the `Retry-After` header.
 */
export function errorFromGraphQL(
  errors: readonly GraphQLErrorEntry[],
  status?: number,
  retryAfter?: string | null,
): DocpipeError {
  const first = errors[0];
  const given = typeof first?.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
  const code = (status !== undefined ? CODE_BY_STATUS[status] : undefined) ?? given;
  const message = errors.map((e) => e.message).join('; ') || 'GraphQL request failed';
  const retryAfterSeconds =
    parseRetryAfter(retryAfter) ?? positiveNumber(first?.extensions?.['retryAfterSeconds']);
  return new DocpipeError(code, message, {
    errors,
    ...(status === undefined ? {} : { status }),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}

/** Maps an HTTP status without a GraphQL body (e.g. from a proxy) to the closest code. */
export function errorFromHttpStatus(
  status: number,
  statusText: string,
  retryAfter?: string | null,
): DocpipeError {
  const byStatus: Record<number, ServerErrorCode> = {
    ...CODE_BY_STATUS,
    400: 'BAD_USER_INPUT',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    413: 'PAYLOAD_TOO_LARGE',
    415: 'UNSUPPORTED_MEDIA_TYPE',
  };
  const code = byStatus[status] ?? (status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_RESPONSE');
  const retryAfterSeconds = parseRetryAfter(retryAfter);
  return new DocpipeError(code, `HTTP ${status}${statusText ? ` ${statusText}` : ''}`, {
    status,
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
}

/** WebSocket close codes the api uses (graphql-ws leaves 4400–4499 to applications). */
export const WS_CLOSE_FORBIDDEN = 4403;
export const WS_CLOSE_TOO_MANY_SOCKETS = 4429;

/**
 * The error for a subscription socket the api closed on purpose, or undefined for other closes
 * (restarts, network trouble), which are worth reconnecting after.
 * - 4403: `connection_init` carried no valid token → `UNAUTHENTICATED`;
 * - 4429: this owner holds too many sockets already → `RATE_LIMITED`.
 */
export function errorFromCloseCode(code: number, reason?: string): DocpipeError | undefined {
  const detail = reason ? `: ${reason}` : '';
  if (code === WS_CLOSE_FORBIDDEN) {
    return new DocpipeError(
      'UNAUTHENTICATED',
      `The api refused the subscription connection (close code 4403${detail}); check the token`,
    );
  }
  if (code === WS_CLOSE_TOO_MANY_SOCKETS) {
    return new DocpipeError(
      'RATE_LIMITED',
      `Too many subscription connections for this owner (close code 4429${detail})`,
    );
  }
  return undefined;
}

/** `Retry-After` in seconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function positiveNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Normalises whatever a transport threw into a {@link DocpipeError}. */
export function toDocpipeError(error: unknown, url: string): DocpipeError {
  if (error instanceof DocpipeError) return error;
  if (isAbortError(error)) return new DocpipeError('ABORTED', 'The request was aborted', { cause: error });
  const detail = describeCause(error);
  return new DocpipeError('NETWORK_ERROR', `Cannot reach ${url}${detail ? ` (${detail})` : ''}`, {
    cause: error,
  });
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError');
}

/** Node's fetch hides the socket error (ECONNREFUSED…) in `cause`; surface it in the message. */
function describeCause(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return error instanceof Error ? error.message : '';
}
