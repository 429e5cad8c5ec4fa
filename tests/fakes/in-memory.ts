/**
 * In-memory stand-ins for the adapter ports, for fast tests of the use cases' logic. They keep the
 * adapters' contracts that the logic relies on (conditional writes by version, owner checks,
 * newest-first listing) and nothing else; the emulator suites check the real adapters.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pino } from 'pino';
import type { StoredPart } from '../../aws/blob-store.js';
import type { UploadRecord, UploadState } from '../../domain/uploads.js';
import { JobWriter } from '../../aws/job-writer.js';
import type { JobEvent, JobMessage } from '../../domain/messages.js';
import {
  JobStatus,
  type DocumentRecord,
  type DocumentStatusPatch,
  type JobRecord,
  type RunFence,
} from '../../domain/model.js';
import type { DocumentServiceStore } from '../../server/document-service.js';

export class InMemoryStore implements DocumentServiceStore {
  readonly documents = new Map<string, DocumentRecord>();
  readonly jobs = new Map<string, JobRecord>();
  readonly tombstones = new Set<string>();
  readonly idempotency = new Map<string, string>();
  readonly deletions: { ownerId: string; documentId: string; at: string }[] = [];
  /** Make the next createDocument fail (a DynamoDB outage). */
  failNextCreate = false;

  async createDocument(doc: DocumentRecord, job: JobRecord): Promise<void> {
    if (this.failNextCreate) {
      this.failNextCreate = false;
      throw new Error('DynamoDB is down');
    }
    this.jobs.set(job.id, structuredClone(job));
    this.documents.set(doc.id, structuredClone(doc));
  }
  async listDocumentsChangedSince(ownerId: string, after: string, limit: number) {
    const items = [...this.documents.values()]
      .filter((d) => d.ownerId === ownerId && d.updatedAt > after)
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))
      .map((d) => structuredClone(d));
    return { items: items.slice(0, limit), complete: items.length <= limit };
  }
  async putDeletion(ownerId: string, documentId: string, at: string): Promise<void> {
    this.deletions.push({ ownerId, documentId, at });
  }
  async listDeletionsSince(ownerId: string, after: string) {
    return this.deletions
      .filter((d) => d.ownerId === ownerId && d.at > after)
      .map(({ documentId, at }) => ({ documentId, at }));
  }
  async getDocument(ownerId: string, id: string): Promise<DocumentRecord | null> {
    const doc = this.documents.get(id);
    return doc && doc.ownerId === ownerId ? structuredClone(doc) : null;
  }
  async getDocuments(ownerId: string, ids: readonly string[]): Promise<Map<string, DocumentRecord>> {
    const found = new Map<string, DocumentRecord>();
    for (const id of ids) {
      const doc = await this.getDocument(ownerId, id);
      if (doc) found.set(id, doc);
    }
    return found;
  }
  /** Newest first, first page only (no cursors here: the emulator suites cover paging). */
  async listDocuments(ownerId: string, opts: { limit: number; status?: JobStatus }) {
    const all = [...this.documents.values()]
      .filter((d) => d.ownerId === ownerId && (!opts.status || d.status === opts.status))
      .sort((a, b) =>
        a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt),
      );
    return {
      items: all.slice(0, opts.limit).map((d) => structuredClone(d)),
      hasMore: all.length > opts.limit,
    };
  }
  async updateDocumentStatus(
    id: string,
    ownerId: string,
    patch: DocumentStatusPatch,
    opts: { fence?: RunFence } = {},
  ): Promise<boolean> {
    const doc = this.documents.get(id);
    if (!doc || doc.ownerId !== ownerId) return false;
    const { fence } = opts;
    if (fence) {
      // As DocumentStore's condition: the run's job is current, and no later attempt of it wrote.
      const laterAttemptWrote = doc.claim?.startsWith(`${fence.jobId}#`) && doc.claim > fence.claim;
      if (doc.currentJobId !== fence.jobId || laterAttemptWrote) return false;
      if (fence.unclaimed && (doc.claim !== undefined || doc.status !== JobStatus.QUEUED)) return false;
      doc.claim = fence.claim;
    }
    Object.assign(doc, patch);
    return true;
  }
  async getJobAndDocument(jobId: string, ownerId: string, documentId: string) {
    return { job: await this.getJob(jobId), document: await this.getDocument(ownerId, documentId) };
  }
  async replaceCurrentJob(doc: DocumentRecord, job: JobRecord): Promise<boolean> {
    const current = this.documents.get(doc.id);
    if (!current || current.currentJobId !== doc.currentJobId) return false;
    this.jobs.set(job.id, structuredClone(job));
    Object.assign(current, { currentJobId: job.id, jobIds: [...current.jobIds, job.id], status: job.status });
    return true;
  }
  async getJob(id: string): Promise<JobRecord | null> {
    const job = this.jobs.get(id);
    return job ? structuredClone(job) : null;
  }
  async getJobs(ids: readonly string[]): Promise<Map<string, JobRecord>> {
    return new Map(
      ids.filter((id) => this.jobs.has(id)).map((id) => [id, structuredClone(this.jobs.get(id)!)]),
    );
  }
  /** The conditional write JobWriter relies on: only on top of the version it read. */
  async putJobIfVersion(next: JobRecord): Promise<boolean> {
    const stored = this.jobs.get(next.id);
    if (
      !stored ||
      stored.version !== next.version - 1 ||
      stored.documentId !== next.documentId ||
      stored.ownerId !== next.ownerId
    ) {
      return false;
    }
    this.jobs.set(next.id, structuredClone(next));
    return true;
  }
  async claimIdempotencyKey(ownerId: string, key: string, documentId: string): Promise<string | null> {
    const k = `${ownerId}#${key}`;
    const earlier = this.idempotency.get(k);
    if (earlier) return earlier;
    this.idempotency.set(k, documentId);
    return null;
  }
  async releaseIdempotencyKey(ownerId: string, key: string, documentId: string): Promise<void> {
    if (this.idempotency.get(`${ownerId}#${key}`) === documentId)
      this.idempotency.delete(`${ownerId}#${key}`);
  }
  async isDocumentDeleted(documentId: string): Promise<boolean> {
    return this.tombstones.has(documentId);
  }
  async putTombstone(documentId: string): Promise<void> {
    this.tombstones.add(documentId);
  }
  async deleteDocument(id: string): Promise<void> {
    this.documents.delete(id);
  }
  async deleteJob(id: string): Promise<void> {
    this.jobs.delete(id);
  }
}

