/** The one process launcher (dev/processes.ts) and npm start's supervisor, with tiny real child scripts. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launch } from '../../dev/processes.js';
import { supervise } from '../../dev/supervisor.js';
import { removeDir, tempDir } from '../support/stack.js';

const dir = tempDir('docpipe-launch-');
afterAll(() => removeDir(dir));
const script = (name: string, body: string) => {
  const file = join(dir, name);
  writeFileSync(file, body);
  return file;
};

const READY = "process.send({ type: 'ready', url: 'http://127.0.0.1:1/graphql' });";
const STAY = 'setInterval(() => {}, 1000);';

describe('launch', () => {
  it('resolves ready with the URL the child reports, and stop() ends it with SIGTERM', async () => {
    const child = launch(
      // The handler first: a SIGTERM that arrives between `ready` and a later handler would find
      // the default action (death by signal), as a busy machine showed.
      script('ready.mjs', `process.on('SIGTERM', () => process.exit(0)); ${READY} ${STAY}`),
      { env: {} },
    );
    expect(await child.ready).toEqual({ url: 'http://127.0.0.1:1/graphql' });
    await child.stop();
    expect(await child.exited).toEqual({ code: 0, signal: null });
    await child.stop(); // again: nothing to do
  });

  it('rejects ready when the child exits first, with its exit code', async () => {
    const child = launch(script('fails.mjs', 'process.exit(3);'), { env: {} });
    await expect(child.ready).rejects.toThrow(/exited \(code 3\) before it was ready/);
  });

  it('kills a child that ignores SIGTERM once the grace period is over', async () => {
    const child = launch(script('stubborn.mjs', `process.on('SIGTERM', () => {}); ${READY} ${STAY}`), {
      env: {},
    });
    await child.ready;
    await child.stop(200);
    expect(await child.exited).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('kill() is SIGKILL at once', async () => {
    const child = launch(script('drains.mjs', `process.on('SIGTERM', () => {}); ${READY} ${STAY}`), {
      env: {},
    });
    await child.ready;
    await child.kill();
    expect((await child.exited).signal).toBe('SIGKILL');
  });
});

describe('supervise', () => {
  const fast = { initialMs: 20, maxMs: 80, healthyAfterMs: 60_000 };
  const until = async (check: () => boolean) => {
    for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    expect(check()).toBe(true);
  };

  it('starts a child again when it dies, with a growing delay and a line each time', async () => {
    const lines: string[] = [];
    // Reports its PORT, so the restart environment can be checked.
    const child = script(
      'crashy.mjs',
      `process.send({ type: 'ready', url: 'http://127.0.0.1:' + (process.env.PORT ?? '0') + '/graphql' }); ${STAY}`,
    );
    const s = supervise(child, {
      name: 'worker',
      env: { PORT: '0' },
      log: (l) => lines.push(l),
      backoff: fast,
      restartEnv: () => ({ PORT: '4321' }),
    });
    expect(await s.ready).toEqual({ url: 'http://127.0.0.1:0/graphql' });
    await s.current!.kill();
    await until(() => s.restarts === 1 && lines.some((l) => l.includes('is back')));
    await s.current!.kill();
    await until(() => s.restarts === 2 && lines.filter((l) => l.includes('is back')).length === 2);
    expect(lines.filter((l) => l.includes('exited unexpectedly'))).toEqual([
      'docpipe: worker exited unexpectedly (SIGKILL); restarting in 20 ms',
      'docpipe: worker exited unexpectedly (SIGKILL); restarting in 40 ms',
    ]);
    const pid = s.current!.pid;
    expect(readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')).toContain('PORT=4321');
    await s.stop();
    await new Promise((r) => setTimeout(r, 100));
    expect(s.current?.pid ?? pid).toBe(pid); // stopped: not started again
    expect(s.restarts).toBe(2);
  });

  it('gives up on a child whose first start fails, and on one that keeps failing to start', async () => {
    const reasons: string[] = [];
    const never = supervise(script('never.mjs', 'process.exit(2);'), {
      name: 'api',
      env: {},
      log: () => undefined,
      backoff: fast,
      onGiveUp: (r) => reasons.push(r),
    });
    await expect(never.ready).rejects.toThrow(/api exited \(code 2\) before it was ready/);
    expect(never.restarts).toBe(0);

    // Ready once, then every restart dies before it is ready.
    const marker = join(dir, 'started-once');
    const flaky = supervise(
      script(
        'flaky.mjs',
        `import { existsSync, writeFileSync } from 'node:fs';
         if (existsSync(${JSON.stringify(marker)})) process.exit(4);
         writeFileSync(${JSON.stringify(marker)}, '');
         ${READY} ${STAY}`,
      ),
      {
        name: 'worker',
        env: {},
        log: () => undefined,
        backoff: fast,
        maxFailedStarts: 3,
        onGiveUp: (r) => reasons.push(r),
      },
    );
    await flaky.ready;
    await flaky.current!.kill();
    await until(() => reasons.length === 2);
    expect(reasons[1]).toBe('worker exited (code 4) before it was ready, 3 times in a row');
    expect(flaky.restarts).toBe(3);
  });
});
