/**
 * Hostile suite, limits on use: an owner over the request budget gets 429 RATE_LIMITED with
 * Retry-After (over HTTP and WebSocket) and an owner over the concurrent-upload limit gets 429,
 * while other owners are not affected at all.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, tokenFor } from '../support/auth.js';
import { collect, gql, UPLOAD, uploadFile, WATCH, wsClient } from '../support/graphql.js';
import { Disposables, startApi, startStack, type RunningApi } from '../support/stack.js';

const BUDGET = 10;
const disposables = new Disposables();
let api: RunningApi;

beforeAll(async () => {
  ({ api } = await startStack(disposables, {
    worker: false,
    overrides: {
      RATE_LIMIT_REQUESTS: String(BUDGET),
      RATE_LIMIT_WINDOW_SECONDS: '60',
      MAX_CONCURRENT_UPLOADS: '1',
    },
  }));
});
afterAll(() => disposables.disposeAll());

const LIST = '{ documents(first: 1) { edges { cursor } } }';

/** Starts an upload and keeps its body open until `finish()` is called. */
async function slowUpload(token: string) {
  const boundary = 'slow-boundary';
  const url = new URL(api.url);
  const req = request({
    host: url.hostname,
    port: url.port,
    path: url.pathname,
    method: 'POST',
    headers: {
      'content-type': `multipart/form-data; boundary=${boundary}`,
      'apollo-require-preflight': '1',
      authorization: bearer(token),
    },
  });
  const response = new Promise<{ status: number; body: any }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
  });
  req.write(
    `--${boundary}\r\nContent-Disposition: form-data; name="operations"\r\n\r\n${JSON.stringify({ query: UPLOAD, variables: { file: null } })}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="map"\r\n\r\n{"0":["variables.file"]}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="slow.txt"\r\nContent-Type: text/plain\r\n\r\nfirst half `,
  );
  await new Promise((r) => setTimeout(r, 300)); // the api has taken the slot by now
  return {
    response,
    finish: () => req.end(`second half\r\n--${boundary}--\r\n`),
  };
}

describe('limits on use (hostile)', () => {
  it('an owner over the request budget gets 429 RATE_LIMITED with Retry-After; another owner does not', async () => {
    const greedy = await tokenFor('greedy');
    for (let i = 0; i < BUDGET; i++)
      expect((await gql(api.url, LIST, {}, { token: greedy })).status).toBe(200);
    const res = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: bearer(greedy) },
      body: JSON.stringify({ query: LIST }),
    });
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    const body = (await res.json()) as any;
    expect(body.errors[0].extensions).toEqual({ code: 'RATE_LIMITED', retryAfterSeconds: retryAfter });
    // Subscriptions draw on the same budget.
    const client = wsClient(api.wsUrl, { token: greedy });
    try {
      const { errors } = await collect<any>(client, WATCH, { jobId: '00000000-0000-7000-8000-000000000000' })
        .done;
      expect((errors as any[])[0].extensions.code).toBe('RATE_LIMITED');
    } finally {
      await client.dispose();
    }
    const modest = await gql(api.url, LIST, {}, { token: await tokenFor('modest') });
    expect(modest.status).toBe(200);
  });

  it('an owner over the concurrent-upload limit gets 429; other owners upload meanwhile', async () => {
    const uploader = await tokenFor('uploader');
    const first = await slowUpload(uploader);
    const second = await uploadFile(api.url, 'second', 's.txt', 'text/plain', { token: uploader });
    expect(second.status).toBe(429);
    expect(second.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    const other = await uploadFile(api.url, 'other owner', 'o.txt', 'text/plain', {
      token: await tokenFor('other-uploader'),
    });
    expect(other.errors).toBeUndefined();
    first.finish();
    const done = await first.response;
    expect(done.status).toBe(200);
    expect(done.body.data.uploadDocument.filename).toBe('slow.txt');
    // The slot is back.
    const third = await uploadFile(api.url, 'third', 't.txt', 'text/plain', { token: uploader });
    expect(third.errors).toBeUndefined();
  });

  it('with RATE_LIMIT_STORE=dynamodb, two api replicas share one budget per owner', async () => {
    const shared = await startStack(disposables, {
      worker: false,
      overrides: {
        RATE_LIMIT_REQUESTS: String(BUDGET),
        RATE_LIMIT_WINDOW_SECONDS: '3600',
        RATE_LIMIT_STORE: 'dynamodb',
      },
    });
    const replica = await startApi(shared.config, disposables);
    const token = await tokenFor('spread-out');
    // Half the budget on each replica…
    for (let i = 0; i < BUDGET; i++) {
      expect((await gql((i % 2 ? replica : shared.api).url, LIST, {}, { token })).status).toBe(200);
    }
    // …and it is spent on both.
    for (const target of [shared.api, replica]) {
      const res = await gql(target.url, LIST, {}, { token });
      expect(res.status).toBe(429);
      expect(res.errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    }
    expect((await gql(replica.url, LIST, {}, { token: await tokenFor('someone-else') })).status).toBe(200);
  });
});
