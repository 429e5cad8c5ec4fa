/**
 * Direct uploads against the real emulators over real HTTP: parts PUT to presigned URLs, completion
 * verified against storage, then the same document + job as a streamed upload. Every refusal has its
 * code and `reason`, and leaves no document, job or object behind.
 */
import { createHash, randomBytes } from 'node:crypto';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../aws/clients.js';
import { connectAws } from '../aws/connect.js';
import type { EmbeddedAws } from '../dev/emulators.js';
import type { Config } from '../domain/config.js';
import { newId } from '../domain/ids.js';
import { sweepExpiredUploads } from '../server/expired-upload-sweeper.js';
import { tokenFor } from './support/auth.js';
import {
  ABORT_UPLOAD,
  COMPLETE_UPLOAD,
  GET_UPLOAD,
  UPLOAD_PARTS,
  createUpload,
  putPart,
  type CreatedUpload,
} from './support/direct-upload.js';
import { gql, watchUntilDone } from './support/graphql.js';
import {
  Disposables,
  startApi,
  startEmbeddedEmulators,
  startWorker,
  testConfig,
  type RunningApi,
} from './support/stack.js';

const MiB = 1024 * 1024;
const PART = 5 * MiB;
const LIMIT = 32 * MiB;
const NAMES = `du${randomBytes(3).toString('hex')}`;
const disposables = new Disposables();
let emulators: EmbeddedAws;
let config: Config;
let api: RunningApi;
let aws: AwsClients;

beforeAll(async () => {
  emulators = await startEmbeddedEmulators(disposables);
  config = testConfig(emulators, { MAX_UPLOAD_BYTES: String(LIMIT), UPLOAD_PART_BYTES: String(PART) }, NAMES);
  api = await startApi(config, disposables);
  aws = createAwsClients(config.aws);
  disposables.add(() => aws.destroy());
});
afterAll(() => disposables.disposeAll());

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Sends every part of `bytes`; returns the part list completeUpload wants. */
async function sendAll(upload: CreatedUpload, bytes: Uint8Array) {
  return Promise.all(
    upload.parts.map(async ({ partNumber, url }) => ({
      partNumber,
      etag: await putPart(
        api.url,
        url,
        bytes.subarray((partNumber - 1) * upload.partSize, partNumber * upload.partSize),
      ),
    })),
  );
}

