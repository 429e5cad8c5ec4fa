import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { DomainError, ErrorCode } from '../../domain/errors.js';

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

/** True when an error was not raised on purpose and must be masked (and logged). */
export function isUnexpectedError(error: unknown): boolean {
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) return false;
  if (original instanceof GraphQLError) return false;
  if (error instanceof GraphQLError) return error.originalError !== undefined && error.originalError !== null;
  return true;
}

/**
 * The only place errors become client-visible. Deliberate errors keep their message and get a code
 * from `ErrorCode`; everything else becomes "Unexpected error" with INTERNAL_SERVER_ERROR. No stack
 * traces, ever.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const where = {
    ...(formatted.locations ? { locations: formatted.locations } : {}),
    ...(formatted.path ? { path: formatted.path } : {}),
  };
  const original = unwrapResolverError(error);
  if (original instanceof DomainError) {
    return { message: original.message, ...where, extensions: { code: original.code, ...original.details } };
  }
  if (isUnexpectedError(error)) {
    return { message: 'Unexpected error', ...where, extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR } };
  }
  const code = String(formatted.extensions?.['code'] ?? '');
  const known = (Object.values(ErrorCode) as string[]).includes(code);
  return {
    message: formatted.message,
    ...where,
    extensions: {
      code: known ? code : REQUEST_ERROR_CODES.has(code) || code === '' ? ErrorCode.BAD_USER_INPUT : code,
    },
  };
}

/** Same rules for graphql-ws, which hands over GraphQLError objects rather than formatted ones. */
export function formatGraphQLErrors(errors: readonly GraphQLError[]): GraphQLFormattedError[] {
  return errors.map((e) => formatError(e.toJSON(), e));
}
