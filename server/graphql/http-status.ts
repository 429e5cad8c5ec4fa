/**
 * HTTP statuses of GraphQL responses, per GraphQL over HTTP (graphql.github.io/graphql-over-http),
 * for both response media types Apollo negotiates from the `Accept` header:
 *
 * - a request error — the document does not parse or validate (query limits included), the
 *   variables do not coerce, the operation cannot be chosen — is 400 for
 *   `application/graphql-response+json`, and 200 for `application/json`, whose (legacy) clients
 *   read errors from a 200 (Apollo answers 400 to both; this is the gap fixed here);
 * - a result (`data` present, even null) is 200, field errors or not; except that a deliberate
 *   refusal with an HTTP meaning that left no data at all keeps that meaning: 401, 403, 413
 *   (an upload over the limit), 429 (rate limited) — clients and proxies act on those statuses —
 *   and a malformed upload body is 400.
 *
 * Malformed requests (no query, a body that is not JSON, a GET mutation) stay 4xx for both.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import Negotiator from 'negotiator';
import { ErrorCode } from '../../domain/errors.js';
import { domainErrorOf } from './errors.js';

export const GRAPHQL_RESPONSE_JSON = 'application/graphql-response+json';

/** Apollo's codes for a well-formed request whose document or variables GraphQL refused. */
const REQUEST_ERROR_CODES = new Set([
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT', // variable coercion
  'OPERATION_RESOLUTION_FAILURE',
]);

/** Refusals that keep their own status when the response has no data. */
const REFUSAL_STATUS: Partial<Record<string, number>> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.RATE_LIMITED]: 429,
};
/**
 * Uploads are GraphQL multipart requests, outside GraphQL over HTTP; their body is only read by the
 * resolver, so a malformed one (a map naming no file, a truncated part) surfaces there: still 400.
 */
const UPLOAD_REFUSAL_STATUS: Partial<Record<string, number>> = {
  ...REFUSAL_STATUS,
  [ErrorCode.BAD_USER_INPUT]: 400,
};

/**
 * True when the answer is `application/graphql-response+json`: the media type Apollo picks from
 * `Accept` with the same library (negotiator) and order; no `Accept` means `application/json`.
 */
export function answersGraphQLResponseJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const preferred = new Negotiator({ headers: { accept } }).mediaType([
    'application/json',
    GRAPHQL_RESPONSE_JSON,
  ]);
  return preferred === GRAPHQL_RESPONSE_JSON;
}

export const httpStatusPlugin: ApolloServerPlugin = {
  async requestDidStart({ request }) {
    const legacy = !answersGraphQLResponseJson(request.http?.headers.get('accept'));
    const multipart = /^multipart\/form-data/i.test(request.http?.headers.get('content-type') ?? '');
    const refusalStatus = multipart ? UPLOAD_REFUSAL_STATUS : REFUSAL_STATUS;
    return {
      async willSendResponse({ response, errors }) {
        if (response.body.kind !== 'single') return;
        const { data } = response.body.singleResult;
        if (data === undefined) {
          const code = String(errors?.[0]?.extensions['code'] ?? '');
          if (legacy && REQUEST_ERROR_CODES.has(code)) response.http.status = 200;
          return;
        }
        if (data !== null) return;
        for (const error of errors ?? []) {
          const status = refusalStatus[domainErrorOf(error)?.code ?? ''];
          if (status) {
            response.http.status = status;
            return;
          }
        }
      },
    };
  },
};
