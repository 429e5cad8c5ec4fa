/** The one process launcher (dev/processes.ts) with tiny real child scripts. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { launch } from '../../dev/processes.js';
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
      script('ready.mjs', `${READY} ${STAY} process.on('SIGTERM', () => process.exit(0));`),
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
