/**
 * GraphQL over HTTP for queries and mutations (`request`: JSON in and out, errors mapped to
 * DocpipeError), and the subscriptions (client/sdk/subscriptions.ts: WebSocket, or Server-Sent
 * Events when a WebSocket cannot be opened).
 */
import { operation, type GeneratedDocument } from './operation.js';
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import { toDocpipeError } from './errors.js';
import type { ClientOptions, RequestOptions } from './options.js';
import { parseReply, replyOf } from './reply.js';
import { createSubscriptions, type Subscriptions } from './subscriptions.js';
import type { HttpReply } from './upload.js';

export interface Transport {
  /** Headers of every HTTP request (the token, the caller's extras). */
  readonly headers: Record<string, string>;
  request<TResult, TVariables>(
    document: DocumentTypeDecoration<TResult, TVariables> & GeneratedDocument,
    variables: TVariables,
    options?: RequestOptions,
  ): Promise<TResult>;
  /** Subscriptions (the socket is opened on first use). */
  readonly subscriptions: Subscriptions;
  /** Closes the subscription socket and streams. */
  close(): Promise<void>;
}

export function createTransport(options: ClientOptions): Transport {
  const url = options.url;
  const baseHeaders: Record<string, string> = {
    ...options.headers,
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  };
  async function request<TResult, TVariables>(
    document: DocumentTypeDecoration<TResult, TVariables> & GeneratedDocument,
    variables: TVariables,
    opts: RequestOptions = {},
  ): Promise<TResult> {
    const fetchImpl = options.fetch ?? globalThis.fetch;
    let reply: HttpReply;
    try {
      const res = await fetchImpl(url, {
        method: 'POST',
        headers: { ...baseHeaders, 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ ...operation(document), variables }),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      reply = await replyOf(res);
    } catch (err) {
      throw toDocpipeError(err, url);
    }
    return parseReply<TResult>(reply);
  }

  const subscriptions = createSubscriptions(options, baseHeaders);
  return { headers: baseHeaders, request, subscriptions, close: () => subscriptions.close() };
}
