/**
 * Direct uploads (ARCHITECTURE.md §16): the client PUTs the parts of an S3 multipart upload straight
 * to storage with presigned URLs; the api only creates, verifies and completes it.
 */

/** S3's limits: at most 10 000 parts, each at least 5 MiB except the last. */
export const MAX_PARTS = 10_000;
export const MIN_PART_BYTES = 5 * 1024 * 1024;

export const UploadState = {
  /** Parts may be sent; the upload can be completed or aborted. */
  PENDING: 'PENDING',
  /** One `completeUpload` is verifying it: a second one, or an abort, is refused meanwhile. */
  COMPLETING: 'COMPLETING',
} as const;
export type UploadState = (typeof UploadState)[keyof typeof UploadState];

/** A direct upload in progress (DynamoDB `UPLOAD#<id>`); its id is the document id it will become. */
export interface UploadRecord {
  id: string;
  ownerId: string;
  /** Where the bytes go: the document's original (`originals/<id>`). */
  key: string;
  /** S3's multipart upload id. */
  s3UploadId: string;
  filename: string;
  contentType: string;
  size: number;
  partSize: number;
  /** Hex SHA-256 the client promised, checked at completion. */
  sha256: string | null;
  idempotencyKey: string | null;
  state: UploadState;
  createdAt: string;
  /** ISO time after which the upload is refused and swept. */
  expiresAt: string;
}

/**
 * The part size for a file: the configured size, or larger when the file would need more than
 * MAX_PARTS of it (rounded up to whole MiB).
 */
export function choosePartSize(size: number, preferred: number): number {
  const MiB = 1024 * 1024;
  const needed = Math.ceil(Math.ceil(size / MAX_PARTS) / MiB) * MiB;
  return Math.max(preferred, needed, MIN_PART_BYTES);
}

export function partCount(size: number, partSize: number): number {
  return Math.max(1, Math.ceil(size / partSize));
}

/** The size part `partNumber` (1-based) must have. */
export function expectedPartSize(size: number, partSize: number, partNumber: number): number {
  const count = partCount(size, partSize);
  return partNumber < count ? partSize : size - partSize * (count - 1);
}
