import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FileUpload } from 'graphql-upload-ts';
import type { Logger } from 'pino';
import type { AwsAdapters } from '../aws/connect.js';
import { BlobStore } from '../aws/blob-store.js';
import { encodeCursor, type DocumentStore } from '../aws/document-store.js';
import type { JobQueue } from '../aws/job-queue.js';
import type { JobWriter } from '../aws/job-writer.js';
import { DomainError, ErrorCode, badInput, notFound } from '../domain/errors.js';
import { newId, requireId } from '../domain/ids.js';
import { JobErrorCode, newJob, restartDocument, transitions } from '../domain/jobs.js';
import { JobStatus, isTerminal, type DocumentRecord, type JobRecord } from '../domain/model.js';
import { MESSAGE_CONTENT_MAX_BYTES } from '../domain/messages.js';
import type { JobEventHub, JobUpdates } from './events/job-event-hub.js';
import {
  changeOfStatus,
  type DocumentEventHub,
  type DocumentFeed,
  type DocumentFeedEvent,
} from './events/document-event-hub.js';
import type { JobEventPublisher } from '../aws/job-events.js';
import type { Config } from '../domain/config.js';
import { metrics } from '../telemetry/metrics.js';
import { UploadMeter } from './upload-meter.js';

/** What the use cases need from storage: exactly these calls (in-memory fakes implement them in tests). */
export type DocumentServiceStore = Pick<
  DocumentStore,
  | 'createDocument'
  | 'getDocument'
  | 'getDocuments'
  | 'listDocuments'
  | 'claimIdempotencyKey'
  | 'releaseIdempotencyKey'
  | 'deleteDocument'
  | 'deleteJob'
  | 'putTombstone'
  | 'getJob'
  | 'getJobs'
  | 'replaceCurrentJob'
  | 'updateDocumentStatus'
  | 'listDocumentsChangedSince'
  | 'putDeletion'
  | 'listDeletionsSince'
>;

export interface DocumentServiceDeps {
  store: DocumentServiceStore;
  blobs: Pick<BlobStore, 'putStream' | 'delete' | 'deletePrefix' | 'presignDownload'>;
  queue: Pick<JobQueue, 'send'>;
  hub: JobEventHub;
  jobs: Pick<JobWriter, 'advance'>;
  maxUploadBytes: number;
  idempotencyWindowSeconds: number;
  /** Lifetime of presigned download URLs. */
  downloadUrlSeconds: number;
  logger: Logger;
  /** Told after a document is deleted (this instance's search index drops it at once). */
  onDeleted?: (documentId: string) => void;
  /** `documentEvents` subscribers of this instance, and the topic every instance hears. */
  feed?: { hub: DocumentEventHub; events: Pick<JobEventPublisher, 'publish'> };
}

/** How long a deletion stays in an owner's feed: a `documentEvents` cursor older than this is refused. */
export const FEED_RETENTION_SECONDS = 24 * 3600;
/** Most documents a resumed `documentEvents` replays; beyond that the client reloads its list. */
export const MAX_FEED_REPLAY = 1000;

export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;
/** Ids one `nodes` query may ask for: two batched reads of at most 100 keys. */
export const MAX_NODES = 100;
const IDEMPOTENCY_KEY = /^[\w.:-]{1,128}$/;

/** Refuses an idempotency key that could not be part of a DynamoDB key safely. */
export function checkIdempotencyKey(key: string): void {
  if (!IDEMPOTENCY_KEY.test(key)) {
    throw badInput('idempotencyKey must be 1-128 letters, digits, ".", "_", ":" or "-"', {
      argument: 'idempotencyKey',
    });
  }
}
/** Longer than SQS keeps a message (14 days), so no job message outlives its tombstone. */
const TOMBSTONE_SECONDS = 15 * 24 * 3600;

/** A DocumentService over the AWS adapters (aws/connect.ts). */
export function createDocumentService(args: {
  adapters: Pick<AwsAdapters, 'store' | 'blobs' | 'queue' | 'jobs' | 'events'>;
  hub: JobEventHub;
  documentHub?: DocumentEventHub;
  config: Config;
  logger: Logger;
  onDeleted?: (documentId: string) => void;
}): DocumentService {
  const { adapters, hub, documentHub, config, logger, onDeleted } = args;
  return new DocumentService({
    store: adapters.store,
    jobs: adapters.jobs,
    blobs: adapters.blobs,
    queue: adapters.queue,
    hub,
    maxUploadBytes: config.limits.maxUploadBytes,
    idempotencyWindowSeconds: config.idempotencyWindowSeconds,
    downloadUrlSeconds: config.limits.downloadUrlSeconds,
    logger,
    ...(onDeleted && { onDeleted }),
    ...(documentHub && { feed: { hub: documentHub, events: adapters.events } }),
  });
}

