/**
 * `watchDocuments` as an async iterator over the `documentEvents` subscription: every change to the
 * owner's documents, until `return()` or the signal. After a dropped connection the transport
 * subscribes again with the cursor the iterator started from, so the changes since then come
 * again (nothing is lost; some repeat); a stream the api ends is resumed from the last cursor.
 */
import { subscriptionOperation } from './operation.js';
import { DocumentEventsDocument, type DocumentEventsSubscription } from '../generated/graphql.js';
import { DocpipeError, errorFromGraphQL } from './errors.js';
import type { Subscriptions } from './subscriptions.js';
import { subscriptionError } from './watch.js';

export type DocumentEvent = DocumentEventsSubscription['documentEvents'];

export interface WatchDocumentsOptions {
  /** A `cursor` from an earlier event: the changes since then come first. */
  after?: string | null;
  /** Stops watching; the iterator then rejects with code `ABORTED`. */
  signal?: AbortSignal;
}

type Item = { kind: 'event'; event: DocumentEvent } | { kind: 'error'; error: DocpipeError };

export function watchDocumentsWith(
  subscriptions: Subscriptions,
  options: WatchDocumentsOptions = {},
): AsyncIterableIterator<DocumentEvent> {
  const queue: Item[] = [];
  let wake: (() => void) | undefined;
  let after = options.after ?? null;
  let finished = false;
  let unsubscribe: (() => void) | undefined;

  const push = (item: Item) => {
    if (finished) return;
    if (item.kind === 'error') finish();
    queue.push(item);
    wake?.();
  };
  const finish = () => {
    finished = true;
    unsubscribe?.();
    options.signal?.removeEventListener('abort', onAbort);
  };
  const onAbort = () =>
    push({ kind: 'error', error: new DocpipeError('ABORTED', 'Stopped watching the documents') });

  const start = () => {
    if (unsubscribe || finished) return;
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    unsubscribe = subscriptions.subscribe<DocumentEventsSubscription>(
      { ...subscriptionOperation(DocumentEventsDocument), variables: { after } },
      {
        next: (result) => {
          if (result.errors?.length) {
            push({ kind: 'error', error: errorFromGraphQL(result.errors) });
            return;
          }
          const event = result.data?.documentEvents;
          if (!event) return;
          after = event.cursor;
          push({ kind: 'event', event });
        },
        error: (err) => push({ kind: 'error', error: subscriptionError(err) }),
        // The api never ends this stream itself; when it does (a restart), subscribe again from here.
        complete: () => {
          if (finished) return;
          unsubscribe = undefined;
          start();
        },
      },
    );
  };

  const iterator: AsyncIterableIterator<DocumentEvent> = {
    async next() {
      start();
      for (;;) {
        const item = queue.shift();
        if (item?.kind === 'event') return { value: item.event, done: false };
        if (item?.kind === 'error') throw item.error;
        if (finished) return { value: undefined, done: true };
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
      }
    },
    async return() {
      finish();
      queue.length = 0;
      wake?.();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
