import { Worker } from 'node:worker_threads';

/** An analysis thread; its heap limit is fixed when it starts. */
export interface AnalysisThread {
  readonly worker: Worker;
  readonly memoryMb: number;
  jobs: number;
}

/** Idle threads kept warm (the worker runs a few jobs at once; more would only hold memory). */
const MAX_IDLE_THREADS = 4;
const IDLE_TIMEOUT_MS = 30_000;
/** A thread is replaced after this many jobs, so nothing a library caches can pile up. */
const MAX_JOBS_PER_THREAD = 100;

/**
 * Warm analysis threads, so a job does not pay for starting a thread and loading pdf.js or
 * libvips (~0.1–0.3 s compiled). A thread runs one job at a time; only a thread whose job ended
 * normally (a result or a ProcessingError) comes back: after a timeout, an abort, a crash or a
 * heap overflow it is discarded. Idle threads do not keep the process alive.
 */
export class ThreadPool {
  readonly #start: () => { script: URL | string; eval: boolean };
  readonly #idle: { thread: AnalysisThread; timer: NodeJS.Timeout }[] = [];

  constructor(start: () => { script: URL | string; eval: boolean }) {
    this.#start = start;
  }

  /** An idle thread with this heap limit, or a new one. */
  acquire(memoryMb: number): AnalysisThread {
    const index = this.#idle.findIndex((entry) => entry.thread.memoryMb === memoryMb);
    if (index !== -1) {
      const [{ thread, timer }] = this.#idle.splice(index, 1) as [
        { thread: AnalysisThread; timer: NodeJS.Timeout },
      ];
      clearTimeout(timer);
      thread.worker.ref();
      return thread;
    }
    const { script, eval: isEval } = this.#start();
    const worker = new Worker(script, { eval: isEval, resourceLimits: { maxOldGenerationSizeMb: memoryMb } });
    const thread: AnalysisThread = { worker, memoryMb, jobs: 0 };
    // A job listens for errors while it runs; between jobs a dying thread is just forgotten.
    worker.on('error', () => undefined);
    worker.on('exit', () => this.#forget(thread));
    return thread;
  }

  /** Returns a thread whose job ended normally. */
  release(thread: AnalysisThread): void {
    thread.jobs++;
    if (thread.jobs >= MAX_JOBS_PER_THREAD || this.#idle.length >= MAX_IDLE_THREADS) {
      this.discard(thread);
      return;
    }
    thread.worker.unref();
    const timer = setTimeout(() => this.discard(thread), IDLE_TIMEOUT_MS);
    timer.unref();
    this.#idle.push({ thread, timer });
  }

  /** Ends a thread (its state is unknown or it is no longer needed). */
  discard(thread: AnalysisThread): void {
    this.#forget(thread);
    void thread.worker.terminate();
  }

  #forget(thread: AnalysisThread): void {
    const index = this.#idle.findIndex((entry) => entry.thread === thread);
    if (index === -1) return;
    clearTimeout(this.#idle[index]!.timer);
    this.#idle.splice(index, 1);
  }
}
