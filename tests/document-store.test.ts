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
