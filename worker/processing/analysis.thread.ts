import { parentPort, workerData } from 'node:worker_threads';
import { ProcessingError } from '../../domain/errors.js';
import { runAnalysis } from './run-analysis.js';
import type { ThreadInput, ThreadMessage } from './thread-protocol.js';

// Entry of the analysis thread started by analyzeFile: one file per thread, then it is discarded.
const port = parentPort!;
const send = (message: ThreadMessage) => port.postMessage(message);

runAnalysis(workerData as ThreadInput, (update) => send({ type: 'progress', update })).then(
  (analysis) => send({ type: 'done', analysis }),
  (err: unknown) => {
    if (err instanceof ProcessingError) {
      send({ type: 'failed', code: err.code, message: err.message });
    } else if (err instanceof Error) {
      send({ type: 'crashed', name: err.name, message: err.message, ...(err.stack && { stack: err.stack }) });
    } else {
      send({ type: 'crashed', name: 'Error', message: String(err) });
    }
  },
);
