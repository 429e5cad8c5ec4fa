/**
 * Shared execution of `jobUpdated` (server/events/subscription-fanout.ts) over real sockets: each
 * distinct operation runs once per job version, every subscriber still gets exactly its own
 * selection set, its own subscription id and the whole ordered sequence, and owners never share.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../domain/config.js';
import { JobStatus } from '../domain/model.js';
import { TEST_OWNER, tokenFor } from './support/auth.js';
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
let api: RunningApi;

beforeAll(async () => {
  const aws = await startEmulators(disposables);
  config = testConfig(aws, {
    WS_MAX_SOCKETS_PER_OWNER: '100',
    RATE_LIMIT_REQUESTS: '100000',
    // A small document finishes within one progress interval (subscribers then see only QUEUED and
    // COMPLETED): pauses between stages make the runs long enough to show their progress.
    DEBUG_STAGE_DELAY_MS: '150',
  });
  api = await startApi(config, disposables);
});
afterAll(() => disposables.disposeAll());

const SHAPE_A = `subscription A($jobId: ID!) { jobUpdated(jobId: $jobId) { id status version } }`;
const SHAPE_B = `subscription B($jobId: ID!) { jobUpdated(jobId: $jobId) { v: version progress stage documentId } }`;

type Sub = ReturnType<typeof collect<{ jobUpdated: Record<string, unknown> }>>;

function client() {
  const c = wsClient(api.wsUrl);
  disposables.add(() => c.dispose());
  return c;
}

async function newJob(): Promise<{ jobId: string; documentId: string }> {
  const res = await uploadFile(api.url, `fan-out ${Math.random()}`);
  const doc = res.data!.uploadDocument;
  return { jobId: doc.job.id, documentId: doc.id };
}

/**
 * Hands `count` changes of a queued job (the last one COMPLETED) to the api's JobEventHub, as its
 * SNS→SQS listener does, each one after the subscribers had time to get the previous one.
 */
function publish(jobId: string, documentId: string, count: number): number {
  const at = new Date().toISOString();
  void (async () => {
    for (let i = 1; i <= count; i++) {
      await new Promise((r) => setTimeout(r, 20));
      const final = i === count;
      api.server.hub.dispatch({
        id: jobId,
        documentId,
        ownerId: TEST_OWNER,
        status: final ? JobStatus.COMPLETED : JobStatus.PROCESSING,
        stage: final ? 'done' : 'detecting',
        progress: final ? 100 : i * 10,
        attempts: 1,
        version: 1 + i,
        error: null,
        createdAt: at,
        updatedAt: at,
        startedAt: at,
        finishedAt: final ? at : null,
      });
    }
  })();
  return count;
}

function expectOrderedAndFinished(versions: number[], statuses: unknown[]): void {
  expect(versions.length).toBeGreaterThanOrEqual(4);
  for (let i = 1; i < versions.length; i++) expect(versions[i]!).toBeGreaterThan(versions[i - 1]!);
  expect(statuses[0]).toBe('QUEUED');
  expect(statuses.at(-1)).toBe('COMPLETED');
}

describe('subscription fan-out (one execution per distinct operation and job version)', () => {
  it('sends N subscribers of one query identical payloads, executing it once per event', async () => {
    const { jobId, documentId } = await newJob();
    const N = 12;
    const before = api.server.fanout!.executions;
    const subs: Sub[] = Array.from({ length: N }, () => collect(client(), WATCH, { jobId }));
    await Promise.all(subs.map((s) => s.firstEvent));
    expect(api.server.fanout!.size).toBe(1);
    const events = publish(jobId, documentId, 5);
    const results = await Promise.all(subs.map((s) => s.done));
    for (const r of results) {
      expect(r.errors).toBeUndefined();
      expect(r.events).toEqual(results[0]!.events);
    }
    const jobs = results[0]!.events.map((e) => e.jobUpdated);
    expectOrderedAndFinished(
      jobs.map((j) => j['version'] as number),
      jobs.map((j) => j['status']),
    );
    expect(jobs.length).toBe(1 + events);
    // One execution per version delivered (the snapshot, then each event); per-subscriber execution
    // would be N times that.
    expect(api.server.fanout!.executions - before).toBe(jobs.length);
    expect(api.server.fanout!.size).toBe(0);
  });

  it('never shares between owners: another owner is refused at subscribe time and forms no group', async () => {
    const { jobId, documentId } = await newJob();
    const mine: Sub = collect(client(), WATCH, { jobId });
    await mine.firstEvent;
    const other = wsClient(api.wsUrl, { token: await tokenFor('someone-else') });
    disposables.add(() => other.dispose());
    const theirs = await collect(other, WATCH, { jobId }).done;
    expect((theirs.errors as any[])[0].extensions.code).toBe('NOT_FOUND');
    expect(theirs.events).toEqual([]);
    expect(api.server.fanout!.size).toBe(1);
    publish(jobId, documentId, 2);
    const { events, errors } = await mine.done;
    expect(errors).toBeUndefined();
    expect(events.at(-1)!.jobUpdated['status']).toBe('COMPLETED');
  });

  it('releases the group and the hub registration when a subscriber completes early', async () => {
    const { jobId } = await newJob();
    const c = client();
    let unsubscribe!: () => void;
    const first = new Promise<void>((resolve) => {
      unsubscribe = c.subscribe(
        { query: WATCH, variables: { jobId } },
        { next: () => resolve(), error: () => resolve(), complete: () => resolve() },
      );
    });
    await first;
    unsubscribe();
    await expect.poll(() => api.server.fanout!.size).toBe(0);
    await expect.poll(() => api.server.hub.size).toBe(0);
  });
  it('gives subscribers of one job with two different selection sets exactly their own shape, every event', async () => {
    const { jobId, documentId } = await newJob();
    const c = client();
    const a: Sub = collect(c, SHAPE_A, { jobId });
    const b: Sub = collect(client(), SHAPE_B, { jobId });
    // A second subscription of shape A on the same socket: same group, its own subscription id.
    const a2: Sub = collect(c, SHAPE_A, { jobId });
    await Promise.all([a.firstEvent, b.firstEvent, a2.firstEvent]);
    expect(api.server.fanout!.size).toBe(2);
    await startWorker(config, disposables); // the last test: the queued jobs of the others run too

    const [ra, rb, ra2] = await Promise.all([a.done, b.done, a2.done]);
    for (const r of [ra, rb, ra2]) expect(r.errors).toBeUndefined();
    const jobsA = ra.events.map((e) => e.jobUpdated);
    const jobsB = rb.events.map((e) => e.jobUpdated);
    for (const j of jobsA) expect(Object.keys(j).sort()).toEqual(['id', 'status', 'version']);
    for (const j of jobsB) expect(Object.keys(j).sort()).toEqual(['documentId', 'progress', 'stage', 'v']);
    expect(jobsA.every((j) => j['id'] === jobId)).toBe(true);
    expect(jobsB.every((j) => j['documentId'] === documentId)).toBe(true);
    expectOrderedAndFinished(
      jobsA.map((j) => j['version'] as number),
      jobsA.map((j) => j['status']),
    );
    // Both shapes saw the same sequence of versions; B's last stage is the terminal one.
    expect(jobsB.map((j) => j['v'])).toEqual(jobsA.map((j) => j['version']));
    expect(jobsB.at(-1)!['stage']).toBe('done');
    expect(ra2.events).toEqual(ra.events);
    expect(api.server.fanout!.size).toBe(0);
    expect(api.server.hub.size).toBe(0);
  });
});
