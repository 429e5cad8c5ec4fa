import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../domain/config.js';
import { WATCH, collect, uploadFile, wsClient } from './support/graphql.js';
import {
  Disposables,
  startApi,
  startEmulators,
  startWorker,
  testConfig,
  type RunningApi,
} from './support/stack.js';

const disposables = new Disposables();
let config: Config;
let apiA: RunningApi;
let apiB: RunningApi;

beforeAll(async () => {
  const aws = await startEmulators(disposables);
  // Pauses between stages: long enough a run to have progress events (a small document's job
  // otherwise finishes within one progress interval: QUEUED, then COMPLETED).
  config = testConfig(aws, { DEBUG_STAGE_DELAY_MS: '150' });
  apiA = await startApi(config, disposables);
  apiB = await startApi(config, disposables);
});
afterAll(() => disposables.disposeAll());

describe('realtime fan-out across api instances (SNS → one SQS queue per instance)', () => {
  it('delivers every change of a job uploaded through A to subscribers on A and on B', async () => {
    const res = await uploadFile(apiA.url, 'fan me out');
    const jobId = res.data!.uploadDocument.job.id;
    const clients = [wsClient(apiA.wsUrl), wsClient(apiB.wsUrl)];
    disposables.add(() => Promise.all(clients.map((c) => c.dispose())).then(() => undefined));
    const subs = clients.map((c) => collect<{ jobUpdated: any }>(c, WATCH, { jobId }));
    // Both have the QUEUED snapshot before any worker runs: everything after must travel
    // worker → SNS → each instance's own queue.
    await Promise.all(subs.map((s) => s.firstEvent));
    expect(apiB.server.hub.size).toBe(1);
    await startWorker(config, disposables);

    for (const sub of subs) {
      const { events, errors } = await sub.done;
      expect(errors).toBeUndefined();
      const jobs = events.map((e) => e.jobUpdated);
      expect(jobs[0].status).toBe('QUEUED');
      expect(jobs.at(-1).status).toBe('COMPLETED');
      expect(jobs.length).toBeGreaterThanOrEqual(4);
      const versions = jobs.map((j) => j.version);
      expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    }
    expect(apiA.server.hub.size).toBe(0);
    expect(apiB.server.hub.size).toBe(0);
  });
});