/** The api's use cases; resolvers only translate GraphQL to these calls. */
/** What an upload made: the document and its first job (null when an idempotent retry found it). */
export interface Uploaded {
  document: DocumentRecord;
  job: JobRecord | null;
}

export class DocumentService {
  constructor(private readonly deps: DocumentServiceDeps) {}

  /**
   * Streams the file to S3 (hashing and counting on the way), then records document + job and
   * enqueues the job. Any failure removes what was written, so a rejected upload leaves nothing.
   */
  async upload(
    ownerId: string,
    file: FileUpload,
    correlationId: string,
    idempotencyKey?: string,
  ): Promise<Uploaded> {
    if (idempotencyKey === undefined) return this.storeUpload(ownerId, newId(), file, correlationId);
    checkIdempotencyKey(idempotencyKey);
    const { store } = this.deps;
    const id = newId();
    const earlier = await store.claimIdempotencyKey(
      ownerId,
      idempotencyKey,
      id,
      this.deps.idempotencyWindowSeconds,
    );
    if (earlier) {
      // A retry of an upload we already have: answer with it and throw the new bytes away.
      discard(file);
      const doc = await store.getDocument(ownerId, earlier);
      if (doc) return { document: doc, job: null };
      throw badInput(
        'An upload with this idempotencyKey is still in progress (or was deleted); retry later',
        {
          argument: 'idempotencyKey',
        },
      );
    }
    try {
      return await this.storeUpload(ownerId, id, file, correlationId);
    } catch (err) {
      await store.releaseIdempotencyKey(ownerId, idempotencyKey, id).catch(() => undefined);
      throw err;
    }
  }

  private async storeUpload(
    ownerId: string,
    id: string,
    file: FileUpload,
    correlationId: string,
  ): Promise<Uploaded> {
    const { blobs, maxUploadBytes } = this.deps;
    const key = BlobStore.originalKey(id);
    const meter = new UploadMeter(maxUploadBytes, MESSAGE_CONTENT_MAX_BYTES);
    let source: Readable | undefined;
    let sourceError: Error | undefined;
    try {
      // createReadStream throws at once if the parser already failed (e.g. its size limit).
      source = file.createReadStream();
      source.once('error', (err) => (sourceError = err));
      // Stored as opaque bytes whatever the client claimed, so storage never serves them as HTML.
      await Promise.all([blobs.putStream(key, meter, 'application/octet-stream'), pipeline(source, meter)]);
    } catch (err) {
      source?.destroy();
      await blobs.delete(key).catch(() => undefined);
      if (meter.exceeded || isUploadLimitError(err)) {
        throw new DomainError(
          ErrorCode.PAYLOAD_TOO_LARGE,
          `File is larger than the ${maxUploadBytes}-byte limit`,
          {
            limit: maxUploadBytes,
          },
        );
      }
      if (sourceError || source === undefined) {
        sourceError ??= err as Error;
        // The request body broke off or is not valid multipart: the client's doing, nothing stored.
        throw badInput(`The upload did not arrive whole: ${sourceError.message}`, { argument: 'file' });
      }
      throw err;
    }
    if (meter.bytes === 0) {
      await blobs.delete(key).catch(() => undefined);
      throw badInput('File is empty', { argument: 'file' });
    }

    return this.recordUpload(
      ownerId,
      id,
      {
        filename: file.filename,
        contentType: file.mimetype,
        size: meter.bytes,
        sha256: meter.digest(),
        content: meter.kept(),
      },
      correlationId,
    );
  }

