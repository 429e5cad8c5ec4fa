import type { IncomingMessage, Server } from 'node:http';
import type { EmbeddedAws } from '../../dev/emulators.js';

/**
 * Counts the AWS calls reaching the emulators, by the calling service (`app/docpipe-<service>` in
 * the user agent, see connectAws) and operation: DynamoDB and SQS by their X-Amz-Target, SNS (the
 * query protocol) as `Publish`-or-other `sns`, S3 by method (`s3 PUT`, `s3 GET`, …).
 */
export function countAwsCalls(emulators: EmbeddedAws) {
  const counts = new Map<string, Map<string, number>>();
  const listener = (req: IncomingMessage) => {
    const app = /app\/docpipe-([\w-]+)/.exec(String(req.headers['user-agent'] ?? ''))?.[1] ?? 'other';
    const target = req.headers['x-amz-target'];
    const operation =
      typeof target === 'string'
        ? target.split('.')[1]!
        : String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')
          ? 'sns'
          : `s3 ${req.method}`;
    const byOperation = counts.get(app) ?? new Map<string, number>();
    byOperation.set(operation, (byOperation.get(operation) ?? 0) + 1);
    counts.set(app, byOperation);
  };
  const servers = emulators.servers.map(({ server }) => server as Server);
  for (const server of servers) server.prependListener('request', listener);
  return {
    /** Calls made by `service` since the last reset, by operation. */
    of(service: string): Record<string, number> {
      return Object.fromEntries(counts.get(service) ?? []);
    },
    reset(): void {
      counts.clear();
    },
    stop(): void {
      for (const server of servers) server.off('request', listener);
    },
  };
}
