/** The one progress throttle, on fake timers: what is written, what is announced, and when. */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { advance, newJob } from '../../domain/jobs.js';
import type { JobRecord } from '../../domain/model.js';
import { JobProgressThrottle } from '../../worker/job-progress-throttle.js';

function setup(intervalMs = 100, writeDelayMs = 0) {
  const log: string[] = [];
  const throttle = new JobProgressThrottle(
    newJob('d1', 'alice'),
    {
      async write(job, patch, announce) {
        if (writeDelayMs) await new Promise((r) => setTimeout(r, writeDelayMs));
        const next = advance(job, patch);
        log.push(`write v${next.version} ${next.stage} ${next.progress}${announce ? ' +event' : ''}`);
        return next;
      },
      async announce(job) {
        log.push(`event v${job.version}`);
      },
    },
    intervalMs,
  );
  const onRunning = async (job: JobRecord) => void log.push(`running v${job.version}`);
  const start = { status: 'PROCESSING' as const, attempts: 1, stage: 'starting', progress: 0 };
  return { log, throttle, onRunning, start };
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('JobProgressThrottle', () => {
  it('writes the start at once and announces it one interval later if the run goes on', async () => {
    const { log, throttle, onRunning, start } = setup();
    await throttle.begin(start, onRunning);
    expect(log).toEqual(['write v2 starting 0']);
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toEqual(['write v2 starting 0', 'running v2', 'event v2']);
  });

  it('lets held progress carry the news of the start, one write per interval', async () => {
    const { log, throttle, onRunning, start } = setup();
    await throttle.begin(start, onRunning);
    throttle.report('downloading', 10);
    throttle.report('downloading', 30);
    await vi.advanceTimersByTimeAsync(100);
    expect(log.slice(1)).toEqual(['running v2', 'write v3 downloading 30 +event']);
    throttle.report('extracting', 50);
    await vi.advanceTimersByTimeAsync(99);
    expect(log).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(log.at(-1)).toBe('write v4 extracting 50 +event');
  });

  it('a run done within the interval writes its start and its end, and announces only the end', async () => {
    const { log, throttle, onRunning, start } = setup();
    await throttle.begin(start, onRunning);
    throttle.report('extracting', 60);
    await throttle.apply({ status: 'COMPLETED', stage: 'done', progress: 100 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(['write v2 starting 0', 'write v3 done 100 +event']);
  });

  it('a held start is not written; a run done within the interval writes start and end as one version', async () => {
    const { log, throttle, onRunning, start } = setup();
    await throttle.begin(start, onRunning, { hold: true });
    expect(log).toEqual([]);
    expect(throttle.current).toMatchObject({ status: 'PROCESSING', attempts: 1, version: 1 });
    throttle.report('extracting', 60);
    const final = await throttle.apply({ status: 'COMPLETED', stage: 'done', progress: 100 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(['write v2 done 100 +event']);
    expect(final).toMatchObject({ status: 'COMPLETED', attempts: 1, version: 2 });
  });

  it('a held start is written one interval later, with the progress held since, then announced', async () => {
    const { log, throttle, onRunning, start } = setup();
    await throttle.begin(start, onRunning, { hold: true });
    throttle.report('downloading', 30);
    await vi.advanceTimersByTimeAsync(100);
    expect(log).toEqual(['write v2 downloading 30', 'running v2', 'event v2']);
    throttle.report('extracting', 50);
    await vi.advanceTimersByTimeAsync(100);
    expect(log.at(-1)).toBe('write v3 extracting 50 +event');
    await throttle.apply({ status: 'COMPLETED', stage: 'done', progress: 100 });
    expect(log.at(-1)).toBe('write v4 done 100 +event');
  });

  it('keeps a held start in `current` (and holding) while its write is on the way, and writes it once', async () => {
    const { log, throttle, onRunning, start } = setup(100, 150);
    await throttle.begin(start, onRunning, { hold: true });
    await vi.advanceTimersByTimeAsync(100); // the start's write begins
    throttle.report('downloading', 30);
    await vi.advanceTimersByTimeAsync(100); // another interval passes; the write is still on its way
    expect(throttle.holding).toBe(true);
    expect(throttle.current).toMatchObject({ status: 'PROCESSING', attempts: 1, version: 1 });
    await vi.advanceTimersByTimeAsync(50);
    expect(throttle.holding).toBe(false);
    expect(throttle.current).toMatchObject({ status: 'PROCESSING', attempts: 1, version: 2 });
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log.filter((l) => l.startsWith('write'))).toEqual([
      'write v2 starting 0',
      'write v3 downloading 30 +event',
    ]);
  });

  it('ignores reports once the run is ending, so nothing races its last write', async () => {
    const { log, throttle, onRunning, start } = setup();
    await throttle.begin(start, onRunning, { hold: true });
    const final = throttle.apply({ status: 'COMPLETED', stage: 'done', progress: 100 });
    throttle.report('extracting', 50);
    await final;
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(['write v2 done 100 +event']);
  });

  it('writeHeldStart writes a held start without its event, and nothing when none is held', async () => {
    const { log, throttle, onRunning, start } = setup();
    await throttle.begin(start, onRunning, { hold: true });
    await throttle.writeHeldStart();
    await throttle.writeHeldStart();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(log).toEqual(['write v2 starting 0']);
  });

  it('ignores reports that change nothing, and never lets progress go back', async () => {
    const { log, throttle, onRunning, start } = setup();
    await throttle.begin(start, onRunning);
    throttle.report('downloading', 40);
    await vi.advanceTimersByTimeAsync(100);
    throttle.report('downloading', 40);
    throttle.report('analysing', 20);
    await vi.advanceTimersByTimeAsync(100);
    expect(log.slice(2)).toEqual(['write v3 downloading 40 +event', 'write v4 analysing 40 +event']);
  });

  it('with a zero interval announces the start before begin returns', async () => {
    const { log, throttle, onRunning, start } = setup(0);
    await throttle.begin(start, onRunning);
    expect(log).toEqual(['write v2 starting 0 +event', 'running v2']);
  });

  it('rethrows a failed held write from settle, and writes nothing after it', async () => {
    const lost = new Error('lost the job');
    const { throttle, start } = setup();
    await throttle.begin(start, async () => {
      throw lost;
    });
    await vi.advanceTimersByTimeAsync(100);
    await expect(throttle.settle()).rejects.toBe(lost);
    await expect(throttle.apply({ status: 'COMPLETED', stage: 'done', progress: 100 })).rejects.toBe(lost);
  });
});
