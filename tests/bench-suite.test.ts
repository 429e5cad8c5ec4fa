import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { BenchRow } from '../bench/suite/scenario.js';
import { removeDir, tempDir } from './support/stack.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = tempDir('docpipe-bench-smoke-');
afterAll(() => removeDir(out));

interface Report {
  smoke: boolean;
  results: { scenario: string; rows?: BenchRow[]; error?: string }[];
}

/** `npm run bench -- --smoke`: every scenario on the smallest counts; numbers exist, no timing judged. */
describe('npm run bench (smoke run)', () => {
  it('runs every scenario against its baseline and writes JSON and Markdown', async () => {
    await promisify(execFile)(
      process.execPath,
      [
        '--disable-warning=ExperimentalWarning',
        '--import',
        'tsx',
        'bench/suite/run.ts',
        '--smoke',
        '--out',
        out,
      ],
      {
        cwd: root,
        env: { ...process.env, BENCH_PREBUILT: '1' },
        timeout: 400_000,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
    const report = JSON.parse(readFileSync(join(out, 'bench.json'), 'utf8')) as Report;
    expect(report.smoke).toBe(true);
    expect(report.results.map((r) => r.scenario)).toEqual([
      'worker',
      'fanout',
      'latency',
      'upload',
      'large-upload',
      'idle-memory',
      'search',
      'ocr',
    ]);
    for (const { scenario, rows, error } of report.results) {
      expect(error, scenario).toBeUndefined();
      expect(rows?.length, scenario).toBeGreaterThan(0);
      for (const row of rows!) {
        expect(Number.isFinite(row.measured), `${row.name}: ${row.measured}`).toBe(true);
        // Rates and times are positive; a memory delta on smoke counts may be noise around 0.
        if (/\/s$|^ms$/.test(row.unit)) expect(row.measured, row.name).toBeGreaterThan(0);
        if (row.baseline !== null) {
          expect(Number.isFinite(row.baseline), row.name).toBe(true);
          if (row.baseline !== 0) expect(row.ratio, row.name).toBeCloseTo(row.measured / row.baseline, 1);
        }
        expect(row.met, `${row.name}: targets are not judged on smoke counts`).toBeNull();
      }
    }
    // Every scenario but idle memory (an absolute target) has its measured baseline.
    const withBaseline = report.results.filter((r) => r.rows!.some((row) => row.baseline !== null));
    expect(withBaseline.map((r) => r.scenario)).toEqual([
      'worker',
      'fanout',
      'latency',
      'upload',
      'large-upload',
      'search',
      'ocr',
    ]);
    const markdown = readFileSync(join(out, 'bench.md'), 'utf8');
    for (const { rows } of report.results) for (const row of rows!) expect(markdown).toContain(row.name);
  }, 420_000);

  it('refuses an unknown scenario by name', async () => {
    const run = promisify(execFile)(process.execPath, ['--import', 'tsx', 'bench/suite/run.ts', 'no-such'], {
      cwd: root,
    });
    await expect(run).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('unknown scenario: no-such'),
    });
  });
});
