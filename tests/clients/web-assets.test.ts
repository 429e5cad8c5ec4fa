import { mkdirSync, writeFileSync } from 'node:fs';
import { get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../domain/config.js';
import { mountWebAssets } from '../../server/web-assets.js';
import { Disposables, removeDir, tempDir } from '../support/stack.js';

const disposables = new Disposables();
let dir: string;
const SCRIPT = 'console.log("docpipe");'.repeat(100);

/** An app with the web assets in front of a stand-in for Apollo, as in server/create-server.ts. */
async function serve(env: 'development' | 'production', assetsDir: string): Promise<string> {
  const app = express();
  mountWebAssets(app, loadConfig({ NODE_ENV: env }), { dir: assetsDir });
  app.use('/graphql', (_req, res) => {
    res.json({ reachedApollo: true });
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  disposables.add(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(() => {
  // A stand-in for dist/www, as `npm run build:web` lays it out.
  dir = tempDir('docpipe-www-');
  disposables.add(() => removeDir(dir));
  for (const sub of ['web', 'playground', 'assets']) mkdirSync(join(dir, sub));
  writeFileSync(join(dir, 'web/index.html'), '<title>web</title>');
  writeFileSync(join(dir, 'playground/index.html'), '<title>playground</title>');
  writeFileSync(join(dir, 'assets/app-abc123.js'), SCRIPT);
  writeFileSync(join(dir, 'assets/app-abc123.js.br'), brotliCompressSync(SCRIPT));
  writeFileSync(join(dir, 'assets/app-abc123.js.gz'), gzipSync(SCRIPT));
  writeFileSync(join(dir, '.build-hash'), 'secret-ish');
});
afterAll(() => disposables.disposeAll());

describe('web assets served by the api', () => {
  it('serves the web page at / and the playground to browsers at GET /graphql', async () => {
    const base = await serve('development', dir);
    const page = await fetch(`${base}/`);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(await page.text()).toBe('<title>web</title>');

    const html = await fetch(`${base}/graphql`, {
      headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    expect(await html.text()).toBe('<title>playground</title>');

    // GraphQL GETs (JSON, */*) and POSTs still reach Apollo.
    for (const accept of ['application/json', '*/*', 'application/graphql-response+json']) {
      const res = await fetch(`${base}/graphql?query=%7B__typename%7D`, { headers: { accept } });
      expect(await res.json(), accept).toEqual({ reachedApollo: true });
    }
    const post = await fetch(`${base}/graphql`, { method: 'POST', headers: { accept: 'text/html' } });
    expect(await post.json()).toEqual({ reachedApollo: true });
  });

  it('sends hashed assets pre-compressed and cached for a year', async () => {
    const base = await serve('development', dir);
    const br = await fetch(`${base}/assets/app-abc123.js`, { headers: { 'accept-encoding': 'gzip, br' } });
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(br.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(br.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(br.headers.get('vary')).toBe('Accept-Encoding');
    expect(await br.text()).toBe(SCRIPT); // fetch decodes it

    const gz = await fetch(`${base}/assets/app-abc123.js`, { headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    const plain = await fetch(`${base}/assets/app-abc123.js`, { headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('content-length')).toBe(String(SCRIPT.length));

    for (const path of ['/assets/missing.js', '/assets/..%2F.build-hash', '/assets/%2e%2e/web/index.html']) {
      expect((await fetch(`${base}${path}`)).status, path).toBe(404);
    }
  });

  it('survives a client that goes away in the middle of an asset', async () => {
    const base = await serve('development', dir);
    // Large enough that the response cannot finish before the client hangs up.
    writeFileSync(join(dir, 'assets/big-def456.js'), Buffer.alloc(16 * 1024 * 1024, 0x20));
    const errors: unknown[] = [];
    const onError = (err: unknown) => errors.push(err);
    process.on('uncaughtException', onError);
    try {
      await new Promise<void>((resolve, reject) => {
        const req = get(
          `${base}/assets/big-def456.js`,
          { headers: { 'accept-encoding': 'identity' } },
          (res) => {
            expect(res.statusCode).toBe(200);
            req.destroy(); // headers sent, body cut off
            resolve();
          },
        );
        req.on('error', () => undefined);
        setTimeout(() => reject(new Error('no response headers')), 10_000);
      });
      await new Promise((r) => setTimeout(r, 300)); // the server notices the abort
      expect((await fetch(`${base}/`)).status).toBe(200);
      expect(errors).toEqual([]);
    } finally {
      process.off('uncaughtException', onError);
    }
  });

  it('disables the playground in production; the web page stays', async () => {
    const base = await serve('production', dir);
    const html = await fetch(`${base}/graphql`, { headers: { accept: 'text/html' } });
    expect(await html.json()).toEqual({ reachedApollo: true });
    expect(await (await fetch(`${base}/`)).text()).toBe('<title>web</title>');
  });

  it('explains how to build when the assets are missing', async () => {
    const base = await serve('development', join(dir, 'nothing-here'));
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('npm run build:web');
  });
});
