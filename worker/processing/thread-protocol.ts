import type { Analysis, ProgressUpdate } from './analysis.js';
import type { ProcessingLimits } from './limits.js';

/** `workerData` of the analysis thread. */
export interface ThreadInput {
  path: string;
  filename?: string;
  limits: ProcessingLimits;
}

/** Messages from the analysis thread to analyzeFile. Buffers arrive as plain Uint8Arrays. */
export type ThreadMessage =
  | { type: 'progress'; update: ProgressUpdate }
  | { type: 'done'; analysis: Omit<Analysis, 'thumbnail'> & { thumbnail?: Uint8Array } }
  /** A ProcessingError: the job ends FAILED with this code. */
  | { type: 'failed'; code: string; message: string }
  /** Anything else (I/O, bugs): rethrown in the parent as a plain, retryable Error. */
  | { type: 'crashed'; name: string; message: string; stack?: string };
