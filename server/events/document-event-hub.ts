import { DomainError, ErrorCode } from '../../domain/errors.js';
import { JobStatus, type JobRecord } from '../../domain/model.js';
import type { BusEvent } from '../../domain/messages.js';

/** What happened to a document: its upload, a change of its job, or its deletion. */
export type DocumentChange = 'CREATED' | 'UPDATED' | 'COMPLETED' | 'FAILED' | 'DELETED';

/** One change in an owner's stream. `at` orders the stream and is what a cursor remembers. */
export interface DocumentFeedEvent {
  kind: DocumentChange;
  ownerId: string;
  documentId: string;
  at: string;
  /** The job after the change, for job events. */
  job?: JobRecord;
}

/** A subscriber that falls this far behind is ended (it resumes from its cursor) rather than buffered. */
export const MAX_BUFFERED_EVENTS = 1000;

/** The change a job (or document) status means: COMPLETED, FAILED, else UPDATED. */
export function changeOfStatus(status: JobStatus): DocumentChange {
  if (status === JobStatus.COMPLETED) return 'COMPLETED';
  if (status === JobStatus.FAILED) return 'FAILED';
  return 'UPDATED';
}

/** A bus event as a feed event (one per bus event, for its owner). */
export function feedEventOf(event: BusEvent): DocumentFeedEvent {
  if (event.kind === 'job.updated') {
    const { job } = event;
    return {
      kind: changeOfStatus(job.status),
      ownerId: job.ownerId,
      documentId: job.documentId,
      at: job.updatedAt,
      job,
    };
  }
  return {
    kind: event.kind === 'document.created' ? 'CREATED' : 'DELETED',
    ownerId: event.ownerId,
    documentId: event.documentId,
    at: event.at,
  };
}

/**
 * How long the hub remembers a deletion: a job event of the document that arrives later (a
 * worker's, by SNS and the queue, can trail the api's own DELETED, delivered in-process) is
 * dropped, so DELETED stays the last change a subscriber sees.
 */
export const DELETION_MEMORY_MS = 10 * 60_000;

/**
 * In-process fan-out of document changes to this instance's `documentEvents` subscribers, by owner.
 * Every api instance receives every event (other instances' through its own queue, its own from
 * its publisher), so a subscriber sees changes made through any replica.
 */
export class DocumentEventHub {
  private readonly owners = new Map<string, Set<DocumentFeed>>();
  /** Recently deleted documents → when, oldest first (a Map keeps insertion order). */
  private readonly deleted = new Map<string, number>();

  /** Registers for `ownerId`'s changes (eagerly: nothing slips between this and a catch-up read). */
  subscribe(ownerId: string): DocumentFeed {
    const set = this.owners.get(ownerId) ?? new Set();
    this.owners.set(ownerId, set);
    const feed = new DocumentFeed(() => {
      set.delete(feed);
      if (set.size === 0 && this.owners.get(ownerId) === set) this.owners.delete(ownerId);
    });
    set.add(feed);
    return feed;
  }

  dispatch(event: DocumentFeedEvent, now = Date.now()): void {
    if (event.kind === 'DELETED') this.rememberDeletion(event.documentId, now);
    else if (event.job && this.deleted.has(event.documentId)) return;
    for (const feed of this.owners.get(event.ownerId) ?? []) feed.push(event);
  }

  private rememberDeletion(documentId: string, now: number): void {
    for (const [id, at] of this.deleted) {
      if (at >= now - DELETION_MEMORY_MS) break;
      this.deleted.delete(id);
    }
    this.deleted.delete(documentId);
    this.deleted.set(documentId, now);
  }

  get size(): number {
    let n = 0;
    for (const set of this.owners.values()) n += set.size;
    return n;
  }
}

/**
 * One subscriber's changes: a bounded buffer (a subscriber that stops reading is ended with an
 * error after MAX_BUFFERED_EVENTS, and resumes from its cursor) and an early `return()`.
 */
export class DocumentFeed implements AsyncIterableIterator<DocumentFeedEvent> {
  private readonly queue: DocumentFeedEvent[] = [];
  private waiting:
    { resolve: (r: IteratorResult<DocumentFeedEvent>) => void; reject: (e: Error) => void } | undefined;
  private finished = false;
  private overflowed = false;

  constructor(private readonly unregister: () => void) {}

  /** Events read from storage before the live ones (a resumed subscription). */
  seed(events: DocumentFeedEvent[]): void {
    this.queue.unshift(...events);
  }

  push(event: DocumentFeedEvent): void {
    if (this.finished) return;
    if (this.queue.length >= MAX_BUFFERED_EVENTS) {
      this.overflowed = true;
      this.close();
    } else this.queue.push(event);
    this.flush();
  }

  next(): Promise<IteratorResult<DocumentFeedEvent>> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.flush();
    });
  }

  return(): Promise<IteratorResult<DocumentFeedEvent>> {
    this.close();
    this.flush();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<DocumentFeedEvent> {
    return this;
  }

  close(): void {
    if (this.finished) return;
    this.finished = true;
    this.unregister();
  }

  private flush(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    const next = this.queue.shift();
    if (next) {
      this.waiting = undefined;
      waiting.resolve({ value: next, done: false });
    } else if (this.overflowed) {
      this.waiting = undefined;
      waiting.reject(
        new DomainError(
          ErrorCode.RATE_LIMITED,
          `More than ${MAX_BUFFERED_EVENTS} changes waited for this subscriber; subscribe again with the last cursor`,
        ),
      );
    } else if (this.finished) {
      this.waiting = undefined;
      waiting.resolve({ value: undefined, done: true });
    }
  }
}
