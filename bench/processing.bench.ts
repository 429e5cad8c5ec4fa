/**
 * Processing throughput: analyzeFile time per MB for plain text and PDF, as a ratio to SHA-256 of
 * the same bytes measured in the same run (so machines and load cancel out), plus the fixed cost
 * per job from a tiny file of the same kind (threads are pooled: after the first job it is the
 * round trip and detection, not a thread start).
 *
 *   npm run bench:processing            # from the TypeScript sources (tsx, like `npm start`)
 *   npm run bench:processing -- --dist  # from dist/ (run `npm run build` first), like production
 *
 * Results: bench-results/processing.json.
 */
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { makePdf } from '../tests/fixtures/documents.js';

type ProcessingModule = typeof import('../worker/processing/index.js');

const RUNS = 3;
const MiB = 1024 * 1024;
const fromDist = process.argv.includes('--dist');
const { analyzeFile, DEFAULT_PROCESSING_LIMITS }: ProcessingModule = await import(
  fromDist
    ? new URL('../dist/worker/processing/index.js', import.meta.url).href
    : '../worker/processing/index.js'
);

const PROSE =
  'The committee met on Tuesday to review the budget for the coming year. After a long discussion, the ' +
  'members agreed to increase funding for the public library and to repair the old stone bridge. ';

function textOf(bytes: number): string {
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const line = `${i}: ${PROSE}\n`;
    lines.push(line);
    size += line.length;
  }
  return lines.join('');
}

function pdfOf(pages: number): Promise<Uint8Array> {
  // ~40 lines per page, each a different line of prose, so pages do not compress to nothing.
  return makePdf({
    pages,
    pageText: (n) => Array.from({ length: 40 }, (_, i) => `${n}.${i} ${PROSE.slice(0, 90)}`).join('\n'),
  });
}

async function sha256Ms(path: string): Promise<number> {
  const start = performance.now();
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: MiB }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
  }
  hash.digest();
  return performance.now() - start;
}

async function analyzeMs(path: string): Promise<number> {
  const start = performance.now();
  await analyzeFile({
    path,
    size: statSync(path).size,
    limits: { ...DEFAULT_PROCESSING_LIMITS, timeoutMs: 600_000, maxMemoryMb: 2048 },
  });
  return performance.now() - start;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measure(name: string, path: string, tinyPath: string, pages?: number) {
  const bytes = statSync(path).size;
  const tinyBytes = statSync(tinyPath).size;
  const sha: number[] = [];
  const full: number[] = [];
  const tiny: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    sha.push(await sha256Ms(path));
    full.push(await analyzeMs(path));
    tiny.push(await analyzeMs(tinyPath));
  }
  const mb = bytes / MiB;
  const [shaMs, fullMs, tinyMs] = [median(sha), median(full), median(tiny)];
  const marginalMsPerMB = (fullMs - tinyMs) / ((bytes - tinyBytes) / MiB);
  const result = {
    name,
    bytes,
    ...(pages !== undefined && { pages }),
    sha256Ms: round(shaMs),
    analyzeMs: round(fullMs),
    /** What a tiny file of this kind costs: detection and the job round trip on a warm thread. */
    fixedCostMs: round(tinyMs),
    analyzeMsPerMB: round(fullMs / mb),
    marginalMsPerMB: round(marginalMsPerMB),
    sha256MsPerMB: round(shaMs / mb),
    ratioToSha256: round(fullMs / shaMs),
    marginalRatioToSha256: round(marginalMsPerMB / (shaMs / mb)),
    ...(pages !== undefined && { marginalMsPerPage: round((fullMs - tinyMs) / (pages - 1)) }),
  };
  const perPage = pages === undefined ? '' : `, ${round(fullMs / pages)} ms/page`;
  console.log(
    `${name.padEnd(14)} ${mb.toFixed(2).padStart(6)} MB  analyze ${result.analyzeMs} ms ` +
      `(${result.analyzeMsPerMB} ms/MB${perPage}, fixed ${result.fixedCostMs} ms)  ` +
      `sha256 ${result.sha256Ms} ms  ratio ${result.ratioToSha256}× (marginal ${result.marginalRatioToSha256}×)`,
  );
  return result;
}

const round = (x: number) => Math.round(x * 100) / 100;

const dir = mkdtempSync(join(tmpdir(), 'docpipe-bench-'));
try {
  const write = (name: string, data: string | Uint8Array) => {
    const path = join(dir, name);
    writeFileSync(path, data);
    return path;
  };
  console.log(`docpipe processing bench — ${fromDist ? 'dist/' : 'sources (tsx)'}, median of ${RUNS} runs`);
  const tinyText = write('tiny.txt', textOf(1024));
  const tinyPdf = write('tiny.pdf', await pdfOf(1));
  const cases = [
    await measure('text 8 MB', write('text-8.txt', textOf(8 * MiB)), tinyText),
    await measure('text 32 MB', write('text-32.txt', textOf(32 * MiB)), tinyText),
    await measure('pdf 100 pages', write('pdf-100.pdf', await pdfOf(100)), tinyPdf, 100),
    await measure('pdf 400 pages', write('pdf-400.pdf', await pdfOf(400)), tinyPdf, 400),
  ];
  const resultsDir = new URL('../bench-results/', import.meta.url);
  mkdirSync(resultsDir, { recursive: true });
  const out = new URL('processing.json', resultsDir);
  writeFileSync(
    out,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        source: fromDist ? 'dist' : 'tsx',
        node: process.versions.node,
        cpus: cpus().length,
        loadAverage: loadavg().map(round),
        runs: RUNS,
        cases,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`written ${out.pathname}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
