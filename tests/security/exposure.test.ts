/**
 * Hostile suite, exposure: foreign host names are refused (DNS rebinding), pages carry a CSP and
 * anti-framing headers, the development token reaches only loopback visitors of a development api,
 * and production refuses to start without a real secret.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../domain/config.js';
import { createApiServer } from '../../server/create-server.js';
import { tokenFor } from '../support/auth.js';
import { gql } from '../support/graphql.js';
import { Disposables, startApi, startStack, tempDir, removeDir, type RunningApi } from '../support/stack.js';

const disposables = new Disposables();
let api: RunningApi;
let dev: RunningApi;
let config: Config;
let devToken: string;

beforeAll(async () => {
  ({ api, config } = await startStack(disposables, { worker: false }));
  const dataDir = tempDir();
  disposables.add(() => removeDir(dataDir));
  devToken = await tokenFor('dev');
  writeFileSync(join(dataDir, 'dev-token'), `${devToken}\n`, { mode: 0o600 });
  dev = await startApi({ ...config, env: 'development', dataDir }, disposables);
});
afterAll(() => disposables.disposeAll());

/** A GET with headers fetch will not let us set (Host). */
function get(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    request({ host: u.hostname, port: u.port, path: u.pathname, headers }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('exposure (hostile)', () => {
  it('refuses requests for host names it does not serve (DNS rebinding) with 403 FORBIDDEN', async () => {
    for (const path of ['/', '/graphql']) {
      const res = await get(`${api.origin}${path}`, { host: 'evil.example', accept: 'text/html' });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body).errors[0].extensions.code).toBe('FORBIDDEN');
    }
    expect((await get(`${api.origin}/`, { host: `localhost:${new URL(api.origin).port}` })).status).toBe(200);
    // Health checks answer whatever the host (load balancers probe by address).
    expect((await get(`${api.origin}/healthz`, { host: '10.0.0.7' })).status).toBe(200);
  });

  it('sends a content-security policy, no framing and nosniff on pages and the API', async () => {
    for (const [path, accept] of [
      ['/', 'text/html'],
      ['/graphql', 'text/html'],
      ['/graphql', 'application/json'],
    ] as const) {
      const res = await fetch(`${api.origin}${path}`, { headers: { accept } });
      expect(res.headers.get('content-security-policy')).toMatch(
        /default-src 'self'.*frame-ancestors 'none'/,
      );
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('puts the development token into pages only for loopback visitors of a development api', async () => {
    const meta = `<meta name="docpipe-dev-token" content="${devToken}">`;
    for (const path of ['/', '/graphql']) {
      const local = await get(`${dev.origin}${path}`, { accept: 'text/html' });
      expect(local.body).toContain(meta);
      expect(local.headers['cache-control']).toBe('no-store');
      // Through a proxy for someone else, or under another name: no token.
      const forwarded = await get(`${dev.origin}${path}`, {
        accept: 'text/html',
        'x-forwarded-for': '203.0.113.9',
      });
      expect(forwarded.body).not.toContain('docpipe-dev-token');
    }
    // The token works; a test (or production) api never hands one out.
    expect((await gql(dev.url, '{ apiKeys { id } }', {}, { token: devToken })).status).toBe(200);
    const page = await get(`${api.origin}/`, { accept: 'text/html' });
    expect(page.body).not.toContain('docpipe-dev-token');
  });

  it('refuses to start in production without AUTH_SECRET or AUTH_JWKS_URL', async () => {
    const { secret: _secret, ...auth } = config.auth;
    const server = createApiServer({ ...config, env: 'production', auth });
    await expect(server.start()).rejects.toThrow(/AUTH_SECRET or AUTH_JWKS_URL is required/);
    await server.stop();
  });
});
