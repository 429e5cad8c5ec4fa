/** The options of a docpipe client (kept apart so the transports and the client share them). */
import type { RandomAccessSource, UploadStateStore } from './direct-upload.js';
import type { UploadBody } from './upload.js';

/** Subscription socket states, for "reconnecting…" indicators. */
export type ConnectionState = 'connecting' | 'reconnecting' | 'connected' | 'closed';

/** How subscriptions reach the api (see `ClientOptions.transport`). */
export type SubscriptionTransport = 'auto' | 'websocket' | 'sse';

export interface RetryOptions {
  /** Reconnect attempts in a row before a watch fails with `NETWORK_ERROR`. @default 10 */
  attempts?: number;
  /** First backoff delay; doubles per attempt, with jitter. @default 300 */
  minDelayMs?: number;
  /** Longest backoff delay. @default 10000 */
  maxDelayMs?: number;
}

export interface ClientOptions {
  /** The GraphQL endpoint, e.g. `http://127.0.0.1:4000/graphql`. */
  url: string;
  /**
   * A token (JWT) or an API key (`dpk_…`), sent as `Authorization: Bearer <token>` on HTTP and as
   * `connectionParams.authorization` on WebSockets. The api refuses requests without one
   * (`UNAUTHENTICATED`). The Node entry point (`node.ts`) falls back to `DOCPIPE_TOKEN`.
   */
  token?: string;
  /** fetch implementation for queries and Node uploads. @default globalThis.fetch */
  fetch?: typeof fetch;
  /** WebSocket constructor for subscriptions (e.g. the `ws` package). @default globalThis.WebSocket */
  webSocketImpl?: unknown;
  /** Subscription endpoint. @default `url` with http(s) replaced by ws(s) */
  wsUrl?: string;
  /**
   * How subscriptions travel: `'websocket'` (graphql-ws), `'sse'` (Server-Sent Events, one request
   * per subscription, at `sseUrl`), or `'auto'`: the WebSocket, switching to SSE for the client's
   * life when a socket fails before it ever connected (an upgrade refused or blocked by a proxy).
   * @default 'auto'
   */
  transport?: SubscriptionTransport;
  /** Server-Sent Events endpoint. @default `url` + `/stream` */
  sseUrl?: string;
  /** Extra headers on every HTTP request (e.g. `x-request-id`). */
  headers?: Record<string, string>;
  /** Reconnect policy of the subscription socket and event streams. */
  retry?: RetryOptions;
  /** Called when the subscription socket changes state. */
  onConnectionChange?: (state: ConnectionState) => void;
  /**
   * Files of at least this many bytes whose size is known and whose bytes can be read in any order
   * (a path in Node, a `Blob`/`File`) are uploaded directly to storage in parallel parts, resumably
   * (`createUpload` … `completeUpload`); smaller ones and streams as one GraphQL multipart request.
   * `Infinity` turns direct uploads off. @default 64 MiB
   */
  directUploadThreshold?: number;
  /** Parts of one direct upload in flight at once. @default 4 */
  uploadConcurrency?: number;
  /**
   * Where a direct upload keeps what it needs to resume, per file (`identity`: path or name, size
   * and modification time). The Node entry point keeps it in files under `~/.docpipe/uploads/`
   * (`DOCPIPE_UPLOAD_STATE_DIR`); in browsers, pass `localStorageUploadState`. Without it a direct
   * upload still works but starts over after an interruption.
   */
  uploadState?: (identity: string) => UploadStateStore;
  /**
   * Opens a file path for upload. Set by the Node entry point (`client/sdk/node.ts`); without it,
   * passing a path rejects with `BAD_USER_INPUT`.
   */
  openPath?: (path: string) => Promise<OpenedFile>;
}

/** A file opened by `openPath`: a stream of it, and random access for direct uploads. */
export interface OpenedFile {
  body: UploadBody;
  filename: string;
  contentType: string;
  size: number;
  random?: RandomAccessSource & { identity: string };
}

/** Per-call options for queries and mutations. */
export interface RequestOptions {
  /** Cancels the call; it then rejects with code `ABORTED`. */
  signal?: AbortSignal;
}
