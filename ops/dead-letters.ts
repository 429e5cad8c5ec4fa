import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import type { AwsClients } from '../aws/clients.js';
import type { AwsAdapters } from '../aws/connect.js';
import { restartDocument } from '../domain/jobs.js';
import { JobMessage, parseJsonSafe } from '../domain/messages.js';
import { JobStatus } from '../domain/model.js';

export interface DeadLetter {
  messageId: string;
  reason: string;
  receiveCount: number;
  body: string;
  job: JobMessage | null;
}

/**
 * Reads up to `max` DLQ messages without consuming them (they are made visible again at the end).
 * SQS has no "peek", so this receives with a short visibility and then resets it.
 */
export async function listDeadLetters(aws: AwsClients, dlqUrl: string, max = 100): Promise<DeadLetter[]> {
  const seen = new Map<string, Message>();
  while (seen.size < max) {
    const res = await aws.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: dlqUrl,
        MaxNumberOfMessages: Math.min(10, max - seen.size),
        VisibilityTimeout: 30,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
      }),
    );
    const batch = res.Messages ?? [];
    if (batch.length === 0) break;
    for (const m of batch) seen.set(m.MessageId!, m);
  }
  await Promise.all(
    [...seen.values()].map((m) =>
      aws.sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: dlqUrl,
          ReceiptHandle: m.ReceiptHandle!,
          VisibilityTimeout: 0,
        }),
      ),
    ),
  );
  return [...seen.values()].map((m) => {
    const parsed = JobMessage.safeParse(parseJsonSafe(m.Body));
    return {
      messageId: m.MessageAttributes?.['sourceMessageId']?.StringValue ?? m.MessageId!,
      reason: m.MessageAttributes?.['poisonReason']?.StringValue ?? 'MAX_RECEIVES',
      receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? 0),
      body: m.Body ?? '',
      job: parsed.success ? parsed.data : null,
    };
  });
}

export interface RedriveResult {
  /** Documents given a new job. */
  restarted: string[];
  /** Messages sent back unchanged (their job was still unfinished). */
  resent: string[];
  /** Messages left in the DLQ, with why. */
  kept: { messageId: string; why: string }[];
}

/**
 * Gives every redrivable dead letter another chance: a job that ended FAILED gets a fresh job on its
 * document (as `reprocessDocument` does, so versions never go backwards); an unfinished job's message
 * is sent back as it is. Poison (malformed, unknown job) stays in the DLQ for a human.
 */
export async function redriveDeadLetters(deps: {
  aws: AwsClients;
  adapters: Pick<AwsAdapters, 'resources' | 'store' | 'queue' | 'dlq' | 'jobs'>;
  logger: Logger;
  max?: number;
}): Promise<RedriveResult> {
  const { aws, logger } = deps;
  const { resources, store, queue, dlq, jobs } = deps.adapters;
  const result: RedriveResult = { restarted: [], resent: [], kept: [] };
  const handled = new Set<string>();
  const keptReceipts: string[] = [];
  while (handled.size < (deps.max ?? 1000)) {
    const res = await aws.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: resources.jobsDlqUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 60,
        WaitTimeSeconds: 0,
      }),
    );
    const batch = (res.Messages ?? []).filter((m) => !handled.has(m.MessageId!));
    if (batch.length === 0) break;
    for (const m of batch) {
      handled.add(m.MessageId!);
      const parsed = JobMessage.safeParse(parseJsonSafe(m.Body));
      if (!parsed.success) {
        result.kept.push({ messageId: m.MessageId!, why: 'malformed message' });
        keptReceipts.push(m.ReceiptHandle!);
        continue;
      }
      const msg = parsed.data;
      const job = await store.getJob(msg.jobId);
      if (!job) {
        result.kept.push({ messageId: m.MessageId!, why: 'unknown job (or its document was deleted)' });
        keptReceipts.push(m.ReceiptHandle!);
        continue;
      }
      const doc = await store.getDocument(job.ownerId, job.documentId);
      if (job.status === JobStatus.FAILED && doc?.currentJobId === job.id) {
        // The lifecycle's restart, as reprocessDocument uses: versions never go backwards.
        const restarted = await restartDocument({ store, queue, jobs }, doc, msg.correlationId);
        if (restarted.outcome === 'started') result.restarted.push(job.documentId);
      } else if (job.status === JobStatus.FAILED || job.status === JobStatus.COMPLETED) {
        // Finished, or superseded by a newer job: the message is stale.
      } else {
        await queue.send(msg);
        result.resent.push(msg.jobId);
      }
      await dlq.delete(m.ReceiptHandle!);
    }
  }
  // What stays in the DLQ is visible again for the next look.
  await Promise.all(keptReceipts.map((r) => dlq.setVisibility(r, 0).catch(() => undefined)));
  logger.info(result, 'DLQ redrive finished');
  return result;
}
