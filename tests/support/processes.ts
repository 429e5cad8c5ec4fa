import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Disposables } from './stack.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface ChildService {
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  ready: Promise<{ url?: string }>;
}

/**
 * Runs `server/main.ts` or `worker/main.ts` as a real process (as `npm start` does), configured by
 * environment only. Killed at dispose time if still alive.
 */
export function spawnService(
  entry: 'server/main.ts' | 'worker/main.ts',
  env: Record<string, string>,
  disposables: Disposables,
): ChildService {
  const child = fork(entry, [], {
    cwd: root,
    env: { ...process.env, ...env },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<{ url?: string }>((resolve, reject) => {
    child.on('message', (m: { type?: string; url?: string }) => {
      if (m?.type === 'ready') resolve(m.url ? { url: m.url } : {});
    });
    void exited.then((code) => reject(new Error(`${entry} exited (${code}) before it was ready`)));
  });
  ready.catch(() => undefined);
  disposables.add(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return { child, pid: child.pid!, exited, ready };
}
