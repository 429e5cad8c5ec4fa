import { makePdf, makeScannedPdf, SCAN_PHRASE } from '../fixtures/documents.js';
import { readFileSync, rmSync } from 'node:fs';
import type { BrowserContext, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../client/sdk/node.js';
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
/** The development token the api puts into the page (owner `web-dev-owner`). */
let devToken: string;

beforeAll(async () => {
  const aws = await startEmulators(disposables);
  // As `npm start` runs it: development mode, with a development token in DATA_DIR/dev-token.
  dataDir = tempDir('docpipe-web-data-');
  disposables.add(() => removeDir(dataDir));
  devToken = await writeDevToken(dataDir, 'web-dev-owner');
  const config = testConfig(aws, { NODE_ENV: 'development', DATA_DIR: dataDir });
  api = await startApi(config, disposables);
  await startWorker(config, disposables);
  const browser = await launchChromium();
  disposables.add(() => browser.close());
  context = browser.context;
  requests = recordRequests(context);
});
afterAll(() => disposables.disposeAll());

/** A real PDF (pdf-lib): the worker detects application/pdf from its bytes and extracts its text. */
async function samplePdf(): Promise<Buffer> {
  return Buffer.from(
    await makePdf({ pages: 2, title: 'Quarterly report', pageText: (n) => `Quarterly figures, page ${n}.` }),
  );
}

describe('web page', () => {
  it('uploads a PDF, shows upload then processing progress to 100 %, and the result', async () => {
    const page = await context.newPage();
    await page.goto(api.origin + '/');
    await expect(page.title()).resolves.toBe('docpipe');
    // Signed in by the development token in the page: no sign-in step.
    await expect(page.locator('meta[name="docpipe-dev-token"]').getAttribute('content')).resolves.toBe(
      devToken,
    );
    await page.getByText('Signed in with the development token').waitFor();
    await expect(page.locator('#sign-in').isHidden()).resolves.toBe(true);

    // Every state and value the progress bar goes through, recorded in the page.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { seen: string[] }).seen = seen;
      new MutationObserver(() => {
        const li = document.querySelector<HTMLLIElement>('.upload');
        const entry = `${li?.dataset['state']}:${li?.querySelector('progress')?.value}`;
        if (li && seen.at(-1) !== entry) seen.push(entry);
      }).observe(document.getElementById('uploads')!, { subtree: true, childList: true, attributes: true });
    });

    // Picked through its label, as a keyboard or screen-reader user would find it.
    await page.getByLabel('Choose files…').setInputFiles({
      name: 'quarterly report.pdf',
      mimeType: 'application/pdf',
      buffer: await samplePdf(),
    });

    const item = page.locator('.upload', { hasText: 'quarterly report.pdf' });
    await page.waitForFunction(() => {
      const li = document.querySelector<HTMLLIElement>('.upload');
      return li?.dataset['state'] === 'completed' && li.querySelector('progress')?.value === 100;
    });
    await expect(item.locator('.upload-text').textContent()).resolves.toBe('Completed');
    // Upload bytes first, then the job's progress, ending at 100 %.
    const seen = await page.evaluate(() => (window as unknown as { seen: string[] }).seen);
    expect(seen[0]).toMatch(/^(waiting|uploading):/);
    expect(seen).toContain('uploading:100');
    expect(seen.indexOf('uploading:100')).toBeLessThan(seen.findIndex((e) => e.startsWith('processing:')));
    expect(seen.at(-1)).toBe('completed:100');

    // The list shows it, completed, with the type detected from the bytes.
    const row = page.locator('#documents tbody tr', { hasText: 'quarterly report.pdf' });
    await row.locator('.badge-completed').waitFor();
    await expect(row.locator('td[data-label="Type"]').textContent()).resolves.toBe('application/pdf');

    await item.getByRole('button', { name: 'Show result of quarterly report.pdf' }).click();
    const details = page.locator('#details');
    await details.getByText('application/pdf').first().waitFor();
    await expect(page.locator('#details-heading').textContent()).resolves.toBe(
      'Result: quarterly report.pdf',
    );
    // What processing found: page count, title and the text preview.
    await details.getByText('Quarterly figures, page 1.').first().waitFor();
    await expect(details.locator('dt', { hasText: 'Pages' }).locator('+ dd').textContent()).resolves.toBe(
      '2',
    );
    // Focus moves to the result so keyboard and screen-reader users land on it.
    await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('details-heading');
    await screenshot(page, 'web', { documented: true });
    await page.close();
  });

  it('downloads, deletes, filters and pages through documents', async () => {
    const sdk = createClient({ url: api.url, token: devToken });
    disposables.add(() => sdk.close());
    const ids: string[] = [];
    for (let i = 1; i <= 11; i++) {
      ids.push((await sdk.uploadDocument(Buffer.from(`note ${i}\n`), { filename: `note-${i}.txt` })).id);
    }
    const page = await context.newPage();
    await page.goto(api.origin + '/');
    const rows = page.locator('#documents tbody tr');
    await rows.first().waitFor();
    await expect(rows.first().getAttribute('data-id')).resolves.toBe(ids[10]);
    await expect(rows.count()).resolves.toBe(10);

    await page.getByRole('button', { name: 'Older →' }).click();
    await page.locator('#page-label', { hasText: 'Page 2' }).waitFor();
    await page.getByRole('button', { name: '← Newer' }).click();
    await page.locator('#page-label', { hasText: 'Page 1' }).waitFor();

    // The presigned URL (opened in a new tab) is an attachment of opaque type: the browser saves it.
    const downloaded = new Promise<Download>((resolve) => {
      page.once('download', resolve);
      context.once('page', (tab) => tab.once('download', resolve));
    });
    await page.getByRole('button', { name: 'Download note-11.txt' }).click();
    const download = await downloaded;
    expect(download.url()).toContain(`/originals/${ids[10]}?X-Amz-`);
    // S3 names it from the signed Content-Disposition; the embedded emulator ignores that (docs/clients.md).
    expect(['note-11.txt', ids[10]]).toContain(download.suggestedFilename());
    expect(readFileSync(await download.path())).toEqual(Buffer.from('note 11\n'));

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete note-11.txt' }).click();
    await page.waitForFunction((id) => !document.querySelector(`tr[data-id="${id}"]`), ids[10]);
    await expect(sdk.document(ids[10]!)).resolves.toBeNull();

    await page.getByLabel('Status').selectOption('FAILED');
    await page.locator('#empty:not([hidden])').waitFor();
    await page.close();
  });

  it('updates the list live: an upload and a deletion made elsewhere show without Refresh', async () => {
    const page = await context.newPage();
    await page.goto(api.origin + '/');
    await page.locator('#connection[data-state="connected"]').waitFor();
    const sdk = createClient({ url: api.url, token: devToken });
    disposables.add(() => sdk.close());
    const doc = await sdk.uploadDocument(Buffer.from('arrives by itself\n'), { filename: 'elsewhere.txt' });
    const row = page.locator(`#documents tbody tr[data-id="${doc.id}"]`);
    await row.waitFor();
    await page.locator(`#documents tbody tr[data-id="${doc.id}"][data-status="COMPLETED"]`).waitFor();
    await sdk.deleteDocument(doc.id);
    await row.waitFor({ state: 'detached' });
    await page.close();
  });

  it('finds a phrase that is only in a scan uploaded through the page (OCR), with its thumbnail', async () => {
    const page = await context.newPage();
    await page.goto(api.origin + '/');
    await page.getByLabel('Choose files…').setInputFiles({
      name: 'scanned letter.pdf',
      mimeType: 'application/pdf',
      buffer: Buffer.from(await makeScannedPdf()),
    });
    const row = page.locator('#documents tbody tr', { hasText: 'scanned letter.pdf' });
    await row.locator('.badge-completed').waitFor({ timeout: 60_000 });
    const id = await row.getAttribute('data-id');
    const hit = page.locator(`#search-results li[data-id="${id}"]`);
    // Indexed a moment after its COMPLETED event: search until it shows (bounded).
    for (let i = 0; i < 20 && (await hit.count()) === 0; i++) {
      await page.getByLabel('Search your documents').fill(`"${SCAN_PHRASE}"`);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.locator('#search-status', { hasText: SCAN_PHRASE }).waitFor();
      if ((await hit.count()) === 0) await page.waitForTimeout(500);
    }
    const marks = await hit.locator('mark').allTextContents();
    expect(marks.map((m) => m.toLowerCase())).toEqual([SCAN_PHRASE]);
    // Its result shows the first page's picture.
    await hit.getByRole('button', { name: 'scanned letter.pdf' }).click();
    const thumbnail = page.locator('#details img');
    await thumbnail.waitFor();
    await expect(
      thumbnail.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0),
    ).resolves.toBe(true);
    await screenshot(page, 'web-search-scan');
    await page.close();
  });

  it('searches the text of documents and marks the matches, never as HTML', async () => {
    const sdk = createClient({ url: api.url, token: devToken });
    disposables.add(() => sdk.close());
    const doc = await sdk.uploadDocument(
      Buffer.from('Minutes of the <b>harbour</b> committee: the lighthouse keeper retires.\n'),
      { filename: 'minutes.txt' },
    );
    for await (const _ of sdk.watchJob(doc.job!.id));
    const page = await context.newPage();
    await page.goto(api.origin + '/');
    const hit = page.locator(`#search-results li[data-id="${doc.id}"]`);
    // Indexed a moment after its COMPLETED event: search until it shows (bounded).
    for (let i = 0; i < 20 && (await hit.count()) === 0; i++) {
      await page.getByLabel('Search your documents').fill('lighthouse harbour');
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await page.locator('#search-status', { hasText: 'for “lighthouse harbour”' }).waitFor();
      if ((await hit.count()) === 0) await page.waitForTimeout(500);
    }
    await expect(hit.locator('mark').allTextContents()).resolves.toEqual(['harbour', 'lighthouse']);
    await expect(hit.locator('b').count()).resolves.toBe(0); // the document's "<b>" stays text
    await expect(hit.locator('.snippet').textContent()).resolves.toContain('<b>harbour</b>');
    await hit.getByRole('button', { name: 'minutes.txt' }).click();
    await page.locator('#details-heading', { hasText: 'Result: minutes.txt' }).waitFor();

    await page.getByLabel('Search your documents').fill('-lighthouse');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.locator('#search-status', { hasText: 'not excluded' }).waitFor();
    await expect(page.locator('#search-results li').count()).resolves.toBe(0);
    await screenshot(page, 'web-search');
    await page.close();
  });

  it('is responsive and never leaves loopback', async () => {
    const page = await context.newPage();
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(api.origin + '/');
    await page.locator('#documents tbody tr').first().waitFor();
    // Narrow screens stack each document as a card: no horizontal scrolling.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await screenshot(page, 'web-narrow');
    await page.close();
    expect(external(requests)).toEqual([]);
  });

  it('without a development token shows the sign-in form; a pasted token or API key signs in; a refused one signs out', async () => {
    rmSync(`${dataDir}/dev-token`);
    try {
      const page = await context.newPage();
      await page.goto(api.origin + '/');
      await expect(page.locator('meta[name="docpipe-dev-token"]').count()).resolves.toBe(0);
      const form = page.locator('#sign-in');
      await form.waitFor();
      // The form, not an empty or broken list.
      await expect(page.locator('#app').isHidden()).resolves.toBe(true);
      await expect(page.locator('#list-error').isVisible()).resolves.toBe(false);
      await expect(page.evaluate(() => document.activeElement?.id)).resolves.toBe('token-input');
      await screenshot(page, 'web-sign-in');

      // A token the api refuses: back to the form, saying so.
      await signIn(page, 'not-a-token');
      await page.getByText(/That token was refused/).waitFor();
      await expect(form.isVisible()).resolves.toBe(true);
      await expect(page.evaluate(() => sessionStorage.getItem('docpipe.token'))).resolves.toBeNull();

      // An API key: the page works as its owner (upload through the page, then listed).
      const ownerSdk = createClient({ url: api.url, token: await tokenFor('web-key-owner') });
      disposables.add(() => ownerSdk.close());
      const { key, apiKey } = await ownerSdk.createApiKey('browser');
      await signIn(page, key);
      await page.locator('#empty:not([hidden])').waitFor(); // a new owner: nothing yet
      await page.getByLabel('Choose files…').setInputFiles({
        name: 'signed-in.txt',
        mimeType: 'text/plain',
        buffer: Buffer.from('uploaded after signing in\n'),
      });
      await page.waitForFunction(
        () => document.querySelector<HTMLLIElement>('.upload')?.dataset['state'] === 'completed',
      );
      const row = page.locator('#documents tbody tr', { hasText: 'signed-in.txt' });
      await row.locator('.badge-completed').waitFor();
      const id = await row.getAttribute('data-id');
      await expect(ownerSdk.document(id!)).resolves.toMatchObject({
        filename: 'signed-in.txt',
        status: 'COMPLETED',
      });

      // Kept for this tab across a reload.
      await expect(page.evaluate(() => sessionStorage.getItem('docpipe.token'))).resolves.toBe(key);
      await page.reload();
      await row.waitFor();

      // Revoked meanwhile: the next request answers 401 and the form comes back.
      await ownerSdk.revokeApiKey(apiKey.id);
      await page.getByRole('button', { name: 'Refresh' }).click();
      await page.getByText(/That token was refused/).waitFor();
      await expect(page.locator('#documents tbody tr').count()).resolves.toBe(0);
      await expect(page.evaluate(() => sessionStorage.getItem('docpipe.token'))).resolves.toBeNull();

      // A token (JWT) works too; Sign out forgets it.
      await signIn(page, await tokenFor('web-key-owner'));
      await row.waitFor();
      await page.getByRole('button', { name: 'Sign out' }).click();
      await form.waitFor();
      await expect(page.locator('#app').isHidden()).resolves.toBe(true);
      await expect(page.evaluate(() => sessionStorage.getItem('docpipe.token'))).resolves.toBeNull();
      await page.close();
    } finally {
      await writeDevToken(dataDir, 'web-dev-owner', devToken);
    }
  });
});

async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Token or API key').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}
