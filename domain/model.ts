export const JobStatus = {
  QUEUED: 'QUEUED',
  PROCESSING: 'PROCESSING',
  COMPLETED: 'COMPLETED',
  FAILED: 'FAILED',
} as const;
export type JobStatus = (typeof JobStatus)[keyof typeof JobStatus];

export const isTerminal = (status: JobStatus): boolean =>
  status === JobStatus.COMPLETED || status === JobStatus.FAILED;

/** Processing stages in the order a worker reports them. */
export const JobStage = {
  QUEUED: 'queued',
  DOWNLOADING: 'downloading',
  DETECTING: 'detecting',
  EXTRACTING: 'extracting',
  ANALYSING: 'analysing',
  THUMBNAIL: 'thumbnail',
  STORING: 'storing',
  DONE: 'done',
} as const;
export type JobStage = (typeof JobStage)[keyof typeof JobStage];

export interface JobError {
  code: string;
  message: string;
}

/** What processing found, as stored on the document (written together with COMPLETED). */
export interface DocumentResult {
  /** The job whose artefacts these are. */
  jobId: string;
  kind: string;
  pageCount: number | null;
  wordCount: number | null;
  charCount: number | null;
  /** ISO 639-3 code, or null when undetermined. */
  language: string | null;
  textPreview: string | null;
  /** The stored text was cut at the configured maximum. */
  textTruncated: boolean;
  title: string | null;
  author: string | null;
  /** Creation date the file itself claims (e.g. PDF info), ISO 8601. */
  authoredAt: string | null;
  image: { width: number; height: number; format: string } | null;
  /** JSON-safe, format-specific details (CSV rows/columns, JSON shape, PDF info…). */
  metadata: Record<string, unknown>;
  /**
   * S3 keys of the derived artefacts; `textKey` names the original itself when the text is the
   * original byte for byte (see the worker's storeArtefacts).
   */
  textKey: string | null;
  thumbnailKey: string | null;
}

export interface DocumentRecord {
  id: string;
  ownerId: string;
  filename: string;
  /** What the client claimed. */
  contentType: string;
  /** What the bytes are (magic bytes), set by the worker. */
  detectedType: string | null;
  /** Set when a job completes; kept until a newer job completes (reprocessing). */
  result?: DocumentResult | null;
  size: number;
  sha256: string;
  status: JobStatus;
  currentJobId: string;
  /** Every job this document has had, oldest first (reprocessing appends). */
  jobIds: string[];
  /**
   * `<jobId>#<attempt>` of the run that last wrote its status: a fencing token (see RunFence). A run
   * writes the document only while no later attempt of its job has, and only while its job is the
   * current one, so a worker that lost its job to another (or to a reprocess) can never overwrite it.
   */
  claim?: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * The fencing token of one run of a job (see DocumentRecord.claim). The attempt is zero-padded so
 * that, within one job, a later attempt's claim sorts after an earlier one's.
 */
export const runClaim = (job: { id: string; attempts: number }): string =>
  `${job.id}#${String(job.attempts).padStart(6, '0')}`;

/** A write by one run of a job: allowed only while that job is current and no later attempt wrote. */
export interface RunFence {
  jobId: string;
  claim: string;
  /**
   * The run has not claimed the job (a new upload's first run holds its claim until its final
   * write): it may write only a document that no run has written yet, still QUEUED. Of two such
   * runs one writes; the other, and a late copy of the message after any run wrote, write nothing.
   */
  unclaimed?: boolean;
}
export const runFence = (
  job: { id: string; attempts: number },
  opts: { unclaimed?: boolean } = {},
): RunFence => ({
  jobId: job.id,
  claim: runClaim(job),
  ...(opts.unclaimed && { unclaimed: true }),
});

/** A change of a document's status, from the job lifecycle. */
export interface DocumentStatusPatch {
  status: JobStatus;
  detectedType?: string | null;
  result?: DocumentResult;
  updatedAt: string;
}

export interface JobRecord {
  id: string;
  documentId: string;
  ownerId: string;
  status: JobStatus;
  stage: string;
  /** 0–100, never decreases within a job. */
  progress: number;
  attempts: number;
  /** Grows by one with every change; consumers drop events with a version they have seen. */
  version: number;
  error: JobError | null;
  /** The worker holding (or last holding) the job; for operators and fault tests. */
  workerId?: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** An API key as listed to its owner (the secret's hash stays in storage). */
export interface ApiKeyRecord {
  id: string;
  ownerId: string;
  name: string;
  createdAt: string;
  revokedAt: string | null;
}
