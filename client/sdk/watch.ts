/**
 * `watchJob` as an async iterator over the `jobUpdated` subscription. The transport (WebSocket or
 * Server-Sent Events) reconnects with backoff and re-sends the subscription; the api answers a fresh subscription with the job's current
 * state, so after a reconnect we resume from there and drop anything not newer than what we yielded.
 */
import { subscriptionOperation } from './operation.js';
import { JobUpdatedDocument, type JobFieldsFragment, type JobStatus } from '../generated/graphql.js';
import { DocpipeError, errorFromCloseCode, errorFromGraphQL, type GraphQLErrorEntry } from './errors.js';
import type { Subscriptions } from './subscriptions.js';

const MAX_EARLY_COMPLETIONS = 3;
const TERMINAL: ReadonlySet<JobStatus> = new Set<JobStatus>(['COMPLETED', 'FAILED']);

/** True for COMPLETED and FAILED: no further events follow. */
export function isTerminalStatus(status: JobStatus): boolean {
  return TERMINAL.has(status);
}

export interface WatchOptions {
  /** Stops watching; the iterator then rejects with code `ABORTED`. */
  signal?: AbortSignal;
}

type Item =
  { kind: 'job'; job: JobFieldsFragment } | { kind: 'end' } | { kind: 'error'; error: DocpipeError };

/**
 * The iterator behind `DocpipeClient.watchJob`: subscribes on the first `next()`, yields only
 * versions newer than the last one yielded, and ends after a terminal status (or throws a
 * DocpipeError). `return()` (a `break` in for-await) unsubscribes.
 */
export function watchJobWith(
  subscriptions: Subscriptions,
  jobId: string,
  options: WatchOptions = {},
): AsyncIterableIterator<JobFieldsFragment> {
  const queue: Item[] = [];
  let wake: (() => void) | undefined;
  let lastVersion = -Infinity;
  let sawTerminal = false;
  /** Subscriptions the server completed before a terminal state (it should not; we resubscribe). */
  let earlyCompletions = 0;
  let finished = false;
  let unsubscribe: (() => void) | undefined;

  const push = (item: Item) => {
    if (finished) return;
    if (item.kind !== 'job') finish();
    queue.push(item);
    wake?.();
  };
  const finish = () => {
    finished = true;
    unsubscribe?.();
    options.signal?.removeEventListener('abort', onAbort);
  };
  const onAbort = () =>
    push({ kind: 'error', error: new DocpipeError('ABORTED', 'Stopped watching the job') });

  const start = () => {
    if (unsubscribe || finished) return;
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    unsubscribe = subscriptions.subscribe<{ jobUpdated: JobFieldsFragment }>(
      { ...subscriptionOperation(JobUpdatedDocument), variables: { jobId } },
      {
        next: (result) => {
          if (result.errors?.length) {
            push({ kind: 'error', error: errorFromGraphQL(result.errors) });
            return;
          }
          const job = result.data?.jobUpdated;
          // Duplicates and stale events (and the replayed current state after a reconnect) are dropped.
          if (!job || job.version <= lastVersion) return;
          lastVersion = job.version;
          push({ kind: 'job', job });
          if (isTerminalStatus(job.status)) {
            sawTerminal = true;
            push({ kind: 'end' });
          }
        },
        error: (err) => push({ kind: 'error', error: subscriptionError(err) }),
        complete: () => {
          // A stream that ends before COMPLETED/FAILED lost its tail somewhere: a fresh subscription
          // starts from the job's current state, so subscribe again (a few times at most).
          if (!sawTerminal && !finished && earlyCompletions++ < MAX_EARLY_COMPLETIONS) {
            unsubscribe = undefined;
            start();
            return;
          }
          push({ kind: 'end' });
        },
      },
    );
  };

  const iterator: AsyncIterableIterator<JobFieldsFragment> = {
    async next() {
      start();
      for (;;) {
        const item = queue.shift();
        if (item?.kind === 'job') return { value: item.job, done: false };
        if (item?.kind === 'error') throw item.error;
        if (item?.kind === 'end' || (finished && !item)) return { value: undefined, done: true };
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    },
    async return() {
      finish();
      queue.length = 0;
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}

/**
 * graphql-ws reports GraphQL errors as an array and lost connections as a CloseEvent or Error (graphql-sse:
 * an Error, or the api's DocpipeError for a refused stream). A
 * socket the api closed on purpose (4403 no valid token, 4429 too many sockets) keeps its meaning.
 */
export function subscriptionError(err: unknown): DocpipeError {
  if (Array.isArray(err)) return errorFromGraphQL(err as GraphQLErrorEntry[]);
  if (err instanceof DocpipeError) return err;
  const close = err as { code?: unknown; reason?: unknown };
  if (typeof close.code === 'number') {
    const refusal = errorFromCloseCode(close.code, close.reason ? String(close.reason) : undefined);
    if (refusal) return refusal;
  }
  const detail =
    typeof close.code === 'number'
      ? `close code ${close.code}${close.reason ? `: ${String(close.reason)}` : ''}`
      : err instanceof Error
        ? err.message
        : String(err);
  return new DocpipeError(
    'NETWORK_ERROR',
    `Lost the subscription connection and could not reconnect (${detail})`,
    {
      cause: err,
    },
  );
}
