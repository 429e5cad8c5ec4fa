import type { Logger } from 'pino';
import { advance } from '../domain/jobs.js';
import { isTerminal, type JobRecord } from '../domain/model.js';
import type { SearchEntry } from '../domain/messages.js';
import { metrics } from '../telemetry/metrics.js';
import type { DocumentStore } from './document-store.js';
import type { JobEventPublisher } from './job-events.js';

/**
 * The one way a job changes: the lifecycle's next version (domain/jobs.ts `advance`), written
 * conditionally on the version read, then an event with the new state.
 */
export class JobWriter {
  constructor(
    private readonly store: Pick<DocumentStore, 'putJobIfVersion'>,
    private readonly events: Pick<JobEventPublisher, 'publish'>,
    private readonly logger: Logger,
  ) {}

  /**
   * The new state, or null when another writer changed the job first (or it is gone). With
   * `announce: false` the event is left to the caller (`announce` later, or never when a newer
   * version supersedes it: subscribers may skip a version, never see one go back). `search` rides
   * along on the event (a COMPLETED document's search entry).
   */
  async advance(
    job: JobRecord,
    patch: Partial<JobRecord>,
    correlationId: string,
    opts: { announce?: boolean; search?: SearchEntry } = {},
  ): Promise<JobRecord | null> {
    const next = advance(job, patch); // the lifecycle's rule: allowed transition, version + 1
    if (!(await this.store.putJobIfVersion(next))) return null;
    if (isTerminal(next.status)) {
      metrics.jobsFinished.inc({ status: next.status, error_code: next.error?.code ?? '' });
    }
    if (opts.announce !== false) await this.announce(next, correlationId, opts.search);
    return next;
  }

  /** Publishes the event of a written state; a failure is logged, not thrown. */
  async announce(job: JobRecord, correlationId: string, search?: SearchEntry): Promise<void> {
    try {
      await this.events.publish({ kind: 'job.updated', job, correlationId, ...(search && { search }) });
    } catch (err) {
      // The state is in DynamoDB; subscribers converge when they resubscribe.
      this.logger.warn({ err, jobId: job.id, version: job.version }, 'event publish failed');
    }
  }
}
