import { CreateBucketCommand, HeadBucketCommand } from '@aws-sdk/client-s3';
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

/** Names plus the URLs/ARNs the SDK calls need, resolved once at start-up. */
export interface Resources {
  bucket: string;
  table: string;
  jobsQueueUrl: string;
  jobsDlqUrl: string;
  eventsTopicArn: string;
  eventsTopicName: string;
}

/** GSI listing an owner's documents newest first: gsi1pk = OWNER#<ownerId>, gsi1sk = <createdAt>#<id>. */
export const OWNER_INDEX = 'byOwner';
/** GSI listing an owner's documents in one status: gsi2pk = OWNER#<ownerId>#<status>, gsi2sk as gsi1sk. */
export const OWNER_STATUS_INDEX = 'byOwnerStatus';
/** Sparse GSI of unfinished jobs by last change: gsi3pk = ACTIVE (absent once terminal), gsi3sk = time. */
export const ACTIVE_JOBS_INDEX = 'activeJobs';

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
    new CreateQueueCommand({ QueueName: names.jobsDlq, Attributes: { MessageRetentionPeriod: '1209600' } }),
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
}

async function ensureTable(aws: AwsClients, table: string): Promise<void> {
  try {
    await aws.dynamodb.send(
      new CreateTableCommand({
        TableName: table,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
          { AttributeName: 'gsi1pk', AttributeType: 'S' },
          { AttributeName: 'gsi1sk', AttributeType: 'S' },
          { AttributeName: 'gsi2pk', AttributeType: 'S' },
          { AttributeName: 'gsi2sk', AttributeType: 'S' },
          { AttributeName: 'gsi3pk', AttributeType: 'S' },
          { AttributeName: 'gsi3sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        GlobalSecondaryIndexes: [
          {
            IndexName: OWNER_INDEX,
            KeySchema: [
              { AttributeName: 'gsi1pk', KeyType: 'HASH' },
              { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: ACTIVE_JOBS_INDEX,
            KeySchema: [
              { AttributeName: 'gsi3pk', KeyType: 'HASH' },
              { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
          {
            IndexName: OWNER_STATUS_INDEX,
            KeySchema: [
              { AttributeName: 'gsi2pk', KeyType: 'HASH' },
              { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'ALL' },
          },
        ],
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
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
      }),
    );
  } catch {
    // Already enabled (ValidationException) or not supported by the emulator.
  }
}

export function isErrorNamed(err: unknown, name: string): boolean {
  return err instanceof Error && err.name === name;
}
