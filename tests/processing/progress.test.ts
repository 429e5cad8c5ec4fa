import { afterAll, describe, expect, it } from 'vitest';
import type { ProgressUpdate } from '../../worker/processing/index.js';
import { makePdf } from '../fixtures/documents.js';
import { analyze, fixtureDir } from './analyze.js';

const { fixtures, cleanup } = fixtureDir();
afterAll(cleanup);

describe('progress', () => {
  it('a multi-page PDF reports named stages in order, rising fractions and one update per page', async () => {
    const pages = 5;
    const path = fixtures.write('pages.pdf', await makePdf({ pages }));
    const updates: ProgressUpdate[] = [];
    const a = await analyze(path, { onProgress: (u) => updates.push(u) });
    expect(a.pageCount).toBe(pages);

    const stages = updates.map((u) => u.stage).filter((s, i, all) => s !== all[i - 1]);
    expect(stages).toEqual(['detecting', 'extracting', 'analysing']);
    for (let i = 1; i < updates.length; i++) {
      expect(updates[i]!.fraction).toBeGreaterThanOrEqual(updates[i - 1]!.fraction);
    }
    expect(updates[0]).toEqual({ stage: 'detecting', fraction: 0 });
    expect(updates.at(-1)).toEqual({ stage: 'analysing', fraction: 1 });
    // Entering the stage, the file read (under 1 MiB: one update), then one update per page.
    const extracting = updates.filter((u) => u.stage === 'extracting');
    expect(extracting).toHaveLength(1 + 1 + pages);
    expect(new Set(extracting.map((u) => u.fraction)).size).toBe(extracting.length);
  });

  it('an aborted analysis rejects with the abort reason', async () => {
    const path = fixtures.write('aborted.txt', 'Never analysed.\n');
    const controller = new AbortController();
    const pending = analyze(path, { signal: controller.signal });
    controller.abort(new Error('worker shutting down'));
    await expect(pending).rejects.toThrow('worker shutting down');
  });
});