  /**
   * What every upload ends with, once its bytes are whole at `originals/<id>` (streamed here, or
   * sent straight to S3 and completed by `DirectUploadService`): document + job in DynamoDB, the job
   * message, the `document.created` event. Any failure removes what was written, the object too.
   * `content`: the bytes, when the caller has them and they are small enough to go in the message.
   */
  async recordUpload(
    ownerId: string,
    id: string,
    file: { filename: string; contentType: string; size: number; sha256: string; content?: Buffer },
    correlationId: string,
  ): Promise<Uploaded> {
    const { store, blobs, queue, logger } = this.deps;
    const key = BlobStore.originalKey(id);
    const job = newJob(id, ownerId);
    const now = job.createdAt;
    const doc: DocumentRecord = {
      id,
      ownerId,
      filename: cleanFilename(file.filename),
      contentType: cleanContentType(file.contentType),
      detectedType: null,
      size: file.size,
      sha256: file.sha256,
      status: JobStatus.QUEUED,
      currentJobId: job.id,
      jobIds: [job.id],
      createdAt: now,
      updatedAt: now,
    };
    try {
      await store.createDocument(doc, job);
    } catch (err) {
      await blobs.delete(key).catch(() => undefined);
      throw err;
    }
    try {
      await queue.send({
        jobId: job.id,
        documentId: id,
        ownerId,
        correlationId,
        upload: {
          job,
          document: {
            filename: doc.filename,
            size: doc.size,
            sha256: doc.sha256,
            ...(file.content &&
              file.content.length <= MESSAGE_CONTENT_MAX_BYTES && {
                content: file.content.toString('base64'),
              }),
          },
        },
      });
    } catch (err) {
      // Without its message the job would sit QUEUED forever: undo the whole upload instead.
      logger.error({ err, documentId: id }, 'enqueue failed; rolling the upload back');
      await Promise.allSettled([store.deleteDocument(id), store.deleteJob(job.id), blobs.delete(key)]);
      throw err;
    }
    this.announce({ kind: 'document.created', ownerId, documentId: id, at: now, correlationId });
    metrics.uploads.inc();
    metrics.uploadBytes.inc(doc.size);
    logger.info({ documentId: id, jobId: job.id, size: doc.size }, 'document uploaded');
    return { document: doc, job };
  }

  /** The owner's document, or null: another owner's document answers exactly like a missing one. */
  async get(ownerId: string, id: string): Promise<DocumentRecord | null> {
    requireId(id);
    return this.deps.store.getDocument(ownerId, id);
  }

  /**
   * A page of the owner's documents, newest first: `first` after `after` (forward, the default: 20),
   * or `last` before `before` (backward). Relay's PageInfo: the direction read knows exactly whether
   * more lie beyond; the other side is "yes" when a cursor was given (it names an item).
   */
  async list(
    ownerId: string,
    args: { first?: number; after?: string; last?: number; before?: string; status?: JobStatus },
  ) {
    if (args.first !== undefined && args.last !== undefined) {
      throw badInput('Give first or last, not both', { argument: 'last' });
    }
    if (args.after !== undefined && args.before !== undefined) {
      throw badInput('Give after or before, not both', { argument: 'before' });
    }
    const backward = args.last !== undefined;
    const size = args.last ?? args.first ?? DEFAULT_PAGE_SIZE;
    const argument = backward ? 'last' : 'first';
    if (!Number.isInteger(size) || size < 1 || size > MAX_PAGE_SIZE) {
      throw badInput(`${argument} must be between 1 and ${MAX_PAGE_SIZE}`, { argument });
    }
    const cursor = backward ? args.before : args.after;
    const page = await this.deps.store.listDocuments(ownerId, {
      limit: size,
      backward,
      ...(cursor !== undefined && { cursor }),
      ...(args.status !== undefined && { status: args.status }),
    });
    return {
      items: page.items.map((document) => ({ document, cursor: encodeCursor(document) })),
      hasNextPage: backward ? args.before !== undefined : page.hasMore,
      hasPreviousPage: backward ? page.hasMore : args.after !== undefined,
    };
  }

  /**
   * Documents and jobs of the owner by id (Relay's `nodes`), in the order asked; null for an id
   * that is neither, or someone else's. Ids are unique across both types, so one batched read of
   * each kind answers all of them.
   */
  async nodes(
    ownerId: string,
    ids: readonly string[],
    argument = 'ids',
  ): Promise<(DocumentRecord | JobRecord | null)[]> {
    if (ids.length > MAX_NODES) throw badInput(`At most ${MAX_NODES} ids at once`, { argument });
    for (const id of ids) requireId(id, argument);
    // One key once: DynamoDB refuses a batch that names a key twice.
    const unique = [...new Set(ids)];
    const [documents, jobs] = await Promise.all([
      this.deps.store.getDocuments(ownerId, unique),
      this.getJobs(ownerId, unique),
    ]);
    return ids.map((id) => documents.get(id) ?? jobs.get(id) ?? null);
  }

