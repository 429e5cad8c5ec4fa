import type { Message } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { ensureResources, resolveResources } from '../aws/bootstrap.js';
import { BlobStore } from '../aws/blob-store.js';
import { createAwsClients, type AwsClients } from '../aws/clients.js';
import { DocumentStore } from '../aws/document-store.js';
import { JobEventPublisher } from '../aws/job-events.js';
import { JobQueue } from '../aws/job-queue.js';
import { JobWriter } from '../aws/job-writer.js';
import type { Config } from '../domain/config.js';
import { createLogger } from '../domain/logger.js';
import { JobMessage, parseJsonSafe } from '../domain/messages.js';
import { failJob, processJob, type ProcessJobDeps } from './process-job.js';

export interface Worker {
  start(): Promise<void>;
  /** Stops receiving and waits for in-flight jobs to finish. */
  stop(): Promise<void>;
}

/**
 * A competing consumer of the jobs queue with at most `config.worker.concurrency` jobs in flight.
 * A message is deleted only after its job reached a terminal state (or needs no work).
 */
export function createWorker(config: Config, opts: { logger?: Logger } = {}): Worker {
  const logger = opts.logger ?? createLogger('worker', config.logLevel);
  const abort = new AbortController();
  const inFlight = new Set<Promise<void>>();
  let aws: AwsClients | undefined;
  let loop: Promise<void> | undefined;

  async function start() {
    aws = createAwsClients(config.aws);
    const resources = config.bootstrap
      ? await ensureResources(aws, config.resources, {
          visibilityTimeoutSeconds: config.worker.visibilityTimeoutSeconds,
        })
      : await resolveResources(aws, config.resources);
    const queue = new JobQueue(aws, resources.jobsQueueUrl);
    const store = new DocumentStore(aws, resources.table);
    const deps: ProcessJobDeps = {
      store,
      blobs: new BlobStore(aws, resources.bucket),
      jobs: new JobWriter(store, new JobEventPublisher(aws, resources.eventsTopicArn), logger),
      logger,
    };
    loop = receiveLoop(queue, deps);
    logger.info({ concurrency: config.worker.concurrency }, 'worker started');
  }

  async function receiveLoop(queue: JobQueue, deps: ProcessJobDeps) {
    let backoffMs = 100;
    while (!abort.signal.aborted) {
      const free = config.worker.concurrency - inFlight.size;
      if (free <= 0) {
        await Promise.race(inFlight);
        continue;
      }
      let messages: Message[];
      try {
        messages = await queue.receive(free, config.sqsWaitSeconds, abort.signal);
        backoffMs = 100;
      } catch (err) {
        if (abort.signal.aborted) break;
        logger.warn({ err, backoffMs }, 'receive failed; backing off');
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5_000);
        continue;
      }
      for (const message of messages) {
        const task = handle(queue, deps, message).finally(() => inFlight.delete(task));
        inFlight.add(task);
      }
    }
  }

  async function handle(queue: JobQueue, deps: ProcessJobDeps, message: Message) {
    const parsed = JobMessage.safeParse(parseJsonSafe(message.Body));
    if (!parsed.success) {
      // Left undeleted: after maxReceiveCount deliveries SQS moves it to the DLQ.
      logger.error({ messageId: message.MessageId }, 'malformed job message');
      return;
    }
    const msg = parsed.data;
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
    try {
      const outcome = await processJob(msg, deps);
      if (outcome !== 'lost-race') await queue.delete(message.ReceiptHandle!);
    } catch (err) {
      logger.warn({ err, jobId: msg.jobId, receiveCount }, 'job attempt failed; will retry');
      if (receiveCount >= config.resources.maxReceiveCount) {
        // Last delivery before the DLQ: record the failure on the job so nothing stays PROCESSING.
        const job = await deps.store.getJob(msg.jobId).catch(() => null);
        if (job && job.status !== 'COMPLETED' && job.status !== 'FAILED') {
          const reason = err instanceof Error ? err.message : String(err);
          await failJob(deps, job, 'RETRIES_EXHAUSTED', reason, msg.correlationId).catch(() => null);
        }
      }
    }
  }

  async function stop() {
    abort.abort();
    await loop;
    await Promise.allSettled(inFlight);
    aws?.destroy();
    logger.info('worker stopped');
  }

  return { start, stop };
}
