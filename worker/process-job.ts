import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { BlobStore } from '../aws/blob-store.js';
import type { DocumentStore } from '../aws/document-store.js';
import type { JobWriter } from '../aws/job-writer.js';
import { ProcessingError } from '../domain/errors.js';
import type { JobMessage } from '../domain/messages.js';
import { JobStage, JobStatus, isTerminal, type JobRecord } from '../domain/model.js';
import { DETECTION_BYTES, detectType } from './detect-type.js';

export interface ProcessJobDeps {
  store: DocumentStore;
  blobs: BlobStore;
  jobs: JobWriter;
  logger: Logger;
}

/** What the consumer should do with the SQS message afterwards. */
export type Outcome = 'done' | 'skipped' | 'lost-race';

/** Another writer changed the job first, or the document was deleted: stop without side effects. */
class LostRace extends Error {}

/**
 * Runs one job to a terminal state. Every change is a conditional write (version + 1) followed by
 * an event; losing a race (another worker advanced the job) stops this run without side effects.
 * ProcessingError ends the job FAILED; other errors propagate so the message is retried.
 */
export async function processJob(msg: JobMessage, deps: ProcessJobDeps): Promise<Outcome> {
  const { store, blobs, logger } = deps;
  const log = logger.child({
    jobId: msg.jobId,
    documentId: msg.documentId,
    correlationId: msg.correlationId,
  });
  const current = await store.getJob(msg.jobId);
  if (!current || isTerminal(current.status)) {
    log.info({ status: current?.status ?? 'missing' }, 'nothing to do for this message');
    return 'skipped';
  }
  const doc = await store.getDocument(msg.ownerId, msg.documentId);
  if (!doc) {
    log.info('document is gone; dropping the job');
    return 'skipped';
  }

  const advance = makeAdvance(deps, msg.correlationId);
  const setDocStatus = async (patch: Parameters<DocumentStore['updateDocumentStatus']>[2]) => {
    if (!(await store.updateDocumentStatus(doc.id, doc.ownerId, patch)))
      throw new LostRace('document deleted');
  };
  const now = () => new Date().toISOString();
  let job: JobRecord = current;
  try {
    job = await advance(job, {
      status: JobStatus.PROCESSING,
      stage: JobStage.DOWNLOADING,
      progress: 5,
      attempts: current.attempts + 1,
      startedAt: now(),
      error: null,
    });
    await setDocStatus({ status: JobStatus.PROCESSING, updatedAt: now() });

    // Stream the original once: hash, count and keep the first bytes for detection.
    const body = await openOriginal(blobs, doc.id);
    const hash = createHash('sha256');
    let size = 0;
    const headChunks: Buffer[] = [];
    let headBytes = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      if (headBytes < DETECTION_BYTES) {
        headChunks.push(chunk);
        headBytes += chunk.length;
      }
    }
    const sha256 = hash.digest('hex');
    if (sha256 !== doc.sha256 || size !== doc.size) {
      throw new ProcessingError(
        'CHECKSUM_MISMATCH',
        `Stored original does not match the upload (size ${size} vs ${doc.size}, sha256 ${sha256} vs ${doc.sha256})`,
      );
    }

    job = await advance(job, { stage: JobStage.DETECTING, progress: 60 });
    const detectedType = await detectType(Buffer.concat(headChunks).subarray(0, DETECTION_BYTES));

    job = await advance(job, { stage: JobStage.STORING, progress: 85 });
    // Document first: whoever sees the COMPLETED event and then reads the document sees it done.
    await setDocStatus({ status: JobStatus.COMPLETED, detectedType, updatedAt: now() });
    job = await advance(job, {
      status: JobStatus.COMPLETED,
      stage: JobStage.DONE,
      progress: 100,
      finishedAt: now(),
    });
    log.info({ detectedType, size }, 'job completed');
    return 'done';
  } catch (err) {
    if (err instanceof LostRace) return 'lost-race';
    if (!(err instanceof ProcessingError)) throw err;
    log.warn({ code: err.code, reason: err.message }, 'job failed');
    const failed = await failJob(deps, job, err.code, err.message, msg.correlationId);
    return failed ? 'done' : 'lost-race';
  }
}

/** Ends a job FAILED (used for ProcessingErrors and for the last allowed delivery of a retried job). */
export async function failJob(
  deps: ProcessJobDeps,
  job: JobRecord,
  code: string,
  message: string,
  correlationId: string,
): Promise<JobRecord | null> {
  const now = new Date().toISOString();
  try {
    // Document first, as for COMPLETED.
    await deps.store.updateDocumentStatus(job.documentId, job.ownerId, {
      status: JobStatus.FAILED,
      updatedAt: now,
    });
    return await makeAdvance(deps, correlationId)(job, {
      status: JobStatus.FAILED,
      stage: JobStage.DONE,
      error: { code, message },
      finishedAt: now,
    });
  } catch (err) {
    if (err instanceof LostRace) return null;
    throw err;
  }
}

function makeAdvance(deps: ProcessJobDeps, correlationId: string) {
  return async (job: JobRecord, patch: Partial<JobRecord>): Promise<JobRecord> => {
    const next = await deps.jobs.advance(job, patch, correlationId);
    if (!next) {
      deps.logger.info({ jobId: job.id, version: job.version + 1 }, 'job changed under us; yielding');
      throw new LostRace('job changed');
    }
    return next;
  };
}

async function openOriginal(blobs: BlobStore, documentId: string) {
  try {
    return await blobs.getStream(BlobStore.originalKey(documentId));
  } catch (err) {
    if (err instanceof Error && (err.name === 'NoSuchKey' || err.name === 'NotFound')) {
      throw new ProcessingError('ORIGINAL_MISSING', 'The uploaded original is no longer in storage');
    }
    throw err;
  }
}
