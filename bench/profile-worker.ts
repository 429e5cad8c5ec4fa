/**
 * Profiles the worker on small documents, the way issue 10 measures it: N one-line text documents
 * are uploaded while the worker process is stopped (SIGSTOP), then it is resumed and timed until
 * the jobs queue is empty. Prints docs/s, the worker's CPU per document (from /proc), the AWS calls
 * per document by operation (counted at the emulators), and the heaviest functions and packages of
 * a V8 CPU profile of the drain alone.
 *
 *   npm run bench:profile-worker -- [N] [--workers K] [--tsx]
 *   (N documents, default 300; K worker processes, default 1, only the first profiled; --tsx: from sources)
 *
 * Writes bench-results/worker-profile.json and the raw profile under bench-results/worker-cpuprofile/.
 */
import 'reflect-metadata';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { connectAws } from '../aws/connect.js';
import { startEmbeddedAws } from '../dev/emulators.js';
import { launch } from '../dev/processes.js';
import { loadConfig } from '../domain/config.js';
import { createApiServer } from '../server/create-server.js';
import { TEST_AUTH_SECRET } from '../tests/support/auth.js';
import { uploadFile } from '../tests/support/graphql.js';
import { summariseProfile } from './cpu-profile.js';

const N = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 300);
const UPLOADS_IN_FLIGHT = 8;
const DRAIN_TIMEOUT_MS = 120_000;
const out = 'bench-results';
const profileDir = join(out, 'worker-cpuprofile');

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
const api = createApiServer(config, { logger: pino({ level: 'silent' }) });
const { url } = await api.start();
const adapters = await connectAws(config, pino({ level: 'silent' }), { bootstrap: false });

// Every request reaching the emulators, by operation.
const calls = new Map<string, number>();
let counting = false;
for (const { name, server } of aws.servers) {
  (server as Server).prependListener('request', (req: IncomingMessage) => {
    // Only the worker's calls (its SDK clients add this app id to their user agent).
    if (!counting || !String(req.headers['user-agent'] ?? '').includes('app/docpipe-worker')) return;
    const op = operationOf(name, req);
    calls.set(op, (calls.get(op) ?? 0) + 1);
  });
}

rmSync(profileDir, { recursive: true, force: true });
mkdirSync(profileDir, { recursive: true });
// As `npm start` runs it: compiled (`--tsx` profiles the sources under the TypeScript loader).
const compiled = !process.argv.includes('--tsx');
if (compiled) execFileSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
const at = process.argv.indexOf('--workers');
const K = at > 0 ? Number(process.argv[at + 1]) : 1;
const workers = Array.from({ length: K }, (_, i) =>
  launch('worker/main.ts', {
    compiled,
    env: { ...process.env, ...env },
    ...(i === 0 && { nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] }),
  }),
);
await Promise.all(workers.map((w) => w.ready));
for (const w of workers) process.kill(w.pid, 'SIGSTOP');

let next = 0;
await Promise.all(
  Array.from({ length: UPLOADS_IN_FLIGHT }, async () => {
    while (next < N) {
      const i = next++;
      const res = await uploadFile(
        url,
        `document ${i}: the quick brown fox\n`,
        `doc-${i}.txt`,
        'text/plain',
        {
          token: undefined,
        },
      );
      if (res.errors) throw new Error(JSON.stringify(res.errors));
    }
  }),
);

const cpuBefore = workers.map((w) => cpuMs(w.pid));
counting = true;
const t0 = performance.now();
for (const w of workers) process.kill(w.pid, 'SIGCONT');
for (;;) {
  const depth = await adapters.queue.depth();
  if (depth.visible + depth.inFlight === 0) break;
  if (performance.now() - t0 > DRAIN_TIMEOUT_MS)
    throw new Error(`queue not drained after ${DRAIN_TIMEOUT_MS} ms`);
  await sleep(50);
}
const seconds = (performance.now() - t0) / 1000;
counting = false;
const cpu = workers.reduce((sum, w, i) => sum + cpuMs(w.pid) - cpuBefore[i]!, 0);
await Promise.all(workers.map((w) => w.stop()));
await api.stop();
adapters.destroy();
await aws.stop();

const byOperation = Object.fromEntries(
  [...calls].filter(([, n]) => n > 0).map(([op, n]) => [op, round(n / N)] as const),
);
const callsPerDoc = round([...calls.values()].reduce((a, b) => a + Math.max(0, b), 0) / N);
// The main thread's profile (the analysis threads write their own files too).
const profile = summariseProfile(
  join(
    profileDir,
    readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'))!,
  ),
  {
    afterLongestGap: true,
  },
);

const result = {
  docs: N,
  worker: compiled ? 'compiled (dist/)' : 'sources under tsx',
  workerProcesses: K,
  docsPerSecond: round(N / seconds),
  cpuMsPerDoc: round(cpu / N),
  awsCallsPerDoc: callsPerDoc,
  awsCallsPerDocByOperation: byOperation,
  profile,
};
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'worker-profile.json'), JSON.stringify(result, null, 2));
console.log(JSON.stringify(result, null, 2));

function cpuMs(pid: number): number {
  // utime and stime, in clock ticks (100 per second on Linux), fields 14 and 15 of /proc/<pid>/stat.
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** "dynamodb GetItem", "sqs ReceiveMessage", "s3 PUT", "sns Publish"… */
function operationOf(emulator: string, req: IncomingMessage): string {
  const target = req.headers['x-amz-target'];
  if (typeof target === 'string') {
    const [prefix, op] = target.split('.');
    return `${prefix?.startsWith('DynamoDB') ? 'dynamodb' : 'sqs'} ${op}`;
  }
  if (emulator === 'dynalite') return 'dynamodb ?';
  if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
    return 'sns/sqs query';
  return `s3 ${req.method}`;
}
