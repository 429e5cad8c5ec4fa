/**
 * Hostile suite, GraphQL edge: documents too big, deep, aliased, directive-laden or costly are
 * refused before execution with QUERY_TOO_COMPLEX, on HTTP and on WebSockets alike; bodies over the
 * limits, batches and GET mutations are refused; queries and mutations do not run over WebSockets;
 * production hides the schema. A legitimate client is served throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../aws/clients.js';
import type { Config } from '../../domain/config.js';
import { TEST_TOKEN, tokenFor } from '../support/auth.js';
import { collect, gql, uploadFile, wsClient } from '../support/graphql.js';
import { bystander, expectClean, rawSocket, storedCounts } from '../support/hostile.js';
import { Disposables, startApi, startStack, type RunningApi } from '../support/stack.js';

const disposables = new Disposables();
let api: RunningApi;
let production: RunningApi;
let aws: AwsClients;
let config: Config;
let stopBystander: ReturnType<typeof bystander>;

beforeAll(async () => {
  ({ api, aws, config } = await startStack(disposables, { worker: false }));
  production = await startApi({ ...config, env: 'production' }, disposables);
  stopBystander = bystander(api.url, await tokenFor('bystander'));
});
afterAll(() => disposables.disposeAll());

const aliases = (n: number, field = 'documents(first: 100) { edges { cursor } }') =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
const deep = (levels: number) =>
  `{ __type(name: "Document") { fields { type ${'{ ofType '.repeat(levels)}{ name }${' }'.repeat(levels)} } } }`;
/** `n` directives (2 per field, over distinct fields of a document). */
const DOC_FIELDS = [
  'id',
  'filename',
  'contentType',
  'detectedType',
  'size',
  'sha256',
  'status',
  'createdAt',
  'updatedAt',
  'downloadUrl',
  'result { kind }',
];
const directives = (n: number) =>
  `{ documents { edges { node { ${DOC_FIELDS.map((f, i) => {
    const [name, rest] = f.split(' {');
    const count = Math.max(0, Math.min(2, n - 2 * i));
    const dirs = ['@include(if: true)', '@skip(if: false)'].slice(0, count).join(' ');
    return rest ? `${name} ${dirs} {${rest}` : `${name} ${dirs}`;
  }).join(' ')} } } } }`;
/** Within the alias, depth and token limits, but asks for a lot: 8 full pages of documents with their jobs. */
const costly = aliases(
  8,
  'documents(first: 100) { edges { cursor node { id filename size status job { id status stage progress attempts version error { code message } } result { kind pageCount wordCount language } } } pageInfo { hasNextPage endCursor } }',
);

async function expectTooComplex(query: string) {
  const res = await gql(api.url, query);
  // A validation error: 200 for this application/json client (400 with graphql-response+json;
  // tests/http-status.test.ts), with no data either way.
  expect({ status: res.status, code: res.errors?.[0]?.extensions?.code, data: res.data }).toEqual({
    status: 200,
    code: 'QUERY_TOO_COMPLEX',
    data: undefined,
  });
  expectClean(res);
  return res;
}

describe('GraphQL limits (hostile)', () => {
  it('refuses 2,000 aliases of documents(first: 100) at parse time', async () => {
    const res = await expectTooComplex(aliases(2_000));
    expect(res.errors![0]!.message).toMatch(/tokens/);
  });

  it('refuses too many aliases, too deep, too many directives and too costly', async () => {
    expect((await expectTooComplex(aliases(16, 'apiKeys { id }'))).errors![0]!.message).toMatch(/aliases/i);
    expect((await expectTooComplex(deep(12))).errors![0]!.message).toMatch(/depth/i);
    expect((await expectTooComplex(directives(21))).errors![0]!.message).toMatch(/directives/i);
    expect((await expectTooComplex(costly)).errors![0]!.message).toMatch(/cost/i);
    // Just under each limit is fine.
    for (const ok of [aliases(15, 'apiKeys { id }'), deep(6), directives(20)]) {
      const res = await gql(api.url, ok);
      expect(res.errors).toBeUndefined();
    }
  });

  it('applies the same limits to everything arriving over the WebSocket', async () => {
    const client = wsClient(api.wsUrl);
    try {
      for (const query of [
        `subscription { jobUpdated(jobId: "x") { ${Array.from({ length: 16 }, (_, i) => `a${i}: id`).join(' ')} } }`,
        `subscription { jobUpdated(jobId: "x") { ${Array.from({ length: 2_500 }, () => 'id').join(' ')} } }`,
        `subscription { jobUpdated(jobId: "x") { ${'error { '.repeat(1)}code @include(if: true) @skip(if: false) } ${['id', 'status', 'stage', 'progress', 'attempts', 'version', 'createdAt', 'startedAt', 'finishedAt', 'documentId'].map((f) => `${f} @include(if: true) @skip(if: false)`).join(' ')} } }`,
      ]) {
        const { errors, events } = await collect<any>(client, query, {}).done;
        expect(events).toEqual([]);
        expect((errors as any[])[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
      }
    } finally {
      await client.dispose();
    }
  });

  it('runs only subscriptions over the WebSocket: queries and mutations are refused and change nothing', async () => {
    const doc = (await uploadFile(api.url, 'keep me')).data!.uploadDocument;
    const before = await storedCounts(aws, config);
    const client = wsClient(api.wsUrl);
    try {
      for (const query of [
        '{ documents { edges { cursor } } }',
        `mutation { deleteDocument(id: "${doc.id}") { deleted } }`,
      ]) {
        const { errors, events } = await collect<any>(client, query, {}).done;
        expect(events).toEqual([]);
        expect((errors as any[])[0].extensions.code).toBe('OPERATION_NOT_ALLOWED');
      }
    } finally {
      await client.dispose();
    }
    expect(await storedCounts(aws, config)).toEqual(before);
  });

  it('closes a socket sending a message over the size limit (100,000 aliases)', async () => {
    const socket = rawSocket(api.wsUrl);
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${TEST_TOKEN}` } });
    await socket.next('connection_ack');
    socket.send({
      id: '1',
      type: 'subscribe',
      payload: { query: aliases(100_000, 'jobUpdated(jobId: "x") { id }') },
    });
    expect((await socket.closed).code).toBe(1009); // Message Too Big
  });

  it('refuses batches, bodies over 1 MB and mutations over GET', async () => {
    const post = (body: string) =>
      fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${TEST_TOKEN}` },
        body,
      });
    const batch = await post(JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]));
    expect(batch.status).toBe(400);
    expect(((await batch.json()) as any).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const huge = await post(
      JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(1_100_000) } }),
    );
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as any).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
    const get = await fetch(
      `${api.url}?query=${encodeURIComponent('mutation { createApiKey(input: { name: "x" }) { key } }')}`,
      {
        headers: {
          authorization: `Bearer ${TEST_TOKEN}`,
          'apollo-require-preflight': '1',
          accept: 'application/json',
        },
      },
    );
    expect(get.status).toBe(405);
    expect((await gql(api.url, '{ apiKeys { id } }')).data!.apiKeys).toEqual([]);
  });

  it('in production: no introspection, no field suggestions, no playground or CDN landing page', async () => {
    const intro = await gql(production.url, '{ __schema { types { name } } }');
    expect(intro.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(intro.data).toBeUndefined();
    const typo = await gql(production.url, '{ documnts { edges { cursor } } }');
    expect(typo.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(typo.errors)).not.toMatch(/Did you mean|documents/);
    const devTypo = await gql(api.url, '{ documnts { edges { cursor } } }');
    expect(JSON.stringify(devTypo.errors)).toMatch(/Did you mean/); // the development api still helps
    const page = await fetch(production.url, { headers: { accept: 'text/html' } });
    const html = await page.text();
    expect(html).not.toMatch(/graphiql|apollo|cdn|<script/i);
    const client = wsClient(production.wsUrl);
    try {
      const { errors } = await collect<any>(client, 'subscription { __schema { types { name } } }', {}).done;
      expect((errors as any[])[0].extensions.code).toBe('BAD_USER_INPUT');
    } finally {
      await client.dispose();
    }
  });

  it('kept serving a legitimate client throughout', async () => {
    const { ok, failures } = await stopBystander();
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(0);
  });
});
