import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../domain/config.js';
import { makeScannedPdf } from './fixtures/documents.js';
import { tokenFor } from './support/auth.js';
import { gql, uploadFile, watchUntilDone } from './support/graphql.js';
import { eventually } from './support/inspect.js';
import {
  Disposables,
  removeDir,
  startApi,
  startEmulators,
  startWorker,
  tempDir,
  testEnv,
  type RunningApi,
} from './support/stack.js';

const SEARCH = /* GraphQL */ `
  query Search($query: String!, $first: Int, $after: String, $filter: SearchFilter) {
    searchDocuments(query: $query, first: $first, after: $after, filter: $filter) {
      edges {
        cursor
        node {
          score
          document {
            id
            filename
            status
          }
          snippets {
            field
            text
            highlights {
              start
              length
            }
          }
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

const disposables = new Disposables();
const dir = tempDir('docpipe-search-');
let env: Record<string, string>;
let config: Config;
let api: RunningApi;
/** A second api replica with its own index, fed by its own event queue. */
let replica: RunningApi;
let bobToken: string;

beforeAll(async () => {
  const emulators = await startEmulators(disposables);
  env = testEnv(emulators);
  config = loadConfig({ ...env, SEARCH_INDEX_PATH: join(dir, 'api-1.sqlite') });
  api = await startApi(config, disposables);
  replica = await startApi(loadConfig({ ...env, SEARCH_INDEX_PATH: join(dir, 'api-2.sqlite') }), disposables);
  // A page read upside down is read twice, plus orientation detection, within one page's time
  // limit: generous here, so a machine loaded by parallel test files does not time it out.
  await startWorker(loadConfig({ ...env, OCR_PAGE_TIMEOUT_MS: '120000' }), disposables);
  bobToken = await tokenFor('bob');
});
afterAll(async () => {
  await disposables.disposeAll();
  removeDir(dir);
});

async function uploadDone(text: string, filename: string, token?: string): Promise<string> {
  const opts = token ? { token } : {};
  const res = await uploadFile(api.url, text, filename, 'text/plain', opts);
  expect(res.errors).toBeUndefined();
  const doc = res.data!.uploadDocument;
  const events = await watchUntilDone(api.wsUrl, doc.job.id, opts);
  expect(events.at(-1).status).toBe('COMPLETED');
  return doc.id as string;
}

async function search(url: string, query: string, vars: Record<string, unknown> = {}, token?: string) {
  const res = await gql(url, SEARCH, { query, ...vars }, token ? { token } : {});
  return res;
}
const idsOf = (res: Awaited<ReturnType<typeof search>>) =>
  (res.data?.['searchDocuments']?.edges ?? []).map((e: any) => e.node.document.id as string);

/** Waits until `query` finds exactly `expected` (order-insensitive) through `url`. */
async function found(url: string, query: string, expected: string[], token?: string) {
  return eventually(async () => {
    const ids = idsOf(await search(url, query, {}, token));
    return [...ids].sort().join() === [...expected].sort().join() ? ids : undefined;
  }, 15_000);
}

describe('searchDocuments', () => {
  let cafe: string;
  let report: string;
  let bobs: string;

  beforeAll(async () => {
    cafe = await uploadDone(
      'Le café de la gare à Zürich sert un petit déjeuner tous les matins, avec du pain frais et de la confiture. Net total: 12 francs.',
      'cafe.txt',
    );
    report = await uploadDone(
      'Quarterly report. Net profit grew while total revenue stayed flat. This is a draft.',
      'quarterly-report.md',
    );
    bobs = await uploadDone('Bob also writes about the café in Zürich.', 'bob.txt', bobToken);
  });

  it('finds a completed document through both api replicas, with snippets to highlight', async () => {
    for (const url of [api.url, replica.url]) expect(await found(url, 'cafe zurich', [cafe])).toEqual([cafe]);
    const res = await search(api.url, 'petit déjeuner');
    const hit = res.data!['searchDocuments'].edges[0].node;
    expect(hit.score).toBeGreaterThan(0);
    const body = hit.snippets.find((s: any) => s.field === 'body');
    expect(body.text).not.toMatch(/[<>\u0001\u0002]/);
    const marked = body.highlights.map((h: any) => body.text.slice(h.start, h.start + h.length));
    expect(marked).toEqual(['petit', 'déjeuner']);
  });

  it('understands phrases, prefixes, exclusions, accents; ranks and pages', async () => {
    await found(api.url, 'net total', [cafe, report]);
    expect(idsOf(await search(api.url, '"net total"'))).toEqual([cafe]);
    expect(idsOf(await search(api.url, 'quarter*'))).toEqual([report]);
    expect(idsOf(await search(api.url, 'net -draft'))).toEqual([cafe]);
    expect(idsOf(await search(api.url, 'ZURICH'))).toEqual([cafe]);
    expect(idsOf(await search(api.url, 'quarterly'))).toEqual([report]); // the filename counts too

    const first = await search(api.url, 'net', { first: 1 });
    const page = first.data!['searchDocuments'];
    expect(page.edges).toHaveLength(1);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const second = await search(api.url, 'net', { first: 1, after: page.pageInfo.endCursor });
    expect(second.data!['searchDocuments'].pageInfo.hasNextPage).toBe(false);
    expect([...idsOf(first), ...idsOf(second)].sort()).toEqual([cafe, report].sort());
  });

  it('filters by kind, language and upload time', async () => {
    await found(api.url, 'net', [cafe, report]);
    expect(idsOf(await search(api.url, 'net', { filter: { kind: 'markdown' } }))).toEqual([report]);
    expect(idsOf(await search(api.url, 'net', { filter: { language: 'fra' } }))).toEqual([cafe]);
    expect(idsOf(await search(api.url, 'net', { filter: { language: 'eng' } }))).toEqual([report]);
    expect(idsOf(await search(api.url, 'net', { filter: { language: 'zzz' } }))).toEqual([]);
    expect(
      idsOf(await search(api.url, 'net', { filter: { createdBefore: '2000-01-01T00:00:00Z' } })),
    ).toEqual([]);
    expect(idsOf(await search(api.url, 'net', { filter: { status: 'COMPLETED' } })).sort()).toEqual(
      [cafe, report].sort(),
    );
  });

  it('finds a word deep in a text too long to travel in the COMPLETED event, through both replicas', async () => {
    // ~20 KB: its event names the stored text, which each replica reads from S3.
    const text = `${'filler words for padding '.repeat(800)} quixotic`;
    const id = await uploadDone(text, 'long.txt');
    for (const url of [api.url, replica.url]) expect(await found(url, 'quixotic', [id])).toEqual([id]);
  });

  it("never shows another owner's documents", async () => {
    // Bob's document is in both indexes (he finds it), yet Alice's identical search never shows it.
    for (const url of [api.url, replica.url]) {
      expect(await found(url, 'cafe', [bobs], bobToken)).toEqual([bobs]);
      expect(idsOf(await search(url, 'cafe'))).toEqual([cafe]);
      expect(idsOf(await search(url, 'bob'))).toEqual([]);
    }
  });

  it.each([
    [{ query: '' }, 'query'],
    [{ query: '-draft' }, 'query'],
    [{ query: 'x'.repeat(501) }, 'query'],
    [{ query: 'net', first: 0 }, 'first'],
    [{ query: 'net', first: 51 }, 'first'],
    [{ query: 'net', after: 'not-a-cursor' }, 'after'],
    [{ query: 'net', filter: { kind: '' } }, 'filter.kind'],
  ])('refuses %j with BAD_USER_INPUT', async (vars, argument) => {
    const { query, ...rest } = vars as { query: string };
    const res = await search(api.url, query, rest);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0]?.extensions?.['argument']).toBe(argument);
    expect(JSON.stringify(res.errors)).not.toMatch(/at \w+ \(|sqlite|fts5/i);
  });

  it('finds a phrase that is only in a photo of a page (OCR)', async () => {
    const svg =
      '<svg xmlns="http://www.w3.org/2000/svg" width="1400" height="200"><rect width="100%" height="100%" fill="white"/>' +
      '<text x="40" y="110" font-family="DejaVu Sans" font-size="48">Quartermaster ledger of the schooner</text></svg>';
    const png = await sharp(Buffer.from(svg)).png().toBuffer();
    const res = await uploadFile(api.url, png, 'photo.png', 'image/png');
    const photo = res.data!.uploadDocument;
    expect((await watchUntilDone(api.wsUrl, photo.job.id)).at(-1).status).toBe('COMPLETED');
    expect(await found(replica.url, '"quartermaster ledger" schooner', [photo.id])).toEqual([photo.id]);
  });

  it('finds a phrase that is only in a scanned PDF fed in upside down, through either replica', async () => {
    // Not SCAN_PHRASE: the photo above carries that one too.
    const phrase = 'harbour pilot signed the manifest';
    const scan = Buffer.from(
      await makeScannedPdf([`The ${phrase}`, 'at dawn on the first of May.'], { rotate: 180 }),
    );
    const res = await uploadFile(api.url, scan, 'scan.pdf', 'application/pdf');
    const doc = res.data!.uploadDocument;
    expect((await watchUntilDone(api.wsUrl, doc.job.id)).at(-1).status).toBe('COMPLETED');
    for (const url of [api.url, replica.url]) {
      expect(await found(url, `"${phrase}"`, [doc.id])).toEqual([doc.id]);
    }
    const hit = (await search(replica.url, `"${phrase}"`)).data!['searchDocuments'].edges[0].node;
    const body = hit.snippets.find((s: any) => s.field === 'body');
    const marked = body.highlights.map((h: any) =>
      body.text.slice(h.start, h.start + h.length).toLowerCase(),
    );
    expect(marked.join(' ')).toBe(phrase);
    // Bob's search never finds it.
    expect(idsOf(await search(api.url, `"${phrase}"`, {}, bobToken))).toEqual([]);
  });

  it('needs a token', async () => {
    const res = await gql(api.url, SEARCH, { query: 'net' }, { token: null });
    expect(res.status).toBe(401);
  });

  it('drops a deleted document on both replicas, and a reprocessed one stays a single hit', async () => {
    const gone = await uploadDone('Ephemeral zebra notes.', 'zebra.txt');
    await found(replica.url, 'zebra', [gone]);
    const del = await gql(api.url, 'mutation($id: ID!) { deleteDocument(id: $id) { deleted } }', {
      id: gone,
    });
    expect(del.data!['deleteDocument'].deleted).toBe(true);
    expect(api.server.search!.index.has(gone)).toBe(false); // dropped by the deleting replica at once
    // The other replica drops it on the document.deleted event, before any search meets it.
    await eventually(async () => (replica.server.search!.index.has(gone) ? undefined : true), 15_000);
    for (const url of [api.url, replica.url]) expect(idsOf(await search(url, 'zebra'))).toEqual([]);

    const again = await gql(api.url, 'mutation($id: ID!) { reprocessDocument(id: $id) { id } }', {
      id: report,
    });
    expect(again.errors).toBeUndefined();
    await eventually(async () => {
      const res = await gql(
        api.url,
        'query($id: ID!) { document(id: $id) { status jobs: job { status } } }',
        {
          id: report,
        },
      );
      return res.data?.['document']?.status === 'COMPLETED' ? true : undefined;
    });
    await found(api.url, 'quarterly', [report]);
  });
});

describe('search index persistence', () => {
  it('a restarted api catches up on documents completed while it was down, without a rebuild', async () => {
    const path = join(dir, 'restart.sqlite');
    const own = await startApi(loadConfig({ ...env, SEARCH_INDEX_PATH: path }), disposables);
    await own.server.search!.caughtUp;
    const before = own.server.search!.index.size;
    expect(before).toBeGreaterThan(0); // the documents of the tests above, from the first catch-up
    await own.server.stop();

    const late = await uploadDone('Written while the other api was down: walrus.', 'walrus.txt');
    const back = await startApi(loadConfig({ ...env, SEARCH_INDEX_PATH: path }), disposables);
    await back.server.search!.caughtUp;
    expect(idsOf(await search(back.url, 'walrus'))).toEqual([late]);
    expect(back.server.search!.index.size).toBe(before + 1);
  });
});
