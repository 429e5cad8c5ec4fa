/**
 * The AWS calls an upload and a small document's job cost, counted at the emulators (bounded
 * counts, not times): the budget issue 10 set, kept from creeping back up.
 */
import { PublishCommand } from '@aws-sdk/client-sns';
import { GetQueueAttributesCommand, GetQueueUrlCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAwsClients } from '../aws/clients.js';
import { connectAws } from '../aws/connect.js';
import { ORIGIN_ATTRIBUTE } from '../aws/job-events.js';
import type { Config } from '../domain/config.js';
import type { BusEvent, DocumentEvent } from '../domain/messages.js';
import { countAwsCalls } from './support/aws-calls.js';
import { TEST_OWNER } from './support/auth.js';
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

it('a small text document’s job costs 3 calls in the worker besides its share of a receive', async () => {
  calls.reset();
  const up = await uploadFile(api.url, 'one line of text', 'small.txt');
  const events = await watchUntilDone(api.wsUrl, up.data!.uploadDocument.job.id);
  expect(events.at(-1).status).toBe('COMPLETED');
  await messageDeleted();
  // The COMPLETED event carried the document's search entry and its text: the api indexed it
  // without reading anything back.
  await api.server.search!.indexer.idle();
  await eventually(async () => (calls.of('api')['DeleteMessageBatch'] ? true : undefined));
  expect(api.server.search!.index.search(TEST_OWNER, '"line"', { limit: 5, offset: 0 }).hits).toHaveLength(1);
  expect(work(calls.of('api'))).toEqual({
    's3 PUT': 1, // the upload: original, job and document, its message, its announcement
    PutItem: 2,
    SendMessage: 1,
    sns: 1,
    GetItem: 1, // the subscription's first read of the job; no read of the document or its text
    DeleteMessageBatch: 1, // the worker's event
  });
  expect(work(calls.of('worker'))).toEqual({
    // No read: the upload's message carries the job and document as written, and a small original's
    // bytes. Done within one progress interval, the run writes its start as part of its end. The
    // text is the original byte for byte: no copy of it is stored.
    PutItem: 1,
    UpdateItem: 1, // the document COMPLETED with its result
    sns: 1, // the COMPLETED event
    DeleteMessageBatch: 1,
  });
});

it('a small HTML document’s extracted text is stored: one S3 PUT more', async () => {
  calls.reset();
  const up = await uploadFile(api.url, '<p>one line of <b>html</b></p>', 'small.html');
  const events = await watchUntilDone(api.wsUrl, up.data!.uploadDocument.job.id);
  expect(events.at(-1).status).toBe('COMPLETED');
  await messageDeleted();
  expect(work(calls.of('worker'))).toEqual({
    PutItem: 1,
    's3 PUT': 1, // the extracted text
    UpdateItem: 1,
    sns: 1,
    DeleteMessageBatch: 1,
  });
});

/** A process's AWS adapters and its event listener, collecting what the listener hands on. */
async function eventsProcess(service: string, handle: (event: BusEvent) => void = () => {}) {
  const adapters = await connectAws(config, pino({ level: 'silent' }), { service });
  disposables.add(() => adapters.destroy());
  const received: BusEvent[] = [];
  const listener = adapters.eventListener({
    waitSeconds: 1,
    staleAfterSeconds: 60,
    logger: pino({ level: 'silent' }),
    onEvent: (event) => {
      received.push(event);
      handle(event);
    },
  });
  await listener.start();
  disposables.add(() => listener.stop());
  return { adapters, listener, received };
}

const created = (ownerId: string, documentId: string): DocumentEvent => ({
  kind: 'document.created',
  ownerId,
  documentId,
  at: new Date().toISOString(),
  correlationId: `corr-${documentId}`,
});
const idsOf = (events: BusEvent[], ownerId: string) =>
  events.flatMap((e) => (e.kind === 'document.created' && e.ownerId === ownerId ? [e.documentId] : []));

it('events published while others are in flight go out together: 30 events, fewer calls, all delivered', async () => {
  const publisher = await connectAws(config, pino({ level: 'silent' }), { service: 'batch-probe' });
  disposables.add(() => publisher.destroy());
  // Another process listens: its events come through SNS and its queue.
  const other = await eventsProcess('batch-listener');

  calls.reset();
  const sent = Array.from({ length: 30 }, (_, i) => created('batch-probe', `doc-${i}`));
  await Promise.all(sent.map((event) => publisher.events.publish(event)));
  // At most 2 calls in flight: the first two go alone, the rest in batches of up to 10.
  const snsCalls = calls.of('batch-probe')['sns'] ?? 0;
  expect(snsCalls).toBeGreaterThanOrEqual(3);
  expect(snsCalls).toBeLessThanOrEqual(6);
  const mine = await eventually(async () => {
    const got = idsOf(other.received, 'batch-probe');
    return got.length === sent.length ? got : undefined;
  });
  expect(new Set(mine)).toEqual(new Set(sent.map((e) => e.documentId)));
});

