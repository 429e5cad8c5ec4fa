import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import type { AwsClients } from '../../aws/clients.js';
import type { Config } from '../../domain/config.js';
import type { DocumentRecord, JobRecord } from '../../domain/model.js';

/** Everything stored, read the expensive way (Scan, List) on purpose: tests count what is really there. */
export async function snapshot(aws: AwsClients, config: Config) {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page: ScanCommandOutput = await aws.ddb.send(
      new ScanCommand({ TableName: config.resources.table, ExclusiveStartKey: start, ConsistentRead: true }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start);
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await aws.s3.send(
      new ListObjectsV2Command({ Bucket: config.resources.bucket, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return {
    documents: items.filter((i) => i['entity'] === 'document') as unknown as DocumentRecord[],
    jobs: items.filter((i) => i['entity'] === 'job') as unknown as JobRecord[],
    objects: keys,
  };
}

/**
 * The invariants every fault scenario must leave behind: one document per accepted upload, no
 * orphan S3 objects, no job stuck QUEUED/PROCESSING, document status equal to its current job's.
 */
export async function expectConsistent(aws: AwsClients, config: Config, acceptedDocumentIds: string[]) {
  const snap = await snapshot(aws, config);
  expect(snap.documents.map((d) => d.id).sort()).toEqual([...acceptedDocumentIds].sort());
  const originals = snap.objects
    .filter((k) => k.startsWith('originals/'))
    .map((k) => k.slice('originals/'.length));
  expect(originals.sort()).toEqual([...acceptedDocumentIds].sort());
  const documentIds = new Set(acceptedDocumentIds);
  for (const key of snap.objects.filter((k) => k.startsWith('derived/'))) {
    expect(documentIds.has(key.split('/')[1]!), `orphan ${key}`).toBe(true);
  }
  const jobs = new Map(snap.jobs.map((j) => [j.id, j]));
  for (const job of snap.jobs) {
    expect(['COMPLETED', 'FAILED'], `job ${job.id} is ${job.status}`).toContain(job.status);
  }
  for (const doc of snap.documents) {
    const job = jobs.get(doc.currentJobId);
    expect(job, `current job of ${doc.id}`).toBeDefined();
    expect(doc.status).toBe(job!.status);
  }
  return snap;
}

/** Messages still in a queue (visible + in flight). */
export async function queueDepth(aws: AwsClients, queueName: string): Promise<number> {
  const { QueueUrl } = await aws.sqs.send(new GetQueueUrlCommand({ QueueName: queueName }));
  const res = await aws.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(res.Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Polls `check` until it returns a value (not undefined), at most `timeoutMs`; a bounded loop. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  everyMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
