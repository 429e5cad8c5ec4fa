/**
 * How fast the api refuses hostile GraphQL documents, against the cheapest accepted request in the
 * same run: `{ __typename }` (baseline), 2,000 aliases of `documents(first: 100)` (refused at parse
 * time by the token limit), 16 aliases (refused by the alias rule after parsing) and a costly
 * document within the other limits (refused by the cost rule). Median of N sequential requests each.
 * Run: `npm run bench:guard` (results in bench-results/query-guard.json).
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pino } from 'pino';
import { startEmbeddedAws } from '../dev/emulators.js';
import { loadConfig } from '../domain/config.js';
import { createApiServer } from '../server/create-server.js';
import { TEST_AUTH_SECRET } from '../tests/support/auth.js';
import { gql } from '../tests/support/graphql.js';

const N = Number(process.env['BENCH_ITERATIONS'] ?? 50);
const WARMUP = 5;

const aws = await startEmbeddedAws();
const config = loadConfig({
  ...aws.env,
  PORT: '0',
  LOG_LEVEL: 'silent',
  NODE_ENV: 'test',
  AUTH_SECRET: TEST_AUTH_SECRET,
  RATE_LIMIT_REQUESTS: '1000000',
});
const api = createApiServer(config, { logger: pino({ level: 'silent' }) });
const { url } = await api.start();

const aliases = (n: number, field: string) =>
  `{ ${Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ')} }`;
const cases: Record<string, { query: string; expect: 'ok' | 'QUERY_TOO_COMPLEX' }> = {
  'baseline { __typename }': { query: '{ __typename }', expect: 'ok' },
  '2,000 aliases of documents(first: 100)': {
    query: aliases(2_000, 'documents(first: 100) { edges { cursor } }'),
    expect: 'QUERY_TOO_COMPLEX',
  },
  '16 aliases': { query: aliases(16, 'apiKeys { id }'), expect: 'QUERY_TOO_COMPLEX' },
  'over the cost limit': {
    query: aliases(
      8,
      'documents(first: 100) { edges { node { id filename job { id status error { code } } } } }',
    ),
    expect: 'QUERY_TOO_COMPLEX',
  },
};

const round = (n: number) => Math.round(n * 100) / 100;
const results: Record<string, { p50Ms: number; p90Ms: number; bytes: number }> = {};
for (const [name, { query, expect }] of Object.entries(cases)) {
  const once = async () => {
    const res = await gql(url, query);
    const got = res.errors ? String(res.errors[0]?.extensions?.code) : 'ok';
    if (got !== expect) throw new Error(`${name}: expected ${expect}, got ${got}`);
  };
  for (let i = 0; i < WARMUP; i++) await once();
  const samples: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await once();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  results[name] = {
    p50Ms: round(samples[Math.floor(N / 2)]!),
    p90Ms: round(samples[Math.floor(N * 0.9)]!),
    bytes: Buffer.byteLength(query),
  };
}
await api.stop();
await aws.stop();

const baseline = results['baseline { __typename }']!.p50Ms;
const output = {
  date: new Date().toISOString(),
  iterations: N,
  cases: Object.fromEntries(
    Object.entries(results).map(([k, v]) => [k, { ...v, ratioToBaselineP50: round(v.p50Ms / baseline) }]),
  ),
};
mkdirSync('bench-results', { recursive: true });
writeFileSync('bench-results/query-guard.json', `${JSON.stringify(output, null, 2)}\n`);
for (const [name, v] of Object.entries(output.cases)) {
  console.log(
    `${name.padEnd(42)} p50 ${String(v.p50Ms).padStart(7)} ms  p90 ${String(v.p90Ms).padStart(7)} ms  ${v.ratioToBaselineP50}× baseline  (${v.bytes} bytes)`,
  );
}
console.log('written to bench-results/query-guard.json');
