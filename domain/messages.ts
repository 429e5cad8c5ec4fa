import { z } from 'zod';
import { JobStatus, type JobRecord } from './model.js';

const JobSnapshot = z.object({
  id: z.string(),
  documentId: z.string(),
  ownerId: z.string(),
  status: z.enum([JobStatus.QUEUED, JobStatus.PROCESSING, JobStatus.COMPLETED, JobStatus.FAILED]),
  stage: z.string(),
  progress: z.number(),
  attempts: z.number(),
  version: z.number(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  workerId: z.string().nullable().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
}) satisfies z.ZodType<JobRecord>;

/**
 * Originals at most this long travel in their job message too (base64), so the worker need not
 * fetch them from S3: 16 KiB, about 22 KB of the message's 256 KB.
 */
export const MESSAGE_CONTENT_MAX_BYTES = 16 * 1024;

/**
 * SQS jobs-queue message: the ids and the correlation id; state lives in DynamoDB. See docs/events.md.
 * A new upload's message also carries `upload`: the job and document as they were written, and a
 * small original's bytes, so the worker's first run of it needs no read.
 */
export const JobMessage = z.object({
  jobId: z.string().min(1),
  documentId: z.string().min(1),
  ownerId: z.string().min(1),
  correlationId: z.string().min(1),
  upload: z
    .object({
      job: JobSnapshot,
      document: z.object({
        filename: z.string(),
        size: z.number().int().nonnegative(),
        sha256: z.string(),
        /** The original, base64, when at most MESSAGE_CONTENT_MAX_BYTES (checked against sha256). */
        content: z
          .base64()
          .max(Math.ceil(MESSAGE_CONTENT_MAX_BYTES / 3) * 4)
          .optional(),
      }),
    })
    .optional(),
});
export type JobMessage = z.infer<typeof JobMessage>;

/** Extracted texts at most this long travel in the COMPLETED event's `search` entry (UTF-8). */
export const SEARCH_TEXT_INLINE_MAX_BYTES = 16 * 1024;

/**
 * A COMPLETED job's document as the search index takes it (server/search), sent by the worker that
 * wrote it, so that no api instance reads the document (and a small text) back to index it.
 */
export const SearchEntry = z.object({
  filename: z.string(),
  kind: z.string(),
  language: z.string().nullable(),
  createdAt: z.string(),
  /** The document's `updatedAt` as written with its result: an older entry never replaces a newer. */
  updatedAt: z.string(),
  /** The stored text's S3 key (null: no text). */
  textKey: z.string().nullable(),
  /** The stored text itself, when at most SEARCH_TEXT_INLINE_MAX_BYTES. */
  text: z.string().optional(),
});
export type SearchEntry = z.infer<typeof SearchEntry>;

/**
 * SNS job-events message: the full job state after a change, so subscribers need no read. A
 * worker's COMPLETED event also carries the document's `search` entry.
 */
export const JobEvent = z.object({
  kind: z.literal('job.updated'),
  job: JobSnapshot,
  correlationId: z.string(),
  search: SearchEntry.optional(),
});
export type JobEvent = z.infer<typeof JobEvent>;

/**
 * SNS document-events message (api → every api instance): a document was created or deleted.
 * Changes of its processing arrive as `job.updated`.
 */
export const DocumentEvent = z.object({
  kind: z.enum(['document.created', 'document.deleted']),
  ownerId: z.string().min(1),
  documentId: z.string().min(1),
  /** When it happened (ISO 8601): the position of this event in the owner's stream. */
  at: z.string(),
  correlationId: z.string(),
});
export type DocumentEvent = z.infer<typeof DocumentEvent>;

/** Everything on the events topic. */
export const BusEvent = z.union([JobEvent, DocumentEvent]);
export type BusEvent = z.infer<typeof BusEvent>;

/** JSON.parse that returns undefined instead of throwing; the schema then reports the problem. */
export function parseJsonSafe(text: string | undefined): unknown {
  try {
    return JSON.parse(text ?? '');
  } catch {
    return undefined;
  }
}
