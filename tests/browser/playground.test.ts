import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../client/sdk/node.js';
import {
  Disposables,
  startApi,
  startEmulators,
  startWorker,
  testConfig,
  type RunningApi,
} from '../support/stack.js';
import { external, launchChromium, recordRequests, screenshot } from './chromium.js';

const disposables = new Disposables();
let api: RunningApi;
let context: BrowserContext;
let requests: string[];

beforeAll(async () => {
  const aws = await startEmulators(disposables);
  const config = testConfig(aws);
  api = await startApi(config, disposables);
  await startWorker(config, disposables);
  const browser = await launchChromium();
  disposables.add(() => browser.close());
  context = browser.context;
  requests = recordRequests(context);
});
afterAll(() => disposables.disposeAll());

/** Runs the active tab and waits until the response editor shows `expected`. */
async function run(page: Page, expected: string): Promise<string> {
  // Wait for Monaco to show the operation; clicking earlier would run an empty document.
  await page.waitForFunction(() =>
    /query|mutation|subscription/.test(document.querySelector('.graphiql-query-editor')?.textContent ?? ''),
  );
  await page.getByRole('button', { name: /Execute query/ }).click();
  await page
    .waitForFunction(
      (text) => document.querySelector('.graphiql-response')?.textContent?.includes(text) ?? false,
      expected,
      { timeout: 10_000 },
    )
    .catch(async (err: unknown) => {
      await screenshot(page, 'playground-failure');
      throw err;
    });
  // Monaco renders spaces as U+00A0.
  return ((await page.locator('.graphiql-response').textContent()) ?? '').replace(/\u00a0/g, ' ');
}

describe('GraphiQL playground (bundled, offline)', () => {
  it('is served at GET /graphql to browsers and runs the prefilled query', async () => {
    const sdk = createClient({ url: api.url });
    disposables.add(() => sdk.close());
    await sdk.uploadDocument(Buffer.from('for the playground\n'), { filename: 'playground.txt' });

    const page = await context.newPage();
    await page.goto(`${api.url}`);
    await expect(page.title()).resolves.toBe('docpipe · GraphQL playground');
    const response = await run(page, 'playground.txt');
    expect(response).toContain('"documents"');
    await page.close();
  });

  it('runs a subscription over graphql-ws from a shared link', async () => {
    const sdk = createClient({ url: api.url });
    disposables.add(() => sdk.close());
    const doc = await sdk.uploadDocument(Buffer.from('watch me\n'), { filename: 'watched.txt' });
    for await (const _ of sdk.watchJob(doc.job!.id)); // let it finish: the subscription then yields the final state

    const query = [
      'subscription WatchJob($jobId: ID!) {',
      '  jobUpdated(jobId: $jobId) {',
      '    status',
      '    stage',
      '    progress',
      '    version',
      '  }',
      '}',
    ].join('\n');
    const variables = JSON.stringify({ jobId: doc.job!.id });
    const page = await context.newPage();
    await page.goto(`${api.url}?${new URLSearchParams({ query, variables })}`);
    const response = await run(page, 'COMPLETED');
    expect(response).toContain('"progress": 100');
    await screenshot(page, 'playground', { documented: true });
    await page.close();
  });

  it('uploads a file chosen in the Upload panel', async () => {
    const query = 'mutation Upload($file: Upload!) { uploadDocument(file: $file) { filename size status } }';
    const page = await context.newPage();
    await page.goto(`${api.url}?${new URLSearchParams({ query, variables: '{"file": null}' })}`);
    await page.getByRole('button', { name: 'Show Upload' }).click();
    await page.getByLabel('File').setInputFiles({
      name: 'from-playground.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('a,b\n1,2\n'),
    });
    await page.getByText('Selected: from-playground.csv (8 bytes)').waitFor();
    const response = await run(page, 'from-playground.csv');
    expect(response).toContain('"size": 8');
    await page.close();
    expect(external(requests)).toEqual([]);
  });
});
