/**
 * Hostile suite, isolation: two owners with tokens; bob tries every route to alice's documents
 * (query, list, job, subscription on either of two api replicas, download, delete, reprocess, API
 * keys) and gets exactly what a missing id would give him, while nothing of alice's changes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../aws/clients.js';
import type { Config } from '../../domain/config.js';
import { newId } from '../../domain/ids.js';
import { tokenFor } from '../support/auth.js';
import { collect, gql, uploadFile, WATCH, watchUntilDone, wsClient } from '../support/graphql.js';
import { storedCounts } from '../support/hostile.js';
import { Disposables, startApi, startStack, type RunningApi } from '../support/stack.js';

const disposables = new Disposables();
let api: RunningApi;
let api2: RunningApi;
let aws: AwsClients;
let config: Config;
let alice: string;
let bob: string;
let doc: { id: string; job: { id: string } };

const DOC = 'query($id: ID!) { document(id: $id) { id filename downloadUrl result { textUrl } } }';

beforeAll(async () => {
  ({ api, aws, config } = await startStack(disposables));
  api2 = await startApi(config, disposables); // a second replica on the same resources
  [alice, bob] = await Promise.all([tokenFor('alice'), tokenFor('bob')]);
  const up = await uploadFile(api.url, 'alice private notes', 'secret.txt', 'text/plain', { token: alice });
  doc = up.data!.uploadDocument;
  const events = await watchUntilDone(api.wsUrl, doc.job.id, { token: alice });
  expect(events.at(-1).status).toBe('COMPLETED');
  // bob has a document of his own, so "empty because he has nothing" cannot pass for isolation.
  const mine = await uploadFile(api.url, 'bob notes', 'bob.txt', 'text/plain', { token: bob });
  await watchUntilDone(api.wsUrl, mine.data!.uploadDocument.job.id, { token: bob });
});
afterAll(() => disposables.disposeAll());

/** bob's answer for alice's id equals his answer for an id that exists nowhere (ids swapped in). */
async function sameAsMissing(query: string, vars: (id: string) => Record<string, unknown>, id: string) {
  const missing = newId();
  const forOther = await gql(api.url, query, vars(id), { token: bob });
  const forMissing = await gql(api.url, query, vars(missing), { token: bob });
  expect(JSON.stringify(forOther).replaceAll(id, 'ID')).toBe(
    JSON.stringify(forMissing).replaceAll(missing, 'ID'),
  );
  return forOther;
}

