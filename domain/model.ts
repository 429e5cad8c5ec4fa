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
  STORING: 'storing',
  DONE: 'done',
} as const;
export type JobStage = (typeof JobStage)[keyof typeof JobStage];

export interface JobError {
  code: string;
  message: string;
}

export interface DocumentRecord {
  id: string;
  ownerId: string;
  filename: string;
  /** What the client claimed. */
  contentType: string;
  /** What the bytes are (magic bytes), set by the worker. */
  detectedType: string | null;
  size: number;
  sha256: string;
  status: JobStatus;
  currentJobId: string;
  /** Every job this document has had, oldest first (reprocessing appends). */
  jobIds: string[];
  createdAt: string;
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
