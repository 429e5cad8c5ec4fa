/**
 * processJob over in-memory fakes with a stand-in analyzer: every outcome of one job run — done,
 * failed with its code, duplicate, unknown, deleted, lost race — and the document-first order.
 */
import { createHash } from 'node:crypto';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { newJob, restartDocument } from '../../domain/jobs.js';
import { ProcessingError } from '../../domain/errors.js';
import { runFence, type DocumentRecord, type JobRecord } from '../../domain/model.js';
import type { Analysis } from '../../worker/processing/index.js';
import type { JobEvent, JobMessage } from '../../domain/messages.js';
import { processJob, type Analyzer } from '../../worker/process-job.js';
import { InMemoryBlobs, InMemoryStore, jobWriterOver } from '../fakes/in-memory.js';

const BYTES = Buffer.from('hello world');

async function setup(analyze: Analyzer, progressIntervalMs?: number) {
  const store = new InMemoryStore();
  const blobs = new InMemoryBlobs();
  const events: JobRecord[] = [];
  const published: JobEvent[] = [];
  const job = newJob('doc-1', 'alice');
  const doc: DocumentRecord = {
    id: 'doc-1',
    ownerId: 'alice',
    filename: 'a.txt',
    contentType: 'text/plain',
    detectedType: null,
    size: BYTES.length,
    sha256: createHash('sha256').update(BYTES).digest('hex'),
    status: 'QUEUED',
    currentJobId: job.id,
    jobIds: [job.id],
    createdAt: job.createdAt,
    updatedAt: job.createdAt,
  };
  await store.createDocument(doc, job);
  await blobs.putStream(`originals/${doc.id}`, BYTES);
  const deps = {
    store,
    blobs,
    jobs: jobWriterOver(store, events, published),
    analyze,
    logger: pino({ level: 'silent' }),
    workerId: 'w1',
    ...(progressIntervalMs !== undefined && { progressIntervalMs }),
  };
  const msg: JobMessage = { jobId: job.id, documentId: doc.id, ownerId: 'alice', correlationId: 'c1' };
  const run = (m: JobMessage = msg, receiveCount = 1) =>
    processJob(m, deps, new AbortController().signal, receiveCount);
  // Each job write's status, in order.
  const writes: string[] = [];
  const put = store.putJobIfVersion.bind(store);
  store.putJobIfVersion = async (next) => (writes.push(next.status), put(next));
  // What a new upload's message carries besides the ids.
  const fromUpload: JobMessage = {
    ...msg,
    upload: { job, document: { filename: doc.filename, size: doc.size, sha256: doc.sha256 } },
  };
  const withContent = (content: Buffer): JobMessage => ({
    ...msg,
    upload: {
      ...fromUpload.upload!,
      document: { ...fromUpload.upload!.document, content: content.toString('base64') },
    },
  });
  return { store, blobs, events, published, job, doc, run, fromUpload, withContent, writes };
}

/** A text that is not the original's bytes (as a PDF's or an HTML page's is not). */
const DERIVED_TEXT = 'Hello world';

const analysis = (over: Partial<Analysis> = {}): Analysis =>
  ({
    detectedType: 'text/plain',
    kind: 'text',
    text: 'hello world',
    textTruncated: false,
    wordCount: 2,
    charCount: 11,
    language: null,
    textPreview: 'hello world',
    metadata: {},
    ...over,
  }) as Analysis;