it('an api’s own events reach it once, from its publisher: its queue never receives them', async () => {
  const a = await eventsProcess('events-a');
  const b = await eventsProcess('events-b');
  calls.reset();
  const sent = ['a1', 'a2', 'a3'].map((id) => created('echo-probe', id));
  for (const event of sent) await a.adapters.events.publish(event);
  // b, another api, receives them through its queue.
  await eventually(async () => (idsOf(b.received, 'echo-probe').length === 3 ? true : undefined));
  // Then b publishes one: a receives that one through its queue, after anything queued before it.
  await b.adapters.events.publish(created('echo-probe', 'b1'));
  await eventually(async () => (idsOf(a.received, 'echo-probe').includes('b1') ? true : undefined));

  expect(idsOf(a.received, 'echo-probe')).toEqual(['a1', 'a2', 'a3', 'b1']);
  expect(idsOf(b.received, 'echo-probe')).toEqual(['a1', 'a2', 'a3', 'b1']);
  // a deleted one batch from its queue: b's event. Its own three never reached it.
  expect(calls.of('events-a')['DeleteMessageBatch']).toBe(1);
});

it('a listener drops its own events should its queue deliver them anyway (an emulator that ignores filter policies)', async () => {
  const a = await eventsProcess('events-drop');
  const sqs = createAwsClients(config.aws).sqs;
  disposables.add(() => sqs.destroy());
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: a.listener.queueName }));
  const send = (event: DocumentEvent, origin: string) =>
    sqs.send(
      new SendMessageCommand({
        QueueUrl,
        MessageBody: JSON.stringify(event),
        MessageAttributes: { [ORIGIN_ATTRIBUTE]: { DataType: 'String', StringValue: origin } },
      }),
    );
  await send(created('drop-probe', 'own'), a.listener.instanceId);
  await send(created('drop-probe', 'other'), 'some-other-process');
  await eventually(async () => (idsOf(a.received, 'drop-probe').includes('other') ? true : undefined));
  expect(idsOf(a.received, 'drop-probe')).toEqual(['other']);
});

it('an event without an origin attribute (from an older process) still reaches every api', async () => {
  const a = await eventsProcess('events-no-origin');
  const sns = createAwsClients(config.aws).sns;
  disposables.add(() => sns.destroy());
  // What a publisher from before the origin attribute sends: the event and its correlationId only.
  const event = created('no-origin-probe', 'legacy');
  await sns.send(
    new PublishCommand({
      TopicArn: a.adapters.resources.eventsTopicArn,
      Message: JSON.stringify(event),
      MessageAttributes: { correlationId: { DataType: 'String', StringValue: event.correlationId } },
    }),
  );
  await eventually(async () => (idsOf(a.received, 'no-origin-probe').length ? true : undefined));
  expect(idsOf(a.received, 'no-origin-probe')).toEqual(['legacy']);
});

it('an event whose handler throws is taken off the queue like the rest, and the batch’s others are handled', async () => {
  const a = await eventsProcess('events-sender');
  const b = await eventsProcess('events-throwing', (event) => {
    if (event.kind === 'document.created' && event.documentId === 'boom') throw new Error('handler bug');
  });
  // Published together: one PublishBatch, usually one receive for b.
  await Promise.all(['boom', 'after'].map((id) => a.adapters.events.publish(created('throw-probe', id))));
  await eventually(async () => (idsOf(b.received, 'throw-probe').length === 2 ? true : undefined));
  const sqs = createAwsClients(config.aws).sqs;
  disposables.add(() => sqs.destroy());
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: b.listener.queueName }));
  // Nothing is left in flight, waiting for a redelivery of the event that threw.
  await eventually(async () => {
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return Attributes?.ApproximateNumberOfMessages === '0' &&
      Attributes.ApproximateNumberOfMessagesNotVisible === '0'
      ? true
      : undefined;
  });
  expect(idsOf(b.received, 'throw-probe').sort()).toEqual(['after', 'boom']);
});
