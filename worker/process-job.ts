import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { BlobStore } from '../aws/blob-store.js';
import type { DocumentStore } from '../aws/document-store.js';
import type { JobWriter } from '../aws/job-writer.js';
import { ProcessingError } from '../domain/errors.js';
import { failJob, JobErrorCode, transitions } from '../domain/jobs.js';
import { SEARCH_TEXT_INLINE_MAX_BYTES, type JobMessage, type SearchEntry } from '../domain/messages.js';
import {
  JobStage,
  JobStatus,
  isTerminal,
  runFence,
  type DocumentRecord,
  type DocumentResult,
  type JobRecord,
  type DocumentStatusPatch,
  type RunFence,
} from '../domain/model.js';
import { INLINE_MAX_BYTES, type Analysis } from './processing/index.js';
import { JobProgressThrottle } from './job-progress-throttle.js';
import { metrics, timed } from '../telemetry/metrics.js';
import { withSpan } from '../telemetry/tracing.js';

/**
 * Looks at the downloaded original — at `path`, or in `bytes` when it is small enough to be kept in
 * memory (then `path` is free for the analyzer's own use, and the analyzer removes what it writes
 * there) — and reports progress as a 0–1 fraction of its own work.
 */
export type Analyzer = (input: {
  path: string;
  bytes?: Buffer;
  size: number;
  filename: string;
  onProgress: (stage: string, fraction: number) => void;
  signal: AbortSignal;
}) => Promise<Analysis>;

export interface ProcessJobDeps {
  store: Pick<
    DocumentStore,
    'getJob' | 'getDocument' | 'getJobAndDocument' | 'isDocumentDeleted' | 'updateDocumentStatus'
  >;
  blobs: Pick<BlobStore, 'getStream' | 'putStream' | 'deletePrefix'>;
  jobs: Pick<JobWriter, 'advance' | 'announce'>;
  analyze: Analyzer;
  logger: Logger;
  /** Recorded on the job while this worker holds it. */
  workerId: string;
  /** Where originals are downloaded for analysis, one file per run. @default the OS temp folder */
  workDir?: string;
  /** Fault-injection aid: pause between stages (0 in normal runs). */
  stageDelayMs?: number;
  /** At most one progress write per this many ms (see JobProgressThrottle). @default 100 */
  progressIntervalMs?: number;
}

/**
 * What the consumer does with the SQS message afterwards:
 * - `done` / `skipped` / `deleted`: delete it;
 * - `unknown-job`: poison, move it to the DLQ;
 * - `elsewhere`: another worker holds the job; leave the message to come back later.
 */
export type Outcome = 'done' | 'skipped' | 'deleted' | 'unknown-job' | 'elsewhere';

/** Another writer changed the job first, or the document was deleted: stop without side effects. */
class LostRace extends Error {}

/** A run whose claim on the job failed (or, holding it, whose first write did): its view was out of date. */
const CLAIM_LOST = Symbol('claim lost');

/** What one run works on: the job as last known, and what it needs of the document. */
interface RunTarget {
  job: JobRecord;
  doc: Pick<DocumentRecord, 'id' | 'ownerId' | 'filename' | 'size' | 'sha256' | 'createdAt'>;
  /** The original, when the message carried it (checked against the size and SHA-256 beside it). */
  content?: Buffer;
  /** The document may hold artefacts of earlier jobs (they are removed once this one completes). */
  earlierJobs: boolean;
}

// Share of the job's 0–100 progress each phase covers.
const DOWNLOAD_END = 40;
const ANALYSIS_END = 85;

/**
 * Runs one job to a terminal state. Every change is a conditional write (version + 1) followed by
 * an event; losing a race stops this run without further writes. ProcessingError ends the job
 * FAILED; other errors (and aborts) propagate so the consumer retries or releases the message.
 *
 * A new upload's message carries the job and document as written, and the run starts from that: no
 * read. On the message's first delivery the run also holds its claim on the job for one progress
 * interval: a run done sooner writes the document only if no run has written it (see
 * RunFence.unclaimed), then its start and end as one job version, conditional on version 1. Only
 * when that fails (a duplicate copy, a redelivery, a retry, a cancel) are both read, and the job
 * claimed at once.
 */
