/**
 * The WebSocket transport (graphql-ws on the api's HTTP server, path /graphql), with the same rules
 * as HTTP: the upgrade is refused (403) for a foreign `Origin` or host; `connection_init` must carry
 * `{ authorization: "Bearer …" }` or the socket closes with 4403; an owner may hold a bounded
 * number of sockets (else 4429) and each socket a bounded number of subscriptions; every
 * subscribe counts against the owner's request budget and is parsed with the token limit and
 * validated with the query limits. Only subscriptions run here; queries and mutations go over HTTP,
 * where CSRF prevention applies.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  getOperationAST,
  GraphQLError,
  parse,
  subscribe,
  validate,
  type DocumentNode,
  type ExecutionArgs,
  type FormattedExecutionResult,
  type GraphQLSchema,
} from 'graphql';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { AuthError, type Principal, type TokenVerifier } from '../auth/tokens.js';
import type { Config } from '../domain/config.js';
import { DomainError, ErrorCode } from '../domain/errors.js';
import { SubscriptionFanout, type FrameSink, type OperationKey } from './events/subscription-fanout.js';
import { createContext, type ContextServices } from './graphql/context.js';
import { formatGraphQLErrors, isUnexpectedError, type createErrorFormatter } from './graphql/errors.js';
import { allRules, QUERY_LIMITS } from './graphql/guard.js';
import { isSameOrigin, isAllowedHost } from './origins.js';
import { RateLimitedError, type UsageLimiter } from './usage-limits.js';

/** Close code for an owner over their socket limit (graphql-ws leaves 4400–4499 to applications). */
export const TOO_MANY_SOCKETS = 4429;

interface SocketState {
  principal?: Principal;
  correlationId: string;
  /** The socket's logger, made on its first subscription and shared by all of them. */
  logger?: Logger;
}

/**
 * Validated documents kept by query text (most recently used last), for texts up to a size: bounded
 * to a few MB however many distinct operations clients send.
 */
const MAX_CACHED_DOCUMENTS = 256;
const MAX_CACHED_QUERY_CHARS = 4096;

export interface WebSocketTransportOptions {
  httpServer: Server;
  path: string;
  schema: GraphQLSchema;
  config: Config;
  verifier: TokenVerifier;
  limiter: UsageLimiter;
  services: ContextServices;
  logger: Logger;
  formatError: ReturnType<typeof createErrorFormatter>;
  /** The correlation id of an upgrade request (its X-Request-Id, or a new one). */
  correlationIdOf: (request: IncomingMessage) => string;
}

export interface WebSocketTransport {
  dispose(): Promise<void>;
  /** Shared execution of subscriptions (server/events/subscription-fanout.ts). */
  readonly fanout: SubscriptionFanout;
}

