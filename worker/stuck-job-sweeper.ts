import type { Logger } from 'pino';
import type { DocumentStore } from '../aws/document-store.js';
import type { JobQueue } from '../aws/job-queue.js';

const BATCH = 25;

/**
 * Sends the message of every unfinished job that has not changed for `stuckSeconds` again: the safety
 * net for a message that is gone (lost by a broker, or never sent because a process died between its
 * DynamoDB write and its SQS send). Re-sending is safe: processing is idempotent, and a job that is
 * in fact still running rejects the duplicate at its first conditional write. Each job is claimed with
 * a conditional write first, so many workers sweeping at once send it once.
 */
export async function sweepStuckJobs(
  deps: { store: DocumentStore; queue: JobQueue; logger: Logger },
  stuckSeconds: number,
  now = Date.now(),
): Promise<number> {
  const before = new Date(now - stuckSeconds * 1000).toISOString();
  let resent = 0;
  for (const { job, indexedAt } of await deps.store.listStaleJobs(before, BATCH)) {
    if (!(await deps.store.markSwept(job, indexedAt, new Date(now).toISOString()))) continue;
    await deps.queue.send({
      jobId: job.id,
      documentId: job.documentId,
      ownerId: job.ownerId,
      correlationId: `sweep-${job.id}`,
    });
    resent++;
    deps.logger.warn(
      { jobId: job.id, status: job.status, updatedAt: job.updatedAt },
      'stuck job: message sent again',
    );
  }
  return resent;
}
