/**
 * Prometheus metrics of a real api and worker against the emulators: an upload that completes and a
 * subscription that ends move the counters, histograms and gauges both `/metrics` endpoints show.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, uploadFile, WATCH, wsClient } from '../support/graphql.js';
import {
  Disposables,
  startApi,
  startEmulators,
  startWorker,
  testConfig,
  type RunningApi,
} from '../support/stack.js';
import { startMetricsServer } from '../../telemetry/metrics-server.js';
import type { Worker } from '../../worker/create-worker.js';
import { sample, scrape } from './prometheus.js';

const disposables = new Disposables();
let api: RunningApi;
let worker: Worker;

beforeAll(async () => {
  const emulators = await startEmulators(disposables);
  const config = testConfig(emulators, { WORKER_METRICS_PORT: '0' });
  api = await startApi(config, disposables);
  worker = await startWorker(config, disposables);
});
afterAll(() => disposables.disposeAll());

async function until(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('metrics', () => {
  it('counts an upload, its job, the AWS calls and the subscription on both /metrics', async () => {
    // Over 16 KiB, so the original is not in the job message: the worker's download stage runs.
    const body = 'metrics please\n'.repeat(1_200);
    const up = await uploadFile(api.url, body, 'm.txt', 'text/plain');
    expect(up.errors).toBeUndefined();
    const client = wsClient(api.wsUrl);
    try {
      const sub = collect<{ jobUpdated: any }>(client, WATCH, { jobId: up.data!.uploadDocument.job.id });
      const { events } = await sub.done;
      expect(events.at(-1)!.jobUpdated.status).toBe('COMPLETED');
    } finally {
      await client.dispose();
    }

    const apiMetrics = `${api.origin}/metrics`;
    // The subscription has ended: the gauge is back to 0.
    await until(async () => sample(await scrape(apiMetrics), 'docpipe_subscriptions_live') === 0);
    const fromApi = await scrape(apiMetrics);
    expect(sample(fromApi, 'docpipe_uploads_total')).toBeGreaterThanOrEqual(1);
    expect(sample(fromApi, 'docpipe_upload_bytes_total')).toBeGreaterThanOrEqual(body.length);
    expect(sample(fromApi, 'docpipe_events_delivered_total')).toBeGreaterThanOrEqual(1);
    // Node's defaults, event-loop lag among them.
    expect(fromApi).toMatch(/^nodejs_eventloop_lag_seconds \d/m);

    expect(worker.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${worker.metricsUrl}/healthz`);
    expect(await health.json()).toMatchObject({ status: 'ok', phase: 'ready' });
    const fromWorker = await scrape(`${worker.metricsUrl}/metrics`);
    expect(
      sample(fromWorker, 'docpipe_jobs_finished_total', { status: 'COMPLETED', error_code: '' }),
    ).toBeGreaterThanOrEqual(1);
    for (const stage of ['download', 'analysis', 'storing']) {
      expect(
        sample(fromWorker, 'docpipe_job_stage_duration_seconds_count', { stage }),
      ).toBeGreaterThanOrEqual(1);
    }
    expect(
      sample(fromWorker, 'docpipe_queue_receive_lag_seconds_count', { queue: 'jobs' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(fromWorker, 'docpipe_aws_request_duration_seconds_count', {
        service: 'dynamodb',
        operation: 'PutItem',
        outcome: 'ok',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(fromWorker, 'docpipe_aws_request_duration_seconds_count', {
        service: 's3',
        operation: 'GetObject',
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(fromWorker, 'docpipe_aws_request_duration_seconds_count', {
        service: 'sqs',
        operation: 'ReceiveMessage',
      }),
    ).toBeGreaterThanOrEqual(1);
    // Bounded labels: no ids anywhere in the metrics.
    expect(fromWorker).not.toContain(up.data!.uploadDocument.id);
    expect(fromWorker).not.toContain(up.data!.uploadDocument.job.id);
  });

  it('serves /metrics at its exact path only (the edge rule matches case and slash exactly)', async () => {
    for (const path of ['/METRICS', '/Metrics', '/metrics/']) {
      const res = await fetch(`${api.origin}${path}`);
      expect(res.status, path).not.toBe(200);
      expect(await res.text(), path).not.toContain('docpipe_uploads_total');
    }
  });

  it('asks for the bearer token when METRICS_TOKEN is set', async () => {
    const server = await startMetricsServer({ host: '127.0.0.1', port: 0, token: 'a-token-of-16-chars+' });
    try {
      expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
      const wrong = await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer nope' } });
      expect(wrong.status).toBe(401);
      const text = await scrape(`${server.url}/metrics`, { authorization: 'Bearer a-token-of-16-chars+' });
      expect(text).toContain('docpipe_jobs_finished_total');
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
