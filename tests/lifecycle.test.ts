import { parse as parseDisposition } from 'content-disposition';
import { bearer, TEST_TOKEN } from './support/auth.js';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../aws/clients.js';
import type { Config } from '../domain/config.js';
import { gql, uploadFile, watchUntilDone } from './support/graphql.js';
import { Disposables, startStack, type RunningApi } from './support/stack.js';

const disposables = new Disposables();
let api: RunningApi;
let config: Config;
let aws: AwsClients;

beforeAll(async () => {
  ({ config, api, aws } = await startStack(disposables));
});
afterAll(() => disposables.disposeAll());

const GET = `query($id: ID!) { document(id: $id) { id status downloadUrl job { id status version } } }`;

async function uploadAndFinish(text: string) {
  const up = await uploadFile(api.url, text, 'life.txt');
  const doc = up.data!.uploadDocument;
  await watchUntilDone(api.wsUrl, doc.job.id);
  return doc as { id: string; job: { id: string } };
}

async function objectKeys(prefix: string) {
  const res = await aws.s3.send(
    new ListObjectsV2Command({ Bucket: config.resources.bucket, Prefix: prefix }),
  );
  return (res.Contents ?? []).map((o) => o.Key);
}

describe('download, reprocess and delete', () => {
  it('downloadUrl returns the original bytes with the filename', async () => {
    const doc = await uploadAndFinish('download me');
    const res = await gql(api.url, GET, { id: doc.id });
    const file = await fetch(res.data!.document.downloadUrl);
    expect(file.status).toBe(200);
    expect(await file.text()).toBe('download me');
    // S3 sets Content-Disposition and Content-Type from these signed parameters (the embedded
    // emulator honours them as S3 does, dev/fauxqs-response-overrides.ts; a plain fauxqs, as
    // `npm run test:external` runs it, ignores them).
    const signed = new URL(res.data!.document.downloadUrl).searchParams;
    expect(parseDisposition(signed.get('response-content-disposition')!)).toEqual({
      type: 'attachment',
      parameters: { filename: 'life.txt' },
    });
    expect(signed.get('response-content-type')).toBe('application/octet-stream');
  });

  it('reprocess runs a new job to completion and keeps the old one', async () => {
    const doc = await uploadAndFinish('again please');
    const res = await gql(
      api.url,
      `mutation($id: ID!) { reprocessDocument(id: $id) { id status job { id status version } } }`,
      {
        id: doc.id,
      },
    );
    expect(res.errors).toBeUndefined();
    const newJob = res.data!.reprocessDocument.job;
    expect(newJob.id).not.toBe(doc.job.id);
    expect(newJob).toMatchObject({ status: 'QUEUED', version: 1 });
    const events = await watchUntilDone(api.wsUrl, newJob.id);
    expect(events.at(-1).status).toBe('COMPLETED');
    const old = await gql(api.url, `query($id: ID!) { job(id: $id) { status } }`, { id: doc.job.id });
    expect(old.data!.job.status).toBe('COMPLETED');
  });

  it('reprocess is refused while the current job is still running', async () => {
    const up = await uploadFile(api.url, 'busy', 'busy.txt');
    const doc = up.data!.uploadDocument;
    // Immediately after upload the job is QUEUED or PROCESSING (or, rarely, already done).
    const res = await gql(api.url, `mutation($id: ID!) { reprocessDocument(id: $id) { id } }`, {
      id: doc.id,
    });
    if (res.errors) {
      expect(res.errors[0]!.extensions!.code).toBe('BAD_USER_INPUT');
      expect(res.errors[0]!.message).toMatch(/still being processed/);
    }
    await watchUntilDone(api.wsUrl, doc.job.id);
  });

  it('delete removes records and bytes and is idempotent', async () => {
    const doc = await uploadAndFinish('delete me');
    expect(await objectKeys(`originals/${doc.id}`)).toHaveLength(1);
    const DEL = `mutation($id: ID!) { deleteDocument(id: $id) { id deleted } }`;
    const first = await gql(api.url, DEL, { id: doc.id });
    expect(first.data!.deleteDocument).toEqual({ id: doc.id, deleted: true });
    const second = await gql(api.url, DEL, { id: doc.id });
    expect(second.data!.deleteDocument).toEqual({ id: doc.id, deleted: false });
    const after = await gql(
      api.url,
      `query($id: ID!, $job: ID!) { document(id: $id) { id } job(id: $job) { id } }`,
      {
        id: doc.id,
        job: doc.job.id,
      },
    );
    expect(after.data).toEqual({ document: null, job: null });
    expect(await objectKeys(`originals/${doc.id}`)).toEqual([]);
    expect(await objectKeys(`derived/${doc.id}/`)).toEqual([]);
  });

  it('an idempotency key returns the first document instead of a second one', async () => {
    const upload = async (key: string, body: string) => {
      const form = new FormData();
      const query =
        'mutation($file: Upload!, $key: String) { uploadDocument(file: $file, idempotencyKey: $key) { id } }';
      form.append('operations', JSON.stringify({ query, variables: { file: null, key } }));
      form.append('map', JSON.stringify({ 0: ['variables.file'] }));
      form.append('0', new Blob([body]), 'retry.txt');
      const res = await fetch(api.url, {
        method: 'POST',
        body: form,
        headers: { 'apollo-require-preflight': '1', authorization: bearer(TEST_TOKEN) },
      });
      return (await res.json()) as { data: { uploadDocument: { id: string } } | null; errors?: any[] };
    };
    const first = await upload('order-42', 'first try');
    const retry = await upload('order-42', 'first try');
    expect(retry.data!.uploadDocument.id).toBe(first.data!.uploadDocument.id);
    const other = await upload('order-43', 'first try');
    expect(other.data!.uploadDocument.id).not.toBe(first.data!.uploadDocument.id);
    // The retry's bytes were thrown away: one original per document.
    expect(await objectKeys(`originals/${first.data!.uploadDocument.id}`)).toHaveLength(1);
    const bad = await upload('no spaces allowed', 'x');
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.data).toBeNull();
  });
});
