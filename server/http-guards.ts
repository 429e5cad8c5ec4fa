/**
 * Express middleware that runs before GraphQL: the allowed-hosts check, security headers,
 * authentication, the per-owner request budget and the upload gate. Each refusal answers in the
 * GraphQL error shape with its own code and HTTP status, before any body is read.
 */
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import type { Principal, TokenVerifier } from '../auth/tokens.js';
import { AuthError } from '../auth/tokens.js';
import { MULTIPART_ALLOWANCE_BYTES, type Config } from '../domain/config.js';
import { ErrorCode } from '../domain/errors.js';
import { answersGraphQLResponseJson, GRAPHQL_RESPONSE_JSON } from './graphql/http-status.js';
import { isAllowedHost } from './origins.js';
import { RateLimitedError, type UsageLimiter } from './usage-limits.js';

/** A GraphQL error response, as `application/graphql-response+json` to clients that prefer it. */
export function sendError(
  res: Response,
  status: number,
  code: ErrorCode,
  message: string,
  extensions: Record<string, unknown> = {},
): void {
  const type = answersGraphQLResponseJson(res.req.headers.accept)
    ? GRAPHQL_RESPONSE_JSON
    : 'application/json';
  res
    .status(status)
    .type(type)
    .send(JSON.stringify({ errors: [{ message, extensions: { code, ...extensions } }] }));
}

/** The principal `authenticate` found (only on routes behind it). */
export const principalOf = (res: Response): Principal => res.locals['principal'] as Principal;

/** Refuses requests for host names the api does not serve (DNS rebinding; see `isAllowedHost`). */
export function allowedHosts(config: Config): RequestHandler {
  return (req, res, next) => {
    if (isAllowedHost(config, req.headers.host)) return next();
    sendError(res, 403, ErrorCode.FORBIDDEN, 'This host name is not served here (see ALLOWED_HOSTS)');
  };
}

/**
 * helmet's headers with a content-security policy for the web page and the playground: everything
 * from this origin, WebSockets back to it, images also from the storage URLs thumbnails are signed for,
 * and, on real S3 (`storageOrigin`), the bucket that direct-upload parts are PUT to (behind the edge
 * they go to this origin's `/storage/`).
 */
export function securityHeaders(storageOrigin?: string): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // GraphiQL and Monaco set inline styles.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:', 'http:', 'https:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'", 'ws:', 'wss:', ...(storageOrigin ? [storageOrigin] : [])],
        workerSrc: ["'self'", 'blob:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    // nginx sets HSTS on the TLS edge; the api itself may be plain HTTP on loopback.
    strictTransportSecurity: false,
    xFrameOptions: { action: 'deny' },
  });
}

/** Requires a valid bearer token or API key; 401 UNAUTHENTICATED otherwise. */
export function authenticate(verifier: TokenVerifier, logger: Logger): RequestHandler {
  return (req, res, next) => {
    verifier.verify(req.headers.authorization).then(
      (principal) => {
        res.locals['principal'] = principal;
        next();
      },
      (err: unknown) => {
        if (!(err instanceof AuthError)) {
          logger.error({ err, correlationId: res.locals['correlationId'] }, 'authentication failed');
          return sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Unexpected error');
        }
        res.setHeader('WWW-Authenticate', 'Bearer realm="docpipe"');
        sendError(res, 401, ErrorCode.UNAUTHENTICATED, err.message);
      },
    );
  };
}

/** 429 RATE_LIMITED with `Retry-After`. */
export function sendRateLimited(res: Response, err: RateLimitedError): void {
  res.setHeader('Retry-After', String(err.retryAfterSeconds));
  sendError(res, 429, ErrorCode.RATE_LIMITED, err.message, { retryAfterSeconds: err.retryAfterSeconds });
}

/** One request from the owner's budget; 429 RATE_LIMITED with Retry-After when it is spent. */
export function rateLimit(limiter: UsageLimiter): RequestHandler {
  return (_req, res, next) => {
    limiter.request(principalOf(res).ownerId).then(
      () => next(),
      (err: unknown) => (err instanceof RateLimitedError ? sendRateLimited(res, err) : next(err)),
    );
  };
}

/**
 * Multipart uploads: a declared size over the limit is refused (413) before a byte of the body is
 * read; otherwise the upload takes one of the owner's slots until the response is over. The
 * connection is closed after any upload response, so a refused body is cut off rather than read
 * to its end.
 */
export function uploadGate(limiter: UsageLimiter, maxUploadBytes: number): RequestHandler {
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) return next();
    res.setHeader('Connection', 'close');
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxUploadBytes + MULTIPART_ALLOWANCE_BYTES) {
      return sendError(
        res,
        413,
        ErrorCode.PAYLOAD_TOO_LARGE,
        `File is larger than the ${maxUploadBytes}-byte limit`,
        {
          limit: maxUploadBytes,
        },
      );
    }
    let release: () => void;
    try {
      release = limiter.upload(principalOf(res).ownerId);
    } catch (err) {
      return err instanceof RateLimitedError ? sendRateLimited(res, err) : next(err);
    }
    // `finish`: the answer is written (before the client reads it); `close`: the client went away.
    res.once('finish', release);
    res.once('close', release);
    next();
  };
}

/** Errors raised before GraphQL runs (malformed multipart, oversized JSON) in the GraphQL shape. */
export function requestErrorHandler(logger: Logger): ErrorRequestHandler {
  return (err, _req, res, _next) => {
    const status =
      typeof err?.status === 'number' && err.status >= 400 && err.status < 500 ? err.status : 500;
    const code =
      status === 413
        ? ErrorCode.PAYLOAD_TOO_LARGE
        : status < 500
          ? ErrorCode.BAD_USER_INPUT
          : ErrorCode.INTERNAL_SERVER_ERROR;
    if (status >= 500) logger.error({ err, correlationId: res.locals['correlationId'] }, 'request failed');
    const message = status < 500 && typeof err?.message === 'string' ? err.message : 'Unexpected error';
    if (res.headersSent) return;
    sendError(res, status, code, message);
  };
}
