/** Resource bootstrap against the emulators: a second start with changed settings adapts the queue. */
import { GetBucketLifecycleConfigurationCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { pino } from 'pino';
import { afterAll, expect, it } from 'vitest';
import { createAwsClients } from '../aws/clients.js';
import { connectAws } from '../aws/connect.js';
import { Disposables, startEmulators, testConfig } from './support/stack.js';

const disposables = new Disposables();
afterAll(() => disposables.disposeAll());

it('brings an existing jobs queue to a changed JOB_VISIBILITY_TIMEOUT instead of refusing to start', async () => {
  const emulators = await startEmulators(disposables);
  const first = testConfig(emulators, { JOB_VISIBILITY_TIMEOUT: '60' }, 'boot1');
  const a = await connectAws(first, pino({ level: 'silent' }), { bootstrap: true });
  a.destroy();
  const second = testConfig(emulators, { JOB_VISIBILITY_TIMEOUT: '7' }, 'boot1');
  const b = await connectAws(second, pino({ level: 'silent' }), { bootstrap: true });
  disposables.add(() => b.destroy());
  const sqs = createAwsClients(second.aws).sqs;
  disposables.add(() => sqs.destroy());
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: b.queue.queueUrl, AttributeNames: ['All'] }),
  );
  expect(Attributes!['VisibilityTimeout']).toBe('7');
  // The redrive policy (to the DLQ) is still there.
  expect(JSON.parse(Attributes!['RedrivePolicy']!)).toMatchObject({ maxReceiveCount: 5 });
});

it('gives the bucket the rule that aborts incomplete multipart uploads after 2 days', async () => {
  const emulators = await startEmulators(disposables);
  const config = testConfig(emulators, {}, 'boot2');
  const adapters = await connectAws(config, pino({ level: 'silent' }), { bootstrap: true });
  adapters.destroy();
  const { s3, destroy } = createAwsClients(config.aws);
  disposables.add(destroy);
  const { Rules } = await s3.send(
    new GetBucketLifecycleConfigurationCommand({ Bucket: config.resources.bucket }),
  );
  expect(Rules).toEqual([
    expect.objectContaining({
      ID: 'abort-incomplete-uploads',
      Status: 'Enabled',
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 2 },
    }),
  ]);
});
