import { text as readAll } from 'node:stream/consumers';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { BlobStore } from '../../aws/blob-store.js';
import type { DocumentStore } from '../../aws/document-store.js';
import { JobErrorCode } from '../../domain/jobs.js';
import type { SearchEntry } from '../../domain/messages.js';
import { JobStatus, type DocumentRecord, type JobRecord } from '../../domain/model.js';
import type { SearchIndex } from './search-index.js';

/**
 * The high-water mark is a time before which every document change is in the index: set when a
 * catch-up completes (its start) and on a clean stop. A catch-up looks again from the mark minus
 * this margin (events published just before a stop may not have arrived).
 */
export const CATCH_UP_MARGIN_MS = 5 * 60_000;
const HIGH_WATER_MARK = 'documentsUpdatedUntil';
/** S3 reads of extracted text in flight at once. */
const CONCURRENCY = 8;

export interface SearchIndexerDeps {
  index: SearchIndex;
  store: Pick<DocumentStore, 'getDocument' | 'scanDocuments'>;
  blobs: Pick<BlobStore, 'getStream'>;
  logger: Logger;
}

/**
 * Keeps this api instance's SearchIndex up to date: from the job events the instance already
 * receives (a COMPLETED event → its search entry, or the document and its text read back), and on
 * start from a catch-up over the documents changed since the index's high-water mark (all of them
 * for a new index). DynamoDB and S3 stay the truth; the index can always be rebuilt from them.
 */
export class SearchIndexer {
  private readonly limit = pLimit(CONCURRENCY);
  private readonly pending = new Set<Promise<void>>();
  private stopping = false;
  private caughtUp = false;

  constructor(private readonly deps: SearchIndexerDeps) {}

  /**
   * Handles one job event; never throws (a failure is logged; the next catch-up repairs it). A
   * worker's COMPLETED event carries the document's search entry, with a short text inline: then
   * nothing is read (a longer text is read from S3); without one, the document is read first.
   */
  onJobEvent(job: JobRecord, search?: SearchEntry): void {
    const { index } = this.deps;
    if (job.status === JobStatus.COMPLETED && search) {
      const { text, textKey, ...fields } = search;
      const entry = { id: job.documentId, ownerId: job.ownerId, status: job.status, ...fields };
      this.track(async () => {
        index.upsert(entry, text ?? (textKey === null ? '' : await this.readText(textKey)));
      });
    } else if (job.status === JobStatus.COMPLETED) {
      this.track(async () => {
        const doc = await this.deps.store.getDocument(job.ownerId, job.documentId);
        if (!doc) index.markDeleted(job.documentId);
        else await this.indexDocument(doc);
      });
    } else if (job.error?.code === JobErrorCode.DOCUMENT_DELETED) {
      index.markDeleted(job.documentId);
    } else {
      // Reprocessing or failed: the last text stays searchable; the status filter sees the change.
      index.setStatus(job.documentId, job.status, job.updatedAt);
    }
  }

  /** Indexes a completed document with its text (no text stored: its filename only). */
  async indexDocument(doc: DocumentRecord): Promise<void> {
    if (doc.status !== JobStatus.COMPLETED || !doc.result) return;
    const text = doc.result.textKey ? await this.readText(doc.result.textKey) : '';
    this.deps.index.upsert(
      {
        id: doc.id,
        ownerId: doc.ownerId,
        filename: doc.filename,
        kind: doc.result.kind,
        language: doc.result.language,
        status: doc.status,
        createdAt: doc.createdAt,
        updatedAt: doc.updatedAt,
      },
      text,
    );
  }

  /**
   * A stored text ('' when it is gone: the document was deleted meanwhile; its deletion has
   * removed it from the index or will, and upsert refuses a deleted document).
   */
  private async readText(key: string): Promise<string> {
    const body = await this.deps.blobs.getStream(key);
    return body ? readAll(body) : '';
  }

  /**
   * Indexes every completed document changed since the high-water mark minus a margin (all of them
   * when the index is new). Returns how many documents it read.
   */
  async catchUp(): Promise<{ scanned: number; since: string | null }> {
    const startedAt = new Date().toISOString();
    const mark = this.deps.index.getMeta(HIGH_WATER_MARK);
    const since = mark ? new Date(Date.parse(mark) - CATCH_UP_MARGIN_MS).toISOString() : null;
    let scanned = 0;
    for await (const page of this.deps.store.scanDocuments(since ?? undefined)) {
      if (this.stopping) break; // the next start catches up from the high-water mark
      scanned += page.length;
      await Promise.all(page.map((doc) => this.limit(() => this.indexDocument(doc))));
    }
    if (this.stopping) return { scanned, since };
    // Everything updated before the scan began is in; later changes arrive as events.
    this.deps.index.setMeta(HIGH_WATER_MARK, startedAt);
    this.caughtUp = true;
    this.deps.logger.info({ scanned, since, indexed: this.deps.index.size }, 'search index caught up');
    return { scanned, since };
  }

  /** Ends a catch-up in progress after its current page (shutdown). */
  stop(): void {
    this.stopping = true;
  }

  /**
   * After a clean stop (events received so far all indexed): the index is current up to now, so
   * the next start scans only from here (minus the margin for events still in flight).
   */
  markStopped(): void {
    if (this.caughtUp) this.deps.index.setMeta(HIGH_WATER_MARK, new Date().toISOString());
  }

  /** Resolves when every event handled so far is in the index (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  private track(work: () => Promise<void>): void {
    const p = this.limit(work)
      .catch((err: unknown) => this.deps.logger.warn({ err }, 'could not index a document'))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }
}
