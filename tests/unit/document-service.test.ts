/**
 * DocumentService's use cases over in-memory fakes (tests/fakes): every path of upload, listing,
 * delete, reprocess and watch, in milliseconds. The emulator suites check the same against AWS.
 */
import { Readable } from 'node:stream';
import type { FileUpload } from 'graphql-upload-ts';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { newId } from '../../domain/ids.js';
import type { JobRecord } from '../../domain/model.js';
import { DocumentService } from '../../server/document-service.js';
import { JobEventHub } from '../../server/events/job-event-hub.js';
import { InMemoryBlobs, InMemoryQueue, InMemoryStore, jobWriterOver } from '../fakes/in-memory.js';

function setup(maxUploadBytes = 1024) {
  const store = new InMemoryStore();
  const blobs = new InMemoryBlobs();
  const queue = new InMemoryQueue();
  const events: JobRecord[] = [];
  const hub = new JobEventHub();
  const service = new DocumentService({
    store,
    blobs,
    queue,
    hub,
    jobs: jobWriterOver(store, events),
    maxUploadBytes,
    idempotencyWindowSeconds: 60,
    downloadUrlSeconds: 300,
    logger: pino({ level: 'silent' }),
  });
  return { store, blobs, queue, events, hub, service };
}

const file = (content: string | Buffer, filename = 'a.txt', mimetype = 'text/plain'): FileUpload =>
  ({
    filename,
    mimetype,
    encoding: '7bit',
    fieldName: 'file',
    createReadStream: () => Readable.from([Buffer.from(content)]),
  }) as unknown as FileUpload;

const stored = (s: ReturnType<typeof setup>) => ({
  objects: s.blobs.objects.size,
  documents: s.store.documents.size,
  jobs: s.store.jobs.size,
  sent: s.queue.sent.length,
});

describe('DocumentService.upload', () => {
  it('stores the bytes as opaque, records document and job, and queues the job', async () => {
    const s = setup();
    const { document: doc, job } = await s.service.upload('alice', file('hello', 'dir/../report.txt'), 'c1');
    expect(doc).toMatchObject({
      ownerId: 'alice',
      filename: 'report.txt',
      size: 5,
      status: 'QUEUED',
      contentType: 'text/plain',
    });
    expect(doc.sha256).toBe('2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
    expect(s.blobs.objects.get(`originals/${doc.id}`)!.toString()).toBe('hello');
    // The message carries the job and document as written, for the worker to claim without a read.
    expect(s.queue.sent).toEqual([
      {
        jobId: doc.currentJobId,
        documentId: doc.id,
        ownerId: 'alice',
        correlationId: 'c1',
        upload: {
          job: s.store.jobs.get(doc.currentJobId),
          // A small original travels in the message too.
          document: { filename: 'report.txt', size: 5, sha256: doc.sha256, content: 'aGVsbG8=' },
        },
      },
    ]);
    expect(s.store.jobs.get(doc.currentJobId)).toMatchObject({ status: 'QUEUED', version: 1 });
    expect(job).toEqual(s.store.jobs.get(doc.currentJobId)); // what the answer's `job` is primed with
  });

  it('puts an original in the message only up to 16 KiB, however it arrives in chunks', async () => {
    const s = setup(64 * 1024);
    const chunked = (sizes: number[], name: string): FileUpload =>
      ({
        ...file('', name),
        createReadStream: () => Readable.from(sizes.map((n) => Buffer.alloc(n, 'a'))),
      }) as FileUpload;
    await s.service.upload('alice', chunked([8192, 8192], 'exact.txt'), 'c');
    await s.service.upload('alice', chunked([8192, 8192, 1], 'over.txt'), 'c');
    const [exact, over] = s.queue.sent.map((m) => m.upload!.document);
    expect(Buffer.from(exact!.content!, 'base64')).toEqual(Buffer.alloc(16 * 1024, 'a'));
    expect(over).toMatchObject({ size: 16 * 1024 + 1 });
    expect(over!.content).toBeUndefined();
  });

  it('refuses empty and oversize files and leaves nothing behind', async () => {
    const s = setup(4);
    await expect(s.service.upload('alice', file(''), 'c')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(s.service.upload('alice', file('12345'), 'c')).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
    });
    expect(stored(s)).toEqual({ objects: 0, documents: 0, jobs: 0, sent: 0 });
  });

  it('undoes everything when the records or the message cannot be written', async () => {
    const s = setup();
    s.store.failNextCreate = true;
    await expect(s.service.upload('alice', file('x'), 'c')).rejects.toThrow(/DynamoDB is down/);
    expect(stored(s)).toEqual({ objects: 0, documents: 0, jobs: 0, sent: 0 });
    s.queue.broken = true;
    await expect(s.service.upload('alice', file('x'), 'c')).rejects.toThrow(/QueueDoesNotExist/);
    expect(stored(s)).toEqual({ objects: 0, documents: 0, jobs: 0, sent: 0 });
  });

  it('an idempotency key returns the first document; a malformed key is refused', async () => {
    const s = setup();
    const first = (await s.service.upload('alice', file('x'), 'c', 'order-1')).document;
    const again = await s.service.upload('alice', file('x'), 'c', 'order-1');
    expect(again).toEqual({ document: first, job: null });
    expect((await s.service.upload('bob', file('x'), 'c', 'order-1')).document.id).not.toBe(first.id); // keys are per owner
    await expect(s.service.upload('alice', file('x'), 'c', 'no spaces')).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    expect(s.store.documents.size).toBe(2);
  });
});

