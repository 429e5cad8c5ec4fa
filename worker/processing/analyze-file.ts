import { Worker } from 'node:worker_threads';
import { ProcessingError } from '../../domain/errors.js';
import type { Analysis, AnalyzeFileInput } from './analysis.js';
import { ProcessingErrorCode } from './error-codes.js';
import { ProgressThrottle } from './progress.js';
import type { ThreadInput, ThreadMessage } from './thread-protocol.js';

const DEFAULT_PROGRESS_INTERVAL_MS = 100;

/**
 * How to start the thread entry that sits next to this module: compiled (dist/) it is plain
 * `analysis.thread.js`. From sources (tsx, vitest) it is a .ts file, and `execArgv: ['--import',
 * 'tsx']` does not reach worker threads (tsx issue #354), so a tiny bootstrap registers tsx's
 * loader inside the thread before importing the entry.
 */
function threadStart(): { script: URL | string; eval: boolean } {
  if (!import.meta.url.endsWith('.ts')) {
    return { script: new URL('./analysis.thread.js', import.meta.url), eval: false };
  }
  const tsx = JSON.stringify(import.meta.resolve('tsx/esm/api'));
  const entry = JSON.stringify(new URL('./analysis.thread.ts', import.meta.url).href);
  return {
    script: `import(${tsx}).then((tsx) => { tsx.register(); return import(${entry}); });`,
    eval: true,
  };
}
const THREAD_START = threadStart();

/**
 * Analyses one downloaded file: detected type, text, metadata, thumbnail. The work runs in a
 * fresh worker thread so the limits hold whatever the file does: the thread's heap is capped
 * (`maxMemoryMb` → RESOURCE_LIMIT_EXCEEDED) and the thread is terminated at `timeoutMs`
 * (PROCESSING_TIMEOUT); a hostile file can neither crash nor hang the calling worker.
 *
 * Rejects with a ProcessingError when the file cannot be processed (the job should end FAILED),
 * with `signal.reason` when aborted, and with a plain Error for anything retryable (I/O, bugs).
 */
export function analyzeFile(input: AnalyzeFileInput): Promise<Analysis> {
  const { limits, signal } = input;
  if (signal?.aborted) return Promise.reject(signal.reason);

  const threadInput: ThreadInput = {
    path: input.path,
    limits,
    ...(input.filename !== undefined && { filename: input.filename }),
  };
  const throttle = new ProgressThrottle(
    (update) => input.onProgress?.(update),
    input.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS,
  );

  return new Promise<Analysis>((resolve, reject) => {
    const thread = new Worker(THREAD_START.script, {
      eval: THREAD_START.eval,
      workerData: threadInput,
      resourceLimits: { maxOldGenerationSizeMb: limits.maxMemoryMb },
    });
    let settled = false;
    const settle = (outcome: { analysis: Analysis } | { error: unknown }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if ('analysis' in outcome) {
        throttle.flush();
        resolve(outcome.analysis);
      } else {
        throttle.cancel();
        reject(outcome.error);
      }
      // The thread has nothing left to do; ending it also frees whatever pdf.js or libvips kept.
      void thread.terminate();
    };

    const timer = setTimeout(
      () =>
        settle({
          error: new ProcessingError(
            ProcessingErrorCode.PROCESSING_TIMEOUT,
            `Processing did not finish within ${limits.timeoutMs} ms`,
          ),
        }),
      limits.timeoutMs,
    );
    const onAbort = () => settle({ error: signal?.reason });
    signal?.addEventListener('abort', onAbort, { once: true });

    thread.on('message', (message: ThreadMessage) => {
      switch (message.type) {
        case 'progress':
          if (!settled) throttle.push(message.update);
          return;
        case 'done': {
          const { thumbnail, ...rest } = message.analysis;
          const analysis: Analysis = rest;
          if (thumbnail)
            analysis.thumbnail = Buffer.from(thumbnail.buffer, thumbnail.byteOffset, thumbnail.length);
          settle({ analysis });
          return;
        }
        case 'failed':
          settle({ error: new ProcessingError(message.code, message.message) });
          return;
        case 'crashed': {
          const error = new Error(`Analysis failed: ${message.message}`);
          error.name = message.name;
          if (message.stack) error.stack = message.stack;
          settle({ error });
          return;
        }
      }
    });
    thread.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        settle({
          error: new ProcessingError(
            ProcessingErrorCode.RESOURCE_LIMIT_EXCEEDED,
            `Processing needed more than the ${limits.maxMemoryMb} MB memory limit`,
          ),
        });
      } else {
        settle({ error: err });
      }
    });
    thread.on('exit', (code) => settle({ error: new Error(`Analysis thread exited early (code ${code})`) }));
  });
}