  /** A derived artefact the worker made (extracted text, WebP thumbnail): safe to show inline. */
  artefactUrl(key: string, artefact: 'text' | 'thumbnail'): Promise<string> {
    const [filename, contentType] =
      artefact === 'text' ? ['text.txt', 'text/plain; charset=utf-8'] : ['thumbnail.webp', 'image/webp'];
    return this.deps.blobs.presignDownload(key, {
      filename,
      contentType,
      inline: true,
      expiresInSeconds: this.deps.downloadUrlSeconds,
    });
  }

  /** The original bytes: always an attachment of opaque type, so uploaded HTML or SVG never renders. */
  downloadUrl(doc: DocumentRecord): Promise<string> {
    return this.deps.blobs.presignDownload(BlobStore.originalKey(doc.id), {
      filename: doc.filename,
      contentType: 'application/octet-stream',
      inline: false,
      expiresInSeconds: this.deps.downloadUrlSeconds,
    });
  }

  /**
   * Removes the document, its jobs, its original and derived artefacts. A running job is first
   * ended FAILED (DOCUMENT_DELETED), which subscribers see as the final event and which makes the
   * worker's next conditional write fail, so it stops. Idempotent: a second call returns false.
   */
  async delete(ownerId: string, id: string, correlationId: string): Promise<boolean> {
    const { store, blobs, logger } = this.deps;
    requireId(id);
    const doc = await store.getDocument(ownerId, id);
    if (!doc) return false;
    await this.endJob(
      doc.currentJobId,
      { code: JobErrorCode.DOCUMENT_DELETED, message: 'The document was deleted' },
      correlationId,
    );
    await blobs.delete(BlobStore.originalKey(id));
    // Tombstone before the records go: a queued message for this document is then dropped quietly.
    await store.putTombstone(id, TOMBSTONE_SECONDS);
    await store.deleteDocument(id);
    // Artefacts after the document: a run still going stored its own before this (they go now) or
    // stores them after, when its document write fails and it removes them itself.
    await blobs.deletePrefix(BlobStore.derivedPrefix(id));
    await Promise.all(doc.jobIds.map((jobId) => store.deleteJob(jobId)));
    this.deps.onDeleted?.(id);
    if (this.deps.feed) {
      const at = new Date().toISOString();
      // Kept a day so a `documentEvents` subscriber that was away still learns of it.
      await store.putDeletion(ownerId, id, at, FEED_RETENTION_SECONDS);
      this.announce({ kind: 'document.deleted', ownerId, documentId: id, at, correlationId });
    }
    logger.info({ documentId: id }, 'document deleted');
    return true;
  }

  /** Starts a new job for a document whose current job has finished. */
  async reprocess(ownerId: string, id: string, correlationId: string): Promise<DocumentRecord> {
    const { store, queue, jobs } = this.deps;
    requireId(id);
    const doc = await store.getDocument(ownerId, id);
    if (!doc) throw notFound('Document', id);
    const restarted = await restartDocument({ store, queue, jobs }, doc, correlationId);
    if (restarted.outcome === 'busy') {
      throw badInput('The document is still being processed; reprocess it when its job has finished', {
        jobId: restarted.job?.id,
      });
    }
    if (restarted.outcome === 'changed') {
      throw badInput('The document changed while reprocessing was requested; try again', { argument: 'id' });
    }
    return (await store.getDocument(ownerId, id)) ?? doc;
  }

  /**
   * The owner's document changes, live, through any api instance. With `after` (a cursor from an
   * earlier event) the changes since then come first: the documents changed since, as they are
   * now, and the deletions since, oldest first; a change may then arrive twice, never not at all.
   */
  async watchDocuments(ownerId: string, after?: string): Promise<DocumentFeed> {
    const feed = this.deps.feed;
    if (!feed) throw new DomainError(ErrorCode.INTERNAL_SERVER_ERROR, 'Document events are not enabled here');
    const since = after === undefined ? undefined : decodeFeedCursor(after);
    const live = feed.hub.subscribe(ownerId);
    if (since === undefined) return live;
    try {
      const [changed, deleted] = await Promise.all([
        this.deps.store.listDocumentsChangedSince(ownerId, since, MAX_FEED_REPLAY),
        this.deps.store.listDeletionsSince(ownerId, since),
      ]);
      if (!changed.complete)
        throw badInput(
          `More than ${MAX_FEED_REPLAY} documents changed since that cursor; reload the list instead`,
          {
            argument: 'after',
          },
        );
      const replay: DocumentFeedEvent[] = [
        ...changed.items.map((doc) => ({
          kind: changeOfStatus(doc.status),
          ownerId,
          documentId: doc.id,
          at: doc.updatedAt,
        })),
        ...deleted.map((d) => ({ kind: 'DELETED' as const, ownerId, documentId: d.documentId, at: d.at })),
      ].sort((a, b) => a.at.localeCompare(b.at));
      live.seed(replay);
      return live;
    } catch (err) {
      live.close();
      throw err;
    }
  }

