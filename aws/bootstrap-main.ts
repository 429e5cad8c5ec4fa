/**
 * One-shot process entry: creates docpipe's AWS resources (aws/bootstrap.ts) and exits. Run by
 * docker-compose's `bootstrap` service before any api or worker starts; in a deployment it is the
 * job that stands in for infrastructure-as-code. Retries while the emulator or AWS is unreachable.
 */
import { loadConfigOrExit } from '../domain/config.js';
import { createLogger } from '../domain/logger.js';
import { ensureResources } from './bootstrap.js';
import { createAwsClients } from './clients.js';

const ATTEMPTS = 30;
const RETRY_DELAY_MS = 2_000;

async function main() {
  const config = loadConfigOrExit(process.env);
  const logger = createLogger('bootstrap', config.logLevel, config.logFormat);
  const aws = createAwsClients(config.aws);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        // DOCPIPE_BOOTSTRAP only tells the api and workers whether to do this themselves.
        const resources = await ensureResources(aws, config.resources, {
          visibilityTimeoutSeconds: config.worker.visibilityTimeoutSeconds,
        });
        logger.info({ resources }, 'resources ready');
        return;
      } catch (err) {
        if (attempt >= ATTEMPTS) throw err;
        logger.warn({ err, attempt }, 'bootstrap failed; retrying');
        await new Promise((r) => setTimeout(r, RETRY_DELAY_MS));
      }
    }
  } finally {
    aws.destroy();
  }
}

main().catch((err) => {
  console.error('bootstrap failed:', err);
  process.exit(1);
});
