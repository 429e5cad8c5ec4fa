/**
 * Search (issue 12) at 10 000 documents of one owner: an api with an empty index catches up from
 * DynamoDB and S3 (the path a new replica takes), then answers `searchDocuments` over HTTP.
 * Baseline, same run: the same queries straight against the api's SQLite index in this process
 * (what the HTTP request, authentication and the DynamoDB read of the hits' documents add).
 *
 * The documents are written straight to the table and bucket (as a completed job leaves them), not
 * through the pipeline: processing 10 000 documents would take minutes and is measured elsewhere.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { pino } from 'pino';
import { createAwsClients } from '../../../aws/clients.js';
import { loadConfig } from '../../../domain/config.js';
import { createApiServer } from '../../../server/create-server.js';
import { toMatchExpression } from '../../../server/search/query.js';
import { TEST_OWNER } from '../../../tests/support/auth.js';
import { gql } from '../../../tests/support/graphql.js';
import type { Scenario } from '../scenario.js';
import { benchStack, percentile, round, row, runLoad } from '../support.js';

const QUERY =
  'query($q: String!) { searchDocuments(query: $q, first: 10) { edges { node { score document { id } } } } }';
// A small vocabulary with a skewed distribution: some words are in most documents, some in few.
const WORDS = Array.from({ length: 2000 }, (_, i) => `w${i.toString(36)}${'aeiou'[i % 5]}`);
const QUERIES = [
  'w0a',
  'w1e w2i',
  '"w3o w4u"',
  'w5a*',
  'w1e -w2i',
  'w1kz',
  'w3e8e w0a',
  'w7e',
  'w10a',
  'wzz*',
];

export const search: Scenario = {
  name: 'search',
  description:
    'full-text search at 10k documents: catch-up of a new index, query latency over HTTP vs the raw index',
  async run({ smoke, log }) {
    const N = smoke ? 200 : 10_000;
    const ROUNDS = smoke ? 2 : 20;
    const dir = mkdtempSync(join(tmpdir(), 'docpipe-bench-search-'));
    const stack = await benchStack();
    try {
      log(`writing ${N} completed documents with their text`);
      await seed(stack.config, stack.adapters.resources, N);

      const indexPath = join(dir, 'index.sqlite');
      const config = loadConfig({ ...stack.env, SEARCH_INDEX_PATH: indexPath });
      const api = createApiServer(config, { logger: pino({ level: 'silent' }) });
      log('api with an empty index: catching up');
      const t0 = performance.now();
      const { url } = await api.start();
      await api.search!.caughtUp;
      const catchUpSeconds = (performance.now() - t0) / 1000;
      const indexed = api.search!.index.size;
      try {
        log(`${QUERIES.length * ROUNDS} queries over HTTP, then on the raw index`);
        const http: number[] = [];
        const raw: number[] = [];
        await runLoad(QUERIES.length, 1, async (i) => {
          const res = await gql(url, QUERY, { q: QUERIES[i] });
          if (res.errors) throw new Error(JSON.stringify(res.errors));
        }); // warm-up
        for (let r = 0; r < ROUNDS; r++) {
          for (const q of QUERIES) {
            let s = performance.now();
            const res = await gql(url, QUERY, { q });
            http.push(performance.now() - s);
            if (res.errors) throw new Error(JSON.stringify(res.errors));
            s = performance.now();
            api.search!.index.search(TEST_OWNER, toMatchExpression(q), { limit: 10, offset: 0 });
            raw.push(performance.now() - s);
          }
        }
        await api.stop(); // closing checkpoints the write-ahead log into the file
        const bytes = statSync(indexPath).size;
        http.sort((a, b) => a - b);
        raw.sort((a, b) => a - b);
        const at = (xs: number[], p: number) => round(percentile(xs, p), 2);
        return [
          row({
            name: `search at ${N} documents, p50`,
            measured: at(http, 50),
            baseline: at(raw, 50),
            unit: 'ms',
            better: 'lower',
            target: 'none set (issue 12 asks for the number)',
            smoke,
            detail: { queries: QUERIES, rounds: ROUNDS },
          }),
          row({
            name: `search at ${N} documents, p99`,
            measured: at(http, 99),
            baseline: at(raw, 99),
            unit: 'ms',
            better: 'lower',
            target: 'none set',
            smoke,
          }),
          row({
            name: `new index catches up on ${N} documents`,
            measured: round(indexed / catchUpSeconds, 0),
            baseline: null,
            unit: 'docs/s',
            better: 'higher',
            target: `${N} indexed; 100k documents ≈ ${round(100_000 / (indexed / catchUpSeconds) / 60, 1)} min at this rate`,
            meets: () => indexed === N,
            smoke,
            detail: { indexed, catchUpSeconds: round(catchUpSeconds), indexMiB: round(bytes / 2 ** 20, 1) },
          }),
          row({
            name: 'search index size per 1000 documents (~1.5 KB of text each)',
            measured: round(bytes / 2 ** 20 / (N / 1000), 2),
            baseline: null,
            unit: 'MiB',
            better: 'lower',
            target: 'none set',
            smoke,
          }),
        ];
      } finally {
        await api.stop();
      }
    } finally {
      await stack.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** `n` documents as a completed job leaves them: the item (status COMPLETED, result) and its text. */
