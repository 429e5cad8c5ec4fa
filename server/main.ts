import { loadConfigOrExit } from '../domain/config.js';
import { startTracing } from '../telemetry/tracing.js';
import { createApiServer } from './create-server.js';
import { createLogger } from '../domain/logger.js';

/** Process entry: the only place that reads the environment and handles signals. */
async function main() {
  const config = loadConfigOrExit(process.env);
  const logger = createLogger('api', config.logLevel, config.logFormat);
  // Off unless configured; when off the OpenTelemetry SDK is not even loaded.
  const tracing = await startTracing(config.observability.tracing, 'docpipe-api');
  const api = createApiServer(config, { logger });
  const { url } = await api.start();

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'api shutting down');
    await api.stop();
    await tracing.shutdown(); // exports the spans still buffered
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // Started by the launcher (IPC channel): stop with it even if it was killed without notice.
  process.on('disconnect', () => void shutdown('launcher gone'));
  // Ready only once the signals are handled: a SIGTERM just after it must drain, not kill.
  process.send?.({ type: 'ready', service: 'api', url });
}

main().catch((err) => {
  console.error('api failed to start:', err);
  process.exit(1);
});
