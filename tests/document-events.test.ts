import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeFeedCursor } from '../server/document-service.js';
import { tokenFor } from './support/auth.js';
import { collect, gql, uploadFile, watchUntilDone, wsClient } from './support/graphql.js';
import { eventually } from './support/inspect.js';
import {
  Disposables,
  startApi,
  startEmulators,
  startWorker,
  testConfig,
  type RunningApi,
} from './support/stack.js';

const EVENTS = /* GraphQL */ `
  subscription Feed($after: String) {
    documentEvents(after: $after) {
      kind
      documentId
      at
      cursor
      document {
        id
        filename
        status
      }
      job {
        status
        progress
      }
    }
  }
`;

interface FeedEvent {
  kind: string;
  documentId: string;
  cursor: string;
  document: { id: string; filename: string; status: string } | null;
  job: { status: string; progress: number } | null;
}

const disposables = new Disposables();
let a: RunningApi;
let b: RunningApi;

beforeAll(async () => {
  const emulators = await startEmulators(disposables);
  const config = testConfig(emulators);
  a = await startApi(config, disposables);
  b = await startApi(config, disposables);
  await startWorker(config, disposables);
});
afterAll(() => disposables.disposeAll());

function subscribe(api: RunningApi, vars: Record<string, unknown> = {}, token?: string) {
  const client = wsClient(api.wsUrl, token ? { token } : {});
  disposables.add(() => client.dispose());
  const feed = collect<{ documentEvents: FeedEvent }>(client, EVENTS, vars);
  const events = () => feed.events.map((e) => e.documentEvents);
  return { client, feed, events };
}

async function uploadDone(text: string, filename: string): Promise<string> {
  const res = await uploadFile(a.url, text, filename);
  const doc = res.data!.uploadDocument;
  expect((await watchUntilDone(a.wsUrl, doc.job.id)).at(-1).status).toBe('COMPLETED');
  return doc.id;
}

/** Waits until `api` has `n` documentEvents subscribers (nothing is sent before the first change). */
const registered = (api: RunningApi, n: number) =>
  eventually(async () => (api.server.documentHub.size >= n ? true : undefined), 15_000);

/** Waits until `events()` holds an event matching `match`; returns it. */
const until = (events: () => FeedEvent[], match: (e: FeedEvent) => boolean) =>
  eventually(async () => events().find(match), 15_000);

describe('documentEvents', () => {
  it('streams an upload made through another replica to completion, then its deletion; never another owner’s', async () => {
    const mine = subscribe(b);
    const bobs = subscribe(b, {}, await tokenFor('bob'));
    await registered(b, 2);

    const id = await uploadDone('live library entry', 'live.txt');
    const created = await until(mine.events, (e) => e.documentId === id && e.kind === 'CREATED');
    expect(created.document).toMatchObject({ id, filename: 'live.txt' });
    const completed = await until(mine.events, (e) => e.documentId === id && e.kind === 'COMPLETED');
    expect(completed.document).toMatchObject({ id, status: 'COMPLETED' });
    expect(completed.job).toMatchObject({ status: 'COMPLETED', progress: 100 });

    const del = await gql(a.url, 'mutation($id: ID!) { deleteDocument(id: $id) { deleted } }', { id });
    expect(del.data!['deleteDocument'].deleted).toBe(true);
    const deleted = await until(mine.events, (e) => e.documentId === id && e.kind === 'DELETED');
    expect(deleted.document).toBeNull();

    const kinds = mine
      .events()
      .filter((e) => e.documentId === id)
      .map((e) => e.kind);
    expect(kinds[0]).toBe('CREATED');
    expect(kinds.at(-1)).toBe('DELETED');
    expect(bobs.events()).toEqual([]);
  });

  it('resumes from a cursor: what changed while away comes first, as it is now', async () => {
    const first = subscribe(a);
    await registered(a, 1);
    const kept = await uploadDone('kept while away', 'kept.txt');
    const before = await until(first.events, (e) => e.documentId === kept && e.kind === 'COMPLETED');
    await first.client.dispose(); // away

    const added = await uploadDone('added while away', 'added.txt');
    const del = await gql(a.url, 'mutation($id: ID!) { deleteDocument(id: $id) { deleted } }', { id: kept });
    expect(del.data!['deleteDocument'].deleted).toBe(true);

    const back = subscribe(b, { after: before.cursor });
    const addedEvent = await until(back.events, (e) => e.documentId === added);
    expect(addedEvent).toMatchObject({ kind: 'COMPLETED', document: { id: added, status: 'COMPLETED' } });
    const keptEvent = await until(back.events, (e) => e.documentId === kept && e.kind === 'DELETED');
    expect(keptEvent.document).toBeNull();
    // Oldest first: the upload happened before the deletion.
    const order = back.events().map((e) => `${e.documentId === added ? 'added' : 'kept'}:${e.kind}`);
    expect(order.indexOf('added:COMPLETED')).toBeLessThan(order.indexOf('kept:DELETED'));
  });

  it.each([
    ['not-a-cursor', 'not a cursor'],
    [encodeFeedCursor(new Date(Date.now() - 2 * 24 * 3600 * 1000).toISOString()), 'more than a day old'],
  ])('refuses after=%j with BAD_USER_INPUT', async (after, message) => {
    const { feed } = subscribe(a, { after });
    const { errors } = await feed.done;
    expect(JSON.stringify(errors)).toContain('BAD_USER_INPUT');
    expect(JSON.stringify(errors)).toContain(message);
  });
});