export function attachWebSocketTransport(opts: WebSocketTransportOptions): WebSocketTransport {
  const { config, verifier, limiter, logger, formatError } = opts;
  const rules = allRules({ introspection: config.env !== 'production' });
  const wsServer = new WebSocketServer({
    noServer: true,
    maxPayload: config.usage.wsMaxMessageBytes,
    perMessageDeflate: false,
  });
  const states = new WeakMap<IncomingMessage, SocketState>();
  const stateOf = (request: IncomingMessage): SocketState => {
    let state = states.get(request);
    if (!state) {
      state = { correlationId: opts.correlationIdOf(request) };
      states.set(request, state);
    }
    return state;
  };

  const socketStates = new WeakMap<object, SocketState>();
  const stateOfSocket = (extra: Extra): SocketState =>
    socketStates.get(extra.socket) ?? stateOf(extra.request);

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path !== opts.path) return refuse(socket, 404, 'Not Found');
    if (!isAllowedHost(config, request.headers.host)) return refuse(socket, 403, 'Forbidden');
    const origin = request.headers.origin;
    if (
      origin !== undefined &&
      !isSameOrigin(origin, request) &&
      !config.web.allowedOrigins.includes(origin)
    ) {
      logger.warn(
        { origin, correlationId: stateOf(request).correlationId },
        'WebSocket from a foreign origin refused',
      );
      return refuse(socket, 403, 'Forbidden');
    }
    wsServer.handleUpgrade(request, socket, head, (ws) => {
      // From here on the state is found by socket: the upgrade request (headers and all) need not
      // live as long as the connection (see onConnect).
      socketStates.set(ws, stateOf(request));
      wsServer.emit('connection', ws, request);
    });
  };
  opts.httpServer.on('upgrade', onUpgrade);

  const formatted = (errors: readonly GraphQLError[]) => formatGraphQLErrors(errors, formatError);
  // Executed once per distinct operation and job version, sent to every subscriber of it: the
  // payload is formatted (and an unexpected error logged) once, with the first subscriber's ids.
  const fanout = new SubscriptionFanout({
    toPayload: (result, args) => {
      if (!result.errors) return result as FormattedExecutionResult;
      const context = args.contextValue as { correlationId?: string } | undefined;
      logUnexpected(logger, result.errors, context?.correlationId ?? 'fan-out');
      return { ...result, errors: formatted(result.errors) };
    },
  });
  const documents = new Map<string, DocumentNode>();
  // What the fan-out needs about a subscription besides its ExecutionArgs (set in onSubscribe).
  const targets = new WeakMap<ExecutionArgs, { sink: FrameSink; id: string; key: OperationKey }>();

  const refusal = (code: ErrorCode, message: string, details?: Record<string, unknown>) => [
    new GraphQLError(message, { originalError: new DomainError(code, message, details) }),
  ];

  const cleanup = useServer<Record<string, unknown> | undefined, Extra & Record<PropertyKey, unknown>>(
    {
      onConnect: async (ctx) => {
        const state = stateOfSocket(ctx.extra);
        // Nothing reads the upgrade request after this: let it go (~2 KB per idle socket).
        Reflect.set(ctx.extra, 'request', undefined);
        // Header names are case-insensitive on HTTP; accept `Authorization` here too.
        const params = ctx.connectionParams ?? {};
        const authorization = params['authorization'] ?? params['Authorization'];
        try {
          state.principal = await verifier.verify(
            typeof authorization === 'string' ? authorization : undefined,
          );
        } catch (err) {
          if (!(err instanceof AuthError))
            logger.error({ err, correlationId: state.correlationId }, 'authentication failed');
          return false; // 4403 Forbidden
        }
        const release = limiter.socket(state.principal.ownerId);
        if (!release) {
          ctx.extra.socket.close(TOO_MANY_SOCKETS, 'Too many sockets for this owner');
          return false;
        }
        ctx.extra.socket.once('close', release);
        return true;
      },
      subscribe: (args) => {
        const target = targets.get(args);
        targets.delete(args);
        return target ? fanout.subscribe(args, target) : subscribe(args);
      },
      onSubscribe: async (ctx, id, payload): Promise<ExecutionArgs | readonly GraphQLError[]> => {
        const state = stateOfSocket(ctx.extra);
        const principal = state.principal!;
        // `ctx.subscriptions` already holds this one.
        if (Object.keys(ctx.subscriptions).length > config.usage.wsMaxSubscriptionsPerSocket) {
          return refusal(
            ErrorCode.RATE_LIMITED,
            `Too many subscriptions on one socket: at most ${config.usage.wsMaxSubscriptionsPerSocket}`,
          );
        }
        try {
          await limiter.request(principal.ownerId);
        } catch (err) {
          if (err instanceof RateLimitedError) return [new GraphQLError(err.message, { originalError: err })];
          throw err;
        }
        // Parsed and validated once per distinct text: thousands of subscribers sending the same
        // operation share one AST (validation depends on the document alone, not on variables).
        let document = documents.get(payload.query);
        if (document) {
          documents.delete(payload.query);
          documents.set(payload.query, document);
        } else {
          try {
            document = parse(payload.query, { maxTokens: QUERY_LIMITS.maxTokens });
          } catch (err) {
            if (err instanceof GraphQLError) return [err];
            throw err;
          }
          const errors = validate(opts.schema, document, rules);
          if (errors.length > 0) return errors;
          if (payload.query.length <= MAX_CACHED_QUERY_CHARS) {
            documents.set(payload.query, document);
            if (documents.size > MAX_CACHED_DOCUMENTS) documents.delete(documents.keys().next().value!);
          }
        }
        const operation = getOperationAST(document, payload.operationName);
        if (operation && operation.operation !== 'subscription') {
          return refusal(
            ErrorCode.OPERATION_NOT_ALLOWED,
            'Only subscriptions run over WebSocket; send queries and mutations over HTTP',
          );
        }
        const args: ExecutionArgs = {
          schema: opts.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: createContext({
            principal,
            correlationId: state.correlationId,
            logger: (state.logger ??= logger.child({ correlationId: state.correlationId })),
            ...opts.services,
          }),
        };
        targets.set(args, {
          sink: ctx.extra.socket,
          id,
          // The result depends on the owner (every read is scoped by it), the operation and its
          // variables; nothing else in the context changes it.
          key: {
            ownerId: principal.ownerId,
            query: payload.query,
            operationName: payload.operationName,
            variables: payload.variables,
          },
        });
        return args;
      },
      onError: (ctx, _id, _payload, errors) => {
        logUnexpected(logger, errors, stateOfSocket(ctx.extra).correlationId);
        return formatted(errors);
      },
      onNext: (ctx, _id, _payload, _args, result) => {
        if (!result.errors) return;
        logUnexpected(logger, result.errors, stateOfSocket(ctx.extra).correlationId);
        return { ...result, errors: formatted(result.errors) };
      },
    },
    wsServer,
    // Pings keep idle subscriptions alive through proxies that close quiet connections (nginx:
    // proxy_read_timeout); they must come more often than that timeout (WS_KEEPALIVE_MS).
    config.wsKeepAliveMs,
  );

  return {
    fanout,
    async dispose() {
      opts.httpServer.off('upgrade', onUpgrade);
      await cleanup.dispose(); // closes every socket with 1001 Going away
    },
  };
}

function refuse(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

export function logUnexpected(logger: Logger, errors: readonly unknown[], correlationId: string): void {
  for (const error of errors) {
    if (isUnexpectedError(error)) logger.error({ err: error, correlationId }, 'unexpected GraphQL error');
  }
}
