/**
 * Reprocessing when the job cannot be queued: the new job ends FAILED (ENQUEUE_FAILED) and the
 * document follows it (document first), so nothing is left QUEUED forever for the sweeper to miss.
 */
import { DeleteQueueCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { AwsClients } from '../aws/clients.js';
import type { Config } from '../domain/config.js';
import { gql, uploadFile, watchUntilDone } from './support/graphql.js';
import { Disposables, startStack, type RunningApi } from './support/stack.js';

const disposables = new Disposables();
let api: RunningApi;
let config: Config;
let aws: AwsClients;

beforeAll(async () => {
  ({ config, api, aws } = await startStack(disposables));
});
afterAll(() => disposables.disposeAll());

it('a reprocess whose message cannot be sent leaves document and job FAILED together', async () => {
  const up = await uploadFile(api.url, 'reprocess me', 'r.txt');
  const doc = up.data!.uploadDocument;
  await watchUntilDone(api.wsUrl, doc.job.id);
  // The broker loses the jobs queue: the next send fails.
  const { QueueUrl } = await aws.sqs.send(new GetQueueUrlCommand({ QueueName: config.resources.jobsQueue }));
  await aws.sqs.send(new DeleteQueueCommand({ QueueUrl }));

  const re = await gql(api.url, 'mutation($id: ID!) { reprocessDocument(id: $id) { id } }', { id: doc.id });
  expect(re.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  const after = await gql(
    api.url,
    'query($id: ID!) { document(id: $id) { status job { id status error { code } } } }',
    {
      id: doc.id,
    },
  );
  const document = after.data!.document;
  expect(document.job.id).not.toBe(doc.job.id);
  expect(document.job).toMatchObject({ status: 'FAILED', error: { code: 'ENQUEUE_FAILED' } });
  expect(document.status).toBe('FAILED');
});
