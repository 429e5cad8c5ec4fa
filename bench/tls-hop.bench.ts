/**
 * `npm run bench:tls`: what the TLS edge costs. One api replica (child process) behind nginx with
 * the generated certificate; the same small query sent directly over HTTP and through nginx over
 * HTTPS, in alternating rounds of the same run. Prints requests/s and the ratio, and writes
 * bench-results/tls-hop.json.
 *
 * Load comes from Node's own http/https clients with keep-alive agents (no load library): a fixed
 * number of requests, a fixed number in flight, HTTP/1.1 both ways. Everything shares the machine's
 * cores (api, nginx, emulators and this load generator), as the numbers say.
 *
 * Short paired rounds (direct then nginx, or the reverse) and the median of the per-round ratios
 * keep the machine's drifting load, which hits both paths of a round alike, out of the ratio.
 *
 *   BENCH_REQUESTS=1000 BENCH_CONCURRENCY=16 BENCH_ROUNDS=10 npm run bench:tls
 */
import { randomBytes } from 'node:crypto';
import { signToken } from '../auth/tokens.js';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureResources } from '../aws/bootstrap.js';
import { createAwsClients } from '../aws/clients.js';
import { launchApi, type ApiProcess } from '../dev/processes.js';
import { startEmbeddedAws, type EmbeddedAws } from '../dev/emulators.js';
import { ensureCertificates, findNginx, startNginx, type RunningNginx } from '../dev/nginx.js';
import { loadConfig } from '../domain/config.js';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 1000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 10);
const WARMUP = 300;
const REQUEST_TIMEOUT_MS = 10_000;
const QUERY = JSON.stringify({ query: '{ __typename }' });
// Measures the hop, not the limits: a generous per-owner budget and one token for every request.
const AUTH_SECRET = randomBytes(32).toString('base64url');
const AUTH = { secret: AUTH_SECRET, issuer: 'docpipe', audience: 'docpipe-api', ownerClaim: 'sub' };
let authorization = '';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

