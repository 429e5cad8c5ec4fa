/**
 * Prometheus metrics: one registry per process (module state), shared by whatever runs in it (the
 * api, the worker, or both in a test). Labels are bounded sets (service, operation, stage, status,
 * error code): never ids. Served by the api on `/metrics` (server/http-app.ts) and by the worker on
 * its own small HTTP server (telemetry/metrics-server.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export const registry = new Registry();

/** Seconds: from sub-millisecond AWS calls on an emulator to a 20 s long-poll or a long analysis. */
const SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export const metrics = {
  uploads: new Counter({
    name: 'docpipe_uploads_total',
    help: 'Uploads stored (document, job and message written)',
    registers: [registry],
  }),
  uploadBytes: new Counter({
    name: 'docpipe_upload_bytes_total',
    help: 'Bytes of stored uploads',
    registers: [registry],
  }),
  jobsFinished: new Counter({
    name: 'docpipe_jobs_finished_total',
    help: 'Jobs that reached a final status, by status and error code ("" when none)',
    labelNames: ['status', 'error_code'] as const,
    registers: [registry],
  }),
  stageDuration: new Histogram({
    name: 'docpipe_job_stage_duration_seconds',
    help: 'Duration of a job stage in the worker (download, analysis, storing)',
    labelNames: ['stage'] as const,
    buckets: SECONDS,
    registers: [registry],
  }),
  receiveLag: new Histogram({
    name: 'docpipe_queue_receive_lag_seconds',
    help: 'Time from sending a job message to a worker receiving it (now - SentTimestamp)',
    labelNames: ['queue'] as const,
    buckets: SECONDS,
    registers: [registry],
  }),
  liveSubscriptions: new Gauge({
    name: 'docpipe_subscriptions_live',
    help: 'Job subscriptions currently registered in this api process',
    registers: [registry],
  }),
  eventsDelivered: new Counter({
    name: 'docpipe_events_delivered_total',
    help: 'Job changes handed to subscribers (one per subscriber)',
    registers: [registry],
  }),
  awsDuration: new Histogram({
    name: 'docpipe_aws_request_duration_seconds',
    help: 'AWS SDK calls as the caller waits for them (retries included), by service, operation and outcome',
    labelNames: ['service', 'operation', 'outcome'] as const,
    buckets: SECONDS,
    registers: [registry],
  }),
};

let defaultsOn = false;
/** Node's own metrics (event-loop lag, heap, GC, CPU, handles); once per process. */
export function collectProcessMetrics(): void {
  if (defaultsOn) return;
  defaultsOn = true;
  collectDefaultMetrics({ register: registry });
}

/** Times `fn` into a histogram child; the duration is recorded whether it resolves or throws. */
export async function timed<T>(histogram: { observe(v: number): void }, fn: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await fn();
  } finally {
    histogram.observe((performance.now() - start) / 1000);
  }
}

/**
 * Whether a scrape may see the metrics: always without a token, else only with
 * `Authorization: Bearer <token>` (compared in constant time).
 */
export function scrapeAllowed(request: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const given = Buffer.from(request.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** The registry in Prometheus text format, with its content type. */
export async function renderMetrics(): Promise<{ contentType: string; body: string }> {
  return { contentType: registry.contentType, body: await registry.metrics() };
}