describe('processJob', () => {
  it('runs a job to COMPLETED: text stored, document COMPLETED with the result before the job', async () => {
    const s = await setup(async ({ onProgress }) => {
      onProgress('extracting', 0.5);
      return analysis();
    });
    expect(await s.run()).toBe('done');
    const final = s.events.at(-1)!;
    expect(final).toMatchObject({ status: 'COMPLETED', progress: 100, attempts: 1, workerId: 'w1' });
    // Finished within one progress interval: the start (version 2) was written but never announced.
    expect(s.events.map((e) => e.version)).toEqual([3]);
    expect(s.store.jobs.get(s.job.id)!.version).toBe(3);
    const doc = s.store.documents.get(s.doc.id)!;
    expect(doc).toMatchObject({
      status: 'COMPLETED',
      detectedType: 'text/plain',
      result: { jobId: s.job.id, wordCount: 2 },
    });
    expect(s.blobs.objects.get(doc.result!.textKey!)!.toString()).toBe('hello world');
  });

  it('announces COMPLETED with the document’s search entry: a short text inline, a long one by its key, none without text', async () => {
    const short = await setup(async () => analysis({ text: DERIVED_TEXT, language: 'eng' }));
    await short.run(short.fromUpload);
    const doc = short.store.documents.get(short.doc.id)!;
    expect(short.published.map((e) => e.search)).toEqual([
      {
        filename: 'a.txt',
        kind: 'text',
        language: 'eng',
        createdAt: short.doc.createdAt,
        updatedAt: doc.updatedAt, // as written with the result
        textKey: doc.result!.textKey,
        text: DERIVED_TEXT,
      },
    ]);

    const longText = 'word '.repeat(4000); // 20 000 bytes: more than 16 KiB
    const long = await setup(async () => analysis({ text: longText }), 0); // every state announced
    // Read from the store (no upload snapshot): the entry gives the document's creation, not the job's
    // (they differ once a document is reprocessed).
    long.store.documents.get(long.doc.id)!.createdAt = '2026-01-01T00:00:00.000Z';
    await long.run();
    expect(long.published.map((e) => e.job.status)).toEqual(['PROCESSING', 'COMPLETED']);
    expect(long.published[0]!.search).toBeUndefined();
    const entry = long.published[1]!.search!;
    expect(entry.createdAt).toBe('2026-01-01T00:00:00.000Z');
    expect(entry.text).toBeUndefined();
    expect(long.blobs.objects.get(entry.textKey!)!.toString()).toBe(longText);

    const image = await setup(async () => analysis({ kind: 'image', text: null }));
    await image.run();
    expect(image.published.at(-1)!.search).toMatchObject({ kind: 'image', textKey: null });
    expect(image.published.at(-1)!.search).not.toHaveProperty('text');
  });

  it('names the original as the text when the text is the original byte for byte, else stores a copy', async () => {
    const same = await setup(async () => analysis());
    await same.run();
    expect(same.store.documents.get(same.doc.id)!.result!.textKey).toBe(`originals/${same.doc.id}`);
    expect([...same.blobs.objects.keys()].filter((k) => k.startsWith('derived/'))).toEqual([]);

    const derived = await setup(async () => analysis({ text: DERIVED_TEXT }));
    await derived.run();
    const textKey = derived.store.documents.get(derived.doc.id)!.result!.textKey!;
    expect(textKey).toMatch(
      new RegExp(`^derived/${derived.doc.id}/${derived.job.id}/a1-[0-9a-f]{8}/text\\.txt$`),
    );
    expect(derived.blobs.objects.get(textKey)!.toString()).toBe(DERIVED_TEXT);
  });

  it('ends FAILED with the analysis code for bad bytes, document first', async () => {
    const s = await setup(async () => {
      throw new ProcessingError('CORRUPT_FILE', 'Broken PDF: no trailer');
    });
    expect(await s.run()).toBe('done');
    expect(s.events.at(-1)).toMatchObject({
      status: 'FAILED',
      error: { code: 'CORRUPT_FILE', message: 'Broken PDF: no trailer' },
    });
    expect(s.store.documents.get(s.doc.id)!.status).toBe('FAILED');
  });

  it('fails CHECKSUM_MISMATCH and ORIGINAL_MISSING without calling the analyzer', async () => {
    let calls = 0;
    const analyze: Analyzer = async () => {
      calls++;
      return analysis();
    };
    const changed = await setup(analyze);
    await changed.blobs.putStream(`originals/${changed.doc.id}`, Buffer.from('tampered'));
    await changed.run();
    expect(changed.events.at(-1)).toMatchObject({ status: 'FAILED', error: { code: 'CHECKSUM_MISMATCH' } });
    const missing = await setup(analyze);
    await missing.blobs.delete(`originals/${missing.doc.id}`);
    await missing.run();
    expect(missing.events.at(-1)).toMatchObject({ status: 'FAILED', error: { code: 'ORIGINAL_MISSING' } });
    expect(calls).toBe(0);
  });

  it('rethrows unexpected errors for the consumer to retry, leaving the job PROCESSING', async () => {
    const s = await setup(async () => {
      throw new Error('disk full');
    });
    await expect(s.run()).rejects.toThrow('disk full');
    expect(s.store.jobs.get(s.job.id)!.status).toBe('PROCESSING');
  });

  it('drops a duplicate message of a finished job, and tells unknown jobs from deleted documents', async () => {
    const done = await setup(async () => analysis());
    await done.run();
    const versions = done.events.length;
    const final = done.events.at(-1)!;
    expect(await done.run()).toBe('skipped');
    // Its final state is announced again (the finishing run may have died before its event went
    // out); same version, so subscribers that had it drop it.
    expect(done.events).toHaveLength(versions + 1);
    expect(done.events.at(-1)).toEqual(final);

    const gone = await setup(async () => analysis());
    gone.store.jobs.clear();
    expect(await gone.run()).toBe('unknown-job');
    await gone.store.putTombstone(gone.doc.id);
    expect(await gone.run()).toBe('deleted');
  });

  it('runs a new upload from its message without reading the job or the document', async () => {
    const s = await setup(async () => analysis());
    let reads = 0;
    for (const name of ['getJob', 'getDocument', 'getJobAndDocument'] as const) {
      const original = s.store[name].bind(s.store) as (...args: unknown[]) => Promise<unknown>;
      (s.store as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        reads++;
        return original(...args);
      };
    }
    expect(await s.run(s.fromUpload)).toBe('done');
    expect(reads).toBe(0);
    // Done within one progress interval: its start and end are one job write, version 2.
    expect(s.writes).toEqual(['COMPLETED']);
    expect(s.store.jobs.get(s.job.id)).toMatchObject({ status: 'COMPLETED', version: 2, attempts: 1 });
    expect(s.events.map((e) => e.version)).toEqual([2]);
    expect(s.store.documents.get(s.doc.id)).toMatchObject({
      status: 'COMPLETED',
      detectedType: 'text/plain',
      claim: runFence({ id: s.job.id, attempts: 1 }).claim,
    });

    // A redelivery of the same message (receive count 2) would claim at once; so does a message
    // without the snapshot, and both read nothing more when the snapshot is current.
    const t = await setup(async () => analysis());
    expect(await t.run(t.fromUpload, 2)).toBe('done');
    expect(t.writes).toEqual(['PROCESSING', 'COMPLETED']);
    expect(t.store.jobs.get(t.job.id)).toMatchObject({ status: 'COMPLETED', version: 3 });
  });

  it('of two copies of a first delivery one completes; the other writes nothing and removes only its own artefacts', async () => {
    const s = await setup(async () => analysis({ text: DERIVED_TEXT }));
    expect(await s.run(s.fromUpload)).toBe('done');
    const job = structuredClone(s.store.jobs.get(s.job.id)!);
    const doc = structuredClone(s.store.documents.get(s.doc.id)!);
    const derived = () => [...s.blobs.objects.keys()].filter((k) => k.startsWith('derived/'));
    const kept = derived();
    expect(kept).toEqual([doc.result!.textKey]);
    // The second copy runs too (no claim to stop it early), but may not write a document some run
    // wrote: it reads the job, finished, and says so again.
    expect(await s.run(s.fromUpload)).toBe('skipped');
    expect(s.writes).toEqual(['COMPLETED']);
    expect(s.store.jobs.get(s.job.id)).toEqual(job);
    expect(s.store.documents.get(s.doc.id)).toEqual(doc);
    expect(derived()).toEqual(kept);
  });

  it('a late first-delivery copy of a job that was since superseded (reprocessed) writes nothing', async () => {
    const s = await setup(async () => analysis());
    expect(await s.run(s.fromUpload)).toBe('done');
    const queued: JobMessage[] = [];
    const restarted = await restartDocument(
      { store: s.store, jobs: jobWriterOver(s.store, []), queue: { send: async (m) => void queued.push(m) } },
      s.store.documents.get(s.doc.id)!,
      'c2',
    );
    expect(restarted.outcome).toBe('started');
    const doc = structuredClone(s.store.documents.get(s.doc.id)!);
    expect(doc).toMatchObject({ status: 'QUEUED', currentJobId: restarted.job!.id });
    expect(await s.run(s.fromUpload)).toBe('skipped');
    expect(s.store.documents.get(s.doc.id)).toEqual(doc);
    expect(s.store.jobs.get(restarted.job!.id)).toMatchObject({ status: 'QUEUED', version: 1 });
  });

  it('a first delivery whose job another worker claimed after it wrote the document leaves the job to that worker', async () => {
    const s = await setup(async () => analysis());
    const update = s.store.updateDocumentStatus.bind(s.store);
    s.store.updateDocumentStatus = async (...args) => {
      const wrote = await update(...args);
      // Just after this run's document write, another copy of the message claims the job.
      const job = s.store.jobs.get(s.job.id)!;
      if (job.version === 1)
        await s.store.putJobIfVersion({
          ...job,
          version: 2,
          status: 'PROCESSING',
          attempts: 1,
          workerId: 'w2',
        });
      return wrote;
    };
    expect(await s.run(s.fromUpload)).toBe('elsewhere');
    expect(s.store.jobs.get(s.job.id)).toMatchObject({ version: 2, workerId: 'w2' });
    // The document points at this run's artefacts (kept) until the holder's run replaces them.
    const doc = s.store.documents.get(s.doc.id)!;
    expect(s.blobs.objects.has(doc.result!.textKey!)).toBe(true);
  });

  it('a redelivery removes what a run that died before its job write stored', async () => {
    const s = await setup(async () => analysis({ text: DERIVED_TEXT }));
    // A held first run stored its text and died (before or after its document write).
    const orphan = `derived/${s.doc.id}/${s.job.id}/a1-dead0000/text.txt`;
    await s.blobs.putStream(orphan, Buffer.from('hello world'));
    expect(await s.run(s.fromUpload, 2)).toBe('done');
    const doc = s.store.documents.get(s.doc.id)!;
    expect([...s.blobs.objects.keys()].filter((k) => k.startsWith('derived/'))).toEqual([
      doc.result!.textKey,
    ]);
  });

  it('a first delivery that fails writes its claim before the failure, so the attempt counts', async () => {
    const failing = await setup(async () => {
      throw new ProcessingError('CORRUPT_FILE', 'garbled');
    });
    expect(await failing.run(failing.fromUpload)).toBe('done');
    expect(failing.writes).toEqual(['PROCESSING', 'FAILED']);
    expect(failing.store.jobs.get(failing.job.id)).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      version: 3,
    });
    expect(failing.store.documents.get(failing.doc.id)!.status).toBe('FAILED');

    const retried = await setup(async () => {
      throw new Error('disk full');
    });
    await expect(retried.run(retried.fromUpload)).rejects.toThrow('disk full');
    expect(retried.writes).toEqual(['PROCESSING']);
    expect(retried.store.jobs.get(retried.job.id)).toMatchObject({ status: 'PROCESSING', attempts: 1 });
    expect(retried.events).toEqual([]); // the held start was never announced
  });

  it('uses the original the message carries, and only if it matches the upload', async () => {
    const seen: string[] = [];
    const analyze: Analyzer = async ({ bytes }) => {
      seen.push(bytes!.toString());
      return analysis();
    };
    const s = await setup(analyze);
    s.blobs.objects.delete(`originals/${s.doc.id}`); // not read: the message has the bytes
    expect(await s.run(s.withContent(BYTES))).toBe('done');
    expect(seen).toEqual(['hello world']);

    // Bytes that do not match the upload's size and SHA-256 are ignored; the original is downloaded.
    const t = await setup(analyze);
    expect(await t.run(t.withContent(Buffer.from('hello worle')))).toBe('done');
    expect(seen.at(-1)).toBe('hello world');
    // … and with the original gone too, the job fails as any missing original does.
    const u = await setup(analyze);
    u.blobs.objects.delete(`originals/${u.doc.id}`);
    expect(await u.run(u.withContent(Buffer.from('tampered')))).toBe('done');
    expect(u.store.jobs.get(u.job.id)).toMatchObject({
      status: 'FAILED',
      error: { code: 'ORIGINAL_MISSING' },
    });
  });

  it('an upload message whose snapshot is out of date reads the job instead: a redelivery of a finished job is dropped', async () => {
    const s = await setup(async () => analysis());
    expect(await s.run(s.fromUpload)).toBe('done');
    const final = s.events.at(-1)!;
    // The same message again (SQS delivers at least once): its QUEUED snapshot no longer matches.
    expect(await s.run(s.fromUpload)).toBe('skipped');
    expect(s.store.jobs.get(s.job.id)).toEqual(final);
    expect(s.events.at(-1)).toEqual(final); // the final state said again, nothing new written
  });

  it('a late copy of an upload message after its job FAILED writes nothing', async () => {
    let healthy = false;
    const s = await setup(async () => {
      if (healthy) return analysis();
      throw new ProcessingError('CORRUPT_FILE', 'garbled');
    });
    expect(await s.run(s.fromUpload)).toBe('done');
    const job = s.store.jobs.get(s.job.id)!;
    const doc = structuredClone(s.store.documents.get(s.doc.id)!);
    expect(job.status).toBe('FAILED');
    // A duplicate of the same message: it may not write the document a run wrote, so it reads the
    // job — finished, so it is announced again — and removes what it stored.
    healthy = true;
    expect(await s.run(s.withContent(BYTES))).toBe('skipped');
    expect(s.store.jobs.get(s.job.id)).toEqual(job);
    expect(s.store.documents.get(s.doc.id)).toEqual(doc);
    expect([...s.blobs.objects.keys()].filter((k) => k.startsWith('derived/'))).toEqual([]);
  });

  it('a snapshot naming another owner than the stored job never moves the job to that owner', async () => {
    const s = await setup(async () => analysis());
    const forged: JobMessage = {
      ...s.fromUpload,
      ownerId: 'mallory',
      upload: { ...s.fromUpload.upload!, job: { ...s.job, ownerId: 'mallory' } },
    };
    // The claim on the snapshot fails its condition; read, the job is alice's, and runs as hers.
    expect(await s.run(forged)).toBe('done');
    expect(s.store.jobs.get(s.job.id)).toMatchObject({ ownerId: 'alice', status: 'COMPLETED' });
    expect(s.store.documents.get(s.doc.id)).toMatchObject({ ownerId: 'alice', status: 'COMPLETED' });
  });

  it('stops without touching the document when another worker takes the job over meanwhile', async () => {
    const s = await setup(async () => {
      // Meanwhile another worker took the job over, as a run starts: the job's next version (a
      // new attempt), then the document's PROCESSING status under its fence.
      const stolen = s.store.jobs.get(s.job.id)!;
      await s.store.putJobIfVersion({ ...stolen, version: stolen.version + 1, attempts: 2, workerId: 'w2' });
      await s.store.updateDocumentStatus(
        s.doc.id,
        'alice',
        { status: 'PROCESSING', updatedAt: new Date().toISOString() },
        { fence: runFence({ id: s.job.id, attempts: 2 }) },
      );
      return analysis();
    });
    expect(await s.run()).toBe('elsewhere');
    expect(s.store.jobs.get(s.job.id)!.workerId).toBe('w2');
    expect(s.store.documents.get(s.doc.id)!.status).toBe('PROCESSING');
    expect(s.store.documents.get(s.doc.id)!.result).toBeUndefined();
    expect([...s.blobs.objects.keys()].filter((k) => k.startsWith('derived/'))).toEqual([]); // its artefacts removed
  });

  it('work done within the progress interval: no progress write, the start never announced', async () => {
    const s = await setup(async ({ onProgress }) => {
      onProgress('detecting', 0);
      onProgress('extracting', 0.5);
      onProgress('analysing', 1);
      return analysis();
    });
    await s.run();
    expect(s.writes).toEqual(['PROCESSING', 'COMPLETED']);
    expect(s.events.map((e) => e.status)).toEqual(['COMPLETED']);
  });

  it.each([
    // Claimed at once (version 2, unannounced); the held download progress carries the news.
    { message: 'an ids-only message', first: false, writes: ['PROCESSING', 'PROCESSING', 'COMPLETED'] },
    // The held claim is written at the interval with the progress held since, then announced.
    { message: 'a first delivery of an upload message', first: true, writes: ['PROCESSING', 'COMPLETED'] },
  ])(
    'a run of $message that outlasts the interval shows the document PROCESSING and announces its start',
    async ({ first, writes }) => {
      let seen: DocumentRecord | undefined;
      const s = await setup(async () => {
        await new Promise((r) => setTimeout(r, 80));
        seen = structuredClone(s.store.documents.get(s.doc.id));
        return analysis();
      }, 20);
      expect(await s.run(first ? s.fromUpload : undefined)).toBe('done');
      expect(seen).toMatchObject({
        status: 'PROCESSING',
        claim: runFence({ id: s.job.id, attempts: 1 }).claim,
      });
      expect(s.writes).toEqual(writes);
      const last = writes.length + 1;
      expect(s.events.map((e) => [e.version, e.status, e.stage])).toEqual([
        [last - 1, 'PROCESSING', 'downloading'],
        [last, 'COMPLETED', 'done'],
      ]);
    },
  );

  it('a slow PROCESSING write of the document never lands after COMPLETED', async () => {
    const s = await setup(async () => {
      await new Promise((r) => setTimeout(r, 40));
      return analysis();
    }, 20);
    const update = s.store.updateDocumentStatus.bind(s.store);
    s.store.updateDocumentStatus = async (...args) => {
      // The held PROCESSING write is still on its way when the run finishes.
      if (args[2].status === 'PROCESSING') await new Promise((r) => setTimeout(r, 80));
      return update(...args);
    };
    expect(await s.run()).toBe('done');
    expect(s.store.documents.get(s.doc.id)!.status).toBe('COMPLETED');
  });

  it('a retryable error leaves no PROCESSING write of the document behind to land after a failure', async () => {
    const s = await setup(async () => {
      await new Promise((r) => setTimeout(r, 40));
      throw new Error('scanner on fire');
    }, 20);
    const update = s.store.updateDocumentStatus.bind(s.store);
    s.store.updateDocumentStatus = async (...args) => {
      // The held PROCESSING write is still on its way when the attempt fails.
      if (args[2].status === 'PROCESSING') await new Promise((r) => setTimeout(r, 80));
      return update(...args);
    };
    await expect(s.run()).rejects.toThrow('scanner on fire');
    // What the consumer does on the last attempt (failJob): the document FAILED, and it stays so.
    await update(s.doc.id, 'alice', { status: 'FAILED', updatedAt: new Date().toISOString() });
    await new Promise((r) => setTimeout(r, 120));
    expect(s.store.documents.get(s.doc.id)!.status).toBe('FAILED');
  });

  it('with a zero interval, announces the start before any work', async () => {
    let seen: DocumentRecord | undefined;
    const s = await setup(async () => {
      seen = structuredClone(s.store.documents.get(s.doc.id));
      return analysis();
    }, 0);
    await s.run();
    expect(seen?.status).toBe('PROCESSING');
    expect(s.events[0]).toMatchObject({ status: 'PROCESSING', version: 2 });
    expect(s.events.at(-1)!.status).toBe('COMPLETED');
  });
});
