/**
 * Relay's conventions on the real api: global object identification (`Node`, `node`, `nodes`) and
 * connections paged both ways with a full PageInfo.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKEN, tokenFor } from './support/auth.js';
import { gql, uploadFile, watchUntilDone } from './support/graphql.js';
import {
  Disposables,
  startApi,
  startEmulators,
  startWorker,
  testConfig,
  type RunningApi,
} from './support/stack.js';

const disposables = new Disposables();
let api: RunningApi;
let bobToken: string;

beforeAll(async () => {
  const aws = await startEmulators(disposables);
  const config = testConfig(aws);
  api = await startApi(config, disposables);
  await startWorker(config, disposables);
  bobToken = await tokenFor('bob-relay');
});
afterAll(() => disposables.disposeAll());

const NODE = /* GraphQL */ `
  query Node($id: ID!) {
    node(id: $id) {
      __typename
      id
      ... on Document {
        filename
        status
      }
      ... on Job {
        documentId
        status
      }
    }
  }
`;
const NODES = /* GraphQL */ `
  query Nodes($ids: [ID!]!) {
    nodes(ids: $ids) {
      __typename
      id
    }
  }
`;
const PAGE = /* GraphQL */ `
  query Page($first: Int, $after: String, $last: Int, $before: String) {
    documents(first: $first, after: $after, last: $last, before: $before) {
      edges {
        cursor
        node {
          filename
        }
      }
      pageInfo {
        hasNextPage
        hasPreviousPage
        startCursor
        endCursor
      }
    }
  }
`;

async function upload(name: string, token?: string) {
  const res = await uploadFile(api.url, `text of ${name}\n`, name, 'text/plain', token ? { token } : {});
  expect(res.errors).toBeUndefined();
  return res.data!.uploadDocument as { id: string; job: { id: string } };
}

describe('global object identification', () => {
  it('node(id:) fetches a document and a job by their ids, typed', async () => {
    const doc = await upload('node.txt');
    await watchUntilDone(api.wsUrl, doc.job.id);
    const asDocument = await gql(api.url, NODE, { id: doc.id });
    expect(asDocument.data!['node']).toEqual({
      __typename: 'Document',
      id: doc.id,
      filename: 'node.txt',
      status: 'COMPLETED',
    });
    const asJob = await gql(api.url, NODE, { id: doc.job.id });
    expect(asJob.data!['node']).toEqual({
      __typename: 'Job',
      id: doc.job.id,
      documentId: doc.id,
      status: 'COMPLETED',
    });
  });

  it("nodes(ids:) answers in order (repeats too), null for unknown ids and for another owner's", async () => {
    const mine = await upload('mine.txt');
    const bobs = await upload('bobs.txt', bobToken);
    const unknown = randomUUID();
    const res = await gql(api.url, NODES, { ids: [mine.job.id, bobs.id, unknown, mine.id, mine.job.id] });
    expect(res.errors).toBeUndefined();
    expect(res.data!['nodes']).toEqual([
      { __typename: 'Job', id: mine.job.id },
      null,
      null,
      { __typename: 'Document', id: mine.id },
      { __typename: 'Job', id: mine.job.id }, // asked twice, answered twice
    ]);
    // Bob sees his own through the same query, and never mine.
    const bob = await gql(api.url, NODES, { ids: [bobs.id, mine.id] }, { token: bobToken });
    expect(bob.data!['nodes']).toEqual([{ __typename: 'Document', id: bobs.id }, null]);
  });

  it('bad ids are BAD_USER_INPUT naming the argument; too many ids too', async () => {
    const bad = await gql(api.url, NODE, { id: 'not-an-id' });
    expect(bad.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'id' });
    const many = await gql(api.url, NODES, { ids: Array.from({ length: 101 }, () => randomUUID()) });
    expect(many.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'ids' });
    expect(JSON.stringify(many.errors)).not.toMatch(/at \w+ \(/);
  });
});