describe('DocumentService reads', () => {
  it('scopes everything to the owner; another owner’s ids look missing; bad ids are refused', async () => {
    const s = setup();
    const { document: doc } = await s.service.upload('alice', file('x'), 'c');
    expect(await s.service.get('bob', doc.id)).toBeNull();
    expect(await s.service.getJob('bob', doc.currentJobId)).toBeNull();
    expect((await s.service.getJobs('bob', [doc.currentJobId])).size).toBe(0);
    expect((await s.service.list('bob', { first: 10 })).items).toEqual([]);
    expect((await s.service.list('alice', { first: 10 })).items.map((i) => i.document.id)).toEqual([doc.id]);
    await expect(s.service.get('alice', 'x'.repeat(5000))).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(s.service.list('alice', { first: 0 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(s.service.list('alice', { first: 101 })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('signs originals as opaque attachments and artefacts inline with their own types', async () => {
    const s = setup();
    const { document: doc } = await s.service.upload('alice', file('<html>', 'p.html', 'text/html'), 'c');
    expect(await s.service.downloadUrl(doc)).toContain('type=application%2Foctet-stream&attachment');
    expect(await s.service.artefactUrl('k', 'text')).toContain(
      'type=text%2Fplain%3B%20charset%3Dutf-8&inline',
    );
    expect(await s.service.artefactUrl('k', 'thumbnail')).toContain('type=image%2Fwebp&inline');
  });

  it('watchJob yields the current state only to the owner and refuses others like a missing job', async () => {
    const s = setup();
    const { document: doc } = await s.service.upload('alice', file('x'), 'c');
    const updates = await s.service.watchJob('alice', doc.currentJobId);
    expect((await updates.next()).value).toMatchObject({ id: doc.currentJobId, status: 'QUEUED' });
    await updates.return();
    await expect(s.service.watchJob('bob', doc.currentJobId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(s.service.watchJob('bob', newId())).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(s.hub.size).toBe(0);
  });
});

describe('DocumentService.delete and reprocess', () => {
  it('delete ends a running job FAILED (DOCUMENT_DELETED), removes everything, leaves a tombstone; twice is false', async () => {
    const s = setup();
    const { document: doc } = await s.service.upload('alice', file('x'), 'c');
    await s.blobs.putStream(`derived/${doc.id}/j/a1/text.txt`, Buffer.from('t'));
    expect(await s.service.delete('bob', doc.id, 'c')).toBe(false);
    expect(await s.service.delete('alice', doc.id, 'c')).toBe(true);
    expect(s.events.at(-1)).toMatchObject({ status: 'FAILED', error: { code: 'DOCUMENT_DELETED' } });
    expect(stored(s)).toMatchObject({ objects: 0, documents: 0, jobs: 0 });
    expect(s.store.tombstones.has(doc.id)).toBe(true);
    expect(await s.service.delete('alice', doc.id, 'c')).toBe(false);
  });

  it('reprocess is refused while the job runs, then makes a new job and queues it', async () => {
    const s = setup();
    const { document: doc } = await s.service.upload('alice', file('x'), 'c');
    await expect(s.service.reprocess('alice', doc.id, 'c')).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await s.store.putJobIfVersion({
      ...s.store.jobs.get(doc.currentJobId)!,
      status: 'COMPLETED',
      version: 2,
    });
    const again = await s.service.reprocess('alice', doc.id, 'c2');
    expect(again.currentJobId).not.toBe(doc.currentJobId);
    expect(again.jobIds).toEqual([doc.currentJobId, again.currentJobId]);
    expect(s.queue.sent.at(-1)).toMatchObject({ jobId: again.currentJobId, correlationId: 'c2' });
    await expect(s.service.reprocess('bob', doc.id, 'c')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('a reprocess that cannot be queued fails document and job together (document first)', async () => {
    const s = setup();
    const { document: doc } = await s.service.upload('alice', file('x'), 'c');
    await s.store.putJobIfVersion({
      ...s.store.jobs.get(doc.currentJobId)!,
      status: 'COMPLETED',
      version: 2,
    });
    s.queue.broken = true;
    await expect(s.service.reprocess('alice', doc.id, 'c')).rejects.toThrow(/QueueDoesNotExist/);
    const after = s.store.documents.get(doc.id)!;
    expect(after.status).toBe('FAILED');
    expect(s.store.jobs.get(after.currentJobId)).toMatchObject({
      status: 'FAILED',
      error: { code: 'ENQUEUE_FAILED' },
    });
  });
});
