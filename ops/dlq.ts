/**
 * Operator command for the jobs dead-letter queue:
 *   npm run dlq -- list [--json]     what is in the DLQ and why
 *   npm run dlq -- redrive           give failed jobs a new run; poison stays
 * Uses the same environment variables as the api and worker (see .env.example).
 */
import { connectAws } from '../aws/connect.js';
import { loadConfigOrExit } from '../domain/config.js';
import { createLogger } from '../domain/logger.js';
import { listDeadLetters, redriveDeadLetters } from './dead-letters.js';

const [command = 'list', ...flags] = process.argv.slice(2);
const config = loadConfigOrExit(process.env);
const logger = createLogger('dlq', flags.includes('--verbose') ? 'info' : 'warn');
const adapters = await connectAws(config, logger, { bootstrap: false, service: 'dlq' });
try {
  if (command === 'list') {
    const letters = await listDeadLetters(adapters.queue.deadLetters);
    if (flags.includes('--json')) {
      console.log(JSON.stringify(letters, null, 2));
    } else if (letters.length === 0) {
      console.log('The DLQ is empty.');
    } else {
      for (const l of letters) {
        console.log(
          `${l.messageId}  ${l.reason.padEnd(18)} ${l.job ? `job ${l.job.jobId} document ${l.job.documentId}` : l.body.slice(0, 60)}`,
        );
      }
      console.log(`${letters.length} message(s).`);
    }
  } else if (command === 'redrive') {
    const result = await redriveDeadLetters({ adapters, logger });
    console.log(
      `restarted ${result.restarted.length} document(s), resent ${result.resent.length} message(s), ` +
        `kept ${result.kept.length} in the DLQ`,
    );
    for (const k of result.kept) console.log(`  kept ${k.messageId}: ${k.why}`);
  } else {
    console.error(`unknown command "${command}"; use "list" or "redrive"`);
    process.exitCode = 2;
  }
} finally {
  adapters.destroy();
}
