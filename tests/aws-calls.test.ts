/**
 * The AWS calls an upload and a small document's job cost, counted at the emulators (bounded
 * counts, not times): the budget issue 10 set, kept from creeping back up.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Config } from '../domain/config.js';
import { countAwsCalls } from './support/aws-calls.js';
import { eventually } from './support/inspect.js';
import { uploadFile, watchUntilDone } from './support/graphql.js';
import {
  Disposables,
  startApi,
  startEmbeddedEmulators,
  startWorker,
  testConfig,
  type RunningApi,
} from './support/stack.js';

const disposables = new Disposables();
let calls: ReturnType<typeof countAwsCalls>;
let config: Config;
let api: RunningApi;

beforeAll(async () => {
  const emulators = await startEmbeddedEmulators(disposables);
  // A long progress interval: the job below always counts as "finished within one interval",
  // however slow this machine is today.
  config = testConfig(emulators, { WORKER_PROGRESS_INTERVAL_MS: '60000' });
  api = await startApi(config, disposables);
  await startWorker(config, disposables);
  calls = countAwsCalls(emulators);
  disposables.add(() => calls.stop());
});
afterAll(() => disposables.disposeAll());

/**
 * Only the calls a request or a job makes, not what runs in the background all the time (long
 * polls, the event queues' heartbeat and sibling sweep).
 */
const BACKGROUND = new Set([
  'ReceiveMessage',
  'ListQueues',
  'TagQueue',
  'ListQueueTags',
  'GetQueueAttributes',
]);
const work = (byOperation: Record<string, number>) =>
  Object.fromEntries(Object.entries(byOperation).filter(([op]) => !BACKGROUND.has(op)));
/** Waits until the worker has deleted the message of the job it just finished (a batched delete). */
const messageDeleted = () =>
  eventually(async () => ((calls.of('worker')['DeleteMessageBatch'] ?? 0) > 0 ? true : undefined));

it('an upload writes the original, the job and the document, sends one message, and announces it: 5 calls', async () => {
  calls.reset();
  const up = await uploadFile(api.url, 'counted', 'c.txt');
  expect(up.data!.uploadDocument.job.status).toBe('QUEUED'); // answered without reading the job back
  // The documentEvents announcement (SNS) is not waited for by the upload: it may land just after.
  await eventually(async () => (calls.of('api')['sns'] ? true : undefined));
  expect(work(calls.of('api'))).toEqual({ 's3 PUT': 1, PutItem: 2, SendMessage: 1, sns: 1 });
  await watchUntilDone(api.wsUrl, up.data!.uploadDocument.job.id);
  await messageDeleted();
});

it('a small document’s job costs 7 calls in the worker besides its share of a receive', async () => {
  calls.reset();
  const up = await uploadFile(api.url, 'one line of text', 'small.txt');
  const events = await watchUntilDone(api.wsUrl, up.data!.uploadDocument.job.id);
  expect(events.at(-1).status).toBe('COMPLETED');
  await messageDeleted();
  expect(work(calls.of('worker'))).toEqual({
    BatchGetItem: 1, // the job and its document
    PutItem: 2, // the job's start (its claim, never announced) and its end
    's3 GET': 1, // the original
    's3 PUT': 1, // the extracted text
    UpdateItem: 1, // the document COMPLETED with its result
    sns: 1, // the COMPLETED event
    DeleteMessageBatch: 1,
  });
});
