/**
 * The embedded stack's idle memory (issue 10): `npm start`'s launcher (compiled, as `npm start` runs
 * it; emulators inside it) on free ports and a fresh DATA_DIR, nginx off; RSS of the launcher, the
 * api and the worker once the banner is printed and the stack has settled. No baseline: the target
 * is absolute.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { LAUNCHER_NODE_FLAGS } from '../../../dev/processes.js';
import { projectRoot } from '../../../dev/project-root.js';
import type { Scenario } from '../scenario.js';
import { ensureBuilt, round, row, rssMiB } from '../support.js';

const READY_TIMEOUT_MS = 120_000;

export const idleMemory: Scenario = {
  name: 'idle-memory',
  description: 'RSS of the launcher+emulators, api and worker of `npm start` at idle',
  async run({ smoke, log }) {
    ensureBuilt();
    const dataDir = mkdtempSync(join(tmpdir(), 'docpipe-bench-idle-'));
    const launcher = spawn(process.execPath, [...LAUNCHER_NODE_FLAGS, 'dist/dev/start.js'], {
      cwd: projectRoot,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        NODE_ENV: 'development',
        PORT: '0',
        EMBEDDED_AWS_PORT: '0',
        EMBEDDED_DYNAMODB_PORT: '0',
        EDGE_NGINX: 'off',
        WORKER_METRICS_PORT: '0',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    launcher.stdout.on('data', (d) => (output += d));
    launcher.stderr.on('data', (d) => (output += d));
    const exited = new Promise<void>((r) => launcher.once('exit', () => r()));
    try {
      log('npm start (compiled), waiting for the banner');
      const end = Date.now() + READY_TIMEOUT_MS;
      while (!output.includes('Press Ctrl-C')) {
        if (launcher.exitCode !== null || Date.now() > end)
          throw new Error(`the launcher did not become ready:\n${output}`);
        await sleep(100);
      }
      await sleep(smoke ? 1_000 : 10_000); // startup garbage collected, timers settled
      const launcherMiB = rssMiB(launcher.pid!);
      const apiMiB = rssMiB(childPid(launcher.pid!, 'server/main'));
      const workerMiB = rssMiB(childPid(launcher.pid!, 'worker/main'));
      return [
        row({
          name: 'idle memory: launcher+emulators + api + worker',
          measured: round(launcherMiB + apiMiB + workerMiB, 0),
          baseline: null,
          unit: 'MiB',
          better: 'lower',
          target: '≤ 400 MB for the three',
          meets: (m) => m * 1.048576 <= 400,
          smoke,
          detail: { launcherMiB, apiMiB, workerMiB },
        }),
      ];
    } finally {
      launcher.kill('SIGTERM');
      await Promise.race([exited, sleep(15_000)]);
      if (launcher.exitCode === null) launcher.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

/** The pid of `parent`'s child whose command line contains `needle`. */
function childPid(parent: number, needle: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle))
        return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no child of ${parent} runs ${needle}`);
}
