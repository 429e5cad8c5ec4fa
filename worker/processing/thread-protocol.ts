import type { Analysis, ProgressUpdate } from './analysis.js';
import type { ProcessingLimits } from './limits.js';

/** What to analyse. */
export interface ThreadInput {
  path: string;
  /** The whole file, when held in memory; only for analysis on the calling thread, never posted. */
  bytes?: Buffer;
  filename?: string;
  limits: ProcessingLimits;
}

/** analyzeFile → analysis thread: one job at a time per thread. */
export interface ThreadJob {
  id: number;
  input: ThreadInput;
}

/** Analysis thread → analyzeFile, tagged with the job's id. Buffers arrive as plain Uint8Arrays. */
export type ThreadMessage = { id: number } & (
  | { type: 'progress'; update: ProgressUpdate }
  | { type: 'done'; analysis: Omit<Analysis, 'thumbnail'> & { thumbnail?: Uint8Array } }
  /** A ProcessingError: the job ends FAILED with this code. */
  | { type: 'failed'; code: string; message: string }
  /** Anything else (I/O, bugs): rethrown in the parent as a plain, retryable Error. */
  | { type: 'crashed'; name: string; message: string; stack?: string }
);
