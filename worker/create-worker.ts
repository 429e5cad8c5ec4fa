import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Message } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { connectAws, type AwsAdapters } from '../aws/connect.js';
import type { JobQueue } from '../aws/job-queue.js';
import type { Config } from '../domain/config.js';
import { createLogger } from '../domain/logger.js';
import { JobMessage, parseJsonSafe } from '../domain/messages.js';
import { isTerminal } from '../domain/model.js';
import { analyzeFile } from './processing/index.js';
import { sweepStuckJobs } from './stuck-job-sweeper.js';
import { failJob, JobErrorCode } from '../domain/jobs.js';
import { processJob, type Analyzer, type ProcessJobDeps } from './process-job.js';

export interface Worker {
  readonly id: string;
  start(): Promise<void>;
  /**
   * Stops receiving, waits up to `WORKER_DRAIN_SECONDS` for in-flight jobs, then aborts the rest and
   * makes their messages visible again at once so another worker takes them over.
   */
  stop(): Promise<void>;
}

export interface WorkerOptions {
  logger?: Logger;
  /** Replaces the processing step (tests inject failures with it). */
  analyze?: Analyzer;
}

const MAX_RETRY_DELAY_SECONDS = 900;

interface InFlight {
  message: Message;
  abort: AbortController;
  done: Promise<void>;
}

/**
 * A competing consumer of the jobs queue with at most `WORKER_CONCURRENCY` jobs in flight.
 * A message is deleted only once its job needs no more work. While a job runs, its message's
 * visibility is extended (heartbeat) so no other worker starts it in parallel.
 */
export function createWorker(config: Config, opts: WorkerOptions = {}): Worker {
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const logger = (opts.logger ?? createLogger('worker', config.logLevel)).child({ workerId: id });
  const receiving = new AbortController();
  const inFlight = new Set<InFlight>();
  const visibility = config.worker.visibilityTimeoutSeconds;
  let aws: AwsAdapters | undefined;
  let loop: Promise<void> | undefined;
  let sweeper: NodeJS.Timeout | undefined;

  async function start() {
    const adapters = await connectAws(config, logger);
    aws = adapters;
    const { queue, store } = adapters;
    const deps: ProcessJobDeps = {
      store,
      blobs: adapters.blobs,
      jobs: adapters.jobs,
      analyze:
        opts.analyze ??
        ((input) =>
          analyzeFile({
            ...input,
            limits: config.processing,
            onProgress: (update) => input.onProgress(update.stage, update.fraction),
          })),
      logger,
      workerId: id,
      stageDelayMs: config.worker.stageDelayMs,
    };
    loop = receiveLoop(queue, deps);
    sweeper = setInterval(() => {
      sweepStuckJobs({ store, queue, logger }, config.worker.stuckJobSeconds).catch((err: unknown) =>
        logger.warn({ err: String(err) }, 'stuck-job sweep failed'),
      );
    }, config.worker.sweepIntervalSeconds * 1000);
    logger.info({ concurrency: config.worker.concurrency }, 'worker started');
  }

  async function receiveLoop(queue: JobQueue, deps: ProcessJobDeps) {
    let backoffMs = 100;
    while (!receiving.signal.aborted) {
      const free = config.worker.concurrency - inFlight.size;
      if (free <= 0) {
        await Promise.race([...inFlight].map((f) => f.done));
        continue;
      }
      let messages: Message[];
      try {
        messages = await queue.receive(free, config.sqsWaitSeconds, receiving.signal);
        backoffMs = 100;
      } catch (err) {
        if (receiving.signal.aborted) break;
        // Emulator or AWS unreachable: back off and keep trying; no restart needed.
        logger.warn({ err: String(err), backoffMs }, 'receive failed; backing off');
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(backoffMs * 2, 5_000);
        continue;
      }
      for (const message of messages) {
        const entry: InFlight = { message, abort: new AbortController(), done: Promise.resolve() };
        entry.done = handle(queue, deps, entry).finally(() => inFlight.delete(entry));
        inFlight.add(entry);
      }
    }
  }

  async function handle(queue: JobQueue, deps: ProcessJobDeps, { message, abort }: InFlight) {
    const receipt = message.ReceiptHandle!;
    const parsed = JobMessage.safeParse(parseJsonSafe(message.Body));
    if (!parsed.success) {
      logger.error({ messageId: message.MessageId }, 'malformed job message; moving it to the DLQ');
      await queue
        .moveToDlq(message, 'MALFORMED_MESSAGE')
        .catch((err) => logger.error({ err }, 'DLQ move failed'));
      return;
    }
    const msg = parsed.data;
    const receiveCount = Number(message.Attributes?.ApproximateReceiveCount ?? '1');
    const heartbeat = setInterval(
      () => {
        queue
          .setVisibility(receipt, visibility)
          .catch((err) => logger.warn({ err: String(err) }, 'heartbeat failed'));
      },
      Math.max(200, (visibility * 1000) / 3),
    );
    try {
      const outcome = await processJob(msg, deps, abort.signal);
      if (outcome === 'unknown-job') {
        logger.error(
          { messageId: message.MessageId, jobId: msg.jobId },
          'message for an unknown job; moving it to the DLQ',
        );
        await queue.moveToDlq(message, 'UNKNOWN_JOB');
      } else if (outcome !== 'elsewhere') {
        await queue.delete(receipt);
      }
    } catch (err) {
      if (abort.signal.aborted) {
        // Shutting down: hand the job to another worker now rather than after the visibility timeout.
        await queue.setVisibility(receipt, 0).catch(() => undefined);
        logger.info({ jobId: msg.jobId }, 'released job on shutdown');
        return;
      }
      logger.warn({ err, jobId: msg.jobId, receiveCount }, 'job attempt failed');
      if (receiveCount >= config.resources.maxReceiveCount) {
        // Last allowed delivery: record the failure on the job so nothing stays PROCESSING, and move
        // the message to the DLQ now (SQS would only do so at the next receive, after the delay).
        const job = await deps.store.getJob(msg.jobId).catch(() => null);
        if (job && !isTerminal(job.status)) {
          // The internal error stays in the log (with the correlation id); clients see a fixed text.
          logger.error({ err, jobId: msg.jobId, correlationId: msg.correlationId }, 'job failed for good');
          const reason = `Processing failed ${receiveCount} times; the cause is in the worker log (correlation id ${msg.correlationId})`;
          const error = { code: JobErrorCode.RETRIES_EXHAUSTED, message: reason };
          await failJob(deps, job, error, msg.correlationId).catch(() => null);
        }
        await queue.moveToDlq(message, 'RETRIES_EXHAUSTED').catch(() => undefined);
        return;
      }
      // Growing delay before the next attempt.
      const delay = Math.min(
        config.worker.retryBaseSeconds * 2 ** (receiveCount - 1),
        MAX_RETRY_DELAY_SECONDS,
      );
      await queue.setVisibility(receipt, delay).catch(() => undefined);
    } finally {
      clearInterval(heartbeat);
    }
  }

  async function stop() {
    receiving.abort();
    clearInterval(sweeper);
    const timer = setTimeout(() => {
      for (const f of inFlight) f.abort.abort();
    }, config.worker.drainSeconds * 1000);
    await loop;
    await Promise.allSettled([...inFlight].map((f) => f.done));
    clearTimeout(timer);
    aws?.destroy();
    logger.info('worker stopped');
  }

  return { id, start, stop };
}
