/**
 * The one way docpipe starts its own processes (the api's and the worker's `main.ts`), used by
 * `npm start`, the tests and the benchmarks: forked under tsx with an IPC channel, `ready` when the
 * child reports `{ type: 'ready', url }`, and one stop policy — SIGTERM (the child drains), then
 * SIGKILL after a grace period. `kill()` is the immediate SIGKILL the fault tests need.
 */
import { fork, type ChildProcess, type StdioOptions } from 'node:child_process';
import { isAbsolute, resolve } from 'node:path';
import { projectRoot, runningCompiled } from './project-root.js';

/** How long a stopping child may drain before it is killed. */
export const DEFAULT_GRACE_MS = 15_000;

/** What a child says when it is ready: the api its URL, the emulators their endpoints. */
export interface ReadyMessage {
  url?: string;
  [detail: string]: unknown;
}

export interface ServiceProcess {
  child: ChildProcess;
  pid: number;
  /** Resolves with the child's ready message (without its `type`); rejects if it exits first. */
  ready: Promise<ReadyMessage>;
  /** Resolves with the exit code (null when ended by a signal) and the signal. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the child is gone. Idempotent. */
  stop(graceMs?: number): Promise<void>;
  /** SIGKILL now; resolves once the child is gone. */
  kill(): Promise<void>;
}

/**
 * Node flags a service runs with wherever it is started: npm start, tests and benchmarks through
 * `launch`; the Dockerfile's CMD (tests/edge/compose.test.ts checks) and `npm run api` repeat
 * them. The api caps V8's young generation: on Node 24 a burst of connections grows it to 128 MiB
 * (64 MiB semi-spaces), which it then keeps; at 16 MiB semi-spaces it stays at 32 MiB. At 10k idle
 * subscribers that is ~23 → ~15 KB of RSS each (docs/performance.md), for more frequent (not
 * longer) scavenges under load.
 */
export const SERVICE_NODE_FLAGS: Readonly<Record<string, readonly string[]>> = {
  'server/main.ts': ['--max-semi-space-size=16'],
};

/**
 * Node flags of `npm start`'s launcher, which hosts the embedded emulators (package.json's `start`
 * script repeats them; tests/launcher.test.ts checks). 4 MiB semi-spaces keep its idle RSS 5–10 MiB
 * lower; the emulators' rate (an upload's raw calls at 8 in flight) did not measurably change.
 */
export const LAUNCHER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4'];

export interface LaunchOptions {
  /** The child's whole environment (PATH is added when missing). */
  env: Record<string, string | undefined>;
  /** @default ['ignore', 'inherit', 'inherit', 'ipc'] */
  stdio?: StdioOptions;
  /** Extra Node flags, e.g. `--cpu-prof` for a profile of the child. */
  nodeFlags?: string[];
  /** Run the compiled `dist/` file (after `npm run build`). @default whether this code is compiled */
  compiled?: boolean;
}

/**
 * Forks `entry` (a TypeScript source relative to the project, e.g. `server/main.ts`, or an absolute
 * path) as `npm start` runs it. From compiled code (`npm start` runs dist/) the child runs the
 * compiled file (`dist/server/main.js`), without the TypeScript loader; from sources (tests,
 * benchmarks) under tsx.
 */
export function launch(entry: string, opts: LaunchOptions): ServiceProcess {
  const source = isAbsolute(entry) ? entry : resolve(projectRoot, entry);
  const compiled = (opts.compiled ?? runningCompiled) && !isAbsolute(entry);
  const child = fork(compiled ? resolve(projectRoot, 'dist', entry.replace(/\.ts$/, '.js')) : source, [], {
    cwd: projectRoot,
    env: { PATH: process.env['PATH'] ?? '', ...opts.env },
    // node:sqlite (the api's search index, fauxqs) is still "experimental" on Node 24: no warning per start.
    execArgv: [
      '--disable-warning=ExperimentalWarning',
      ...(SERVICE_NODE_FLAGS[entry] ?? []),
      ...(opts.nodeFlags ?? []),
      ...(compiled ? [] : ['--import', 'tsx']),
    ],
    stdio: opts.stdio ?? ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })),
  );
  const ready = new Promise<ReadyMessage>((resolveReady, reject) => {
    child.on('message', (m: { type?: string } & ReadyMessage) => {
      if (m?.type === 'ready') {
        const { type: _type, ...message } = m;
        resolveReady(message);
      }
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`${entry} exited (${signal ?? `code ${code}`}) before it was ready`)),
    );
  });
  ready.catch(() => undefined); // callers that only stop it need not await it
  const alive = () => child.exitCode === null && child.signalCode === null;

  let stopping: Promise<void> | undefined;
  return {
    child,
    pid: child.pid!,
    ready,
    exited,
    stop(graceMs = DEFAULT_GRACE_MS) {
      stopping ??= (async () => {
        if (!alive()) return;
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        child.kill('SIGTERM');
        await exited;
        clearTimeout(timer);
      })();
      return stopping;
    },
    async kill() {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** One api replica, as the edge tests and the TLS benchmark run them behind nginx. */
export interface ApiProcess {
  pid: number;
  url: string;
  /** `host:port`, as nginx's upstream block and access log name it. */
  address: string;
  stop(): Promise<void>;
}

/**
 * Launches `server/main.ts` with exactly `env` (plus PATH) and resolves once it is ready.
 * `onStarted` receives the stop function at once, so a caller can clean up even if it never
 * becomes ready. Gives up after 30 s.
 */
export async function launchApi(
  env: Record<string, string>,
  onStarted: (stop: () => Promise<void>) => void = () => {},
): Promise<ApiProcess> {
  const api = launch('server/main.ts', { env });
  const stop = () => api.stop(10_000);
  onStarted(stop);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('api process not ready after 30 s')), 30_000);
  });
  try {
    const { url } = await Promise.race([api.ready, timeout]);
    if (!url) throw new Error('the api reported ready without a URL');
    return { pid: api.pid, url, address: new URL(url).host, stop };
  } finally {
    clearTimeout(timer);
  }
}
