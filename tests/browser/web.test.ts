import { makePdf } from '../fixtures/documents.js';
import type { BrowserContext } from 'playwright-core';
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
    const sdk = createClient({ url: api.url });
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

    // The presigned URL opens in a new tab (S3 makes it a download; the emulator shows the text).
    const [tab] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('button', { name: 'Download note-11.txt' }).click(),
    ]);
    await tab.waitForLoadState();
    expect(tab.url()).toContain(`/originals/${ids[10]}?X-Amz-`);
    await expect(tab.locator('body').textContent()).resolves.toBe('note 11\n');
    await tab.close();

    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete note-11.txt' }).click();
    await page.waitForFunction((id) => !document.querySelector(`tr[data-id="${id}"]`), ids[10]);
    await expect(sdk.document(ids[10]!)).resolves.toBeNull();

    await page.getByLabel('Status').selectOption('FAILED');
    await page.locator('#empty:not([hidden])').waitFor();
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
});
