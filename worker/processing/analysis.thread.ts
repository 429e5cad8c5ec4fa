import { parentPort } from 'node:worker_threads';
import { ProcessingError } from '../../domain/errors.js';
import { runAnalysis } from './run-analysis.js';
import type { ThreadJob, ThreadMessage } from './thread-protocol.js';

// Entry of an analysis thread (see thread-pool.ts): runs the jobs analyzeFile posts, one at a time.
const port = parentPort!;
const send = (message: ThreadMessage) => port.postMessage(message);

port.on('message', ({ id, input }: ThreadJob) => {
  runAnalysis(input, (update) => send({ id, type: 'progress', update })).then(
    (analysis) => send({ id, type: 'done', analysis }),
    (err: unknown) => {
      if (err instanceof ProcessingError) {
        send({ id, type: 'failed', code: err.code, message: err.message });
      } else if (err instanceof Error) {
        send({
          id,
          type: 'crashed',
          name: err.name,
          message: err.message,
          ...(err.stack && { stack: err.stack }),
        });
      } else {
        send({ id, type: 'crashed', name: 'Error', message: String(err) });
      }
    },
  );
});
