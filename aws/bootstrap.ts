import {
  CreateBucketCommand,
  HeadBucketCommand,
  PutBucketLifecycleConfigurationCommand,
} from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import {
  CreateTableCommand,
  DescribeTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import type { ResourceNames } from '../domain/config.js';
import type { AwsClients } from './clients.js';
import {
  DLQ_RETENTION_SECONDS,
  INCOMPLETE_UPLOAD_DAYS,
  TABLE_DEFINITION,
  keyAttributes,
} from './table-definition.js';

/** Names plus the URLs/ARNs the SDK calls need, resolved once at start-up. */
export interface Resources {
  bucket: string;
  table: string;
  jobsQueueUrl: string;
  jobsDlqUrl: string;
  eventsTopicArn: string;
  eventsTopicName: string;
}

export { OWNER_INDEX, OWNER_STATUS_INDEX, ACTIVE_JOBS_INDEX } from './table-definition.js';

/**
 * Creates every resource docpipe needs if it is missing; safe to run from many processes at once.
 * The same definitions are what infrastructure-as-code creates on real AWS.
 */
export async function ensureResources(
  aws: AwsClients,
  names: ResourceNames,
  opts: { visibilityTimeoutSeconds: number },
): Promise<Resources> {
  await Promise.all([ensureBucket(aws, names.bucket), ensureTable(aws, names.table)]);

  const dlq = await aws.sqs.send(
    new CreateQueueCommand({
      QueueName: names.jobsDlq,
      Attributes: { MessageRetentionPeriod: String(DLQ_RETENTION_SECONDS) },
    }),
  );
  const dlqArn = await queueArn(aws, dlq.QueueUrl!);
  const jobs = await ensureQueue(aws, names.jobsQueue, {
    VisibilityTimeout: String(opts.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: names.maxReceiveCount }),
  });
  const topic = await aws.sns.send(new CreateTopicCommand({ Name: names.eventsTopic }));
  return {
    bucket: names.bucket,
    table: names.table,
    jobsQueueUrl: jobs,
    jobsDlqUrl: dlq.QueueUrl!,
    eventsTopicArn: topic.TopicArn!,
    eventsTopicName: names.eventsTopic,
  };
}

/**
 * Creates the queue, or brings an existing one to these attributes: SQS refuses to "create" a queue
 * whose attributes differ (QueueNameExists), e.g. after JOB_VISIBILITY_TIMEOUT changed.
 */
async function ensureQueue(
  aws: AwsClients,
  name: string,
  attributes: Record<string, string>,
): Promise<string> {
  try {
    const created = await aws.sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }));
    return created.QueueUrl!;
  } catch (err) {
    if (
      !isErrorNamed(err, 'QueueNameExists') &&
      !isErrorNamed(err, 'AWS.SimpleQueueService.QueueNameExists')
    ) {
      throw err;
    }
    const { QueueUrl } = await aws.sqs.send(new GetQueueUrlCommand({ QueueName: name }));
    await aws.sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
    return QueueUrl!;
  }
}

/** Looks resources up without creating them (DOCPIPE_BOOTSTRAP=false); fails if one is missing. */
export async function resolveResources(aws: AwsClients, names: ResourceNames): Promise<Resources> {
  await aws.s3.send(new HeadBucketCommand({ Bucket: names.bucket }));
  await aws.dynamodb.send(new DescribeTableCommand({ TableName: names.table }));
  const jobs = await aws.sqs.send(new GetQueueUrlCommand({ QueueName: names.jobsQueue }));
  const dlq = await aws.sqs.send(new GetQueueUrlCommand({ QueueName: names.jobsDlq }));
  // CreateTopic is idempotent and returns the existing topic's ARN.
  const topic = await aws.sns.send(new CreateTopicCommand({ Name: names.eventsTopic }));
  return {
    bucket: names.bucket,
    table: names.table,
    jobsQueueUrl: jobs.QueueUrl!,
    jobsDlqUrl: dlq.QueueUrl!,
    eventsTopicArn: topic.TopicArn!,
    eventsTopicName: names.eventsTopic,
  };
}

async function queueArn(aws: AwsClients, queueUrl: string): Promise<string> {
  const attrs = await aws.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  return attrs.Attributes!.QueueArn!;
}

async function ensureBucket(aws: AwsClients, bucket: string): Promise<void> {
  try {
    await aws.s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    try {
      await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    } catch (err) {
      if (!isErrorNamed(err, 'BucketAlreadyOwnedByYou')) throw err;
    }
  }
  // Parts of direct uploads nobody completed or aborted (a client gone, a sweep missed) are
  // dropped by S3 itself. Emulators may store the rule without applying it.
  await aws.s3.send(
    new PutBucketLifecycleConfigurationCommand({
      Bucket: bucket,
      LifecycleConfiguration: {
        Rules: [
          {
            ID: 'abort-incomplete-uploads',
            Status: 'Enabled',
            Filter: { Prefix: '' },
            AbortIncompleteMultipartUpload: { DaysAfterInitiation: INCOMPLETE_UPLOAD_DAYS },
          },
        ],
      },
    }),
  );
}

async function ensureTable(aws: AwsClients, table: string): Promise<void> {
  try {
    await aws.dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: TABLE_DEFINITION.billing,
        AttributeDefinitions: keyAttributes().map((name) => ({ AttributeName: name, AttributeType: 'S' })),
        KeySchema: [
          { AttributeName: TABLE_DEFINITION.key.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_DEFINITION.key.sortKey, KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: TABLE_DEFINITION.globalSecondaryIndexes.map((index) => ({
          IndexName: index.indexName,
          KeySchema: [
            { AttributeName: index.partitionKey, KeyType: 'HASH' },
            { AttributeName: index.sortKey, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        })),
      }),
    );
  } catch (err) {
    if (!isErrorNamed(err, 'ResourceInUseException')) throw err;
  }
  await waitUntilTableExists({ client: aws.dynamodb, maxWaitTime: 60, minDelay: 1 }, { TableName: table });
  try {
    // Expires tombstones and idempotency keys; readers check `expiresAt` too, since TTL deletes lazily
    // (and dynalite not at all).
    await aws.dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: table,
        TimeToLiveSpecification: { Enabled: true, AttributeName: TABLE_DEFINITION.ttlAttribute },
      }),
    );
  } catch {
    // Already enabled (ValidationException) or not supported by the emulator.
  }
}

export function isErrorNamed(err: unknown, name: string): boolean {
  return err instanceof Error && err.name === name;
}
