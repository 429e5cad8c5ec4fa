/**
 * Job lifecycle rules shared by the api, the worker and the DLQ command. The one rule that matters
 * most: **document first** — a job's terminal state is written to its document before the job
 * itself, so whoever sees the job's final event and then reads the document sees it finished too.
 * (More of the lifecycle moves here with the refactoring issue: see docs/architecture.md.)
 */
import { newId } from './ids.js';
import { isTerminal, JobStage, JobStatus, type JobRecord } from './model.js';

/** Why a job ended FAILED outside the analysis itself (ProcessingErrorCode lists those). */
export const JobErrorCode = {
  /** The document was deleted while the job ran (the subscribers' final event). */
  DOCUMENT_DELETED: 'DOCUMENT_DELETED',
  /** The job's message could not be sent to the queue. */
  ENQUEUE_FAILED: 'ENQUEUE_FAILED',
  /** Every allowed attempt failed; the cause is in the worker log under the correlation id. */
  RETRIES_EXHAUSTED: 'RETRIES_EXHAUSTED',
  /** The uploaded original is no longer in storage. */
  ORIGINAL_MISSING: 'ORIGINAL_MISSING',
  /** The stored original differs from what was uploaded. */
  CHECKSUM_MISMATCH: 'CHECKSUM_MISMATCH',
} as const;
export type JobErrorCode = (typeof JobErrorCode)[keyof typeof JobErrorCode];

/** What the lifecycle needs from storage (DocumentStore) and from the job writer (JobWriter). */
export interface JobLifecyclePorts {
  store: {
    updateDocumentStatus(
      id: string,
      ownerId: string,
      patch: { status: JobStatus; updatedAt: string },
    ): Promise<boolean>;
    getJob(id: string): Promise<JobRecord | null>;
  };
  jobs: {
    advance(job: JobRecord, patch: Partial<JobRecord>, correlationId: string): Promise<JobRecord | null>;
  };
}

/** A new QUEUED job at version 1. */
export function newJob(documentId: string, ownerId: string): JobRecord {
  const now = new Date().toISOString();
  return {
    id: newId(),
    documentId,
    ownerId,
    status: JobStatus.QUEUED,
    stage: JobStage.QUEUED,
    progress: 0,
    attempts: 0,
    version: 1,
    error: null,
    createdAt: now,
    updatedAt: now,
    startedAt: null,
    finishedAt: null,
  };
}

/**
 * Ends a job FAILED, document first. Returns the failed job, or null when the document is gone or
 * another writer finished the job first (then the document is put back in line with that outcome).
 */
export async function failJob(
  ports: JobLifecyclePorts,
  job: JobRecord,
  error: { code: string; message: string },
  correlationId: string,
): Promise<JobRecord | null> {
  const now = new Date().toISOString();
  if (
    !(await ports.store.updateDocumentStatus(job.documentId, job.ownerId, {
      status: JobStatus.FAILED,
      updatedAt: now,
    }))
  ) {
    return null;
  }
  const failed = await ports.jobs.advance(
    job,
    { status: JobStatus.FAILED, stage: JobStage.DONE, error, finishedAt: now },
    correlationId,
  );
  if (!failed) {
    const latest = await ports.store.getJob(job.id);
    if (latest && isTerminal(latest.status) && latest.status !== JobStatus.FAILED) {
      await ports.store.updateDocumentStatus(job.documentId, job.ownerId, {
        status: latest.status,
        updatedAt: now,
      });
    }
  }
  return failed;
}
