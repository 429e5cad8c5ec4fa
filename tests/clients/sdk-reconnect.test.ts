import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClient, type ConnectionState, type Job } from '../../client/sdk/node.js';
import { createApiServer } from '../../server/create-server.js';
import { TEST_TOKEN } from '../support/auth.js';
import {
  Disposables,
  startApi,
  startEmulators,
  startWorker,
  testConfig,
  type TestEmulators,
} from '../support/stack.js';

const disposables = new Disposables();
let aws: TestEmulators;
beforeAll(async () => {
  aws = await startEmulators(disposables);
});
afterAll(() => disposables.disposeAll());

it.each(['websocket', 'sse'] as const)(
  'watchJob over %s survives an api restart: reconnects, resumes from the current state, ends COMPLETED',
  async (transport) => {
    const names = `rc${transport.slice(0, 2)}${Date.now().toString(36)}`;
    const config = testConfig(aws, {}, names);
    // Started by hand (not via startApi) because this test stops it itself.
    const first = createApiServer(config, { logger: pino({ level: 'silent' }) });
    const { url, port } = await first.start();

    const states: ConnectionState[] = [];
    const client = createClient({
      url,
      token: TEST_TOKEN,
      transport,
      retry: { minDelayMs: 50, maxDelayMs: 500, attempts: 20 },
      onConnectionChange: (s) => states.push(s),
    });
    disposables.add(() => client.close());

    // No worker yet: the job stays QUEUED until after the restart, so the restart is mid-job for sure.
    const doc = await client.uploadDocument(Buffer.from('survive a restart\n'), { filename: 'restart.txt' });
    const watch = client.watchJob(doc.job!.id);
    const jobs: Job[] = [];
    const firstEvent = await watch.next();
    jobs.push(firstEvent.value as Job);
    expect(jobs[0]).toMatchObject({ status: 'QUEUED', version: 1 });

    await first.stop(); // closes every WebSocket (1001), ends every event stream, closes the HTTP server
    const second = await startApi(testConfig(aws, { PORT: String(port) }, names), disposables);
    expect(second.url).toBe(url);
    await startWorker(config, disposables);

    for await (const job of watch) jobs.push(job);
    expect(jobs.at(-1)).toMatchObject({ status: 'COMPLETED', progress: 100 });
    const versions = jobs.map((j) => j.version);
    expect(versions).toEqual([...new Set(versions)].sort((a, b) => a - b));
    expect(states).toContain('reconnecting');
    expect(states.filter((s) => s === 'connected').length).toBeGreaterThanOrEqual(2);

    // Once the server is gone for good, a watch gives up after its retries with NETWORK_ERROR.
    await second.server.stop();
    const impatient = createClient({
      url,
      token: TEST_TOKEN,
      transport,
      retry: { attempts: 2, minDelayMs: 10, maxDelayMs: 20 },
    });
    disposables.add(() => impatient.close());
    await expect(impatient.watchJob(doc.job!.id).next()).rejects.toMatchObject({ code: 'NETWORK_ERROR' });
  },
);