async function stored() {
  const objects = await aws.s3.send(new ListObjectsV2Command({ Bucket: config.resources.bucket }));
  const items = await aws.ddb.send(new ScanCommand({ TableName: config.resources.table }));
  return {
    objects: (objects.Contents ?? []).map((o) => o.Key),
    // Idempotency keys and tombstones may stay (they expire); documents, jobs and uploads may not.
    items: (items.Items ?? []).map((i) => String(i['pk'])).filter((pk) => /^(DOC|JOB|UPLOAD)#/.test(pk)),
  };
}

const complete = (id: string, parts: { partNumber: number; etag: string }[], token?: string) =>
  gql(api.url, COMPLETE_UPLOAD, { input: { id, parts } }, token ? { token } : {});

describe('a direct upload', () => {
  it('goes to storage in parts and becomes a document processed like any upload', async () => {
    const worker = await startWorker(config, disposables);
    const bytes = randomBytes(12 * MiB + 123);
    const upload = await createUpload(api.url, {
      filename: 'big.bin',
      size: bytes.length,
      sha256: sha256(bytes),
    });
    expect(upload).toMatchObject({ partSize: PART, partCount: 3 });
    expect(upload.parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
    const parts = await sendAll(upload, bytes);

    const held = await gql(api.url, GET_UPLOAD, { id: upload.id });
    expect(held.data?.['upload'].uploadedParts.map((p: { size: number }) => p.size)).toEqual([
      PART,
      PART,
      2 * MiB + 123,
    ]);

    const res = await complete(upload.id, parts);
    expect(res.errors).toBeUndefined();
    const doc = res.data?.['completeUpload'].document;
    expect(doc).toMatchObject({
      id: upload.id,
      filename: 'big.bin',
      size: bytes.length,
      sha256: sha256(bytes),
    });
    expect(doc.status).toBe('QUEUED');
    const events = await watchUntilDone(api.wsUrl, doc.job.id);
    expect(events.at(-1)).toMatchObject({ status: 'COMPLETED' });
    expect((await gql(api.url, GET_UPLOAD, { id: upload.id })).data?.['upload']).toBeNull();
    await worker.stop();
  });

  it('hands out fresh URLs for a resume, and only for parts that exist', async () => {
    const upload = await createUpload(api.url, { filename: 'r.bin', size: 11 * MiB });
    const res = await gql(api.url, UPLOAD_PARTS, { input: { id: upload.id, partNumbers: [3, 1] } });
    expect(res.data?.['uploadParts'].map((p: { partNumber: number }) => p.partNumber)).toEqual([3, 1]);
    const bad = await gql(api.url, UPLOAD_PARTS, { input: { id: upload.id, partNumbers: [4] } });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await gql(api.url, ABORT_UPLOAD, { input: { id: upload.id } });
  });

  it('returns the same pending upload for the same idempotency key', async () => {
    const input = { filename: 'i.bin', size: 6 * MiB, idempotencyKey: `k-${newId()}` };
    const first = await createUpload(api.url, input);
    const again = await createUpload(api.url, input);
    expect(again.id).toBe(first.id);
    await gql(api.url, ABORT_UPLOAD, { input: { id: first.id } });
  });
});

describe('a refused direct upload leaves nothing behind', () => {
  it('wrong part list: PART_LIST_MISMATCH; the upload stays open to be corrected, then aborted', async () => {
    const before = await stored();
    const bytes = randomBytes(7 * MiB);
    const upload = await createUpload(api.url, { filename: 'p.bin', size: bytes.length });
    const parts = await sendAll(upload, bytes);

    for (const wrong of [
      [parts[0]!], // a part missing
      [parts[1]!, parts[0]!], // out of order
      [{ ...parts[0]!, etag: '"0123456789abcdef0123456789abcdef"' }, parts[1]!], // wrong ETag
    ]) {
      const res = await complete(upload.id, wrong);
      expect(res.errors?.[0]?.extensions).toMatchObject({
        code: 'BAD_USER_INPUT',
        reason: 'PART_LIST_MISMATCH',
      });
    }
    expect((await gql(api.url, GET_UPLOAD, { id: upload.id })).data?.['upload'].id).toBe(upload.id);
    const aborted = await gql(api.url, ABORT_UPLOAD, { input: { id: upload.id } });
    expect(aborted.data?.['abortUpload']).toEqual({ id: upload.id, aborted: true });
    expect(await stored()).toEqual(before);
  });

  it('a part of the wrong size: SIZE_MISMATCH', async () => {
    const before = await stored();
    const upload = await createUpload(api.url, { filename: 's.bin', size: 7 * MiB });
    const parts = [
      { partNumber: 1, etag: await putPart(api.url, upload.parts[0]!.url, randomBytes(PART)) },
      // One byte short of the declared size.
      { partNumber: 2, etag: await putPart(api.url, upload.parts[1]!.url, randomBytes(2 * MiB - 1)) },
    ];
    const res = await complete(upload.id, parts);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', reason: 'SIZE_MISMATCH' });
    await gql(api.url, ABORT_UPLOAD, { input: { id: upload.id } });
    expect(await stored()).toEqual(before);
  });

  it('other bytes than the declared SHA-256: CHECKSUM_MISMATCH, object and upload removed', async () => {
    const before = await stored();
    const bytes = randomBytes(6 * MiB);
    const upload = await createUpload(api.url, {
      filename: 'c.bin',
      size: bytes.length,
      sha256: 'ab'.repeat(32),
    });
    const res = await complete(upload.id, await sendAll(upload, bytes));
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      reason: 'CHECKSUM_MISMATCH',
    });
    expect(res.data).toBeNull();
    await expect(
      aws.s3.send(new HeadObjectCommand({ Bucket: config.resources.bucket, Key: `originals/${upload.id}` })),
    ).rejects.toThrow();
    expect((await gql(api.url, GET_UPLOAD, { id: upload.id })).data?.['upload']).toBeNull();
    expect(await stored()).toEqual(before);
  });

  it("someone else's upload id answers like a missing one: NOT_FOUND", async () => {
    const bytes = randomBytes(PART + 1);
    const upload = await createUpload(api.url, { filename: 'o.bin', size: bytes.length });
    const parts = await sendAll(upload, bytes);
    const token = await tokenFor('another-owner');
    const asOther = { token };
    expect((await gql(api.url, GET_UPLOAD, { id: upload.id }, asOther)).data?.['upload']).toBeNull();
    for (const res of [
      await complete(upload.id, parts, token),
      await gql(api.url, UPLOAD_PARTS, { input: { id: upload.id, partNumbers: [1] } }, asOther),
      await gql(api.url, ABORT_UPLOAD, { input: { id: upload.id } }, asOther),
    ]) {
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'UPLOAD_NOT_FOUND' });
    }
    // Still the owner's, untouched.
    expect((await complete(upload.id, parts)).data?.['completeUpload'].document.id).toBe(upload.id);
  });

  it('too large: PAYLOAD_TOO_LARGE before anything is created', async () => {
    const before = await stored();
    const res = await gql(
      api.url,
      `mutation($i: CreateUploadInput!) { createUpload(input: $i) { upload { id } } }`,
      {
        i: { filename: 'huge.bin', size: LIMIT + 1 },
      },
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      reason: 'TOO_LARGE',
      limit: LIMIT,
    });
    expect(res.status).toBe(413);
    expect(await stored()).toEqual(before);
  });

  it.each([
    ['an empty file', { filename: 'e', size: 0 }, 'size'],
    ['a fractional size', { filename: 'f', size: 1.5 }, 'size'],
    ['no file name', { filename: '', size: 10 }, 'filename'],
    ['a malformed SHA-256', { filename: 'h', size: 10, sha256: 'xyz' }, 'sha256'],
    ['a malformed idempotency key', { filename: 'k', size: 10, idempotencyKey: 'a b' }, 'idempotencyKey'],
  ])('bad input (%s): BAD_USER_INPUT', async (_what, input, argument) => {
    const before = await stored();
    const res = await gql(
      api.url,
      `mutation($i: CreateUploadInput!) { createUpload(input: $i) { upload { id } } }`,
      {
        i: input,
      },
    );
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(await stored()).toEqual(before);
  });

  it('a malformed or unknown id: BAD_USER_INPUT / NOT_FOUND', async () => {
    const malformed = await complete('not-an-id', []);
    expect(malformed.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const unknown = await complete(newId(), []);
    expect(unknown.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('expired: NOT_FOUND (UPLOAD_EXPIRED) on use, and the sweeper removes the ones nobody touches', async () => {
    const before = await stored();
    const shortLived = await startApi(
      // Long enough for the part PUT below to beat its URL's expiry on a busy machine.
      testConfig(emulators, { UPLOAD_EXPIRY_SECONDS: '3' }, NAMES),
      disposables,
    );
    const used = await createUpload(shortLived.url, { filename: 'x.bin', size: PART + 1 });
    const forgotten = await createUpload(shortLived.url, { filename: 'y.bin', size: PART + 1 });
    await putPart(api.url, forgotten.parts[0]!.url, randomBytes(PART));
    await new Promise((r) => setTimeout(r, 3100));

    const res = await complete(used.id, []);
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', reason: 'UPLOAD_EXPIRED' });

    const adapters = await connectAws(config, pino({ level: 'silent' }));
    try {
      const swept = await sweepExpiredUploads(
        { ...adapters, logger: pino({ level: 'silent' }) },
        Date.now() + 1000,
      );
      expect(swept).toBeGreaterThanOrEqual(1);
    } finally {
      adapters.destroy();
    }
    expect(await stored()).toEqual(before);
  });
});