export async function processJob(
  msg: JobMessage,
  deps: ProcessJobDeps,
  signal: AbortSignal,
  receiveCount = 1,
): Promise<Outcome> {
  const log = deps.logger.child({
    jobId: msg.jobId,
    documentId: msg.documentId,
    correlationId: msg.correlationId,
  });
  // Only a first delivery holds its claim: a redelivered message's job has likely moved on. A
  // redelivery may follow a run that stored artefacts and died: it lists and removes them.
  const first = receiveCount === 1;
  const runs = (target: RunTarget, hold: boolean) =>
    run(first ? target : { ...target, earlierJobs: true }, msg, deps, signal, log, hold);
  const fromUpload = uploadTarget(msg);
  if (fromUpload) {
    const outcome = await runs(fromUpload, first);
    if (outcome !== CLAIM_LOST) return outcome;
  }
  const target = await readTarget(msg, deps, log);
  if (typeof target === 'string') return target;
  const outcome = await runs(target, false);
  return outcome === CLAIM_LOST ? afterLostRace(deps.store, msg.jobId, log) : outcome;
}

/** The job and document a new upload's message says were written, when it says so consistently. */
function uploadTarget(msg: JobMessage): RunTarget | null {
  const upload = msg.upload;
  const job = upload?.job;
  if (
    !job ||
    job.status !== JobStatus.QUEUED ||
    job.version !== 1 ||
    job.id !== msg.jobId ||
    job.documentId !== msg.documentId ||
    job.ownerId !== msg.ownerId
  ) {
    return null;
  }
  const { content, ...document } = upload.document;
  const bytes = content === undefined ? undefined : Buffer.from(content, 'base64');
  // Bytes that do not match the size and SHA-256 the api recorded with them (in the same message) are
  // not used: the original is downloaded instead. The queue is trusted; this catches corruption.
  const intact =
    bytes !== undefined &&
    bytes.length === document.size &&
    createHash('sha256').update(bytes).digest('hex') === document.sha256;
  return {
    job,
    // A new upload's document and its first job are created at one instant (recordUpload).
    doc: { id: msg.documentId, ownerId: msg.ownerId, createdAt: job.createdAt, ...document },
    ...(intact && { content: bytes }),
    earlierJobs: false,
  };
}

/** The job and its document as stored, or what to do with the message when there is nothing to run. */
async function readTarget(msg: JobMessage, deps: ProcessJobDeps, log: Logger): Promise<RunTarget | Outcome> {
  const { store } = deps;
  const { job, document } = await store.getJobAndDocument(msg.jobId, msg.ownerId, msg.documentId);
  if (!job) {
    return (await store.isDocumentDeleted(msg.documentId)) ? 'deleted' : 'unknown-job';
  }
  if (isTerminal(job.status)) {
    // The run that finished it may have died between its final write and that write's event (the
    // message then comes back): say the final state again, or its subscribers would wait forever.
    // Subscribers drop a version they have already seen.
    await deps.jobs.announce(job, msg.correlationId);
    log.info(
      { status: job.status },
      'job already finished; its final state announced again, message dropped',
    );
    return 'skipped';
  }
  // The job is the authority on whose document it is; the message only saved a request.
  const matches = msg.ownerId === job.ownerId && msg.documentId === job.documentId;
  const doc = matches ? document : await store.getDocument(job.ownerId, job.documentId);
  if (!doc) return 'deleted';
  return { job, doc, earlierJobs: Boolean(doc.result) || doc.jobIds.length > 1 };
}

/**
 * One run of the job, from its claim to a terminal state; CLAIM_LOST when the claim failed. With
 * `hold`, the claim is held (JobProgressThrottle.begin) for one progress interval.
 */
