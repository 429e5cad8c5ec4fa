/**
 * Profiles the api on small uploads, the way issue 10 measures them: 1 KB uploads at 8 in flight
 * against an api process (compiled, as `npm start` runs it; no worker), and the same uploads' raw
 * AWS calls (PutObject, two PutItem, SendMessage) made with the SDK at 8 in flight as the baseline,
 * on the same emulators. Prints both rates, the ratio, latency percentiles, the AWS calls per upload
 * and the api's heaviest functions.
 *
 *   npm run bench:profile-upload -- [N] [--tsx]
 *
 * Writes bench-results/upload-profile.json and the raw profile under bench-results/api-cpuprofile/.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { pino } from 'pino';
import { createAwsClients } from '../aws/clients.js';
import { connectAws } from '../aws/connect.js';
import { startEmbeddedAws } from '../dev/emulators.js';
import { launch } from '../dev/processes.js';
import { loadConfig } from '../domain/config.js';
import { TEST_AUTH_SECRET } from '../tests/support/auth.js';
import { uploadFile } from '../tests/support/graphql.js';
import { summariseProfile } from './cpu-profile.js';

const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 400);
const IN_FLIGHT = 8;
const out = 'bench-results';
const profileDir = join(out, 'api-cpuprofile');
const body = 'x'.repeat(1024);

const aws = await startEmbeddedAws();
const env = {
  ...aws.env,
  PORT: '0',
  LOG_LEVEL: 'warn',
  NODE_ENV: 'test',
  AUTH_SECRET: TEST_AUTH_SECRET,
  RATE_LIMIT_REQUESTS: '1000000',
  MAX_CONCURRENT_UPLOADS: '64',
};
const config = loadConfig(env);
const adapters = await connectAws(config, pino({ level: 'silent' }), { bootstrap: true });

const calls = new Map<string, number>();
let counting = false;
for (const { server } of aws.servers) {
  (server as Server).prependListener('request', (req: IncomingMessage) => {
    if (!counting || !String(req.headers['user-agent'] ?? '').includes('app/docpipe-api')) return;
    const target = req.headers['x-amz-target'];
    const op = typeof target === 'string' ? target.split('.')[1]! : `${req.method} (s3 or sns)`;
    calls.set(op, (calls.get(op) ?? 0) + 1);
  });
}

/** `n` tasks, `IN_FLIGHT` at a time; per-task latencies in ms, and the total seconds. */
async function run(n: number, task: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < n) {
        const i = next++;
        const start = performance.now();
        await task(i);
        latencies.push(performance.now() - start);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  const seconds = (performance.now() - t0) / 1000;
  const pct = (p: number) =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]! * 10) / 10;
  return { perSecond: Math.round(n / seconds), p50: pct(0.5), p99: pct(0.99) };
}

// Baseline: what an upload writes, straight through the SDK.
const raw = createAwsClients(config.aws);
const { resources } = adapters;
const rawUpload = async (i: number) => {
  const id = `raw-${i}-${Date.now()}`;
  await raw.s3.send(new PutObjectCommand({ Bucket: resources.bucket, Key: `originals/${id}`, Body: body }));
  await raw.ddb.send(
    new PutCommand({ TableName: resources.table, Item: { pk: `JOB#${id}`, sk: 'JOB', n: i } }),
  );
  await raw.ddb.send(
    new PutCommand({ TableName: resources.table, Item: { pk: `DOC#${id}`, sk: 'DOC', n: i } }),
  );
  await raw.sqs.send(new SendMessageCommand({ QueueUrl: resources.jobsQueueUrl, MessageBody: id }));
};
await run(40, rawUpload); // warm up
const baseline = await run(N, rawUpload);

const compiled = !process.argv.includes('--tsx');
if (compiled) execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
rmSync(profileDir, { recursive: true, force: true });
mkdirSync(profileDir, { recursive: true });
const api = launch('server/main.ts', {
  compiled,
  env: { ...process.env, ...env },
  nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
});
const { url } = await api.ready;
const upload = async (i: number) => {
  const res = await uploadFile(url!, body, `doc-${i}.txt`);
  if (res.errors) throw new Error(JSON.stringify(res.errors));
};
await run(40, upload); // warm up
counting = true;
const measured = await run(N, upload);
counting = false;
await api.stop();
raw.destroy();
adapters.destroy();
await aws.stop();

const result = {
  uploads: N,
  inFlight: IN_FLIGHT,
  api: compiled ? 'compiled (dist/)' : 'sources under tsx',
  uploadsPerSecond: measured.perSecond,
  rawCallsPerSecond: baseline.perSecond,
  ratio: Math.round((measured.perSecond / baseline.perSecond) * 100) / 100,
  latencyMs: {
    upload: { p50: measured.p50, p99: measured.p99 },
    raw: { p50: baseline.p50, p99: baseline.p99 },
  },
  awsCallsPerUpload: Object.fromEntries([...calls].map(([op, n]) => [op, Math.round((n / N) * 100) / 100])),
  profile: summariseProfile(
    join(
      profileDir,
      readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'))!,
    ),
    {
      afterLongestGap: false,
    },
  ),
};
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'upload-profile.json'), JSON.stringify(result, null, 2));
console.log(JSON.stringify(result, null, 2));
