import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../aws/clients.js';
import type { Config } from '../domain/config.js';
import { newId } from '../domain/ids.js';
import { bearer, TEST_TOKEN } from './support/auth.js';
import { gql, uploadFile, wsClient, UPLOAD } from './support/graphql.js';
import { Disposables, startStack, type RunningApi } from './support/stack.js';

const LIMIT = 1024;
/** Well-formed, but nobody's. */
const UNKNOWN = newId();
const disposables = new Disposables();
let api: RunningApi;
let config: Config;
let aws: AwsClients;

beforeAll(async () => {
  // No worker: rejected uploads must leave nothing behind, which is easiest to see without one.
  ({ config, api, aws } = await startStack(disposables, {
    overrides: { MAX_UPLOAD_BYTES: String(LIMIT) },
    worker: false,
  }));
});
afterAll(() => disposables.disposeAll());

async function storedCounts() {
  const objects = await aws.s3.send(new ListObjectsV2Command({ Bucket: config.resources.bucket }));
  // A Scan is fine in a test: it counts everything, which is the point.
  const items = await aws.ddb.send(new ScanCommand({ TableName: config.resources.table, Select: 'COUNT' }));
  return { objects: objects.KeyCount ?? 0, items: items.Count ?? 0 };
}

function expectClean(body: unknown) {
  const text = JSON.stringify(body);
  expect(text).not.toMatch(/stacktrace|\n\s+at |\.ts:\d+/);
}

describe('bad input gets a typed error and writes nothing', () => {
  it('rejects an empty file with BAD_USER_INPUT', async () => {
    const before = await storedCounts();
    const res = await uploadFile(api.url, new Uint8Array(0), 'empty.txt');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.message).toMatch(/empty/i);
    expect(res.data).toBeNull();
    expectClean(res);
    expect(await storedCounts()).toEqual(before);
  });

  it('rejects a file one byte over the limit with PAYLOAD_TOO_LARGE', async () => {
    const before = await storedCounts();
    const res = await uploadFile(api.url, new Uint8Array(LIMIT + 1).fill(65), 'big.txt');
    expect(res.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expectClean(res);
    expect(await storedCounts()).toEqual(before);
  });

  it('rejects a file far over the limit with PAYLOAD_TOO_LARGE', async () => {
    const before = await storedCounts();
    const res = await uploadFile(api.url, new Uint8Array(LIMIT * 200).fill(66), 'huge.bin');
    expect(res.errors?.[0]?.extensions?.code).toBe('PAYLOAD_TOO_LARGE');
    expect(await storedCounts()).toEqual(before);
  });

  it('accepts a file exactly at the limit', async () => {
    const res = await uploadFile(api.url, new Uint8Array(LIMIT).fill(67), 'exact.txt');
    expect(res.errors).toBeUndefined();
    expect(res.data!.uploadDocument.size).toBe(LIMIT);
  });

  it('rejects an upload without a file (JSON request, null variable)', async () => {
    const before = await storedCounts();
    const res = await gql(api.url, UPLOAD, { file: null });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expectClean(res);
    expect(await storedCounts()).toEqual(before);
  });

  it('rejects a multipart request whose map names no file', async () => {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: UPLOAD, variables: { file: null } }));
    form.append('map', JSON.stringify({}));
    const res = await fetch(api.url, {
      method: 'POST',
      body: form,
      headers: { 'apollo-require-preflight': '1', authorization: bearer(TEST_TOKEN) },
    });
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expectClean(body);
  });

  it('rejects malformed multipart with BAD_USER_INPUT in the GraphQL error shape', async () => {
    const res = await fetch(api.url, {
      method: 'POST',
      headers: {
        'content-type': 'multipart/form-data; boundary=xyz',
        'apollo-require-preflight': '1',
        authorization: bearer(TEST_TOKEN),
      },
      body: '--xyz\r\nContent-Disposition: form-data; name="operations"\r\n\r\n{not json\r\n--xyz--\r\n',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
    expectClean(body);
  });

  it('rejects a multipart upload without the CSRF preflight header', async () => {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: UPLOAD, variables: { file: null } }));
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    form.append('0', new Blob(['x']), 'x.txt');
    const res = await fetch(api.url, {
      method: 'POST',
      body: form,
      headers: { authorization: bearer(TEST_TOKEN) },
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { extensions: { code: string } }[] };
    expect(body.errors[0]!.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('returns null for an unknown document or job id', async () => {
    const res = await gql(api.url, `{ document(id: "${UNKNOWN}") { id } job(id: "${UNKNOWN}") { id } }`);
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ document: null, job: null });
  });

  it('rejects ids docpipe could not have made with BAD_USER_INPUT before they reach storage', async () => {
    for (const id of ['nope', 'x'.repeat(5000), '../../etc/passwd', 'DOC#1']) {
      const res = await gql(api.url, 'query($id: ID!) { document(id: $id) { id } }', { id });
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0]?.message).not.toContain(id.slice(0, 50));
      expectClean(res.errors);
    }
  });

  it('reports NOT_FOUND for mutations and subscriptions on unknown ids', async () => {
    const re = await gql(api.url, `mutation { reprocessDocument(id: "${UNKNOWN}") { id } }`);
    expect(re.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    const del = await gql(api.url, `mutation { deleteDocument(id: "${UNKNOWN}") { id deleted } }`);
    expect(del.data).toEqual({ deleteDocument: { id: UNKNOWN, deleted: false } });

    const client = wsClient(api.wsUrl);
    try {
      const errors = await new Promise<any>((resolve) => {
        client.subscribe(
          { query: `subscription { jobUpdated(jobId: "${UNKNOWN}") { id } }` },
          { next: (v) => resolve(v.errors), error: resolve, complete: () => resolve(undefined) },
        );
      });
      expect(errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
      expectClean(errors);
    } finally {
      await client.dispose();
    }
  });

  it('rejects a malformed cursor with BAD_USER_INPUT', async () => {
    for (const after of ['garbage', Buffer.from('{"c":1}').toString('base64url'), '']) {
      const res = await gql(
        api.url,
        'query($after: String) { documents(after: $after) { edges { cursor } } }',
        {
          after,
        },
      );
      if (after === '') {
        expect(res.errors).toBeUndefined(); // empty = no cursor
      } else {
        expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
        expect(res.errors?.[0]?.message).toMatch(/cursor/i);
      }
    }
  });

  it('rejects first out of range with BAD_USER_INPUT; null is "not given" (Relay clients send it)', async () => {
    const page = 'query($first: Int) { documents(first: $first) { edges { cursor } } }';
    for (const first of [0, -1, 101]) {
      const res = await gql(api.url, page, { first });
      expect(res.errors?.[0]?.extensions?.code, `first=${first}`).toBe('BAD_USER_INPUT');
    }
    expect((await gql(api.url, page, { first: null })).errors).toBeUndefined();
  });

  it('rejects invalid GraphQL with BAD_USER_INPUT and no stack trace', async () => {
    const res = await gql(api.url, '{ documents { nosuchfield } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expectClean(res);
    const parse = await gql(api.url, '{ documents {');
    expect(parse.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
