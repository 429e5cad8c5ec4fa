import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { Logger } from 'pino';
import { DomainError, ErrorCode } from '../../domain/errors.js';
import { isTokenLimitError } from './guard.js';

/** Apollo's and graphql-js's request-level codes, folded into docpipe's one enum. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

/** The deliberate error behind `error`: thrown by a resolver, or reported by a validation rule. */
export function domainErrorOf(error: unknown): DomainError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof DomainError) return current;
    current = current instanceof Error ? (current as { originalError?: unknown }).originalError : undefined;
  }
  return undefined;
}

/** True when an error was not raised on purpose and must be masked (and logged). */
export function isUnexpectedError(error: unknown): boolean {
  if (domainErrorOf(error)) return false;
  if (!(error instanceof GraphQLError)) return true;
  const original = error.originalError;
  return original !== undefined && original !== null && !(original instanceof GraphQLError);
}

/** Logs the errors that will be masked, with the correlation id the client gets to quote. */
export function logUnexpected(logger: Logger, errors: readonly unknown[], correlationId: string): void {
  for (const error of errors) {
    if (isUnexpectedError(error)) logger.error({ err: error, correlationId }, 'unexpected GraphQL error');
  }
}

export interface ErrorFormatOptions {
  /** Strip graphql-js's "Did you mean …?" hints, which reveal the schema (production). */
  hideSuggestions: boolean;
}

/**
 * The only place errors become client-visible. Deliberate errors keep their message and get a code
 * from `ErrorCode`; everything else becomes "Unexpected error" with INTERNAL_SERVER_ERROR. No stack
 * traces, ever.
 */
export function createErrorFormatter(opts: ErrorFormatOptions) {
  return function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
    const where = {
      ...(formatted.locations ? { locations: formatted.locations } : {}),
      ...(formatted.path ? { path: formatted.path } : {}),
    };
    const domain = domainErrorOf(error);
    if (domain) {
      return { message: domain.message, ...where, extensions: { code: domain.code, ...domain.details } };
    }
    if (isUnexpectedError(error)) {
      return { message: 'Unexpected error', ...where, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
    }
    if (isTokenLimitError(formatted)) {
      return {
        message: formatted.message.replace(/^Syntax Error: /, ''),
        ...where,
        extensions: { code: ErrorCode.QUERY_TOO_COMPLEX },
      };
    }
    const code = String(formatted.extensions?.['code'] ?? '');
    const known = (Object.values(ErrorCode) as string[]).includes(code);
    const message = opts.hideSuggestions
      ? formatted.message.replace(/ ?Did you mean .+\?$/, '')
      : formatted.message;
    return {
      message,
      ...where,
      extensions: {
        code: known ? code : REQUEST_ERROR_CODES.has(code) || code === '' ? ErrorCode.BAD_USER_INPUT : code,
      },
    };
  };
}

/** Same rules for graphql-ws, which hands over GraphQLError objects rather than formatted ones. */
export function formatGraphQLErrors(
  errors: readonly GraphQLError[],
  format: ReturnType<typeof createErrorFormatter>,
): GraphQLFormattedError[] {
  return errors.map((e) => format(e.toJSON(), e));
}