interface RoundResult {
  path: 'direct' | 'nginx';
  requests: number;
  seconds: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

type Send = () => Promise<void>;

function sender(url: string, ca?: Buffer): { send: Send; close(): void } {
  const target = new URL(url);
  const agent = ca
    ? new HttpsAgent({ keepAlive: true, maxSockets: CONCURRENCY, ca })
    : new HttpAgent({ keepAlive: true, maxSockets: CONCURRENCY });
  const request = ca ? httpsRequest : httpRequest;
  const send: Send = () =>
    new Promise((resolveSent, reject) => {
      const req = request(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(QUERY),
            authorization,
          },
          timeout: REQUEST_TIMEOUT_MS,
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === 200 ? resolveSent() : reject(new Error(`HTTP ${res.statusCode} from ${url}`)),
          );
        },
      );
      req.on('timeout', () => req.destroy(new Error(`request timed out after ${REQUEST_TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(QUERY);
    });
  return { send, close: () => agent.destroy() };
}

/** Sends exactly `count` requests with `CONCURRENCY` in flight; returns per-request latencies. */
async function load(send: Send, count: number): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        next++;
        const t = process.hrtime.bigint();
        await send();
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
    }),
  );
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, latencies };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function main() {
  const bin = findNginx('auto');
  if (!bin) throw new Error('nginx not found: install it (apt-get install nginx)');
  const dir = mkdtempSync(join(tmpdir(), 'docpipe-bench-'));
  let aws: EmbeddedAws | undefined;
  let api: ApiProcess | undefined;
  let stopApi: (() => Promise<void>) | undefined;
  let edge: RunningNginx | undefined;
  try {
    aws = await startEmbeddedAws();
    const env = {
      ...aws.env,
      PORT: '0',
      LOG_LEVEL: 'warn',
      DOCPIPE_BOOTSTRAP: 'false',
      NODE_ENV: 'production',
      AUTH_SECRET,
      RATE_LIMIT_REQUESTS: '100000000',
    };
    authorization = `Bearer ${await signToken(AUTH, 'bench', 3600)}`;
    const config = loadConfig(env);
    const clients = createAwsClients(config.aws);
    await ensureResources(clients, config.resources, {
      visibilityTimeoutSeconds: config.worker.visibilityTimeoutSeconds,
    });
    clients.destroy();
    api = await launchApi(env, (stop) => (stopApi = stop));
    const tls = await ensureCertificates(join(dir, 'tls'));
    edge = await startNginx({
      bin,
      prefixDir: join(dir, 'nginx'),
      tls,
      upstreams: [api.address],
      host: '127.0.0.1',
      httpsPort: 0,
      httpPort: 0,
      maxUploadBytes: config.limits.maxUploadBytes,
      wsKeepAliveMs: config.wsKeepAliveMs,
      // The benchmark is one client sending ~1,000 req/s, 16 at a time: far above the per-address
      // limits a real edge has. Measure the proxy hop, not the limiter's refusals.
      limits: { requestRate: '100000r/s', requestBurst: 100_000, connections: 1_000 },
    });
    const paths = {
      direct: sender(api.url),
      nginx: sender(`${edge.httpsOrigin}/graphql`, readFileSync(tls.ca)),
    };
    for (const path of Object.values(paths)) await load(path.send, WARMUP);

    const rounds: RoundResult[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      // Alternate which path goes first, so drift on the shared machine hits both alike.
      const order = round % 2 === 0 ? (['direct', 'nginx'] as const) : (['nginx', 'direct'] as const);
      for (const path of order) {
        const { seconds, latencies } = await load(paths[path].send, REQUESTS);
        latencies.sort((a, b) => a - b);
        const result = {
          path,
          requests: REQUESTS,
          seconds: round3(seconds),
          rps: Math.round(REQUESTS / seconds),
          p50Ms: round3(percentile(latencies, 50)),
          p99Ms: round3(percentile(latencies, 99)),
        };
        rounds.push(result);
        console.log(
          `round ${round + 1} ${path.padEnd(6)} ${String(result.rps).padStart(6)} req/s  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms`,
        );
      }
    }
    Object.values(paths).forEach((p) => p.close());

    const rps = (path: RoundResult['path']) =>
      median(rounds.filter((r) => r.path === path).map((r) => r.rps));
    const pairRatios = Array.from({ length: ROUNDS }, (_, i) => {
      const pair = rounds.slice(2 * i, 2 * i + 2);
      return pair.find((r) => r.path === 'nginx')!.rps / pair.find((r) => r.path === 'direct')!.rps;
    });
    const direct = rps('direct');
    const viaNginx = rps('nginx');
    const ratio = round3(median(pairRatios));
    console.log(
      `\nmedian: direct (http) ${direct} req/s, through nginx (https) ${viaNginx} req/s; ` +
        `nginx/direct ratio ${ratio} (median of ${ROUNDS} paired rounds; load average ${loadavg()[0]!.toFixed(1)})`,
    );
    const out = join(root, 'bench-results', 'tls-hop.json');
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    writeFileSync(
      out,
      JSON.stringify(
        {
          benchmark: 'tls-hop',
          date: new Date().toISOString(),
          query: '{ __typename } (POST, application/json)',
          client: 'node:http / node:https keep-alive agents, HTTP/1.1',
          node: process.versions.node,
          // `nginx -v` prints to stderr.
          nginx: spawnSync(bin, ['-v'], { encoding: 'utf8' }).stderr.trim(),
          cpus: cpus().length,
          requestsPerRound: REQUESTS,
          concurrency: CONCURRENCY,
          rounds,
          loadAverage1m: round3(loadavg()[0]!),
          directRps: direct,
          nginxRps: viaNginx,
          pairRatios: pairRatios.map(round3),
          ratio,
        },
        null,
        2,
      ) + '\n',
    );
    console.log(`wrote ${out}`);
  } finally {
    await edge?.stop();
    await (stopApi ?? api?.stop)?.();
    await aws?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

main().catch((err) => {
  console.error('bench failed:', err);
  process.exit(1);
});
