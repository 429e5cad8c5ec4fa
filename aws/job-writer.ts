import type { Logger } from 'pino';
import type { JobRecord } from '../domain/model.js';
import type { DocumentStore } from './document-store.js';
import type { JobEventPublisher } from './job-events.js';

/**
 * The one way a job changes: a conditional write of version + 1, then an event with the new state.
 * Used by the worker (progress, completion) and the api (cancel on delete).
 */
export class JobWriter {
  constructor(
    private readonly store: DocumentStore,
    private readonly events: JobEventPublisher,
    private readonly logger: Logger,
  ) {}

  /** The new state, or null when another writer changed the job first (or it is gone). */
  async advance(job: JobRecord, patch: Partial<JobRecord>, correlationId: string): Promise<JobRecord | null> {
    const next: JobRecord = {
      ...job,
      ...patch,
      progress: Math.max(job.progress, patch.progress ?? job.progress),
      version: job.version + 1,
      updatedAt: new Date().toISOString(),
    };
    if (!(await this.store.putJobIfVersion(next))) return null;
    try {
      await this.events.publish({ kind: 'job.updated', job: next, correlationId });
    } catch (err) {
      // The state is in DynamoDB; subscribers converge when they resubscribe.
      this.logger.warn({ err, jobId: job.id, version: next.version }, 'event publish failed');
    }
    return next;
  }
}
