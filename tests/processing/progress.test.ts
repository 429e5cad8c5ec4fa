import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { ProgressUpdate } from '../../worker/processing/index.js';
import { ProgressThrottle } from '../../worker/processing/progress.js';
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

  it('throttled delivery still ends with the final update', async () => {
    const path = fixtures.write('throttled.txt', 'Some text to analyse.\n'.repeat(1000));
    const updates: ProgressUpdate[] = [];
    await analyze(path, { progressIntervalMs: 100, onProgress: (u) => updates.push(u) });
    expect(updates.at(-1)).toEqual({ stage: 'analysing', fraction: 1 });
  });

  it('an aborted analysis rejects with the abort reason', async () => {
    const path = fixtures.write('aborted.txt', 'Never analysed.\n');
    const controller = new AbortController();
    const pending = analyze(path, { signal: controller.signal });
    controller.abort(new Error('worker shutting down'));
    await expect(pending).rejects.toThrow('worker shutting down');
  });
});

describe('ProgressThrottle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const update = (fraction: number): ProgressUpdate => ({ stage: 'extracting', fraction });

  it('delivers at most one update per interval and always the latest one', () => {
    vi.useFakeTimers();
    const delivered: number[] = [];
    const throttle = new ProgressThrottle((u) => delivered.push(u.fraction), 100);

    throttle.push(update(0.1)); // first: immediately
    throttle.push(update(0.2));
    throttle.push(update(0.3)); // replaces 0.2
    expect(delivered).toEqual([0.1]);
    vi.advanceTimersByTime(100);
    expect(delivered).toEqual([0.1, 0.3]);

    throttle.push(update(0.4)); // within the interval after 0.3: held
    vi.advanceTimersByTime(50);
    throttle.flush(); // the caller is done: the held update goes out now
    expect(delivered).toEqual([0.1, 0.3, 0.4]);
    vi.advanceTimersByTime(1000);
    expect(delivered).toEqual([0.1, 0.3, 0.4]);
  });

  it('cancel drops the held update', () => {
    vi.useFakeTimers();
    const delivered: number[] = [];
    const throttle = new ProgressThrottle((u) => delivered.push(u.fraction), 100);
    throttle.push(update(0.1));
    throttle.push(update(0.2));
    throttle.cancel();
    vi.advanceTimersByTime(1000);
    expect(delivered).toEqual([0.1]);
  });

  it('interval 0 passes every update through', () => {
    const delivered: number[] = [];
    const throttle = new ProgressThrottle((u) => delivered.push(u.fraction), 0);
    for (const f of [0.1, 0.2, 0.3]) throttle.push(update(f));
    expect(delivered).toEqual([0.1, 0.2, 0.3]);
  });
});
