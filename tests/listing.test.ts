import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, uploadFile, watchUntilDone } from './support/graphql.js';
import { Disposables, startStack, type RunningApi } from './support/stack.js';

const disposables = new Disposables();
let api: RunningApi;
const uploaded: { id: string; jobId: string }[] = [];

const LIST = `query($first: Int, $after: String, $status: JobStatus) {
  documents(first: $first, after: $after, status: $status) {
    edges { cursor node { id filename status job { status } } }
    pageInfo { hasNextPage endCursor }
  }
}`;

beforeAll(async () => {
  ({ api } = await startStack(disposables));
  for (let i = 0; i < 5; i++) {
    const res = await uploadFile(api.url, `document number ${i}`, `doc-${i}.txt`);
    uploaded.push({ id: res.data!.uploadDocument.id, jobId: res.data!.uploadDocument.job.id });
  }
  await Promise.all(uploaded.map((u) => watchUntilDone(api.wsUrl, u.jobId)));
});
afterAll(() => disposables.disposeAll());

describe('documents connection', () => {
  it('pages through every document newest first without gaps or repeats', async () => {
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const res: any = await gql(api.url, LIST, { first: 2, after });
      expect(res.errors).toBeUndefined();
      const conn = res.data.documents;
      seen.push(...conn.edges.map((e: any) => e.node.id));
      after = conn.pageInfo.hasNextPage ? conn.pageInfo.endCursor : null;
      pages++;
    } while (after && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(uploaded.map((u) => u.id).reverse());
  });

  it('says there is no next page on the last page', async () => {
    const res: any = await gql(api.url, LIST, { first: 100 });
    expect(res.data.documents.edges).toHaveLength(5);
    expect(res.data.documents.pageInfo.hasNextPage).toBe(false);
    expect(res.data.documents.edges[0].node.job.status).toBe('COMPLETED');
  });

  it('filters by status', async () => {
    const done: any = await gql(api.url, LIST, { first: 100, status: 'COMPLETED' });
    expect(done.data.documents.edges.map((e: any) => e.node.id)).toEqual(uploaded.map((u) => u.id).reverse());
    const queued: any = await gql(api.url, LIST, { first: 100, status: 'QUEUED' });
    expect(queued.data.documents.edges).toEqual([]);
  });

  it('rejects an unknown status value', async () => {
    const res = await gql(api.url, LIST, { first: 1, status: 'DONE' });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});