  /** Tells every api instance (best effort: a lost announcement is caught up by a resumed feed). */
  private announce(event: Parameters<JobEventPublisher['publish']>[0]): void {
    const feed = this.deps.feed;
    if (!feed) return;
    feed.events.publish(event).catch((err: unknown) => {
      this.deps.logger.warn({ err, kind: event.kind }, 'document event publish failed');
    });
  }

  /** Ends a job that has not finished yet; retries if a worker advances it meanwhile. */
  private async endJob(jobId: string, error: { code: string; message: string }, correlationId: string) {
    for (let attempt = 0; attempt < 5; attempt++) {
      const job = await this.deps.store.getJob(jobId);
      if (!job || isTerminal(job.status)) return;
      const ended = await this.deps.jobs.advance(job, transitions.fail(error), correlationId);
      if (ended) return;
    }
  }

  async getJob(ownerId: string, id: string, argument = 'id'): Promise<JobRecord | null> {
    requireId(id, argument);
    const job = await this.deps.store.getJob(id);
    return job && job.ownerId === ownerId ? job : null;
  }

  /** The owner's jobs among `ids` (others' are simply absent), in one batched read. */
  async getJobs(ownerId: string, ids: readonly string[]): Promise<Map<string, JobRecord>> {
    const found = await this.deps.store.getJobs(ids);
    for (const [id, job] of found) if (job.ownerId !== ownerId) found.delete(id);
    return found;
  }

  /**
   * The job's current state first, then every newer change, ending after COMPLETED or FAILED.
   * Registers for events before reading, so nothing between the read and the first event is lost.
   */
  async watchJob(ownerId: string, jobId: string): Promise<JobUpdates> {
    requireId(jobId, 'jobId');
    const updates = this.deps.hub.subscribe(jobId, ownerId);
    try {
      const job = await this.getJob(ownerId, jobId, 'jobId');
      if (!job) throw notFound('Job', jobId);
      updates.seed(job);
      return updates;
    } catch (err) {
      updates.close();
      throw err;
    }
  }
}

function discard(file: FileUpload): void {
  try {
    file
      .createReadStream()
      .on('error', () => undefined)
      .resume();
  } catch {
    // the parser already failed; nothing to drain
  }
}

/**
 * Keeps only the last path segment and drops control characters (C0, C1) and invisible format
 * characters (bidi overrides and isolates, zero-width marks) that could disguise a name in a
 * terminal or a file dialog. It is metadata, never a storage key. Exported for tests.
 */
export function cleanFilename(name: string): string {
  const base = (name.split(/[\\/]/).pop() ?? '').replace(/[\p{Cc}\p{Cf}]/gu, '').trim();
  return [...base].slice(0, 255).join('') || 'untitled';
}

function cleanContentType(type: string | undefined): string {
  return type && /^[\w.+-]+\/[\w.+-]+/.test(type) ? type.slice(0, 255) : 'application/octet-stream';
}

function isUploadLimitError(err: unknown): boolean {
  // graphql-upload-ts aborts the file stream with HTTP status 413 when its own size limit is hit.
  return typeof err === 'object' && err !== null && (err as { status?: unknown }).status === 413;
}

/** A feed position: the time of the event it was given with (base64url of `feed:<ISO time>`). */
export function encodeFeedCursor(at: string): string {
  return Buffer.from(`feed:${at}`).toString('base64url');
}

function decodeFeedCursor(cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const at = text.startsWith('feed:') ? text.slice(5) : '';
  const time = Date.parse(at);
  if (!at || Number.isNaN(time))
    throw badInput('after is not a cursor from documentEvents', { argument: 'after' });
  if (Date.now() - time > FEED_RETENTION_SECONDS * 1000)
    throw badInput('That cursor is more than a day old; reload the list instead', { argument: 'after' });
  return at;
}
