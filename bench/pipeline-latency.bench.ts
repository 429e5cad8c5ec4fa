/**
 * Upload → COMPLETED latency on the embedded stack (fauxqs + dynalite, api and worker in this
 * process), median of N sequential 1 KB uploads, with the bare upload round trip measured in the
 * same run as the baseline. Run: `npm run bench` (results in bench-results/pipeline-latency.json).
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { startEmbeddedAws } from '../dev/emulators.js';
import { loadConfig } from '../domain/config.js';
import { createApiServer } from '../server/create-server.js';
import { createWorker } from '../worker/create-worker.js';
import { TEST_AUTH_SECRET } from '../tests/support/auth.js';
import { uploadFile, watchUntilDone } from '../tests/support/graphql.js';

const N = Number(process.env['BENCH_ITERATIONS'] ?? 50);
const WARMUP = 5;
const body = new Uint8Array(1024).fill(97);

const aws = await startEmbeddedAws();
const config = loadConfig({
  ...aws.env,
  PORT: '0',
  LOG_LEVEL: 'silent',
  NODE_ENV: 'test',
  AUTH_SECRET: TEST_AUTH_SECRET, // the helpers below send tokens signed with it
  RATE_LIMIT_REQUESTS: '1000000',
});
const api = createApiServer(config, { logger: pino({ level: 'silent' }) });
const { url } = await api.start();
const wsUrl = url.replace(/^http/, 'ws');

async function measure(fn: () => Promise<void>): Promise<number[]> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return samples.sort((a, b) => a - b);
}

// Baseline: the upload request alone (stream to S3, two DynamoDB puts, one SQS send), no worker.
const uploadOnly = await measure(async () => {
  const res = await uploadFile(url, body, 'bench.txt');
  if (res.errors) throw new Error(JSON.stringify(res.errors));
});

const worker = createWorker(config, { logger: pino({ level: 'silent' }) });
await worker.start();
const endToEnd = await measure(async () => {
  const res = await uploadFile(url, body, 'bench.txt');
  const events = await watchUntilDone(wsUrl, res.data!.uploadDocument.job.id);
  if (events.at(-1).status !== 'COMPLETED') throw new Error('job did not complete');
});

await worker.stop();
await api.stop();
await aws.stop();

const stats = (s: number[]) => ({
  p50: round(s[Math.floor(s.length * 0.5)]!),
  p90: round(s[Math.floor(s.length * 0.9)]!),
  max: round(s.at(-1)!),
});
const round = (n: number) => Math.round(n * 100) / 100;
const result = {
  date: new Date().toISOString(),
  iterations: N,
  fileBytes: body.length,
  uploadRoundTripMs: stats(uploadOnly),
  uploadToCompletedMs: stats(endToEnd),
  ratioP50: round(stats(endToEnd).p50 / stats(uploadOnly).p50),
};
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/pipeline-latency.json', JSON.stringify(result, null, 2) + '\n');
console.log(
  `upload round trip       p50 ${result.uploadRoundTripMs.p50} ms  p90 ${result.uploadRoundTripMs.p90} ms\n` +
    `upload → COMPLETED      p50 ${result.uploadToCompletedMs.p50} ms  p90 ${result.uploadToCompletedMs.p90} ms\n` +
    `ratio (p50)             ${result.ratioP50}× the bare upload\n` +
    'written to bench-results/pipeline-latency.json',
);
