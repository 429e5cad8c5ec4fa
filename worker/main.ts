import { setPriority } from 'node:os';
import { loadConfigOrExit } from '../domain/config.js';
import { startTracing } from '../telemetry/tracing.js';
import { createLogger } from '../domain/logger.js';
import { createWorker } from './create-worker.js';

/** Process entry: reads the environment, starts the worker, drains on SIGTERM/SIGINT. */
async function main() {
  const config = loadConfigOrExit(process.env);
  const logger = createLogger('worker', config.logLevel, config.logFormat);
  // Processing yields the CPU to requests on a shared machine (WORKER_NICE). Raising one's own
  // niceness needs no privilege; a sandbox that forbids it only costs that.
  try {
    setPriority(config.worker.nice);
  } catch (err) {
    logger.warn({ err, nice: config.worker.nice }, 'could not lower the worker’s scheduling priority');
  }
  // Off unless configured; when off the OpenTelemetry SDK is not even loaded.
  const tracing = await startTracing(config.observability.tracing, 'docpipe-worker');
  const worker = createWorker(config, { logger });
  await worker.start();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'worker draining');
    await worker.stop();
    await tracing.shutdown(); // exports the spans still buffered
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // Started by the launcher (IPC channel): stop with it even if it was killed without notice.
  process.on('disconnect', () => void shutdown('launcher gone'));
  // Ready only once the signals are handled: a SIGTERM just after it must drain, not kill.
  process.send?.({ type: 'ready', service: 'worker', metricsUrl: worker.metricsUrl });
}

main().catch((err) => {
  console.error('worker failed to start:', err);
  process.exit(1);
});
