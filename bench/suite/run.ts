/**
 * `npm run bench` — every scenario of issue 10, each against a baseline measured in the same run;
 * prints a table and writes bench-results/bench.json and bench-results/bench.md.
 *
 *   npm run bench                       all scenarios (about 10 minutes on 2 cores)
 *   npm run bench -- worker fanout      only these
 *   npm run bench -- --smoke            the smallest counts that exercise each path (CI's smoke test)
 *   npm run bench -- --out DIR          results elsewhere (default bench-results/)
 */
import 'reflect-metadata';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fanout } from './scenarios/fanout.js';
import { idleMemory } from './scenarios/idle-memory.js';
import { largeUpload } from './scenarios/large-upload.js';
import { latency } from './scenarios/latency.js';
import { ocr } from './scenarios/ocr.js';
import { search } from './scenarios/search.js';
import { uploads } from './scenarios/upload.js';
import { worker } from './scenarios/worker.js';
import type { BenchRow, Scenario } from './scenario.js';

const SCENARIOS: Scenario[] = [worker, fanout, latency, uploads, largeUpload, idleMemory, search, ocr];

const args = process.argv.slice(2);
const smoke = args.includes('--smoke');
const outAt = args.indexOf('--out');
const outDir = outAt >= 0 ? args[outAt + 1]! : 'bench-results';
const names = args.filter((a, i) => !a.startsWith('--') && (outAt < 0 || i !== outAt + 1));
const unknown = names.filter((n) => !SCENARIOS.some((s) => s.name === n));
if (unknown.length > 0) {
  console.error(`unknown scenario: ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
const chosen = names.length > 0 ? SCENARIOS.filter((s) => names.includes(s.name)) : SCENARIOS;

const results: {
  scenario: string;
  description: string;
  seconds: number;
  rows?: BenchRow[];
  error?: string;
}[] = [];
for (const scenario of chosen) {
  const t0 = performance.now();
  console.error(`▶ ${scenario.name}: ${scenario.description}`);
  try {
    const rows = await scenario.run({ smoke, log: (line) => console.error(`  ${scenario.name}: ${line}`) });
    results.push({
      scenario: scenario.name,
      description: scenario.description,
      seconds: secondsSince(t0),
      rows,
    });
  } catch (err) {
    // One broken scenario does not hide the others' numbers; the exit code says it failed.
    console.error(`  ${scenario.name} failed:`, err);
    results.push({
      scenario: scenario.name,
      description: scenario.description,
      seconds: secondsSince(t0),
      error: String(err instanceof Error ? err.message : err),
    });
  }
}

const report = {
  date: new Date().toISOString(),
  smoke,
  machine: {
    cpus: availableParallelism(),
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  results,
};
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'bench.json'), JSON.stringify(report, null, 2) + '\n');
const markdown = toMarkdown(report);
writeFileSync(join(outDir, 'bench.md'), markdown);
console.log(markdown);
console.error(`written to ${join(outDir, 'bench.json')} and ${join(outDir, 'bench.md')}`);
process.exit(results.some((r) => r.error) ? 1 : 0);

function toMarkdown(r: typeof report): string {
  const fmt = (n: number | null) => (n === null ? '—' : String(n));
  const lines = [
    `# docpipe bench — ${r.date}${r.smoke ? ' (smoke run: counts too small to judge targets)' : ''}`,
    '',
    `${r.machine.cpus} CPUs (${r.machine.cpu}), ${r.machine.memoryGiB} GiB, Node ${r.machine.node}. ` +
      'Baselines are measured in this run; ratio = measured ÷ baseline.',
    '',
    '| scenario | figure | measured | baseline | ratio | target | met |',
    '| --- | --- | ---: | ---: | ---: | --- | :-: |',
  ];
  for (const s of r.results) {
    if (s.error)
      lines.push(
        `| ${s.scenario} | **failed**: ${s.error.replaceAll('|', '\\|').split('\n')[0]} | | | | | ✗ |`,
      );
    for (const x of s.rows ?? [])
      lines.push(
        `| ${s.scenario} | ${x.name} | ${x.measured} ${x.unit} | ${x.baseline === null ? '—' : `${x.baseline} ${x.unit}`} | ${fmt(x.ratio)} | ${x.target} | ${x.met === null ? '—' : x.met ? '✓' : '✗'} |`,
      );
  }
  return lines.join('\n') + '\n';
}

function secondsSince(t0: number): number {
  return Math.round((performance.now() - t0) / 100) / 10;
}
