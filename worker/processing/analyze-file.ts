import { rm, writeFile } from 'node:fs/promises';
import { ProcessingError } from '../../domain/errors.js';
import type { Analysis, AnalyzeFileInput, DocumentKind, ProgressUpdate } from './analysis.js';
import { ProcessingErrorCode } from './error-codes.js';
import type { ThreadInput, ThreadJob, ThreadMessage } from './thread-protocol.js';
import { ThreadPool } from './thread-pool.js';

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

const pool = new ThreadPool(threadStart);
let lastJobId = 0;

/**
 * Analyses one downloaded file: detected type, text, metadata, thumbnail. Apart from small text
 * files (below), the work runs in a worker thread so the limits hold whatever the file does: the
 * thread's heap is capped (`maxMemoryMb` → RESOURCE_LIMIT_EXCEEDED) and the thread is terminated
 * at `timeoutMs` (PROCESSING_TIMEOUT); a hostile file can neither crash nor hang the calling worker.
 *
 * Rejects with a ProcessingError when the file cannot be processed (the job should end FAILED),
 * with `signal.reason` when aborted, and with a plain Error for anything retryable (I/O, bugs).
 */
export async function analyzeFile(input: AnalyzeFileInput): Promise<Analysis> {
  input.signal?.throwIfAborted();
  const { bytes } = input;
  if (bytes || input.size <= INLINE_MAX_BYTES) {
    const { detectBytes, detectFile, runAnalysis } = await inlineAnalysis();
    const detected = bytes
      ? await detectBytes(bytes, input.filename)
      : await detectFile(input.path, input.filename);
    if (INLINE_KINDS.has(detected.kind) && (bytes?.length ?? input.size) <= INLINE_MAX_BYTES) {
      // Too short to stop midway: an abort during it is answered at its end.
      input.signal?.throwIfAborted();
      const onProgress = (update: ProgressUpdate) => input.onProgress?.(update);
      const analysis = await runAnalysis(
        { ...threadInput(input), ...(bytes && { bytes }) },
        onProgress,
        detected,
      );
      input.signal?.throwIfAborted();
      return analysis;
    }
    if (bytes) {
      // A thread reads files: this one is written for it, and removed by whoever wrote it.
      await writeFile(input.path, bytes);
      try {
        return await inThread(input);
      } finally {
        await rm(input.path, { force: true });
      }
    }
  }
  return inThread(input);
}

/**
 * Small text files are analysed on the calling thread: their work is bounded by their size (no
 * decompression, no rendering), and the hand-off to a thread cost more CPU than the analysis
 * itself (~6 ms per one-line document; docs/performance.md). Everything else, and anything whose
 * bytes are not plainly text, goes to a thread.
 */
export const INLINE_MAX_BYTES = 16 * 1024;
const INLINE_KINDS: ReadonlySet<DocumentKind> = new Set(['text', 'markdown', 'csv', 'json', 'html']);

/**
 * The analysis code, loaded on the first small file: the worker's main thread needs it for nothing
 * else (~10 MiB of RSS at idle otherwise: file-type, franc's trigrams, the parsers).
 */
let inlineModules: Promise<typeof import('./detect.js') & typeof import('./run-analysis.js')> | undefined;
function inlineAnalysis() {
  return (inlineModules ??= Promise.all([import('./detect.js'), import('./run-analysis.js')]).then(
    ([detect, run]) => ({ ...detect, ...run }),
  ));
}

function threadInput(input: AnalyzeFileInput): ThreadInput {
  return {
    path: input.path,
    limits: input.limits,
    ...(input.filename !== undefined && { filename: input.filename }),
  };
}

function inThread(input: AnalyzeFileInput): Promise<Analysis> {
  const { limits, signal } = input;

  const job: ThreadJob = { id: ++lastJobId, input: threadInput(input) };
  const thread = pool.acquire(limits.maxMemoryMb);
  const { worker } = thread;

  return new Promise<Analysis>((resolve, reject) => {
    let settled = false;
    /** `reusable`: the job ended inside the thread's own code, which is ready for the next one. */
    const settle = (outcome: { analysis: Analysis } | { error: unknown }, reusable: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (reusable) pool.release(thread);
      else pool.discard(thread);
      if ('analysis' in outcome) resolve(outcome.analysis);
      else reject(outcome.error);
    };

    const timer = setTimeout(() => {
      const message = `Processing did not finish within ${limits.timeoutMs} ms`;
      settle({ error: new ProcessingError(ProcessingErrorCode.PROCESSING_TIMEOUT, message) }, false);
    }, limits.timeoutMs);
    const onAbort = () => settle({ error: signal?.reason }, false);
    signal?.addEventListener('abort', onAbort, { once: true });

    const onMessage = (message: ThreadMessage) => {
      if (message.id !== job.id) return;
      switch (message.type) {
        case 'progress':
          if (!settled) input.onProgress?.(message.update);
          return;
        case 'done': {
          const { thumbnail, ...rest } = message.analysis;
          const analysis: Analysis = rest;
          if (thumbnail) {
            analysis.thumbnail = Buffer.from(thumbnail.buffer, thumbnail.byteOffset, thumbnail.length);
          }
          settle({ analysis }, true);
          return;
        }
        case 'failed':
          settle({ error: new ProcessingError(message.code, message.message) }, true);
          return;
        case 'crashed': {
          const error = new Error(`Analysis failed: ${message.message}`);
          error.name = message.name;
          if (message.stack) error.stack = message.stack;
          settle({ error }, false);
          return;
        }
      }
    };
    const onError = (err: Error & { code?: string }) => {
      if (err.code === 'ERR_WORKER_OUT_OF_MEMORY') {
        const message = `Processing needed more than the ${limits.maxMemoryMb} MB memory limit`;
        settle({ error: new ProcessingError(ProcessingErrorCode.RESOURCE_LIMIT_EXCEEDED, message) }, false);
      } else {
        settle({ error: err }, false);
      }
    };
    const onExit = (code: number) =>
      settle({ error: new Error(`Analysis thread exited early (code ${code})`) }, false);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage(job);
  });
}