async function seed(
  config: ReturnType<typeof loadConfig>,
  resources: { bucket: string; table: string },
  n: number,
) {
  const raw = createAwsClients(config.aws);
  let state = 42;
  const rand = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const word = () => WORDS[Math.floor(WORDS.length * rand() ** 3)]!; // skewed towards the first words
  try {
    const base = Date.parse('2026-01-01T00:00:00Z');
    const docs = Array.from({ length: n }, (_, i) => {
      const id = `bench-${String(i).padStart(6, '0')}`;
      const at = new Date(base + i * 1000).toISOString();
      const text = Array.from({ length: 250 }, word).join(' ');
      return { id, at, text };
    });
    await runLoad(n, 16, async (i) => {
      const d = docs[i]!;
      await raw.s3.send(
        new PutObjectCommand({
          Bucket: resources.bucket,
          Key: `derived/${d.id}/bench/text.txt`,
          Body: d.text,
        }),
      );
    });
    await runLoad(Math.ceil(n / 25), 4, async (b) => {
      const items = docs.slice(b * 25, b * 25 + 25).map((d) => ({
        PutRequest: {
          Item: {
            pk: `DOC#${d.id}`,
            sk: 'DOC',
            gsi1pk: `OWNER#${TEST_OWNER}`,
            gsi1sk: `${d.at}#${d.id}`,
            gsi2pk: `OWNER#${TEST_OWNER}#COMPLETED`,
            gsi2sk: `${d.at}#${d.id}`,
            entity: 'document',
            id: d.id,
            ownerId: TEST_OWNER,
            filename: `${d.id}.txt`,
            contentType: 'text/plain',
            detectedType: 'text/plain',
            size: d.text.length,
            sha256: '0'.repeat(64),
            status: 'COMPLETED',
            currentJobId: `job-${d.id}`,
            jobIds: [`job-${d.id}`],
            createdAt: d.at,
            updatedAt: d.at,
            result: {
              jobId: `job-${d.id}`,
              kind: 'text',
              pageCount: null,
              wordCount: 250,
              charCount: d.text.length,
              language: null,
              textPreview: d.text.slice(0, 100),
              textTruncated: false,
              title: null,
              author: null,
              authoredAt: null,
              image: null,
              metadata: {},
              textKey: `derived/${d.id}/bench/text.txt`,
              thumbnailKey: null,
            },
          },
        },
      }));
      let pending: typeof items | undefined = items;
      while (pending && pending.length > 0) {
        const res = await raw.ddb.send(
          new BatchWriteCommand({ RequestItems: { [resources.table]: pending } }),
        );
        pending = res.UnprocessedItems?.[resources.table] as typeof items | undefined;
      }
    });
  } finally {
    raw.destroy();
  }
}