async function run(
  target: RunTarget,
  msg: JobMessage,
  deps: ProcessJobDeps,
  signal: AbortSignal,
  log: Logger,
  hold: boolean,
): Promise<Outcome | typeof CLAIM_LOST> {
  const { store } = deps;
  const { job: current, doc } = target;
  /** The document's search entry, once written COMPLETED: it rides on the COMPLETED event. */
  let completed: SearchEntry | undefined;
  const reporter = new JobProgressThrottle(
    current,
    {
      write: async (job, patch, announce) => {
        const search = patch.status === JobStatus.COMPLETED ? completed : undefined;
        const next = await deps.jobs.advance(job, patch, msg.correlationId, { announce, search });
        if (!next) throw new LostRace();
        return next;
      },
      announce: (job) => deps.jobs.announce(job, msg.correlationId),
    },
    deps.progressIntervalMs,
  );
  const setDocStatus = async (patch: DocumentStatusPatch, fence: RunFence) => {
    if (!(await store.updateDocumentStatus(doc.id, doc.ownerId, patch, { fence }))) throw new LostRace();
  };
  const pause = async () => {
    signal.throwIfAborted();
    reporter.throwIfFailed(); // a held claim that lost at its write: no point going on
    if (deps.stageDelayMs) await sleep(deps.stageDelayMs, undefined, { signal });
  };

  // Names this run's file and artefacts apart from any other run's, even of the same attempt.
  const runId = randomBytes(4).toString('hex');
  // One file per run, removed at the end (no folder per job: that costs a few syscalls more).
  const path = join(deps.workDir ?? tmpdir(), `docpipe-${msg.jobId}-${runId}`);
  let artefacts: string | undefined;
  let wroteDocument = false;
  // A run still holding its claim that has written nothing lost to another run or to a stale
  // snapshot: the caller reads the job and decides. One that wrote the document leaves the job to
  // its holder.
  const lost = () => (reporter.holding && !wroteDocument ? CLAIM_LOST : afterLostRace(store, msg.jobId, log));
  // Small originals are in the message, or downloaded into memory: no file round trip, none to remove.
  const inMemory = target.content !== undefined || doc.size <= INLINE_MAX_BYTES;
  // The start claims the job (a conditional write) — at once, or held for one interval; the
  // document shows PROCESSING, and the start is announced, only if the run outlasts that interval.
  try {
    await reporter.begin(
      transitions.start(current, deps.workerId),
      (job) =>
        setDocStatus({ status: JobStatus.PROCESSING, updatedAt: new Date().toISOString() }, runFence(job)),
      { hold },
    );
  } catch (err) {
    if (!(err instanceof LostRace)) throw err;
    // Lost at the claim itself, or just after it (the document went while it was marked PROCESSING).
    return reporter.current === current ? CLAIM_LOST : afterLostRace(store, msg.jobId, log);
  }
  try {
    await pause();

    const bytes =
      target.content ??
      (await stage('download', () =>
        download(deps.blobs, doc, inMemory ? null : path, signal, (f) =>
          reporter.report(JobStage.DOWNLOADING, 1 + f * (DOWNLOAD_END - 1)),
        ),
      ));
    await pause();

    const analysis = await stage('analysis', () =>
      deps.analyze({
        path,
        ...(bytes && { bytes }),
        size: doc.size,
        filename: doc.filename,
        signal,
        onProgress: (name, f) => reporter.report(name, DOWNLOAD_END + f * (ANALYSIS_END - DOWNLOAD_END)),
      }),
    );
    await pause();

    reporter.report(JobStage.STORING, ANALYSIS_END);
    const job = reporter.current;
    artefacts = BlobStore.attemptPrefix(doc.id, job.id, job.attempts, runId);
    const result = await stage('storing', () =>
      storeArtefacts(deps.blobs, artefacts!, job.id, analysis, { key: BlobStore.originalKey(doc.id), bytes }),
    );
    await pause();
    // A held PROCESSING write of the document must land before COMPLETED, never after it.
    await reporter.settle();
    // Still holding the claim: the document is written only if no run has written it.
    const fence = runFence(reporter.current, { unclaimed: reporter.holding });
    // Document first: whoever sees the COMPLETED event and then reads the document sees it done.
    // The result switches to this job's artefacts in that one write, so readers never see a mix.
    // Only while the run's fence holds: a run that lost its job (taken over after a missed
    // heartbeat, or superseded by a reprocess) stops here without touching the document.
    const completedAt = new Date().toISOString();
    await setDocStatus(
      { status: JobStatus.COMPLETED, detectedType: analysis.detectedType, result, updatedAt: completedAt },
      fence,
    );
    wroteDocument = true;
    completed = searchEntry(doc, result, completedAt, analysis.text);
    // Earlier jobs' (or attempts') artefacts are no longer referenced. A document's first run on
    // its first attempt has none, and skips the listing.
    if (target.earlierJobs || job.attempts > 1) {
      await deps.blobs.deletePrefix(BlobStore.derivedPrefix(doc.id), artefacts).catch((err: unknown) => {
        log.warn({ err }, 'could not remove superseded artefacts');
      });
    }
    await reporter.apply(transitions.complete());
    log.info({ detectedType: analysis.detectedType, size: doc.size }, 'job completed');
    return 'done';
  } catch (err) {
    if (artefacts) await removeUnlessCurrent(deps, doc, artefacts);
    if (err instanceof LostRace) return lost();
    // Let progress writes in flight land first and drop held ones, whatever the error: the failure
    // (written below, or by the caller once a retryable error has used up its attempts) must not
    // race this run's last update — a held PROCESSING write of the document landing after it would
    // leave a FAILED job's document PROCESSING for good.
    try {
      await reporter.settle();
      // A run holding its claim writes it first (without its event): the failure below, or the
      // caller's retry, then concern a job this run holds, and a retry finds the attempt counted.
      await reporter.writeHeldStart();
    } catch (flushErr) {
      if (flushErr instanceof LostRace) return lost();
      throw flushErr;
    }
    if (!(err instanceof ProcessingError)) throw err;
    log.warn({ code: err.code, reason: err.message }, 'job failed');
    const failed = await failJob(
      deps,
      reporter.current,
      { code: err.code, message: err.message },
      msg.correlationId,
    );
    return failed ? 'done' : afterLostRace(store, msg.jobId, log);
  } finally {
    if (!inMemory) await rm(path, { force: true });
  }
}

