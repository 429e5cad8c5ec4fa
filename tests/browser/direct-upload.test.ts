/**
 * The web page uploads a large file directly to storage through the edge (same origin: nginx's
 * /storage), is reloaded half-way, and goes on from the parts stored when the same file is chosen
 * again (state in localStorage by name, size and date).
 */
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ensureCertificates, startNginx, type RunningNginx } from '../../dev/nginx.js';
import { storageOptions } from '../../dev/nginx-config.js';
import { requireNginx } from '../support/edge.js';
import {
  Disposables,
  removeDir,
  startApi,
  startEmbeddedEmulators,
  tempDir,
  testConfig,
} from '../support/stack.js';
import { launchChromium, writeDevToken } from './chromium.js';

const MiB = 1024 * 1024;
/** DOCPIPE_TEST_WEB_MIB (default 80, ten 8 MiB parts; the judged case is 1024). */
const SIZE = Number(process.env['DOCPIPE_TEST_WEB_MIB'] ?? 80) * MiB;
const PARTS = Math.ceil(SIZE / (8 * MiB));
const disposables = new Disposables();
let edge: RunningNginx;
let context: BrowserContext;
let file: string;

beforeAll(async () => {
  const dir = tempDir('docpipe-web-direct-');
  disposables.add(() => removeDir(dir));
  const emulators = await startEmbeddedEmulators(disposables, join(dir, 'data'));
  await writeDevToken(dir, 'web-direct-owner');
  const config = testConfig(emulators, {
    NODE_ENV: 'development',
    DATA_DIR: dir,
    MAX_UPLOAD_BYTES: String(SIZE),
  });
  const api = await startApi(config, disposables);
  edge = await startNginx({
    bin: requireNginx(),
    prefixDir: join(dir, 'nginx'),
    tls: await ensureCertificates(join(dir, 'tls')),
    upstreams: [new URL(api.url).host],
    host: '127.0.0.1',
    httpsPort: 0,
    httpPort: 0,
    maxUploadBytes: config.limits.maxUploadBytes,
    wsKeepAliveMs: config.wsKeepAliveMs,
    ...storageOptions(config),
  });
  disposables.add(() => edge.stop());
  const browser = await launchChromium({ trustCertificates: true });
  disposables.add(() => browser.close());
  context = browser.context;
  file = join(dir, 'large.bin');
  writeFileSync(file, randomBytes(SIZE));
}, 60_000);
afterAll(() => disposables.disposeAll());

it(
  'resumes a large upload after a reload when the same file is chosen again',
  async () => {
    const page = await context.newPage();
    const parts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'PUT') parts.push(r.url());
    });
    await page.goto(`${edge.httpsOrigin}/`);
    await page.getByText('Signed in with the development token').waitFor();
    await page.getByLabel('Choose files…').setInputFiles(file);
    // Reload once about a third is stored.
    await page.waitForFunction(
      () => (document.querySelector('.upload progress') as HTMLProgressElement)?.value >= 30,
    );
    await page.reload();
    await page.getByText('Signed in with the development token').waitFor();
    const before = parts.length;
    expect(parts.every((u) => u.startsWith(`${edge.httpsOrigin}/storage/`))).toBe(true);

    await page.getByLabel('Choose files…').setInputFiles(file);
    await page.locator('.upload-text', { hasText: /^Resumed, uploading/ }).waitFor();
    await page.waitForFunction(
      () => document.querySelector<HTMLLIElement>('.upload')?.dataset['state'] !== 'uploading',
      null,
      { timeout: 60_000 + (SIZE / MiB / 4) * 1000 },
    );
    const state = await page.locator('.upload').getAttribute('data-state');
    expect(state, (await page.locator('.upload-text').textContent()) ?? '').not.toBe('failed');
    // 8 MiB parts: the second pick sent only those not stored yet.
    expect(parts.length - before).toBeLessThan(PARTS);
    expect(
      await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('docpipe.upload.'))),
    ).toEqual([]);
  },
  120_000 + (SIZE / MiB / 4) * 1000,
);