export class InMemoryBlobs {
  readonly objects = new Map<string, Buffer>();
  /** Multipart uploads in progress: S3 upload id → part number → bytes. */
  readonly multipart = new Map<string, Map<number, Buffer>>();
  async createMultipart(): Promise<string> {
    const id = randomUUID();
    this.multipart.set(id, new Map());
    return id;
  }
  async presignPart(key: string, uploadId: string, partNumber: number): Promise<string> {
    return `memory://${key}?uploadId=${uploadId}&partNumber=${partNumber}`;
  }
  /** What a client's PUT to a part URL does; returns the ETag. */
  putPart(uploadId: string, partNumber: number, bytes: Buffer): string {
    this.multipart.get(uploadId)!.set(partNumber, bytes);
    return etagOf(bytes);
  }
  async listParts(_key: string, uploadId: string): Promise<StoredPart[] | null> {
    const parts = this.multipart.get(uploadId);
    if (!parts) return null;
    return [...parts.entries()]
      .sort(([a], [b]) => a - b)
      .map(([partNumber, bytes]) => ({ partNumber, etag: etagOf(bytes), size: bytes.length }));
  }
  async completeMultipart(key: string, uploadId: string, parts: readonly StoredPart[]): Promise<void> {
    const held = this.multipart.get(uploadId)!;
    this.objects.set(key, Buffer.concat(parts.map((p) => held.get(p.partNumber)!)));
    this.multipart.delete(uploadId);
  }
  async abortMultipart(_key: string, uploadId: string): Promise<void> {
    this.multipart.delete(uploadId);
  }
  async sha256(key: string): Promise<{ sha256: string; size: number }> {
    const bytes = this.objects.get(key)!;
    return { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
  }
  async putStream(key: string, body: Readable | Buffer): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of Buffer.isBuffer(body) ? Readable.from([body]) : body)
      chunks.push(Buffer.from(chunk));
    this.objects.set(key, Buffer.concat(chunks));
  }
  async getStream(key: string): Promise<Readable | null> {
    const bytes = this.objects.get(key);
    return bytes ? Readable.from([bytes]) : null;
  }
  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
  async deletePrefix(prefix: string, keep?: string): Promise<number> {
    let n = 0;
    for (const key of [...this.objects.keys()]) {
      if (key.startsWith(prefix) && !(keep && key.startsWith(keep))) {
        this.objects.delete(key);
        n++;
      }
    }
    return n;
  }
  async presignDownload(
    key: string,
    opts: { filename: string; contentType: string; inline: boolean },
  ): Promise<string> {
    return `memory://${key}?type=${encodeURIComponent(opts.contentType)}&${opts.inline ? 'inline' : 'attachment'}`;
  }
}

export class InMemoryQueue {
  readonly sent: JobMessage[] = [];
  /** Make every send fail (the queue is gone). */
  broken = false;
  async send(message: JobMessage): Promise<void> {
    if (this.broken) throw new Error('QueueDoesNotExist');
    this.sent.push(message);
  }
}

/** The real JobWriter over the in-memory store, its events collected instead of published. */
export function jobWriterOver(
  store: InMemoryStore,
  events: JobRecord[] = [],
  /** Every job event whole, as published (the job and what rides along). */
  published: JobEvent[] = [],
): JobWriter {
  return new JobWriter(
    store,
    {
      publish: async (event) => {
        if (event.kind !== 'job.updated') return;
        events.push(event.job);
        published.push(event);
      },
    },
    pino({ level: 'silent' }),
  );
}

const etagOf = (bytes: Buffer) => `"${createHash('md5').update(bytes).digest('hex')}"`;

/** Direct-upload records, with the conditional state change the service relies on. */
export class InMemoryUploads {
  readonly records = new Map<string, UploadRecord>();
  async put(upload: UploadRecord): Promise<void> {
    this.records.set(upload.id, structuredClone(upload));
  }
  async get(ownerId: string, id: string): Promise<UploadRecord | null> {
    const upload = this.records.get(id);
    return upload && upload.ownerId === ownerId ? structuredClone(upload) : null;
  }
  async setState(id: string, from: UploadState, to: UploadState): Promise<boolean> {
    const upload = this.records.get(id);
    if (upload?.state !== from) return false;
    upload.state = to;
    return true;
  }
  async delete(id: string): Promise<void> {
    this.records.delete(id);
  }
}
