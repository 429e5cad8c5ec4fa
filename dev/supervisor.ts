/**
 * Keeps one of `npm start`'s children running: when it exits without being asked to, it is started
 * again after a growing delay (1 s, 2 s, 4 s … 30 s; back to 1 s once a run has lasted a minute),
 * with a line saying so. A child whose first start fails, or that keeps dying before it is ready
 * (`maxFailedStarts` restarts in a row), is given up on, and `onGiveUp` decides what happens then
 * (npm start stops).
 */
import { launch, type LaunchOptions, type ReadyMessage, type ServiceProcess } from './processes.js';

export interface SupervisorOptions extends LaunchOptions {
  /** Name in the launcher's messages ("api", "worker"). */
  name: string;
  /** Environment for restarts, given the first ready message (the api keeps its port). */
  restartEnv?: (ready: { url?: string }) => Record<string, string | undefined>;
  /** Tries in a row that end before the child is ready, before giving up. @default 5 */
  maxFailedStarts?: number;
  /** Called once when it gives up. */
  onGiveUp?: (reason: string) => void;
  /** Where messages go. @default console.error */
  log?: (line: string) => void;
  /** Delays, for tests. */
  backoff?: { initialMs: number; maxMs: number; healthyAfterMs: number };
}

export interface Supervised {
  /** The first start's ready message (rejects if it never becomes ready). */
  ready: Promise<ReadyMessage>;
  /** The child running now (undefined while waiting to restart). */
  readonly current: ServiceProcess | undefined;
  /** Restarts so far. */
  readonly restarts: number;
  /** Stops the child (SIGTERM, then SIGKILL after the grace period) and any restart to come. */
  stop(): Promise<void>;
}

const DEFAULT_BACKOFF = { initialMs: 1_000, maxMs: 30_000, healthyAfterMs: 60_000 };

export function supervise(entry: string, opts: SupervisorOptions): Supervised {
  const { name, maxFailedStarts = 5, log = (line) => console.error(line) } = opts;
  const backoff = opts.backoff ?? DEFAULT_BACKOFF;
  let env = opts.env;
  let current: ServiceProcess | undefined;
  let stopped = false;
  let restarts = 0;
  let failedStarts = 0;
  let everReady = false;
  let delayMs = backoff.initialMs;
  let timer: NodeJS.Timeout | undefined;
  let resolveFirst!: (ready: ReadyMessage) => void;
  let rejectFirst!: (err: Error) => void;
  const ready = new Promise<ReadyMessage>((resolve, reject) => {
    resolveFirst = resolve;
    rejectFirst = reject;
  });
  ready.catch(() => undefined);

  const run = () => {
    const startedAt = Date.now();
    const child = launch(entry, { ...opts, env });
    current = child;
    let isReady = false;
    child.ready.then(
      (message) => {
        isReady = true;
        failedStarts = 0;
        if (!everReady) {
          everReady = true;
          if (opts.restartEnv) env = { ...env, ...opts.restartEnv(message) };
          resolveFirst(message);
        } else {
          log(`docpipe: ${name} is back (restart ${restarts})`);
        }
      },
      () => undefined,
    );
    void child.exited.then(({ code, signal }) => {
      if (stopped) return;
      current = undefined;
      const how = signal ?? `code ${code}`;
      if (!isReady && (!everReady || ++failedStarts >= maxFailedStarts)) {
        const reason = everReady
          ? `${name} exited (${how}) before it was ready, ${failedStarts} times in a row`
          : `${name} exited (${how}) before it was ready`;
        log(`docpipe: ${reason}; giving up`);
        rejectFirst(new Error(reason));
        opts.onGiveUp?.(reason);
        return;
      }
      if (Date.now() - startedAt >= backoff.healthyAfterMs) delayMs = backoff.initialMs;
      log(`docpipe: ${name} exited unexpectedly (${how}); restarting in ${formatDelay(delayMs)}`);
      timer = setTimeout(() => {
        restarts++;
        run();
      }, delayMs);
      delayMs = Math.min(delayMs * 2, backoff.maxMs);
    });
  };
  run();

  return {
    ready,
    get current() {
      return current;
    },
    get restarts() {
      return restarts;
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await current?.stop();
    },
  };
}

function formatDelay(ms: number): string {
  return ms < 1_000 ? `${ms} ms` : `${ms / 1_000} s`;
}
