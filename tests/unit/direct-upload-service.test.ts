/**
 * DirectUploadService over in-memory fakes (tests/fakes): completion through DocumentService's
 * recordUpload, failures after S3 joined the parts, and completions racing each other, in
 * milliseconds. tests/direct-upload.test.ts checks the same against the emulators.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.js';
import { MAX_PARTS, choosePartSize, partCount } from '../../domain/uploads.js';
import { DirectUploadService } from '../../server/direct-upload-service.js';
import { DocumentService } from '../../server/document-service.js';
import { JobEventHub } from '../../server/events/job-event-hub.js';
import {
  InMemoryBlobs,
  InMemoryQueue,
  InMemoryStore,
  InMemoryUploads,
  jobWriterOver,
} from '../fakes/in-memory.js';

const MiB = 1024 * 1024;
const OWNER = 'owner-1';
const logger = pino({ level: 'silent' });

function setup() {
  const store = new InMemoryStore();
  const blobs = new InMemoryBlobs();
  const queue = new InMemoryQueue();
  const uploads = new InMemoryUploads();
  const documents = new DocumentService({
    store,
    blobs,
    queue,
    hub: new JobEventHub(),
    jobs: jobWriterOver(store),
    maxUploadBytes: 64 * MiB,
    idempotencyWindowSeconds: 60,
    downloadUrlSeconds: 300,
    logger,
  });
  const service = new DirectUploadService({
    uploads,
    blobs,
    store,
    documents,
    maxUploadBytes: 64 * MiB,
    partBytes: 5 * MiB,
    expirySeconds: 3600,
    idempotencyWindowSeconds: 60,
    logger,
  });
  return { store, blobs, queue, uploads, service };
}

/** Creates an upload of `bytes` and sends every part, as a client would. */
async function sent(env: ReturnType<typeof setup>, bytes: Buffer, idempotencyKey?: string) {
  const { upload, parts } = await env.service.create(OWNER, {
    filename: 'f.bin',
    size: bytes.length,
    ...(idempotencyKey && { idempotencyKey }),
  });
  const list = parts.map(({ partNumber }) => ({
    partNumber,
    etag: env.blobs.putPart(
      upload.s3UploadId,
      partNumber,
      bytes.subarray((partNumber - 1) * upload.partSize, partNumber * upload.partSize),
    ),
  }));
  return { upload, list };
}

const reasonOf = (err: unknown) => (err as DomainError).details?.['reason'];

describe('DirectUploadService', () => {
  it('completes through recordUpload: document, job, job message, and no upload record left', async () => {
    const env = setup();
    const { upload, list } = await sent(env, randomBytes(11 * MiB));
    const { document, job } = await env.service.complete(OWNER, upload.id, list, 'corr');
    expect(document).toMatchObject({ id: upload.id, size: 11 * MiB, status: 'QUEUED' });
    expect(env.store.documents.has(upload.id)).toBe(true);
    expect(env.queue.sent).toEqual([expect.objectContaining({ documentId: upload.id, jobId: job!.id })]);
    expect(env.blobs.objects.has(`originals/${upload.id}`)).toBe(true);
    expect(env.uploads.records.size).toBe(0);
  });

  it('leaves nothing when the job message cannot be sent after S3 joined the parts', async () => {
    const env = setup();
    const { upload, list } = await sent(env, randomBytes(6 * MiB), 'key-1');
    env.queue.broken = true;
    await expect(env.service.complete(OWNER, upload.id, list, 'corr')).rejects.toThrow('QueueDoesNotExist');
    expect(env.store.documents.size).toBe(0);
    expect(env.store.jobs.size).toBe(0);
    expect(env.blobs.objects.size).toBe(0);
    expect(env.blobs.multipart.size).toBe(0);
    expect(env.uploads.records.size).toBe(0);
    expect(env.store.idempotency.size).toBe(0); // the key may be used again
  });

  it('lets one of two racing completions through; the other (and an abort meanwhile) is UPLOAD_BUSY', async () => {
    const env = setup();
    const { upload, list } = await sent(env, randomBytes(6 * MiB));
    const [a, b, abort] = await Promise.allSettled([
      env.service.complete(OWNER, upload.id, list, 'a'),
      env.service.complete(OWNER, upload.id, list, 'b'),
      env.service.abort(OWNER, upload.id),
    ]);
    expect(a.status).toBe('fulfilled');
    for (const refused of [b, abort]) {
      expect(refused.status).toBe('rejected');
      expect(reasonOf((refused as PromiseRejectedResult).reason)).toBe('UPLOAD_BUSY');
    }
    expect(env.queue.sent).toHaveLength(1);
  });

  it('keeps the upload open after a wrong part list, so the right one completes it', async () => {
    const env = setup();
    const { upload, list } = await sent(env, randomBytes(6 * MiB));
    const err = await env.service.complete(OWNER, upload.id, list.slice(1), 'x').catch((e: unknown) => e);
    expect(reasonOf(err)).toBe('PART_LIST_MISMATCH');
    await expect(env.service.complete(OWNER, upload.id, list, 'y')).resolves.toBeTruthy();
  });
});

describe('part size', () => {
  it('is the preferred size, larger when a file would need more than 10 000 parts', () => {
    expect(choosePartSize(100 * MiB, 8 * MiB)).toBe(8 * MiB);
    const huge = 200 * 1024 * MiB; // 200 GiB
    const size = choosePartSize(huge, 8 * MiB);
    expect(size % MiB).toBe(0);
    expect(partCount(huge, size)).toBeLessThanOrEqual(MAX_PARTS);
  });
});
