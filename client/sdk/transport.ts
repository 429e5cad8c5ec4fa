/**
 * The client's two transports: GraphQL over HTTP (`request`, JSON in and out, errors mapped to
 * DocpipeError) and the graphql-ws subscription socket (lazy, reconnecting with backoff, never
 * retrying a socket the api refused on purpose).
 */
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import {
  DocpipeError,
  errorFromCloseCode,
  errorFromGraphQL,
  errorFromHttpStatus,
  toDocpipeError,
  type GraphQLErrorEntry,
} from './errors.js';
import type { ClientOptions, RequestOptions } from './options.js';
import type { HttpReply } from './upload.js';

export interface Transport {
  /** Headers of every HTTP request (the token, the caller's extras). */
  readonly headers: Record<string, string>;
  request<TResult, TVariables>(
    document: DocumentTypeDecoration<TResult, TVariables> & { toString(): string },
    variables: TVariables,
    options?: RequestOptions,
  ): Promise<TResult>;
  /** The subscription socket, opened on first use. */
  socket(): WsClient;
  /** Closes the subscription socket. */
  close(): Promise<void>;
}

export function createTransport(options: ClientOptions): Transport {
  const url = options.url;
  const baseHeaders: Record<string, string> = {
    ...options.headers,
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  };
  let ws: WsClient | undefined;

  const socket = (): WsClient => {
    ws ??= createWsClient({
      url: options.wsUrl ?? url.replace(/^http/, 'ws'),
      ...(options.webSocketImpl ? { webSocketImpl: options.webSocketImpl } : {}),
      ...(options.token ? { connectionParams: { authorization: `Bearer ${options.token}` } } : {}),
      // Connect on the first subscription, close shortly after the last one ends.
      lazy: true,
      lazyCloseTimeout: 1_000,
      retryAttempts: options.retry?.attempts ?? 10,
      retryWait: backoff(options.retry?.minDelayMs ?? 300, options.retry?.maxDelayMs ?? 10_000),
      // A failed connection is worth retrying (server restarting, network blip; attempts are bounded),
      // unless the api closed it on purpose: 4403 (no valid token) and 4429 (too many sockets for this
      // owner) would only fail again, so the watch ends at once with UNAUTHENTICATED / RATE_LIMITED.
      shouldRetry: (closeEventOrError) => !isRefusal(closeEventOrError),
      on: {
        connecting: (isRetry) => options.onConnectionChange?.(isRetry ? 'reconnecting' : 'connecting'),
        connected: () => options.onConnectionChange?.('connected'),
        closed: () => options.onConnectionChange?.('closed'),
      },
    });
    return ws;
  };

  async function request<TResult, TVariables>(
    document: DocumentTypeDecoration<TResult, TVariables> & { toString(): string },
    variables: TVariables,
    opts: RequestOptions = {},
  ): Promise<TResult> {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    let reply: HttpReply;
    try {
      const res = await fetchImpl(url, {
        method: 'POST',
        headers: { ...baseHeaders, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query: document.toString(), variables }),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      reply = {
        status: res.status,
        statusText: res.statusText,
        contentType: res.headers.get('content-type') ?? '',
        retryAfter: res.headers.get('retry-after'),
        text: await res.text(),
      };
    } catch (err) {
      throw toDocpipeError(err, url);
    }
    return parseReply<TResult>(reply);
  }

  return {
    headers: baseHeaders,
    request,
    socket,
    async close() {
      const client = ws;
      ws = undefined;
      await client?.dispose();
    },
  };
}

/** A GraphQL response's data, or a DocpipeError for `errors`, HTTP failures and non-GraphQL replies. */
export function parseReply<T>(reply: HttpReply): T {
  let body: { data?: T | null; errors?: GraphQLErrorEntry[] } | undefined;
  if (/json/i.test(reply.contentType)) {
    try {
      body = JSON.parse(reply.text) as typeof body;
    } catch {
      body = undefined;
    }
  }
  if (body?.errors?.length) throw errorFromGraphQL(body.errors, reply.status, reply.retryAfter);
  if (reply.status >= 400 || !body) {
    throw errorFromHttpStatus(reply.status, reply.statusText, reply.retryAfter);
  }
  if (body.data == null) throw new DocpipeError('BAD_RESPONSE', 'The response carried no data');
  return body.data;
}

/** True for a socket the api closed on purpose (see `errorFromCloseCode`). */
function isRefusal(closeEventOrError: unknown): boolean {
  const code = (closeEventOrError as { code?: unknown } | null)?.code;
  return typeof code === 'number' && errorFromCloseCode(code) !== undefined;
}

/** Exponential backoff with jitter, so many clients do not reconnect in lockstep after a restart. */
function backoff(minMs: number, maxMs: number): (retries: number) => Promise<void> {
  return (retries) => {
    const ceiling = Math.min(maxMs, minMs * 2 ** retries);
    const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
    return new Promise((resolve) => setTimeout(resolve, delay));
  };
}
