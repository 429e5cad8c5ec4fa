/** The shared Lifecycle: every phase, a failed boot, stop before/during/after start. */
import { describe, expect, it } from 'vitest';
import { Lifecycle } from '../../domain/lifecycle.js';

function subject(boot: () => Promise<string> = async () => 'booted') {
  const calls: string[] = [];
  const lifecycle = new Lifecycle('thing', {
    boot: async () => {
      calls.push('boot');
      return boot();
    },
    release: async () => void calls.push('release'),
  });
  return { lifecycle, calls };
}

describe('Lifecycle', () => {
  it('goes idle → starting → ready → draining → stopped and refuses a second start', async () => {
    const { lifecycle, calls } = subject();
    expect(lifecycle.phase).toBe('idle');
    const started = lifecycle.start();
    expect(lifecycle.phase).toBe('starting');
    expect(await started).toBe('booted');
    expect(lifecycle.phase).toBe('ready');
    await expect(lifecycle.start()).rejects.toThrow('The thing cannot start: it is ready');
    const stopping = lifecycle.stop();
    expect(lifecycle.phase).toBe('draining');
    await stopping;
    expect(lifecycle.phase).toBe('stopped');
    await lifecycle.stop();
    expect(calls).toEqual(['boot', 'release']);
    await expect(lifecycle.start()).rejects.toThrow('it is stopped');
  });

  it('stop before start releases nothing and ends stopped', async () => {
    const { lifecycle, calls } = subject();
    await lifecycle.stop();
    expect(lifecycle.phase).toBe('stopped');
    expect(calls).toEqual([]);
  });

  it('stop during start waits for the boot, then releases it once', async () => {
    let finishBoot!: () => void;
    const { lifecycle, calls } = subject(() => new Promise((r) => (finishBoot = () => r('late'))));
    const started = lifecycle.start();
    const stopped = lifecycle.stop();
    expect(lifecycle.phase).toBe('draining');
    finishBoot();
    expect(await started).toBe('late');
    await stopped;
    expect(lifecycle.phase).toBe('stopped');
    expect(calls).toEqual(['boot', 'release']);
  });

  it('a failed boot releases what was made and ends stopped', async () => {
    const { lifecycle, calls } = subject(async () => {
      throw new Error('no AWS');
    });
    await expect(lifecycle.start()).rejects.toThrow('no AWS');
    expect(lifecycle.phase).toBe('stopped');
    expect(calls).toEqual(['boot', 'release']);
  });
});
