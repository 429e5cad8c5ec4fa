import type { Logger } from 'pino';
import type { AwsAdapters } from '../aws/connect.js';
import type { ReceivedMessage, SqsQueue } from '../aws/sqs-queue.js';
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
export async function listDeadLetters(
  dlq: Pick<SqsQueue, 'receive' | 'setVisibility'>,
  max = 100,
): Promise<DeadLetter[]> {
  const seen = new Map<string, ReceivedMessage>();
  while (seen.size < max) {
    const batch = await dlq.receive({ max: max - seen.size, waitSeconds: 0, visibilitySeconds: 30 });
    if (batch.length === 0) break;
    for (const m of batch) seen.set(m.id, m);
  }
  await Promise.all([...seen.values()].map((m) => dlq.setVisibility(m.receipt, 0)));
  return [...seen.values()].map((m) => {
    const parsed = JobMessage.safeParse(parseJsonSafe(m.body));
    return {
      messageId: m.attributes['sourceMessageId'] ?? m.id,
      reason: m.attributes['poisonReason'] ?? 'MAX_RECEIVES',
      receiveCount: m.receiveCount,
      body: m.body,
      job: parsed.success ? parsed.data : null,
    };
  });
}

export interface RedriveResult {
  /** Documents given a new job. */
  restarted: string[];
  /** Messages sent back, ids only (their job was still unfinished). */
  resent: string[];
  /** Messages left in the DLQ, with why. */
  kept: { messageId: string; why: string }[];
}

/**
 * Gives every redrivable dead letter another chance: a job that ended FAILED gets a fresh job on its
 * document (as `reprocessDocument` does, so versions never go backwards); an unfinished job's message
 * is sent back with its ids only. Poison (malformed, unknown job) stays in the DLQ for a human.
 */
export async function redriveDeadLetters(deps: {
  adapters: Pick<AwsAdapters, 'store' | 'queue' | 'jobs'>;
  logger: Logger;
  max?: number;
}): Promise<RedriveResult> {
  const { logger } = deps;
  const { store, queue, jobs } = deps.adapters;
  const dlq = queue.deadLetters;
  const result: RedriveResult = { restarted: [], resent: [], kept: [] };
  const handled = new Set<string>();
  const keptReceipts: string[] = [];
  while (handled.size < (deps.max ?? 1000)) {
    const received = await dlq.receive({ max: 10, waitSeconds: 0, visibilitySeconds: 60 });
    const batch = received.filter((m) => !handled.has(m.id));
    if (batch.length === 0) break;
    for (const m of batch) {
      handled.add(m.id);
      const parsed = JobMessage.safeParse(parseJsonSafe(m.body));
      if (!parsed.success) {
        result.kept.push({ messageId: m.id, why: 'malformed message' });
        keptReceipts.push(m.receipt);
        continue;
      }
      const msg = parsed.data;
      const job = await store.getJob(msg.jobId);
      if (!job) {
        result.kept.push({ messageId: m.id, why: 'unknown job (or its document was deleted)' });
        keptReceipts.push(m.receipt);
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
        // Without the upload's snapshot: the job has moved on since, and the message comes back as a
        // first delivery, which would otherwise start from that snapshot.
        const { upload: _snapshot, ...ids } = msg;
        await queue.send(ids);
        result.resent.push(msg.jobId);
      }
      await dlq.delete(m.receipt);
    }
  }
  // What stays in the DLQ is visible again for the next look.
  await Promise.all(keptReceipts.map((r) => dlq.setVisibility(r, 0).catch(() => undefined)));
  logger.info(result, 'DLQ redrive finished');
  return result;
}