/**
 * Writes the extracted text and thumbnail under this run's prefix; returns the stored result. A text
 * that is the original byte for byte (a UTF-8 text file, held in memory) is not copied: the result
 * names the original, which lives as long as the document (its URL is presigned as text/plain).
 */
async function storeArtefacts(
  blobs: ProcessJobDeps['blobs'],
  prefix: string,
  jobId: string,
  analysis: Analysis,
  original: { key: string; bytes: Buffer | undefined },
): Promise<DocumentResult> {
  const text = analysis.text === null ? null : Buffer.from(analysis.text, 'utf8');
  const textIsOriginal = text !== null && original.bytes !== undefined && text.equals(original.bytes);
  const textKey = text === null ? null : textIsOriginal ? original.key : `${prefix}text.txt`;
  const thumbnailKey = analysis.thumbnail ? `${prefix}thumbnail.webp` : null;
  await Promise.all([
    text && !textIsOriginal && blobs.putStream(textKey!, text, 'text/plain; charset=utf-8'),
    thumbnailKey && blobs.putStream(thumbnailKey, analysis.thumbnail!, 'image/webp'),
  ]);
  return {
    jobId,
    kind: analysis.kind,
    pageCount: analysis.pageCount ?? null,
    wordCount: analysis.wordCount ?? null,
    charCount: analysis.charCount ?? null,
    language: analysis.language ?? null,
    textPreview: analysis.textPreview ?? null,
    textTruncated: analysis.textTruncated,
    title: analysis.title ?? null,
    author: analysis.author ?? null,
    authoredAt: analysis.createdAt ?? null,
    image: analysis.image ?? null,
    metadata: boundedMetadata(analysis.metadata),
    textKey,
    thumbnailKey,
  };
}

