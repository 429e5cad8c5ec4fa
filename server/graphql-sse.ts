/**
 * Subscriptions over Server-Sent Events at /graphql/stream, for clients that cannot open a
 * WebSocket (a proxy that refuses the upgrade, a locked-down network). graphql-sse in its "distinct
 * connections mode" only: each request carries one operation (POST JSON body, or GET query
 * parameters) and its response is that operation's stream — `next` events, then `complete`.
 *
 * The same rules as the WebSocket: the bearer token is verified and the request counted against the
 * owner's budget by the HTTP guards (401 / 429 as on /graphql), a stream holds one of the owner's
 * connection slots (the WebSocket limit, 429 above it), and the operation goes through
 * SubscriptionOperations (token and query limits, subscriptions only, context from the verified
 * principal), then graphql's own `subscribe`: the same resolvers, snapshot first, resumable.
 * Refusals found there (syntax, validation, a query or mutation) arrive as one `next` event with
 * the errors, then `complete`, as the protocol asks.
 */
import express, { type Express, type Request, type RequestHandler, type Response } from 'express';
import type { GraphQLError } from 'graphql';
import { createHandler, type ExecutionResult, type OperationArgs } from 'graphql-sse';
import type { Logger } from 'pino';
import type { TokenVerifier } from '../auth/tokens.js';
import type { Config } from '../domain/config.js';
import { ErrorCode } from '../domain/errors.js';
import { MAX_UNSENT_BYTES } from './events/subscription-fanout.js';
import { authenticate, principalOf, rateLimit, sendError, sendRateLimited } from './http-guards.js';
import type { GraphQLContext } from './graphql/context.js';
import { isRefusal, type Caller, type SubscriptionOperations } from './subscription-operations.js';
import { RateLimitedError, type UsageLimiter } from './usage-limits.js';

export const SSE_PATH = '/graphql/stream';
type OperationContext = GraphQLContext & Record<PropertyKey, unknown>;
const EVENT_STREAM = 'text/event-stream';

export interface SseTransport {
  /** Ends every open stream (the clients reconnect, to another replica or to this one restarted). */
  dispose(): void;
}

export function mountGraphQLSse(
  app: Express,
  opts: {
    path: string;
    config: Config;
    verifier: TokenVerifier;
    limiter: UsageLimiter;
    operations: SubscriptionOperations;
    logger: Logger;
  },
): SseTransport {
  const { config, limiter, operations, logger } = opts;
  /** Ends each open stream: HTTP draining would otherwise wait its grace period for them. */
  const open = new Set<() => void>();
  const handler = createHandler<Request, Caller, OperationContext>({
    // No stream reservations: every operation gets its own connection ("distinct connections mode").
    authenticate: () => null,
    // SubscriptionOperations validated the document already, with the query limits.
    validate: () => [],
    onSubscribe: (req, params) => {
      const args = operations.prepare(params, req.context);
      if (isRefusal(args)) return once({ errors: args });
      // GraphQLContext has no index signature, which graphql-sse's context type asks for.
      return args as OperationArgs<OperationContext>;
    },
    onNext: (_ctx, req, result) => {
      if (!result.errors) return;
      // Formatted here, once: the client never sees a raw GraphQLError (no stack, masked messages).
      const errors = operations.format(result.errors, req.context.correlationId);
      return { ...result, errors: errors as unknown as readonly GraphQLError[] };
    },
  });

  const stream: RequestHandler = async (req, res) => {
    const correlationId = String(res.locals['correlationId']);
    const caller: Caller = {
      principal: principalOf(res),
      correlationId,
      logger: logger.child({ correlationId }),
    };
    try {
      const [body, init] = await handler({
        method: req.method,
        url: req.originalUrl,
        headers: {
          // `acceptsEventStream` let only event-stream clients through; graphql-sse compares exactly.
          get: (key) => (key === 'accept' ? EVENT_STREAM : joined(req.headers[key])),
        },
        body: (req.body as Record<string, unknown> | undefined) ?? null,
        raw: req,
        context: caller,
      });
      // nginx must pass events on as they come, whatever its location says.
      res.writeHead(init.status, init.statusText, { ...init.headers, 'x-accel-buffering': 'no' });
      if (!body || typeof body === 'string') {
        res.end(body);
        return;
      }
      const end = () => void body.return(undefined);
      open.add(end);
      try {
        await pipeEvents(body, res, config.wsKeepAliveMs);
      } finally {
        open.delete(end);
      }
    } catch (err) {
      logger.error({ err, correlationId }, 'event stream failed');
      if (res.headersSent) res.destroy();
      else sendError(res, 500, ErrorCode.INTERNAL_SERVER_ERROR, 'Unexpected error');
    }
  };

  app.all(
    opts.path,
    authenticate(opts.verifier, logger),
    rateLimit(limiter),
    acceptsEventStream,
    connectionSlot(limiter, config.usage.wsMaxSocketsPerOwner),
    express.json({ limit: '1mb' }),
    stream,
  );
  return {
    dispose() {
      for (const end of open) end();
    },
  };
}

/**
 * Writes the handler's messages as they come, with a comment line every `keepAliveMs` so proxies
 * (nginx's proxy_read_timeout) keep an idle stream open. A client that stops reading is cut off
 * once `MAX_UNSENT_BYTES` wait for it, as on the WebSocket; it reconnects and resumes.
 */
async function pipeEvents(body: AsyncGenerator<string>, res: Response, keepAliveMs: number): Promise<void> {
  const ping = setInterval(() => res.write(':\n\n'), keepAliveMs);
  const stop = () => void body.return(undefined);
  res.once('close', stop);
  try {
    for await (const message of body) {
      if (!res.writable) break;
      if (res.writableLength > MAX_UNSENT_BYTES) {
        res.destroy();
        break;
      }
      res.write(message);
    }
  } finally {
    clearInterval(ping);
    res.off('close', stop);
  }
  res.end();
}

/** 406 for a client that does not take an event stream (graphql-sse would answer a bare 404). */
const acceptsEventStream: RequestHandler = (req, res, next) => {
  if (req.accepts(EVENT_STREAM) === EVENT_STREAM && req.headers.accept?.includes(EVENT_STREAM)) {
    return next();
  }
  sendError(
    res,
    406,
    ErrorCode.BAD_USER_INPUT,
    `${SSE_PATH} answers with Server-Sent Events: send Accept: ${EVENT_STREAM}`,
  );
};

/** One of the owner's connection slots (shared with WebSockets) for as long as the stream is open. */
function connectionSlot(limiter: UsageLimiter, max: number): RequestHandler {
  return (_req, res, next) => {
    const release = limiter.socket(principalOf(res).ownerId);
    if (!release) {
      const message = `Too many subscription connections for this owner: at most ${max}`;
      return sendRateLimited(res, new RateLimitedError(message, 1));
    }
    res.once('close', release);
    next();
  };
}

async function* once(result: ExecutionResult): AsyncGenerator<ExecutionResult> {
  yield result;
}

const joined = (header: string | string[] | undefined) =>
  Array.isArray(header) ? header.join(', ') : header;
