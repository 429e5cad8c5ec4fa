/**
 * What the bench scenarios share: embedded emulators and an environment for docpipe's processes,
 * the compiled build (`npm start` runs it, so the benchmarks do too), load loops bounded in count,
 * and readings from /proc (CPU time, current and peak RSS) of the processes under test.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { connectAws, type AwsAdapters } from '../../aws/connect.js';
import { startEmbeddedAws, type EmbeddedAws } from '../../dev/emulators.js';
import { projectRoot } from '../../dev/project-root.js';
import { loadConfig, type Config } from '../../domain/config.js';
import { TEST_AUTH_SECRET } from '../../tests/support/auth.js';
import { uploadFile } from '../../tests/support/graphql.js';
import type { BenchRow } from './scenario.js';

export interface BenchStack {
  emulators: EmbeddedAws;
  /** The environment for docpipe's processes (api, worker) on these emulators. */
  env: Record<string, string>;
  config: Config;
  /** Adapters for the bench itself (queue depth, resources), not counted as docpipe's calls. */
  adapters: AwsAdapters;
  stop(): Promise<void>;
}

/** Emulators (on disk under a temp folder when `onDisk`), resources created, and an env for processes. */
export async function benchStack(opts: { onDisk?: boolean; env?: Record<string, string> } = {}) {
  const dataDir = opts.onDisk ? mkdtempSync(join(tmpdir(), 'docpipe-bench-')) : undefined;
  const emulators = await startEmbeddedAws(dataDir ? { dataDir } : {});
  const env: Record<string, string> = {
    ...emulators.env,
    PORT: '0',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    AUTH_SECRET: TEST_AUTH_SECRET, // tests/support/graphql signs its requests with it
    RATE_LIMIT_REQUESTS: '100000000',
    MAX_CONCURRENT_UPLOADS: '64',
    WORKER_METRICS_PORT: '0',
    SEARCH_INDEX_PATH: ':memory:',
    ...opts.env,
  };
  const config = loadConfig(env);
  const adapters = await connectAws(config, pino({ level: 'silent' }), { bootstrap: true, service: 'bench' });
  return {
    emulators,
    env,
    config,
    adapters,
    async stop() {
      adapters.destroy();
      await emulators.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  } satisfies BenchStack;
}

// BENCH_PREBUILT=1: dist/ is already built from these sources (the tests' globalSetup does it).
let built = process.env['BENCH_PREBUILT'] === '1';
/** `npm run build` once per bench run: the processes under test run compiled, as `npm start` runs them. */
export function ensureBuilt(): void {
  if (built) return;
  execFileSync('npm', ['run', '--silent', 'build'], {
    cwd: projectRoot,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  built = true;
}

export interface LoadResult {
  perSecond: number;
  p50: number;
  p99: number;
  seconds: number;
}

/** `n` calls of `task`, `inFlight` at a time: rate, latency percentiles (ms) and duration. */
export async function runLoad(n: number, inFlight: number, task: (i: number) => Promise<void>) {
  const latencies: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < n) {
        const i = next++;
        const start = performance.now();
        await task(i);
        latencies.push(performance.now() - start);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    perSecond: round(n / seconds, 1),
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    seconds: round(seconds),
  } satisfies LoadResult;
}

/** A docpipe upload through the api; throws on any GraphQL error. */
export async function upload(url: string, body: string | Uint8Array, name = 'bench.txt') {
  const res = await uploadFile(url, body, name, 'text/plain');
  if (res.errors) throw new Error(`upload failed: ${JSON.stringify(res.errors)}`);
  return res.data!.uploadDocument as { id: string; job: { id: string } };
}

/** Waits until the jobs queue holds no message (visible or in flight); throws after `timeoutMs`. */
export async function drained(adapters: AwsAdapters, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    const depth = await adapters.queue.depth();
    if (depth.visible + depth.inFlight === 0) return;
    if (performance.now() > end) throw new Error(`jobs queue not drained within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** User + system CPU time of a process, all its threads, in ms (/proc/<pid>/stat, 100 ticks/s). */
export function cpuMs(pid: number, opts: { children?: boolean } = {}): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const own = Number(fields[11]) + Number(fields[12]);
  // cutime + cstime: the CPU of its children that have exited (and been waited for).
  const children = opts.children ? Number(fields[13]) + Number(fields[14]) : 0;
  return (own + children) * 10;
}

/** Resident memory in MiB: now (`VmRSS`) or the process's peak so far (`VmHWM`). */
export function rssMiB(pid: number, which: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const m = new RegExp(`^${which}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return round(Number(m?.[1] ?? NaN) / 1024);
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export function round(n: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

/** A result row; `ratio` and `met` follow from the numbers (met is null in smoke runs). */
export function row(
  r: Omit<BenchRow, 'ratio' | 'met'> & {
    /** Whether the target holds, given the measured value and the ratio; none: no target to judge. */
    meets?: (measured: number, ratio: number | null) => boolean;
    smoke: boolean;
  },
): BenchRow {
  const { meets, smoke, ...rest } = r;
  const ratio = rest.baseline ? round(rest.measured / rest.baseline) : null;
  return { ...rest, ratio, met: smoke || !meets ? null : meets(rest.measured, ratio) };
}
