/**
 * The SDK's subscriptions give the same DocpipeError codes over the WebSocket and over Server-Sent
 * Events (`transport: 'sse'`), and neither retries a refusal: real api, no worker (jobs stay QUEUED).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type ClientOptions, type DocpipeClient } from '../../client/sdk/node.js';
import { TEST_TOKEN, tokenFor } from '../support/auth.js';
import { uploadFile } from '../support/graphql.js';
import { Disposables, startStack, type RunningApi } from '../support/stack.js';

const disposables = new Disposables();
let api: RunningApi;

beforeAll(async () => {
  ({ api } = await startStack(disposables, {
    worker: false,
    overrides: { WS_MAX_SOCKETS_PER_OWNER: '1' },
  }));
});
afterAll(() => disposables.disposeAll());

async function queuedJob(token = TEST_TOKEN): Promise<string> {
  const res = await uploadFile(api.url, `parity ${Math.random()}`, 'p.txt', 'text/plain', { token });
  return res.data!.uploadDocument.job.id as string;
}

describe.each(['websocket', 'sse'] as const)('subscription errors over %s', (transport) => {
  /** A client whose connection attempts are counted (fetch for SSE, connecting events for both). */
  function sdk(opts: Partial<ClientOptions> = {}) {
    let attempts = 0;
    const client: DocpipeClient = createClient({
      url: api.url,
      token: TEST_TOKEN,
      transport,
      // Retries, if any, would come within 10-20 ms: the waits below would see several.
      retry: { attempts: 50, minDelayMs: 10, maxDelayMs: 20 },
      onConnectionChange: (state) => {
        if (state === 'connecting' || state === 'reconnecting') attempts++;
      },
      ...opts,
    });
    disposables.add(() => client.close());
    return { client, attempts: () => attempts };
  }

  // WS_MAX_SOCKETS_PER_OWNER is 1: each test acts as its own owner.
  it('a refused token is UNAUTHENTICATED, without reconnecting', async () => {
    const jobId = await queuedJob();
    const { client, attempts } = sdk({ token: 'not-a-token' });
    await expect(client.watchJob(jobId).next()).rejects.toMatchObject({
      name: 'DocpipeError',
      code: 'UNAUTHENTICATED',
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(attempts()).toBe(1);
  });

  it('another owner’s job is NOT_FOUND; a bad cursor BAD_USER_INPUT', async () => {
    const jobId = await queuedJob();
    const { client } = sdk({ token: await tokenFor(`stranger-${transport}`) });
    await expect(client.watchJob(jobId).next()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const other = sdk({ token: await tokenFor(`cursor-${transport}`) }).client;
    await expect(other.watchDocuments({ after: 'not-a-cursor' }).next()).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
  });

  it('a connection over the per-owner limit is RATE_LIMITED, without reconnecting', async () => {
    const token = await tokenFor(`limited-${transport}`);
    const jobId = await queuedJob(token);
    const holding = sdk({ token }).client.watchJob(jobId);
    await expect(holding.next()).resolves.toMatchObject({ value: { status: 'QUEUED' } });
    const { client, attempts } = sdk({ token });
    await expect(client.watchJob(jobId).next()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(attempts()).toBe(1);
    await holding.return!();
  });

  it('a watch stopped by its signal is ABORTED', async () => {
    const token = await tokenFor(`abort-${transport}`);
    const jobId = await queuedJob(token);
    const { client } = sdk({ token });
    const ctrl = new AbortController();
    const watch = client.watchJob(jobId, { signal: ctrl.signal });
    await expect(watch.next()).resolves.toMatchObject({ value: { id: jobId, status: 'QUEUED' } });
    ctrl.abort();
    await expect(watch.next()).rejects.toMatchObject({ code: 'ABORTED' });
  });
});
