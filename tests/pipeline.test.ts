import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePdf } from './fixtures/documents.js';
import { JOB_FIELDS, WATCH, collect, gql, uploadFile, wsClient } from './support/graphql.js';
import { Disposables, startStack, type RunningApi } from './support/stack.js';

const disposables = new Disposables();
let api: RunningApi;

beforeAll(async () => {
  ({ api } = await startStack(disposables));
});
afterAll(() => disposables.disposeAll());

describe('upload → S3 → SQS → worker → DynamoDB → subscription', () => {
  it('streams a multipart upload and reports every job change in order', async () => {
    const body = 'hello docpipe\n'.repeat(100);
    const up = await uploadFile(api.url, body, 'hello.txt', 'text/plain');
    expect(up.errors).toBeUndefined();
    const doc = up.data!.uploadDocument;
    expect(doc).toMatchObject({
      filename: 'hello.txt',
      contentType: 'text/plain',
      size: body.length,
      sha256: createHash('sha256').update(body).digest('hex'),
      status: 'QUEUED',
      job: { status: 'QUEUED', version: 1, progress: 0 },
    });

    const client = wsClient(api.wsUrl);
    try {
      const sub = collect<{ jobUpdated: any }>(client, WATCH, { jobId: doc.job.id });
      const { events, errors } = await sub.done;
      expect(errors).toBeUndefined();
      const jobs = events.map((e) => e.jobUpdated);

      // The first event is the state at subscribe time; the last is the terminal state.
      expect(jobs.at(-1)).toMatchObject({ status: 'COMPLETED', progress: 100, stage: 'done', attempts: 1 });
      for (let i = 1; i < jobs.length; i++) {
        expect(jobs[i].version).toBeGreaterThan(jobs[i - 1].version);
        expect(jobs[i].progress).toBeGreaterThanOrEqual(jobs[i - 1].progress);
      }
      const statuses = [...new Set(jobs.map((j) => j.status))];
      expect(statuses.at(-1)).toBe('COMPLETED');
      expect(statuses.every((s) => ['QUEUED', 'PROCESSING', 'COMPLETED'].includes(s))).toBe(true);

      const final = await gql(
        api.url,
        `query($id: ID!) { document(id: $id) { status detectedType job { ${JOB_FIELDS} } } }`,
        {
          id: doc.id,
        },
      );
      expect(final.data!.document).toMatchObject({ status: 'COMPLETED', detectedType: 'text/plain' });
      expect(final.data!.document.job).toEqual(jobs.at(-1));
    } finally {
      await client.dispose();
    }
  });

  it('sees every stage when subscribed before the worker starts', async () => {
    // Subscribe to a job that is QUEUED: the full sequence QUEUED → PROCESSING… → COMPLETED must arrive.
    // A real PDF under a name and type that lie: detection goes by the bytes.
    const up = await uploadFile(api.url, await makePdf({ pages: 2 }), 'x.bin', 'application/octet-stream');
    const jobId = up.data!.uploadDocument.job.id;
    const client = wsClient(api.wsUrl);
    try {
      const { events } = await collect<{ jobUpdated: any }>(client, WATCH, { jobId }).done;
      const jobs = events.map((e) => e.jobUpdated);
      const stages = jobs.map((j) => j.stage);
      // Either we caught it queued or already processing, but we always get the rest in order.
      expect(stages.at(-1)).toBe('done');
      expect(jobs.at(-1).status).toBe('COMPLETED');
      const versions = jobs.map((j) => j.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      expect(new Set(versions).size).toBe(versions.length);
      const doc = await gql(api.url, `query($id: ID!) { document(id: $id) { detectedType } }`, {
        id: up.data!.uploadDocument.id,
      });
      expect(doc.data!.document.detectedType).toBe('application/pdf');
    } finally {
      await client.dispose();
    }
  });

  it('a subscription to a finished job yields its final state and completes', async () => {
    const up = await uploadFile(api.url, 'done soon');
    const jobId = up.data!.uploadDocument.job.id;
    const client = wsClient(api.wsUrl);
    try {
      await collect(client, WATCH, { jobId }).done;
      const again = await collect<{ jobUpdated: any }>(client, WATCH, { jobId }).done;
      expect(again.events).toHaveLength(1);
      expect(again.events[0]!.jobUpdated.status).toBe('COMPLETED');
    } finally {
      await client.dispose();
    }
  });
});
