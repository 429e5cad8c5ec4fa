/**
 * Debian's chromium driven by playwright-core (the Playwright browser download cannot run here).
 * Missing chromium is an error, not a skip: CI installs it (.ci/run) and these tests must run.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { tokenFor } from '../support/auth.js';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const root = fileURLToPath(new URL('../../', import.meta.url));
export const ARTIFACTS = join(root, 'test-artifacts', 'browser');
const DOC_SCREENSHOTS = join(root, 'docs', 'screenshots');

/** `trustCertificates`: accept the edge's locally made certificate (tests that go through nginx). */
export async function launchChromium(
  opts: { trustCertificates?: boolean } = {},
): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `${CHROMIUM} not found: install it with \`apt-get install --no-install-recommends chromium\``,
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'docpipe-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
    ...(opts.trustCertificates && { ignoreHTTPSErrors: true }),
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Records every URL the browser asks for, so a test can assert that nothing leaves loopback
 * (no CDN, no fonts, no telemetry).
 */
export function recordRequests(context: BrowserContext): string[] {
  const urls: string[] = [];
  context.on('request', (request) => urls.push(request.url()));
  context.on('page', (page) => page.on('websocket', (ws) => urls.push(ws.url())));
  return urls;
}

export function external(urls: string[]): string[] {
  return urls.filter((u) => !/^(https?|wss?):\/\/127\.0\.0\.1(:\d+)?\//.test(u) && !/^(data|blob):/.test(u));
}

/**
 * Saves a screenshot under test-artifacts/browser/ (git-ignored). With DOCPIPE_UPDATE_SCREENSHOTS=1,
 * a `documented` one also refreshes its committed copy in docs/screenshots/.
 */
export async function screenshot(page: Page, name: string, { documented = false } = {}): Promise<string> {
  const path = join(ARTIFACTS, `${name}.png`);
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  if (documented && process.env['DOCPIPE_UPDATE_SCREENSHOTS'] === '1') {
    mkdirSync(DOC_SCREENSHOTS, { recursive: true });
    await page.screenshot({ path: join(DOC_SCREENSHOTS, `${name}.png`), fullPage: true });
  }
  return path;
}

/**
 * Writes `DATA_DIR/dev-token` as `npm start` does (a token for `owner`, or `token` as given). An api
 * with NODE_ENV=development and this DATA_DIR then puts it into the pages it serves on loopback.
 */
export async function writeDevToken(dataDir: string, owner: string, token?: string): Promise<string> {
  const value = token ?? (await tokenFor(owner));
  writeFileSync(join(dataDir, 'dev-token'), `${value}\n`, { mode: 0o600 });
  return value;
}
