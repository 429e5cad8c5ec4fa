import { rmSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../client/sdk/node.js';
import { makeScannedPdf, SCAN_PHRASE } from '../fixtures/documents.js';
import { tokenFor } from '../support/auth.js';
import {
  Disposables,
  removeDir,
  startApi,
  startEmulators,
  startWorker,
  tempDir,
  testConfig,
  type RunningApi,
} from '../support/stack.js';
import { external, launchChromium, recordRequests, screenshot, writeDevToken } from './chromium.js';

const disposables = new Disposables();
let api: RunningApi;
let context: BrowserContext;
let requests: string[];
let dataDir: string;
/** The development token the api puts into the playground page (owner `playground-owner`). */
let devToken: string;

beforeAll(async () => {
  const aws = await startEmulators(disposables);
  // As `npm start` runs it: development mode, with a development token in DATA_DIR/dev-token.
  dataDir = tempDir('docpipe-playground-data-');
  disposables.add(() => removeDir(dataDir));
  devToken = await writeDevToken(dataDir, 'playground-owner');
  const config = testConfig(aws, { NODE_ENV: 'development', DATA_DIR: dataDir });
  api = await startApi(config, disposables);
  await startWorker(config, disposables);
  const browser = await launchChromium();
  disposables.add(() => browser.close());
  context = browser.context;
  requests = recordRequests(context);
});
afterAll(() => disposables.disposeAll());

/** GraphiQL's headers editor (shown; the variables editor next to it is hidden). */
const HEADERS_EDITOR = 'section.graphiql-editor-tool[aria-label="Headers"] > .graphiql-editor:not(.hidden)';

/** The text of the headers editor (Monaco renders spaces as U+00A0). */
async function headersText(page: Page): Promise<string> {
  const text = await page.locator(HEADERS_EDITOR).textContent();
  return (text ?? '').replace(/\u00a0/g, ' ');
}

/** Replaces the headers editor's content (typed as one insertion, so Monaco adds no closing quotes). */
async function setHeaders(page: Page, json: string): Promise<void> {
  await page.locator(`${HEADERS_EDITOR} .view-lines`).click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(json);
}

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
    const sdk = createClient({ url: api.url, token: devToken });
    disposables.add(() => sdk.close());
    await sdk.uploadDocument(Buffer.from('for the playground\n'), { filename: 'playground.txt' });

    const page = await context.newPage();
    await page.goto(`${api.url}`);
    await expect(page.title()).resolves.toBe('docpipe · GraphQL playground');
    const response = await run(page, 'playground.txt');
    expect(response).toContain('"documents"');
    await page.close();
  });

  it('has a search example tab that finds the document uploaded above', async () => {
    const page = await context.newPage();
    await page.goto(`${api.url}`);
    await page.locator('.graphiql-tab', { hasText: 'SearchDocuments' }).click();
    // The tab is active once its operation is in the editor (a click during start-up can be lost).
    await page
      .waitForFunction(
        () =>
          document.querySelector('.graphiql-query-editor')?.textContent?.includes('searchDocuments') ?? false,
        undefined,
        { timeout: 10_000 },
      )
      .catch(async () => {
        await page.locator('.graphiql-tab', { hasText: 'SearchDocuments' }).click();
        await page.waitForFunction(
          () =>
            document.querySelector('.graphiql-query-editor')?.textContent?.includes('searchDocuments') ??
            false,
        );
      });
    // Indexed a moment after its COMPLETED event: run until it is found (bounded).
    let response = '';
    for (let i = 0; i < 20 && !response.includes('playground.txt'); i++) {
      response = await run(page, '"searchDocuments"');
      if (!response.includes('playground.txt')) await new Promise((r) => setTimeout(r, 500));
    }
    expect(response).toContain('playground.txt');
    expect(response).toContain('"highlights"');
    await page.close();
  });

  it('finds a phrase that is only in a scan uploaded from the playground (OCR)', async () => {
    const upload =
      'mutation Upload($file: Upload!) { createDocument(input: { file: $file }) { document { filename status } } }';
    const page = await context.newPage();
    await page.goto(`${api.url}?${new URLSearchParams({ query: upload, variables: '{"file": null}' })}`);
    await page.getByRole('button', { name: 'Show Upload' }).click();
    await page.getByLabel('File').setInputFiles({
      name: 'playground-scan.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from(await makeScannedPdf()),
    });
    await run(page, 'playground-scan.pdf');
    // GraphiQL remembers an open panel (localStorage): close it again for the tests after this one.
    await page.getByRole('button', { name: 'Hide Upload' }).click();

    // The search example, shared as a link, asking for the phrase only the scan's picture holds.
    const search = [
      'query Find($query: String!) {',
      '  searchDocuments(query: $query) { edges { node { document { filename status } snippets { text } } } }',
      '}',
    ].join('\n');
    const variables = JSON.stringify({ query: `"${SCAN_PHRASE}"` });
    // OCR, then indexing a moment after COMPLETED: run until found (bounded).
    let response = '';
    for (let i = 0; i < 30 && !response.includes('playground-scan.pdf'); i++) {
      await page.goto(`${api.url}?${new URLSearchParams({ query: search, variables })}`);
      response = await run(page, '"searchDocuments"');
      if (!response.includes('playground-scan.pdf')) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(response).toContain('playground-scan.pdf');
    // The response editor wraps long lines: compare with whitespace collapsed.
    expect(response.replace(/\s+/g, ' ').toLowerCase()).toContain(SCAN_PHRASE);
    await page.close();
  });

  it('runs a subscription over graphql-ws from a shared link', async () => {
    const sdk = createClient({ url: api.url, token: devToken });
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

  it('without a token: the headers editor offers the Authorization template, and its token is used on HTTP and WebSocket', async () => {
    const owner = createClient({ url: api.url, token: await tokenFor('headers-owner') });
    disposables.add(() => owner.close());
    const doc = await owner.uploadDocument(Buffer.from('via the headers editor\n'), {
      filename: 'headers.txt',
    });
    for await (const _ of owner.watchJob(doc.job!.id));
    const { key } = await owner.createApiKey('playground');

    rmSync(`${dataDir}/dev-token`);
    try {
      const query = 'query Mine { documents(first: 5) { edges { node { filename } } } }';
      const page = await context.newPage();
      await page.goto(`${api.url}?${new URLSearchParams({ query })}`);
      await expect(page.locator('meta[name="docpipe-dev-token"]').count()).resolves.toBe(0);
      await page.waitForFunction(() =>
        document
          .querySelector('section.graphiql-editor-tool[aria-label="Headers"]')
          ?.textContent?.includes('paste'),
      );
      expect(await headersText(page)).toContain('"Authorization": "Bearer <paste a token>"');
      // The unfilled template is not sent: the api says what is missing.
      expect(await run(page, 'UNAUTHENTICATED')).toContain('Missing credentials');

      await setHeaders(page, `{"Authorization": "Bearer ${key}"}`);
      expect(await headersText(page)).toContain(key);
      expect(await run(page, 'headers.txt')).toContain('"documents"');
      await screenshot(page, 'playground-headers');

      // A subscription: the socket's connectionParams carry the same Authorization.
      const watch = [
        'subscription Watch($jobId: ID!) {',
        '  jobUpdated(jobId: $jobId) {',
        '    status',
        '    progress',
        '  }',
        '}',
      ].join('\n');
      const sub = await context.newPage();
      await sub.goto(
        `${api.url}?${new URLSearchParams({ query: watch, variables: JSON.stringify({ jobId: doc.job!.id }) })}`,
      );
      await sub.waitForFunction(() =>
        document
          .querySelector('section.graphiql-editor-tool[aria-label="Headers"]')
          ?.textContent?.includes('paste'),
      );
      // Without a token the socket is refused (4403), said in words, not retried forever.
      expect(await run(sub, '4403')).toContain('no valid token');
      await setHeaders(sub, `{"authorization": "Bearer ${key}"}`);
      expect(await run(sub, 'COMPLETED')).toContain('"progress": 100');
      await sub.close();
      await page.close();
    } finally {
      await writeDevToken(dataDir, 'playground-owner', devToken);
    }
  });

  it('uses the token pasted into the web page (same tab, same sessionStorage entry)', async () => {
    const owner = createClient({ url: api.url, token: await tokenFor('pasted-owner') });
    disposables.add(() => owner.close());
    await owner.uploadDocument(Buffer.from('pasted\n'), { filename: 'pasted-owner.txt' });
    rmSync(`${dataDir}/dev-token`);
    try {
      const page = await context.newPage();
      await page.goto(api.origin + '/');
      await page.getByLabel('Token or API key').fill(await tokenFor('pasted-owner'));
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('#documents tbody tr', { hasText: 'pasted-owner.txt' }).waitFor();
      // Same tab, so the same sessionStorage.
      await page.goto(
        `${api.url}?${new URLSearchParams({ query: 'query Mine { documents { edges { node { filename } } } }' })}`,
      );
      await expect(page.title()).resolves.toBe('docpipe · GraphQL playground');
      // No template: the page's token is used.
      const response = await run(page, 'pasted-owner.txt');
      expect(response).toContain('"documents"');
      await page.locator('.graphiql-editor-tools button[data-name="headers"]').click();
      expect(await headersText(page)).not.toContain('paste a token');
      await page.close();
    } finally {
      await writeDevToken(dataDir, 'playground-owner', devToken);
    }
    expect(external(requests)).toEqual([]);
  });
});