describe('connections paged both ways', () => {
  it('forward with first/after, backward with last/before, with a full PageInfo', async () => {
    const pager = await tokenFor('pager');
    const names = ['p1.txt', 'p2.txt', 'p3.txt', 'p4.txt', 'p5.txt'];
    for (const name of names) await upload(name, pager); // one after another: newest is p5
    const page = async (vars: Record<string, unknown>) => {
      const res = await gql(api.url, PAGE, vars, { token: pager });
      expect(res.errors).toBeUndefined();
      const { edges, pageInfo } = res.data!['documents'];
      return { names: edges.map((e: any) => e.node.filename), pageInfo };
    };

    const first = await page({ first: 2 });
    expect(first.names).toEqual(['p5.txt', 'p4.txt']);
    expect(first.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    const second = await page({ first: 2, after: first.pageInfo.endCursor });
    expect(second.names).toEqual(['p3.txt', 'p2.txt']);
    expect(second.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const last = await page({ first: 2, after: second.pageInfo.endCursor });
    expect(last.names).toEqual(['p1.txt']);
    expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    expect(last.pageInfo.startCursor).toBe(last.pageInfo.endCursor);

    // Back from the last page: the page before it, still newest first.
    const back = await page({ last: 2, before: last.pageInfo.startCursor });
    expect(back.names).toEqual(['p3.txt', 'p2.txt']);
    expect(back.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const front = await page({ last: 2, before: back.pageInfo.startCursor });
    expect(front.names).toEqual(['p5.txt', 'p4.txt']);
    expect(front.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    // The newest documents without any cursor.
    const tail = await page({ last: 2 });
    expect(tail.names).toEqual(['p2.txt', 'p1.txt']);
    expect(tail.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
  });

  it('refuses first with last, after with before, and sizes out of range', async () => {
    for (const [vars, argument] of [
      [{ first: 2, last: 2 }, 'last'],
      [{ first: 2, after: 'x', before: 'y' }, 'before'],
      [{ last: 0 }, 'last'],
      [{ last: 101 }, 'last'],
    ] as const) {
      const res = await gql(api.url, PAGE, vars);
      expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    }
  });
});

describe('mutations: one input object, a payload; the old forms still work, deprecated', () => {
  const CREATE =
    'mutation ($file: Upload!) { createDocument(input: { file: $file }) { document { id filename job { id } } } }';

  async function createDocument(text: string, filename: string) {
    const form = new FormData();
    form.append('operations', JSON.stringify({ query: CREATE, variables: { file: null } }));
    form.append('map', JSON.stringify({ 0: ['variables.file'] }));
    form.append('0', new Blob([text], { type: 'text/plain' }), filename);
    const res = await fetch(api.url, {
      method: 'POST',
      body: form,
      headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${TEST_TOKEN}` },
    });
    const body = (await res.json()) as any;
    expect(body.errors).toBeUndefined();
    return body.data.createDocument.document as { id: string; filename: string; job: { id: string } };
  }

  it('createDocument, restartProcessing, deleteDocument and revokeApiKey take input and answer payloads', async () => {
    const doc = await createDocument('input objects', 'input.txt');
    expect(doc.filename).toBe('input.txt');
    await watchUntilDone(api.wsUrl, doc.job.id);
    const restarted = await gql(
      api.url,
      'mutation ($id: ID!) { restartProcessing(input: { id: $id }) { document { id } job { id documentId status } } }',
      { id: doc.id },
    );
    const { document, job } = restarted.data!['restartProcessing'];
    expect(document.id).toBe(doc.id);
    expect(job).toMatchObject({ documentId: doc.id, status: 'QUEUED' });
    expect(job.id).not.toBe(doc.job.id);
    await watchUntilDone(api.wsUrl, job.id);

    const deleted = await gql(
      api.url,
      'mutation ($id: ID!) { deleteDocument(input: { id: $id }) { id deleted } }',
      {
        id: doc.id,
      },
    );
    expect(deleted.data!['deleteDocument']).toEqual({ id: doc.id, deleted: true });
    const key = await gql(api.url, 'mutation { createApiKey(input: { name: "relay" }) { apiKey { id } } }');
    const keyId = key.data!['createApiKey'].apiKey.id;
    const revoked = await gql(
      api.url,
      'mutation ($id: ID!) { revokeApiKey(input: { id: $id }) { id revoked } }',
      {
        id: keyId,
      },
    );
    expect(revoked.data!['revokeApiKey']).toEqual({ id: keyId, revoked: true });
  });

  it('the old argument forms keep working, and introspection marks them deprecated', async () => {
    const doc = (await upload('old-form.txt')) as { id: string; job: { id: string } };
    await watchUntilDone(api.wsUrl, doc.job.id);
    const re = await gql(api.url, 'mutation ($id: ID!) { reprocessDocument(id: $id) { id } }', {
      id: doc.id,
    });
    expect(re.data!['reprocessDocument'].id).toBe(doc.id);
    const del = await gql(api.url, 'mutation ($id: ID!) { deleteDocument(id: $id) { deleted } }', {
      id: doc.id,
    });
    expect(del.data!['deleteDocument'].deleted).toBe(true);

    const schema = await gql(
      api.url,
      '{ __type(name: "Mutation") { fields(includeDeprecated: true) { name isDeprecated args(includeDeprecated: true) { name isDeprecated } } } }',
    );
    const fields = Object.fromEntries(schema.data!['__type'].fields.map((f: any) => [f.name, f]));
    expect(fields['uploadDocument'].isDeprecated).toBe(true);
    expect(fields['reprocessDocument'].isDeprecated).toBe(true);
    expect(fields['createDocument'].isDeprecated).toBe(false);
    for (const name of ['deleteDocument', 'revokeApiKey']) {
      expect(fields[name].args).toEqual([
        { name: 'id', isDeprecated: true },
        { name: 'input', isDeprecated: false },
      ]);
    }
  });

  it('an id in neither place, or two different ids, is BAD_USER_INPUT and deletes nothing', async () => {
    const doc = await upload('kept.txt');
    const neither = await gql(api.url, 'mutation { deleteDocument { deleted } }');
    expect(neither.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'input' });
    const both = await gql(
      api.url,
      'mutation ($id: ID!, $other: ID!) { deleteDocument(id: $other, input: { id: $id }) { deleted } }',
      { id: doc.id, other: randomUUID() },
    );
    expect(both.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'id' });
    const still = await gql(api.url, 'query ($id: ID!) { document(id: $id) { id } }', { id: doc.id });
    expect(still.data!['document']).toEqual({ id: doc.id });
  });
});
