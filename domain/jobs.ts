/**
 * The job lifecycle, shared by the api, the worker and the DLQ command:
 *
 *     QUEUED ──start──► PROCESSING ──complete──► COMPLETED
 *        │                 │  ▲ progress, retry (a
 *        │                 │  └ new attempt takes over)
 *        └──── fail / cancel (FAILED) ◄─┘
 *
 * Every change is a new version (`advance`): version + 1, progress never goes down, and only the
 * transitions above are allowed (COMPLETED and FAILED are final; reprocessing makes a new job).
 * **Document first**: a job's terminal state is written to its document before the job itself,
 * so whoever sees the job's final event and then reads the document sees it finished too.
 */
import { newId } from './ids.js';
import type { JobMessage } from './messages.js';
import {
  isTerminal,
  JobStage,
  JobStatus,
  type DocumentRecord,
  type JobError,
  type JobRecord,
  type DocumentStatusPatch,
} from './model.js';

/**
 * Every reason a job can end FAILED, in one place. The analysis codes come from the processing
 * library (bad or hostile bytes); the others from the lifecycle around it.
 */
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
  /** The bytes are not a readable file of the detected type (truncated, garbled, wrong inside). */
  CORRUPT_FILE: 'CORRUPT_FILE',
  /** The document is encrypted with a password we do not have. */
  PASSWORD_PROTECTED: 'PASSWORD_PROTECTED',
  TOO_MANY_PAGES: 'TOO_MANY_PAGES',
  /** Zip bomb or an archive that simply inflates to more than the limit. */
  DECOMPRESSED_TOO_LARGE: 'DECOMPRESSED_TOO_LARGE',
  /** Pixel bomb: declared dimensions beyond the pixel limit. */
  IMAGE_TOO_LARGE: 'IMAGE_TOO_LARGE',
  /** A format that must be held in memory whole is larger than its limit. */
  FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  PROCESSING_TIMEOUT: 'PROCESSING_TIMEOUT',
  /** The analysis thread ran out of its heap. */
  RESOURCE_LIMIT_EXCEEDED: 'RESOURCE_LIMIT_EXCEEDED',
} as const;
export type JobErrorCode = (typeof JobErrorCode)[keyof typeof JobErrorCode];

/** Where each status may go next. */
export const JOB_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  QUEUED: [JobStatus.PROCESSING, JobStatus.FAILED],
  // PROCESSING → PROCESSING: progress, and a retry whose new attempt takes the job over.
  PROCESSING: [JobStatus.PROCESSING, JobStatus.COMPLETED, JobStatus.FAILED],
  COMPLETED: [],
  FAILED: [],
};

/** A change the lifecycle does not allow: a bug in the caller, never a client's mistake. */
export class IllegalTransitionError extends Error {
  constructor(
    readonly from: JobStatus,
    readonly to: JobStatus,
  ) {
    super(`A job cannot go from ${from} to ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

/**
 * The job's next version: `patch` applied, version + 1, progress never lower, `updatedAt` now.
 * Throws IllegalTransitionError for a change the lifecycle does not allow.
 */
export function advance(job: JobRecord, patch: Partial<JobRecord>, now = new Date()): JobRecord {
  const to = patch.status ?? job.status;
  if (!JOB_TRANSITIONS[job.status].includes(to)) throw new IllegalTransitionError(job.status, to);
  return {
    ...job,
    ...patch,
    id: job.id,
    documentId: job.documentId,
    ownerId: job.ownerId,
    progress: Math.max(job.progress, patch.progress ?? job.progress),
    version: job.version + 1,
    updatedAt: now.toISOString(),
  };
}

/** The patches of each transition, so every caller writes the same fields. */
export const transitions = {
  /** A worker takes the job (first attempt, or a retry taking over from a dead holder). */
  start: (job: JobRecord, workerId: string, now = new Date()): Partial<JobRecord> => ({
    status: JobStatus.PROCESSING,
    stage: JobStage.DOWNLOADING,
    progress: 1,
    attempts: job.attempts + 1,
    startedAt: now.toISOString(),
    error: null,
    workerId,
  }),
  progress: (stage: string, progress: number): Partial<JobRecord> => ({ stage, progress }),
  complete: (now = new Date()): Partial<JobRecord> => ({
    status: JobStatus.COMPLETED,
    stage: JobStage.DONE,
    progress: 100,
    finishedAt: now.toISOString(),
  }),
  fail: (error: JobError, now = new Date()): Partial<JobRecord> => ({
    status: JobStatus.FAILED,
    stage: JobStage.DONE,
    error,
    finishedAt: now.toISOString(),
  }),
};

/** What the lifecycle needs from storage (DocumentStore) and from the job writer (JobWriter). */
export interface JobLifecyclePorts {
  store: {
    updateDocumentStatus(id: string, ownerId: string, patch: DocumentStatusPatch): Promise<boolean>;
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
  const failed = await ports.jobs.advance(job, transitions.fail(error, new Date(now)), correlationId);
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

/** What giving a document a new job needs besides the lifecycle's own ports. */
export interface RestartPorts extends JobLifecyclePorts {
  store: JobLifecyclePorts['store'] & {
    replaceCurrentJob(doc: DocumentRecord, job: JobRecord): Promise<boolean>;
  };
  queue: { send(message: JobMessage): Promise<void> };
}

/**
 * Gives a document whose current job has finished a new job and queues it (reprocessing, DLQ
 * redrive). `busy`: the current job still runs; `changed`: the document moved on meanwhile. When the
 * message cannot be sent, the new job and its document end FAILED (`ENQUEUE_FAILED`, document
 * first — a document left QUEUED would never be picked up again) and the send's error is rethrown.
 */
export async function restartDocument(
  ports: RestartPorts,
  doc: DocumentRecord,
  correlationId: string,
): Promise<{ outcome: 'started'; job: JobRecord } | { outcome: 'busy' | 'changed'; job?: JobRecord }> {
  const current = await ports.store.getJob(doc.currentJobId);
  if (current && !isTerminal(current.status)) return { outcome: 'busy', job: current };
  const job = newJob(doc.id, doc.ownerId);
  if (!(await ports.store.replaceCurrentJob(doc, job))) return { outcome: 'changed' };
  try {
    await ports.queue.send({ jobId: job.id, documentId: doc.id, ownerId: doc.ownerId, correlationId });
  } catch (err) {
    const error = { code: JobErrorCode.ENQUEUE_FAILED, message: 'Could not queue the job' };
    await failJob(ports, job, error, correlationId).catch(() => null);
    throw err;
  }
  return { outcome: 'started', job };
}
