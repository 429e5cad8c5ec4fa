/**
 * The SDK's fallback to Server-Sent Events behind a proxy that refuses WebSockets: real nginx,
 * rendered from the real template with one change — `/graphql` answers every upgrade with 403, as
 * proxies without WebSocket support do — in front of a real api and worker.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createClient, isDocpipeError, type DocpipeClient, type Job } from '../../client/sdk/node.js';
import { ensureCertificates, startNginx, type RunningNginx } from '../../dev/nginx.js';
import { readTemplate } from '../../dev/nginx-config.js';
import type { Config } from '../../domain/config.js';
import type { Worker } from '../../worker/create-worker.js';
import { TEST_TOKEN } from '../support/auth.js';
import { accessLog, requireNginx, trustingFetch } from '../support/edge.js';
import { uploadFile } from '../support/graphql.js';
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

const disposables = new Disposables();
let config: Config;
let api: RunningApi;
let edge: RunningNginx;
let ca: Buffer;
let worker: Worker | undefined;

const GRAPHQL_LOCATION = 'location = /graphql {\n';

beforeAll(async () => {
  const nginxBin = requireNginx();
  const dir = tempDir('docpipe-sse-fallback-');
  disposables.add(() => removeDir(dir));
  config = testConfig(await startEmulators(disposables));
  api = await startApi(config, disposables);
  const tls = await ensureCertificates(join(dir, 'tls'));
  ca = readFileSync(tls.ca);
  const template = readTemplate();
  expect(template).toContain(GRAPHQL_LOCATION);
  edge = await startNginx({
    bin: nginxBin,
    prefixDir: join(dir, 'nginx'),
    tls,
    upstreams: [new URL(api.url).host],
    host: '127.0.0.1',
    httpsPort: 0,
    httpPort: 0,
    maxUploadBytes: config.limits.maxUploadBytes,
    wsKeepAliveMs: config.wsKeepAliveMs,
    template: template.replace(
      GRAPHQL_LOCATION,
      `${GRAPHQL_LOCATION}            if ($http_upgrade) { return 403; }\n`,
    ),
  });
  disposables.add(() => edge.stop());
});
afterAll(async () => {
  await worker?.stop();
  await disposables.disposeAll();
});

/** An SDK client for the edge that trusts the test CA on HTTPS and on WSS. */
function sdk(opts: { transport?: 'auto' | 'websocket' | 'sse' } = {}): DocpipeClient {
  class TrustingWebSocket extends WebSocket {
    constructor(address: string | URL, protocols?: string | string[]) {
      super(address, protocols, { ca });
    }
  }
  const client = createClient({
    url: `${edge.httpsOrigin}/graphql`,
    token: TEST_TOKEN,
    fetch: trustingFetch(ca),
    webSocketImpl: TrustingWebSocket,
    retry: { attempts: 2, minDelayMs: 50, maxDelayMs: 100 },
    ...opts,
  });
  disposables.add(() => client.close());
  return client;
}

async function queuedJob(): Promise<string> {
  const res = await uploadFile(api.url, `fallback ${Math.random()}`);
  return res.data!.uploadDocument.job.id as string;
}

const requestsTo = (uri: string, status: number) =>
  accessLog(edge.accessLog).filter((l) => l['uri'] === uri && l['status'] === status).length;

describe('SDK subscriptions behind a proxy that refuses WebSockets', () => {
  it('watchJob falls back to Server-Sent Events and delivers every change live', async () => {
    const jobId = await queuedJob(); // no worker yet: the job waits, QUEUED
    const refusedBefore = requestsTo('/graphql', 403);
    const watch = sdk().watchJob(jobId);
    const first = await watch.next();
    expect(first.value).toMatchObject({ id: jobId, status: 'QUEUED' });

    worker = await startWorker(config, new Disposables());
    const jobs: Job[] = [first.value as Job];
    for await (const job of watch) jobs.push(job);
    expect(jobs.at(-1)).toMatchObject({ status: 'COMPLETED', progress: 100 });
    const versions = jobs.map((j) => j.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    // The WebSocket was tried once and refused by nginx, then the stream carried the job.
    expect(requestsTo('/graphql', 403)).toBe(refusedBefore + 1);
    // nginx logs the stream when it has closed, which may be just after the last event.
    await expect.poll(() => requestsTo('/graphql/stream', 200)).toBeGreaterThanOrEqual(1);
  });

  it("transport: 'sse' never tries the WebSocket", async () => {
    const refusedBefore = requestsTo('/graphql', 403);
    const jobs: Job[] = [];
    for await (const job of sdk({ transport: 'sse' }).watchJob(await queuedJob())) jobs.push(job);
    expect(jobs.at(-1)!.status).toBe('COMPLETED');
    expect(requestsTo('/graphql', 403)).toBe(refusedBefore);
  });

  it("transport: 'websocket' does not fall back: the watch ends with NETWORK_ERROR", async () => {
    const watch = sdk({ transport: 'websocket' }).watchJob(await queuedJob());
    const error = await watch.next().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isDocpipeError(error, 'NETWORK_ERROR')).toBe(true);
  });
});
