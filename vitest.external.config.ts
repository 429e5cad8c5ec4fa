/**
 * `npm run test:external`: the integration suites where the emulator matters (what docpipe stores,
 * queues, publishes and reads back), against fauxqs and AWS's DynamoDB Local running as separate
 * processes (tests/support/external-emulators.ts) instead of the embedded fauxqs + dynalite.
 * Left out: tests about the embedded emulators themselves (binding, memory, persistence, call counts
 * at their sockets, the launcher) and those the emulator does not change (units, processing, edge,
 * browsers, observability, clients beyond reconnecting). Everything else as in vitest.config.ts.
 */
import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      'tests/pipeline.test.ts',
      'tests/lifecycle.test.ts',
      'tests/document-events.test.ts',
      'tests/search.test.ts',
      'tests/listing.test.ts',
      'tests/document-store.test.ts',
      'tests/bootstrap.test.ts',
      'tests/reprocess-enqueue.test.ts',
      'tests/fan-out.test.ts',
      'tests/api-lifecycle.test.ts',
      'tests/faults/delivery.test.ts',
      'tests/faults/crashes.test.ts',
      'tests/bad-input.test.ts',
      'tests/security/auth.test.ts',
      'tests/clients/sdk-reconnect.test.ts',
      'tests/security/isolation.test.ts',
      'tests/security/usage-limits.test.ts',
    ],
    globalSetup: ['tests/support/external-emulators.ts'],
  },
});
