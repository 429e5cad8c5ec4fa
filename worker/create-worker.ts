import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { connectAws, type AwsAdapters } from '../aws/connect.js';
import { QueueConsumer, type QueueMessage } from '../aws/queue-consumer.js';
import type { Config } from '../domain/config.js';
import { Lifecycle, type Phase } from '../domain/lifecycle.js';
import { createLogger } from '../domain/logger.js';
import { JobMessage, parseJsonSafe } from '../domain/messages.js';
import { isTerminal } from '../domain/model.js';
import { analyzeFile } from './processing/index.js';
import { checkOcr } from './processing/ocr.js';
import { sweepStuckJobs } from './stuck-job-sweeper.js';
import { failJob, JobErrorCode } from '../domain/jobs.js';
import { processJob, type Analyzer, type ProcessJobDeps } from './process-job.js';
import { metrics } from '../telemetry/metrics.js';
import { startMetricsServer, type MetricsServer } from '../telemetry/metrics-server.js';
import { SpanKind, withSpan } from '../telemetry/tracing.js';

export interface Worker {
  readonly id: string;
  /** Where the worker is in its life (idle → starting → ready → draining → stopped). */
  readonly phase: Phase;
  /** Its `/healthz` + `/metrics` server while running, when WORKER_METRICS_PORT is set. */
  readonly metricsUrl: string | undefined;
  /** Connects, then starts consuming jobs and sweeping stuck ones. Refused unless idle. */
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

/**
 * A competing consumer of the jobs queue with at most `WORKER_CONCURRENCY` jobs in flight.
 * A message is deleted only once its job needs no more work. While a job runs, its message's
 * visibility is extended (heartbeat) so no other worker starts it in parallel.
 */
export function createWorker(config: Config, opts: WorkerOptions = {}): Worker {
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const logger = (opts.logger ?? createLogger('worker', config.logLevel, config.logFormat)).child({
    workerId: id,
  });
  const visibility = config.worker.visibilityTimeoutSeconds;
  let aws: AwsAdapters | undefined;
  let consumer: QueueConsumer | undefined;
  let sweeper: NodeJS.Timeout | undefined;
  let workDir: string | undefined;
  let metricsServer: MetricsServer | undefined;

  async function boot() {
    // A missing OCR language package is a set-up mistake: refuse to start, saying which. The
    // engine is settled here, once, for every analysis thread.
    const ocrEngine = checkOcr(config.processing);
    const limits = { ...config.processing, ...(ocrEngine && { ocrEngine }) };
    if (config.observability.workerMetricsPort !== undefined) {
      metricsServer = await startMetricsServer({
        host: config.http.host,
        port: config.observability.workerMetricsPort,
        ...(config.observability.metricsToken ? { token: config.observability.metricsToken } : {}),
        health: () => ({ phase: lifecycle.phase, busy: consumer?.busy ?? 0 }),
      });
    }
    // This worker's downloads, in one folder removed when it stops.
    workDir = await mkdtemp(join(tmpdir(), 'docpipe-worker-'));
    const adapters = await connectAws(config, logger, { service: 'worker' });
    aws = adapters;
    const { queue, store } = adapters;
    // Jobs wait for their analysis here; their downloads and AWS calls go on meanwhile.
    const analysisSlots = pLimit(config.worker.analysisThreads);
    const deps: ProcessJobDeps = {
      store,
      blobs: adapters.blobs,
      jobs: adapters.jobs,
      analyze:
        opts.analyze ??
        ((input) =>
          analysisSlots(() =>
            analyzeFile({
              ...input,
              limits,
              onProgress: (update) => input.onProgress(update.stage, update.fraction),
            }),
          )),
      logger,
      workerId: id,
      workDir,
      stageDelayMs: config.worker.stageDelayMs,
      progressIntervalMs: config.worker.progressIntervalMs,
    };
    consumer = new QueueConsumer({
      queue,
      concurrency: config.worker.concurrency,
      waitSeconds: config.sqsWaitSeconds,
      visibilitySeconds: visibility,
      logger,
      handle: (message, signal) => {
        if (message.sentAt !== undefined) {
          metrics.receiveLag.observe({ queue: 'jobs' }, Math.max(0, Date.now() - message.sentAt) / 1000);
        }
        // The job continues the upload's trace (traceparent attribute), when tracing is on.
        return withSpan(
          'process job',
          {
            kind: SpanKind.CONSUMER,
            carrier: message.attributes,
            attributes: { 'messaging.system': 'aws_sqs', 'docpipe.receive_count': message.receiveCount },
          },
          () => handle(deps, message, signal),
        );
      },
    });
    consumer.start();
    sweeper = setInterval(() => {
      sweepStuckJobs({ store, queue, logger }, config.worker.stuckJobSeconds).catch((err: unknown) =>
        logger.warn({ err }, 'stuck-job sweep failed'),
      );
    }, config.worker.sweepIntervalSeconds * 1000);
    logger.info(
      {
        concurrency: config.worker.concurrency,
        analysisThreads: config.worker.analysisThreads,
        ocr: ocrEngine ?? 'off',
      },
      'worker started',
    );
  }

  /** One job message: run the job, then settle the message by what happened. */
  async function handle(deps: ProcessJobDeps, message: QueueMessage, signal: AbortSignal) {
    const parsed = JobMessage.safeParse(parseJsonSafe(message.body));
    if (!parsed.success) {
      logger.error({ messageId: message.id }, 'malformed job message; moving it to the DLQ');
      await message.moveToDlq('MALFORMED_MESSAGE').catch((err) => logger.error({ err }, 'DLQ move failed'));
      return;
    }
    const msg = parsed.data;
    const { receiveCount } = message;
    try {
      const outcome = await processJob(msg, deps, signal, receiveCount);
      if (outcome === 'unknown-job') {
        logger.error(
          { messageId: message.id, jobId: msg.jobId },
          'message for an unknown job; moving it to the DLQ',
        );
        await message.moveToDlq('UNKNOWN_JOB');
      } else if (outcome !== 'elsewhere') {
        await message.delete();
      }
    } catch (err) {
      if (signal.aborted) {
        // Shutting down: hand the job to another worker now rather than after the visibility timeout.
        await message.retryAfter(0).catch(() => undefined);
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
        await message.moveToDlq('RETRIES_EXHAUSTED').catch(() => undefined);
        return;
      }
      // Growing delay before the next attempt.
      const delay = Math.min(
        config.worker.retryBaseSeconds * 2 ** (receiveCount - 1),
        MAX_RETRY_DELAY_SECONDS,
      );
      await message.retryAfter(delay).catch(() => undefined);
    }
  }

  async function release() {
    clearInterval(sweeper);
    await consumer?.stop(config.worker.drainSeconds * 1000);
    aws?.destroy();
    if (workDir) await rm(workDir, { recursive: true, force: true });
    await metricsServer?.close();
    metricsServer = undefined;
    consumer = undefined;
    aws = undefined;
    logger.info('worker stopped');
  }

  const lifecycle = new Lifecycle('worker', { boot, release });
  return {
    id,
    get phase() {
      return lifecycle.phase;
    },
    get metricsUrl() {
      return metricsServer?.url;
    },
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
  };
}