/** What the search index takes of the document just written COMPLETED; a short text inline. */
function searchEntry(
  doc: RunTarget['doc'],
  result: DocumentResult,
  updatedAt: string,
  text: string | null,
): SearchEntry {
  const inline =
    text !== null && result.textKey !== null && Buffer.byteLength(text) <= SEARCH_TEXT_INLINE_MAX_BYTES;
  return {
    filename: doc.filename,
    kind: result.kind,
    language: result.language,
    createdAt: doc.createdAt,
    updatedAt,
    textKey: result.textKey,
    ...(inline && { text }),
  };
}

/** DynamoDB items stop at 400 KB; metadata is a summary, so an oversized one is replaced by a note. */
const MAX_METADATA_BYTES = 64 * 1024;
function boundedMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  const size = Buffer.byteLength(JSON.stringify(metadata));
  return size <= MAX_METADATA_BYTES
    ? metadata
    : { omitted: `metadata was ${size} bytes; limit ${MAX_METADATA_BYTES}` };
}

/** A run that did not complete removes the artefacts it wrote, unless the document points at them. */
async function removeUnlessCurrent(
  deps: ProcessJobDeps,
  doc: RunTarget['doc'],
  prefix: string,
): Promise<void> {
  try {
    const latest = await deps.store.getDocument(doc.ownerId, doc.id);
    const current = [latest?.result?.textKey, latest?.result?.thumbnailKey];
    if (!current.some((key) => key?.startsWith(prefix))) await deps.blobs.deletePrefix(prefix);
  } catch (err) {
    deps.logger.warn({ err, prefix }, 'could not remove artefacts of an unfinished run');
  }
}

async function afterLostRace(store: ProcessJobDeps['store'], jobId: string, log: Logger): Promise<Outcome> {
  const job = await store.getJob(jobId);
  log.info({ status: job?.status ?? 'gone' }, 'job changed under us; stopping this run');
  if (!job) return 'deleted';
  return isTerminal(job.status) ? 'skipped' : 'elsewhere';
}

/**
 * Streams the original to `path`, or into memory (returned) when `path` is null, checking it against
 * the size and SHA-256 taken at upload.
 */
async function download(
  blobs: ProcessJobDeps['blobs'],
  doc: RunTarget['doc'],
  path: string | null,
  signal: AbortSignal,
  onProgress: (fraction: number) => void,
): Promise<Buffer | undefined> {
  const body = await blobs.getStream(BlobStore.originalKey(doc.id));
  if (!body)
    throw new ProcessingError(JobErrorCode.ORIGINAL_MISSING, 'The uploaded original is no longer in storage');
  const hash = createHash('sha256');
  let size = 0;
  const mismatch = (sha256: string) =>
    new ProcessingError(
      JobErrorCode.CHECKSUM_MISMATCH,
      `Stored original does not match the upload (size ${size} vs ${doc.size}, sha256 ${sha256} vs ${doc.sha256})`,
    );
  const kept: Buffer[] = [];
  await pipeline(
    body,
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.length;
        // Longer than uploaded: it cannot match, and must not fill memory or disk.
        if (size > doc.size) throw mismatch('(not computed: too long)');
        onProgress(doc.size > 0 ? size / doc.size : 1);
        yield chunk;
      }
    },
    path === null
      ? async (chunks: AsyncIterable<Buffer>) => {
          for await (const chunk of chunks) kept.push(chunk);
        }
      : createWriteStream(path),
    { signal },
  );
  const sha256 = hash.digest('hex');
  if (sha256 !== doc.sha256 || size !== doc.size) throw mismatch(sha256);
  return path === null ? Buffer.concat(kept, size) : undefined;
}

/** One stage of a run: a span (when tracing) and `docpipe_job_stage_duration_seconds{stage}`. */
function stage<T>(name: 'download' | 'analysis' | 'storing', fn: () => Promise<T>): Promise<T> {
  return withSpan(`stage ${name}`, {}, () => timed(metrics.stageDuration.labels(name), fn));
}
