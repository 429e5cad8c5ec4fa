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
import { GraphQLError, subscribe, type ExecutionArgs, type FormattedExecutionResult } from 'graphql';
import { useServer, type Extra } from 'graphql-ws/use/ws';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import { AuthError, type Principal, type TokenVerifier } from '../auth/tokens.js';
import type { Config } from '../domain/config.js';
import { ErrorCode } from '../domain/errors.js';
import { SubscriptionFanout, type FrameSink, type OperationKey } from './events/subscription-fanout.js';
import { isSameOrigin, isAllowedHost } from './origins.js';
import { isRefusal, refusal, type SubscriptionOperations } from './subscription-operations.js';
import { RateLimitedError, type UsageLimiter } from './usage-limits.js';

/** Close code for an owner over their socket limit (graphql-ws leaves 4400–4499 to applications). */
export const TOO_MANY_SOCKETS = 4429;

interface SocketState {
  principal?: Principal;
  correlationId: string;
  /** The socket's logger, made on its first subscription and shared by all of them. */
  logger?: Logger;
}

export interface WebSocketTransportOptions {
  httpServer: Server;
  path: string;
  config: Config;
  verifier: TokenVerifier;
  limiter: UsageLimiter;
  /** Parsing, validation, context and error formatting, shared with the SSE transport. */
  operations: SubscriptionOperations;
  logger: Logger;
  /** The correlation id of an upgrade request (its X-Request-Id, or a new one). */
  correlationIdOf: (request: IncomingMessage) => string;
}

export interface WebSocketTransport {
  dispose(): Promise<void>;
  /** Shared execution of subscriptions (server/events/subscription-fanout.ts). */
  readonly fanout: SubscriptionFanout;
}

export function attachWebSocketTransport(opts: WebSocketTransportOptions): WebSocketTransport {
  const { config, verifier, limiter, logger, operations } = opts;
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

  // Executed once per distinct operation and job version, sent to every subscriber of it: the
  // payload is formatted (and an unexpected error logged) once, with the first subscriber's ids.
  const fanout = new SubscriptionFanout({
    toPayload: (result, args) => {
      if (!result.errors) return result as FormattedExecutionResult;
      const context = args.contextValue as { correlationId?: string } | undefined;
      return { ...result, errors: operations.format(result.errors, context?.correlationId ?? 'fan-out') };
    },
  });
  // What the fan-out needs about a subscription besides its ExecutionArgs (set in onSubscribe).
  const targets = new WeakMap<ExecutionArgs, { sink: FrameSink; id: string; key: OperationKey }>();

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
        const args = operations.prepare(payload, {
          principal,
          correlationId: state.correlationId,
          logger: (state.logger ??= logger.child({ correlationId: state.correlationId })),
        });
        if (isRefusal(args)) return args;
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
      onError: (ctx, _id, _payload, errors) =>
        operations.format(errors, stateOfSocket(ctx.extra).correlationId),
      onNext: (ctx, _id, _payload, _args, result) => {
        if (!result.errors) return;
        return {
          ...result,
          errors: operations.format(result.errors, stateOfSocket(ctx.extra).correlationId),
        };
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