describe('per-owner isolation (hostile)', () => {
  it('document, job and list: another owner sees nothing, exactly as for a missing id', async () => {
    expect((await sameAsMissing(DOC, (id) => ({ id }), doc.id)).data).toEqual({ document: null });
    const job = await sameAsMissing(
      'query($id: ID!) { job(id: $id) { id status } }',
      (id) => ({ id }),
      doc.job.id,
    );
    expect(job.data).toEqual({ job: null });
    const list = await gql(
      api.url,
      '{ documents(first: 100) { edges { node { id filename } } } }',
      {},
      { token: bob },
    );
    expect(list.data!.documents.edges.map((e: any) => e.node.filename)).toEqual(['bob.txt']);
    for (const status of ['QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED']) {
      const filtered = await gql(
        api.url,
        'query($s: JobStatus) { documents(status: $s) { edges { node { id } } } }',
        { s: status },
        { token: bob },
      );
      expect(filtered.data!.documents.edges.map((e: any) => e.node.id)).not.toContain(doc.id);
    }
    // alice's own cursor does not open her list to bob.
    const mineList = await gql(api.url, '{ documents(first: 1) { edges { cursor } } }', {}, { token: alice });
    const cursor = mineList.data!.documents.edges[0].cursor;
    const paged = await gql(
      api.url,
      'query($a: String) { documents(after: $a) { edges { node { filename } } } }',
      { a: cursor },
      { token: bob },
    );
    expect(paged.data!.documents.edges.map((e: any) => e.node.filename)).not.toContain('secret.txt');
  });

  it('delete and reprocess of another owner’s document answer like a missing one and change nothing', async () => {
    const before = await storedCounts(aws, config);
    const del = await sameAsMissing(
      'mutation($id: ID!) { deleteDocument(id: $id) { id deleted } }',
      (id) => ({ id }),
      doc.id,
    );
    expect(del.data!.deleteDocument.deleted).toBe(false);
    const re = await sameAsMissing(
      'mutation($id: ID!) { reprocessDocument(id: $id) { id } }',
      (id) => ({ id }),
      doc.id,
    );
    expect(re.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(await storedCounts(aws, config)).toEqual(before);
    const still = await gql(api.url, DOC, { id: doc.id }, { token: alice });
    expect(still.data!.document.filename).toBe('secret.txt');
  });

  it('subscriptions to another owner’s job fail like a missing job, on either replica, and yield no event', async () => {
    for (const target of [api, api2]) {
      const client = wsClient(target.wsUrl, { token: bob });
      try {
        const other = await collect<any>(client, WATCH, { jobId: doc.job.id }).done;
        const missing = await collect<any>(client, WATCH, { jobId: newId() }).done;
        expect(other.events).toEqual([]);
        expect((other.errors as any[])[0].extensions.code).toBe('NOT_FOUND');
        expect(JSON.stringify(other.errors).replaceAll(doc.job.id, 'ID')).toBe(
          JSON.stringify(missing.errors).replace(/[0-9a-f-]{36}/g, 'ID'),
        );
      } finally {
        await client.dispose();
      }
    }
    // While bob keeps trying, a reprocess of alice's document produces events only she receives.
    const bobClient = wsClient(api2.wsUrl, { token: bob });
    const bobWatch = collect<any>(bobClient, WATCH, { jobId: doc.job.id });
    const re = await gql(
      api.url,
      'mutation($id: ID!) { reprocessDocument(id: $id) { job { id } } }',
      { id: doc.id },
      { token: alice },
    );
    const events = await watchUntilDone(api2.wsUrl, re.data!.reprocessDocument.job.id, { token: alice });
    expect(events.at(-1).status).toBe('COMPLETED');
    const bobResult = await bobWatch.done;
    expect(bobResult.events).toEqual([]);
    await bobClient.dispose();
  });

  it('download links exist only for the owner; they are short-lived attachments', async () => {
    const own = await gql(api.url, DOC, { id: doc.id }, { token: alice });
    const url = new URL(own.data!.document.downloadUrl);
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBeLessThanOrEqual(
      config.limits.downloadUrlSeconds,
    );
    expect(url.searchParams.get('response-content-disposition')).toMatch(/^attachment;/);
    const text = new URL(own.data!.document.result.textUrl);
    expect(text.searchParams.get('response-content-type')).toBe('text/plain; charset=utf-8');
    // (Whether a tampered URL is refused is S3's signature check; fauxqs does not verify signatures.)
  });

  it('API keys are per owner: bob can neither list nor revoke alice’s', async () => {
    const created = await gql(
      api.url,
      'mutation { createApiKey(input: { name: "alice-ci" }) { key apiKey { id } } }',
      {},
      { token: alice },
    );
    const { key, apiKey } = created.data!.createApiKey;
    expect((await gql(api.url, '{ apiKeys { id } }', {}, { token: bob })).data!.apiKeys).toEqual([]);
    const revoke = await gql(
      api.url,
      'mutation($id: ID!) { revokeApiKey(id: $id) { revoked } }',
      { id: apiKey.id },
      { token: bob },
    );
    expect(revoke.data!.revokeApiKey.revoked).toBe(false);
    // Still alice's, still working, and it acts as alice only.
    const asKey = await gql(api.url, DOC, { id: doc.id }, { token: key });
    expect(asKey.data!.document.filename).toBe('secret.txt');
  });
});
