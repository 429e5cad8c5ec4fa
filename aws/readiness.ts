import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { Resources } from './bootstrap.js';
import type { AwsClients } from './clients.js';

/** How long one readiness probe may take before it counts as failed. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * One cheap call per service the api depends on: `ok`, or the error's name (`timeout` when the
 * service does not answer in time). For `/readyz`.
 */
export async function checkAwsReadiness(
  aws: AwsClients,
  resources: Resources,
): Promise<{ dynamodb: string; s3: string; sqs: string }> {
  const check = async (fn: () => Promise<unknown>): Promise<string> => {
    try {
      await Promise.race([
        fn(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), PROBE_TIMEOUT_MS).unref()),
      ]);
      return 'ok';
    } catch (err) {
      return err instanceof Error ? (err.message === 'timeout' ? 'timeout' : err.name || 'error') : 'error';
    }
  };
  const [dynamodb, s3, sqs] = await Promise.all([
    check(() => aws.dynamodb.send(new DescribeTableCommand({ TableName: resources.table }))),
    check(() => aws.s3.send(new HeadBucketCommand({ Bucket: resources.bucket }))),
    check(() =>
      aws.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: resources.jobsQueueUrl, AttributeNames: ['QueueArn'] }),
      ),
    ),
  ]);
  return { dynamodb, s3, sqs };
}
