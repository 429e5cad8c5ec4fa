/**
 * Trusted documents: the SDK's operations, registered at build time (codegen's
 * persisted-documents.json), named by documentId. With TRUSTED_DOCUMENTS_ONLY the api runs those
 * and nothing else, on HTTP, multipart uploads, WebSocket and SSE; without it, ids are a shortcut.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type DocpipeClient } from '../client/sdk/node.js';
import { TEST_TOKEN } from './support/auth.js';
import { collect, gql, wsClient } from './support/graphql.js';
import {
  Disposables,
  startApi,
  startEmulators,
  startWorker,
  testConfig,
  type RunningApi,
} from './support/stack.js';

const manifest = JSON.parse(
  readFileSync(new URL('../client/generated/persisted-documents.json', import.meta.url), 'utf8'),
) as Record<string, string>;
const idOf = (operationName: string) =>
  Object.entries(manifest).find(([, text]) => text.includes(`query ${operationName}`))![0];

const disposables = new Disposables();
let strict: RunningApi;
let open: RunningApi;

beforeAll(async () => {
  const aws = await startEmulators(disposables);
  const config = testConfig(aws, { TRUSTED_DOCUMENTS_ONLY: 'true' });
  strict = await startApi(config, disposables);
  open = await startApi(testConfig(aws, {}, 'open'), disposables);
  await startWorker(config, disposables);
});
afterAll(() => disposables.disposeAll());

const post = (url: string, body: unknown) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
    body: JSON.stringify(body),
  }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));

describe('TRUSTED_DOCUMENTS_ONLY', () => {
  let client: DocpipeClient;
  beforeAll(() => {
    client = createClient({ url: strict.url, token: TEST_TOKEN });
    disposables.add(() => client.close());
  });

  it('runs everything the SDK does: upload, list, nodes, search, watch over WebSocket and SSE', async () => {
    const doc = await client.uploadDocument(Buffer.from('trusted text'), { filename: 'trusted.txt' });
    const events = [];
    for await (const job of client.watchJob(doc.job!.id)) events.push(job.status);
    expect(events.at(-1)).toBe('COMPLETED');
    expect((await client.documents({ first: 5 })).edges.map((e) => e.node.id)).toContain(doc.id);
    expect((await client.nodes([doc.id]))[0]).toMatchObject({ __typename: 'Document', id: doc.id });
    expect((await client.search('trusted')).edges).toBeInstanceOf(Array);
    const sse = createClient({ url: strict.url, token: TEST_TOKEN, transport: 'sse' });
    disposables.add(() => sse.close());
    const overSse = [];
    for await (const job of sse.watchJob(doc.job!.id)) overSse.push(job.status);
    expect(overSse).toEqual(['COMPLETED']);
  });

  it('refuses free query text, unknown ids and GET queries with their codes', async () => {
    const free = await post(strict.url, { query: '{ documents { edges { cursor } } }' });
    expect(free.status).toBe(400);
    expect(free.body.errors[0].extensions.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
    // Free text, even with the text of a trusted document: only the id counts.
    const copied = await post(strict.url, { query: manifest[idOf('ListApiKeys')] });
    expect(copied.body.errors[0].extensions.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
    const unknown = await post(strict.url, {
      documentId: `sha256:${'0'.repeat(64)}`,
      query: '{ __typename }',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].extensions).toMatchObject({ code: 'PERSISTED_QUERY_NOT_FOUND' });
    const get = await fetch(`${strict.url}?query=${encodeURIComponent('{ __typename }')}`, {
      headers: { authorization: `Bearer ${TEST_TOKEN}`, 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(400);
    expect(((await get.json()) as any).errors[0].extensions.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
  });

  it('refuses a free-text subscription on the WebSocket', async () => {
    const ws = wsClient(strict.wsUrl);
    disposables.add(() => ws.dispose());
    const { errors } = await collect(ws, 'subscription { documentEvents { kind } }', {}).done;
    expect((errors as any[])[0].extensions.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
  });

  it('runs a trusted document named by its id alone', async () => {
    const res = await post(strict.url, { documentId: idOf('ListApiKeys'), variables: {} });
    expect(res.status).toBe(200);
    expect(res.body.data.apiKeys).toEqual([]);
  });
});

describe('without TRUSTED_DOCUMENTS_ONLY', () => {
  it('runs free text, and ids as a shortcut; an unknown id without text is PERSISTED_QUERY_NOT_FOUND', async () => {
    const free = await gql(open.url, '{ apiKeys { id } }');
    expect(free.errors).toBeUndefined();
    const byId = await post(open.url, { documentId: idOf('ListApiKeys') });
    expect(byId.body.data.apiKeys).toEqual([]);
    // An unknown id with text falls back on the text (an SDK newer than this api still works).
    const fallback = await post(open.url, {
      documentId: `sha256:${'1'.repeat(64)}`,
      query: '{ apiKeys { id } }',
    });
    expect(fallback.body.errors).toBeUndefined();
    const unknown = await post(open.url, { documentId: `sha256:${'1'.repeat(64)}` });
    expect(unknown.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});
