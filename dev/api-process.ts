/**
 * One api replica as a child process (server/main.ts under tsx, as `npm start` runs it), for the
 * edge tests and the TLS benchmark that need real processes behind nginx.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SERVER_MAIN = fileURLToPath(new URL('../server/main.ts', import.meta.url));

export interface ApiProcess {
  pid: number;
  url: string;
  /** `host:port`, as nginx's upstream block and access log name it. */
  address: string;
  /** SIGTERM (graceful drain), SIGKILL after 10 s. */
  stop(): Promise<void>;
}

/**
 * Forks a replica with exactly `env` (plus PATH) and resolves once it reported ready over IPC.
 * `onStarted` receives the stop function at once, so a caller can clean up even if it never
 * becomes ready.
 */
export function forkApi(
  env: Record<string, string>,
  onStarted: (stop: () => Promise<void>) => void = () => {},
) {
  const child = fork(SERVER_MAIN, [], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const stop = () =>
    new Promise<void>((resolveStop) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolveStop();
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.once('exit', () => {
        clearTimeout(kill);
        resolveStop();
      });
      child.kill('SIGTERM');
    });
  onStarted(stop);
  return new Promise<ApiProcess>((resolveReady, reject) => {
    const timeout = setTimeout(() => reject(new Error('api process not ready after 30 s')), 30_000);
    child.once('exit', (code) => {
      clearTimeout(timeout);
      reject(new Error(`api process exited with ${code} before it was ready`));
    });
    child.on('message', (m: { type?: string; url?: string }) => {
      if (m?.type !== 'ready' || !m.url) return;
      clearTimeout(timeout);
      resolveReady({ pid: child.pid!, url: m.url, address: new URL(m.url).host, stop });
    });
  });
}
