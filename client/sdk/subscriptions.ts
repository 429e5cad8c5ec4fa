/**
 * The SDK's two subscription transports behind one `subscribe`:
 * - graphql-ws: one lazy socket for every subscription, reconnecting with backoff, never retrying a
 *   socket the api refused on purpose (4403, 4429);
 * - graphql-sse at `/graphql/stream` ("distinct connections mode": one request per subscription),
 *   retried with the same backoff, never after a 4xx the api meant (401, 429, …).
 *
 * `transport: 'auto'` (the default) uses the WebSocket until it fails before it ever connected — an
 * upgrade refused or blocked on the way — and Server-Sent Events from then on, for this client's
 * life: the subscriptions that failed are sent again over SSE, so a watch does not notice. Both
 * deliver results and errors alike, so `watchJob` and `watchDocuments` (and their DocpipeError
 * codes) do not depend on the transport.
 */
import { createClient as createSseClient } from 'graphql-sse';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { DocpipeError, errorFromCloseCode, errorFromHttpStatus, type GraphQLErrorEntry } from './errors.js';
import type { ClientOptions } from './options.js';
import { parseReply, replyOf } from './reply.js';
import type { HttpReply } from './upload.js';

export interface SubscriptionRequest {
  query: string;
  variables: Record<string, unknown>;
  extensions?: Record<string, unknown>;
}

export interface SubscriptionResult<T> {
  data?: T | null;
  errors?: readonly GraphQLErrorEntry[];
}

/** Receives one subscription's results; `error` gets a CloseEvent, an Error or GraphQL errors. */
export interface SubscriptionSink<T> {
  next(result: SubscriptionResult<T>): void;
  error(error: unknown): void;
  complete(): void;
}

export interface Subscriptions {
  /** Starts a subscription; the returned function ends it. */
  subscribe<T>(request: SubscriptionRequest, sink: SubscriptionSink<T>): () => void;
  /** Closes the socket and every stream. */
  close(): Promise<void>;
}

export function createSubscriptions(options: ClientOptions, headers: Record<string, string>): Subscriptions {
  const mode = options.transport ?? 'auto';
  const attempts = options.retry?.attempts ?? 10;
  const wait = backoff(options.retry?.minDelayMs ?? 300, options.retry?.maxDelayMs ?? 10_000);
  const sseUrl = options.sseUrl ?? `${options.url.replace(/\/$/, '')}/stream`;
  let ws: WsClient | undefined;
  let wsConnected = false;
  let useSse = mode === 'sse';
  const streams = new Set<() => void>();

  /** A failure of a socket that never connected: in 'auto', reason to switch to SSE. */
  const cannotOpen = (closeEventOrError: unknown) =>
    mode === 'auto' && !wsConnected && !isRefusal(closeEventOrError);

  const socket = (): WsClient =>
    (ws ??= createWsClient({
      url: options.wsUrl ?? options.url.replace(/^http/, 'ws'),
      ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
      ...(options.token ? { connectionParams: { authorization: `Bearer ${options.token}` } } : {}),
      // Connect on the first subscription, close shortly after the last one ends.
      lazy: true,
      lazyCloseTimeout: 1_000,
      retryAttempts: attempts,
      retryWait: wait,
      // A failed connection is worth retrying (server restarting, network blip; attempts are bounded),
      // unless the api closed it on purpose: 4403 (no valid token) and 4429 (too many sockets for this
      // owner) would only fail again, so the watch ends at once with UNAUTHENTICATED / RATE_LIMITED.
      // A socket that never opened is not retried in 'auto': its subscriptions move to SSE.
      shouldRetry: (closeEventOrError) => !isRefusal(closeEventOrError) && !cannotOpen(closeEventOrError),
      on: {
        connecting: (isRetry) => options.onConnectionChange?.(isRetry ? 'reconnecting' : 'connecting'),
        connected: () => {
          wsConnected = true;
          options.onConnectionChange?.('connected');
        },
        closed: () => options.onConnectionChange?.('closed'),
      },
    }));

  /** One subscription over its own event stream; a deliberate 4xx ends it with the api's error. */
  const overSse = <T>(request: SubscriptionRequest, sink: SubscriptionSink<T>): (() => void) => {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    let refusal: DocpipeError | undefined;
    const client = createSseClient({
      url: sseUrl,
      headers,
      fetchFn: async (input: RequestInfo | URL, init?: RequestInit) => {
        const res = await fetchImpl(input, init);
        if (!isRefusalStatus(res.status)) return res;
        // Read here (graphql-sse only looks at the status), so the reply's connection is released.
        const reply = await replyOf(res);
        refusal = refusalOf(reply);
        return new Response(reply.text, {
          status: res.status,
          statusText: res.statusText,
          headers: res.headers,
        });
      },
      retryAttempts: attempts,
      // graphql-sse retries every failed response; a refusal ends the subscription instead.
      retry: async (retries) => {
        if (refusal) throw refusal;
        await wait(retries);
      },
      on: {
        connecting: (isRetry) => options.onConnectionChange?.(isRetry ? 'reconnecting' : 'connecting'),
        connected: () => options.onConnectionChange?.('connected'),
      },
    });
    const end = () => {
      streams.delete(end);
      client.dispose();
    };
    streams.add(end);
    const unsubscribe = client.subscribe<T>(request, {
      next: (result) => sink.next(result as SubscriptionResult<T>),
      error: (err) => {
        end();
        sink.error(refusal ?? err);
      },
      complete: () => {
        end();
        sink.complete();
      },
    });
    return () => {
      unsubscribe();
      end();
    };
  };

  const overWebSocket = <T>(request: SubscriptionRequest, sink: SubscriptionSink<T>): (() => void) => {
    let unsubscribe = socket().subscribe<T>(request, {
      next: (result) => sink.next(result as SubscriptionResult<T>),
      error: (err) => {
        if (!cannotOpen(err)) return sink.error(err);
        useSse = true;
        unsubscribe = overSse(request, sink);
      },
      complete: () => sink.complete(),
    });
    return () => unsubscribe();
  };

  return {
    subscribe: (request, sink) => (useSse ? overSse(request, sink) : overWebSocket(request, sink)),
    async close() {
      for (const end of [...streams]) end();
      const client = ws;
      ws = undefined;
      await client?.dispose();
    },
  };
}

/** True for a socket the api closed on purpose (see `errorFromCloseCode`). */
function isRefusal(closeEventOrError: unknown): boolean {
  const code = (closeEventOrError as { code?: unknown } | null)?.code;
  return typeof code === 'number' && errorFromCloseCode(code) !== undefined;
}

/** A 4xx is the api (or the edge) saying no; only a timeout (408) is worth asking again. */
const isRefusalStatus = (status: number) => status >= 400 && status < 500 && status !== 408;

/** The DocpipeError of a refused request: the api's GraphQL error, else one for its status. */
function refusalOf(reply: HttpReply): DocpipeError {
  try {
    parseReply(reply);
  } catch (err) {
    if (err instanceof DocpipeError) return err;
  }
  return errorFromHttpStatus(reply.status, reply.statusText, reply.retryAfter);
}

/** Exponential backoff with jitter, so many clients do not reconnect in lockstep after a restart. */
function backoff(minMs: number, maxMs: number): (retries: number) => Promise<void> {
  return (retries) => {
    const ceiling = Math.min(maxMs, minMs * 2 ** retries);
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
    return new Promise((resolve) => setTimeout(resolve, delay));
  };
}
