import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAwsClients, type AwsClients } from '../../aws/clients.js';
import { DocumentStore } from '../../aws/document-store.js';
import { loadConfig, type Config } from '../../domain/config.js';
import type { JobRecord } from '../../domain/model.js';
import { WATCH, collect, uploadFile, wsClient } from '../support/graphql.js';
import { eventually, expectConsistent, queueDepth } from '../support/inspect.js';
import { spawnService, type ChildService } from '../support/processes.js';
import {
  Disposables,
  startApi,
  startEmulators,
  startWorker,
  testEnv,
  type RunningApi,
} from '../support/stack.js';

/** Worker processes are real children here: they are killed with SIGKILL and SIGTERM. */
const disposables = new Disposables();
let env: Record<string, string>;
let config: Config;
let api: RunningApi;
let aws: AwsClients;
let store: DocumentStore;

beforeAll(async () => {
  const emulators = await startEmulators(disposables);
  env = testEnv(emulators, {
    JOB_VISIBILITY_TIMEOUT: '2',
    RETRY_BASE_SECONDS: '0',
    DOCPIPE_MAX_RECEIVE_COUNT: '20',
    DEBUG_STAGE_DELAY_MS: '250',
    SQS_WAIT_SECONDS: '1',
  });
  config = loadConfig(env);
  api = await startApi(config, disposables);
  aws = createAwsClients(config.aws);
  disposables.add(() => aws.destroy());
  store = new DocumentStore(aws, config.resources.table);
});
afterAll(() => disposables.disposeAll());

function spawnWorker(extra: Record<string, string> = {}): ChildService {
  return spawnService('worker/main.ts', { ...env, ...extra }, disposables);
}

async function processingJob(jobId: string): Promise<JobRecord> {
  return eventually(
    async () => {
      const job = await store.getJob(jobId);
      return job?.status === 'PROCESSING' && job.workerId ? job : undefined;
    },
    30_000,
    20,
  );
}

const pidOf = (job: JobRecord) => Number(job.workerId!.split(':')[1]);

describe('crash recovery with real worker processes', () => {
  it('kill -9 of the worker holding a job, 20 times: every document completes exactly once', async () => {
    const workers = new Map<number, ChildService>();
    const add = (w: ChildService) => workers.set(w.pid, w);
    const pair = [spawnWorker(), spawnWorker()];
    pair.forEach(add);
    await Promise.all(pair.map((w) => w.ready));

    const client = wsClient(api.wsUrl);
    disposables.add(() => client.dispose());
    const uploads: { id: string; jobId: string; sub: ReturnType<typeof collect<{ jobUpdated: any }>> }[] = [];
    let kills = 0;
    for (let i = 0; i < 20; i++) {
      const up = await uploadFile(api.url, `crash test ${i}`, `crash-${i}.txt`);
      const doc = up.data!.uploadDocument;
      const sub = collect<{ jobUpdated: any }>(client, WATCH, { jobId: doc.job.id });
      uploads.push({ id: doc.id, jobId: doc.job.id, sub });
      const job = await processingJob(doc.job.id);
      const holder = workers.get(pidOf(job));
      expect(holder, `worker ${job.workerId} is one of ours`).toBeDefined();
      await holder!.kill();
      expect(await holder!.exited).toEqual({ code: null, signal: 'SIGKILL' });
      workers.delete(holder!.pid);
      kills++;
      add(spawnWorker()); // keep two running; the survivor takes the job over meanwhile
    }
    expect(kills).toBe(20);

    for (const u of uploads) {
      const { events, errors } = await u.sub.done;
      expect(errors).toBeUndefined();
      const jobs = events.map((e) => e.jobUpdated);
      expect(
        jobs.filter((j) => j.status === 'COMPLETED'),
        `job ${u.jobId}`,
      ).toHaveLength(1);
      const versions = jobs.map((j) => j.version);
      expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
      expect(jobs.at(-1).attempts).toBeGreaterThanOrEqual(2); // the killed attempt, then the takeover
    }
    await eventually(async () =>
      (await queueDepth(aws, config.resources.jobsQueue)) === 0 ? true : undefined,
    );
    const snap = await expectConsistent(
      aws,
      config,
      uploads.map((u) => u.id),
    );
    expect(
      snap.jobs.filter((j) => uploads.some((u) => u.jobId === j.id)).every((j) => j.status === 'COMPLETED'),
    ).toBe(true);
    await Promise.all([...workers.values()].map((w) => w.stop()));
    // 20 kills, each costing the killed jobs a visibility timeout (and a dead long poll can hold a
    // new message for one more): 25–60 s on a loaded 2-core machine.
  }, 150_000);

  it('SIGTERM lets the worker finish its job and exit 0', async () => {
    const worker = spawnWorker({ WORKER_DRAIN_SECONDS: '30' });
    await worker.ready;
    const up = await uploadFile(api.url, 'finish me before you go');
    const doc = up.data!.uploadDocument;
    await processingJob(doc.job.id);
    await worker.stop();
    expect(await worker.exited).toEqual({ code: 0, signal: null });
    const job = await store.getJob(doc.job.id);
    expect(job).toMatchObject({ status: 'COMPLETED', attempts: 1 });
  });

  it('SIGTERM past the drain time releases the job at once to another worker and exits 0', async () => {
    const slow = spawnWorker({ WORKER_DRAIN_SECONDS: '0', DEBUG_STAGE_DELAY_MS: '5000' });
    await slow.ready;
    const up = await uploadFile(api.url, 'hand me over');
    const doc = up.data!.uploadDocument;
    const held = await processingJob(doc.job.id);
    expect(pidOf(held)).toBe(slow.pid);
    await slow.stop();
    expect(await slow.exited).toEqual({ code: 0, signal: null });
    // Released, not abandoned: a fresh worker picks it up; with a 5 s stage delay the slow worker
    // could not have finished it itself.
    await startWorker(config, disposables);
    const done = await eventually(async () => {
      const job = await store.getJob(doc.job.id);
      return job?.status === 'COMPLETED' ? job : undefined;
    });
    expect(done.attempts).toBe(2);
    expect(done.workerId).not.toBe(held.workerId);
  });
});
