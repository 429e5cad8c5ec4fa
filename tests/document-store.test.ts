/**
 * DocumentStore's conditions against DynamoDB itself (dynalite): the run fence on a document's
 * status and the one-request read of a job with its document. The in-memory fake mirrors these;
 * this file proves the real condition expressions say the same.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAws, type AwsAdapters } from '../aws/connect.js';
import { newJob } from '../domain/jobs.js';
import { runFence, type DocumentRecord } from '../domain/model.js';
import { Disposables, startEmulators, testConfig } from './support/stack.js';

const disposables = new Disposables();
let aws: AwsAdapters;

beforeAll(async () => {
  const config = testConfig(await startEmulators(disposables));
  aws = await connectAws(config, pino({ level: 'silent' }), { bootstrap: true });
  disposables.add(() => aws.destroy());
});
afterAll(() => disposables.disposeAll());

async function created(id: string) {
  const job = newJob(id, 'alice');
  const doc: DocumentRecord = {
    id,
    ownerId: 'alice',
    filename: 'a.txt',
    contentType: 'text/plain',
    detectedType: null,
    size: 1,
    sha256: 'x',
    status: 'QUEUED',
    currentJobId: job.id,
    jobIds: [job.id],
    createdAt: job.createdAt,
    updatedAt: job.createdAt,
  };
  await aws.store.createDocument(doc, job);
  return { doc, job };
}

const at = (status: 'PROCESSING' | 'COMPLETED') => ({ status, updatedAt: new Date().toISOString() });

describe('DocumentStore (dynalite)', () => {
  it('lets a run write a document only while its job is current and no later attempt wrote', async () => {
    const { doc, job } = await created('fence-1');
    const write = (attempts: number, status: 'PROCESSING' | 'COMPLETED', jobId = job.id) =>
      aws.store.updateDocumentStatus(doc.id, 'alice', at(status), {
        fence: runFence({ id: jobId, attempts }),
      });

    expect(await write(1, 'PROCESSING')).toBe(true);
    expect(await write(2, 'PROCESSING')).toBe(true); // the job was taken over
    expect(await write(1, 'COMPLETED')).toBe(false); // the first run comes back late
    expect((await aws.store.getDocument('alice', doc.id))!.status).toBe('PROCESSING');
    expect(await write(2, 'COMPLETED')).toBe(true);
    expect(await write(10, 'COMPLETED')).toBe(true); // attempt 10 sorts after attempt 2
    expect(await write(9, 'COMPLETED')).toBe(false);
    expect(await write(11, 'COMPLETED', 'another-job')).toBe(false); // not the current job
    expect((await aws.store.getDocument('alice', doc.id))!.claim).toBe(
      runFence({ id: job.id, attempts: 10 }).claim,
    );
  });

  it('a fenced write needs no earlier claim, and an unfenced one leaves the claim alone', async () => {
    const { doc, job } = await created('fence-2');
    expect(
      await aws.store.updateDocumentStatus(doc.id, 'alice', at('COMPLETED'), { fence: runFence(job) }),
    ).toBe(true);
    expect(await aws.store.updateDocumentStatus(doc.id, 'alice', at('PROCESSING'))).toBe(true);
    expect((await aws.store.getDocument('alice', doc.id))!.claim).toBe(runFence(job).claim);
    expect(await aws.store.updateDocumentStatus('gone', 'alice', at('PROCESSING'))).toBe(false);
  });

  it('an unclaimed write lands only on a document no run has written, still QUEUED', async () => {
    const unclaimed = (job: { id: string; attempts: number }) => ({
      fence: runFence(job, { unclaimed: true }),
    });
    const first = await created('unclaimed-1');
    const started = { id: first.job.id, attempts: 1 };
    expect(
      await aws.store.updateDocumentStatus(first.doc.id, 'alice', at('COMPLETED'), unclaimed(started)),
    ).toBe(true);
    // A second copy of the same first run: the claim is there now.
    expect(
      await aws.store.updateDocumentStatus(first.doc.id, 'alice', at('COMPLETED'), unclaimed(started)),
    ).toBe(false);
    expect((await aws.store.getDocument('alice', first.doc.id))!.claim).toBe(runFence(started).claim);

    // A document a run failed (unfenced, as failJob writes it) is no longer QUEUED.
    const failed = await created('unclaimed-2');
    await aws.store.updateDocumentStatus(failed.doc.id, 'alice', { status: 'FAILED', updatedAt: 'x' });
    expect(
      await aws.store.updateDocumentStatus(failed.doc.id, 'alice', at('COMPLETED'), unclaimed(started)),
    ).toBe(false);
    // Nor one some run claimed, even if it says QUEUED again.
    const claimed = await created('unclaimed-4');
    const claimedRun = { id: claimed.job.id, attempts: 1 };
    expect(
      await aws.store.updateDocumentStatus(claimed.doc.id, 'alice', at('PROCESSING'), {
        fence: runFence(claimedRun),
      }),
    ).toBe(true);
    await aws.store.updateDocumentStatus(claimed.doc.id, 'alice', { status: 'QUEUED', updatedAt: 'x' });
    expect(
      await aws.store.updateDocumentStatus(claimed.doc.id, 'alice', at('COMPLETED'), unclaimed(claimedRun)),
    ).toBe(false);
    // Nor may it write another job's document, or another owner's.
    const other = await created('unclaimed-3');
    expect(
      await aws.store.updateDocumentStatus(other.doc.id, 'alice', at('COMPLETED'), unclaimed(started)),
    ).toBe(false);
    expect(
      await aws.store.updateDocumentStatus(
        other.doc.id,
        'bob',
        at('COMPLETED'),
        unclaimed({ id: other.job.id, attempts: 1 }),
      ),
    ).toBe(false);
    expect((await aws.store.getDocument('alice', other.doc.id))!.status).toBe('QUEUED');
  });

  it('reads a job and its document in one request, hiding another owner’s document', async () => {
    const { doc, job } = await created('pair-1');
    const both = await aws.store.getJobAndDocument(job.id, 'alice', doc.id);
    expect(both.job).toMatchObject({ id: job.id, status: 'QUEUED' });
    expect(both.document).toMatchObject({ id: doc.id, currentJobId: job.id });
    expect((await aws.store.getJobAndDocument(job.id, 'mallory', doc.id)).document).toBeNull();
    expect(await aws.store.getJobAndDocument('no-job', 'alice', 'no-doc')).toEqual({
      job: null,
      document: null,
    });
  });
});
