import type { Logger } from 'pino';
import { z } from 'zod';
import { BlobStore, type StoredPart } from '../aws/blob-store.js';
import type { DocumentStore } from '../aws/document-store.js';
import { discardUpload, type UploadStore } from '../aws/upload-store.js';
import { DomainError, ErrorCode, badInput } from '../domain/errors.js';
import { newId, requireId } from '../domain/ids.js';
import {
  UploadState,
  choosePartSize,
  expectedPartSize,
  partCount,
  type UploadRecord,
} from '../domain/uploads.js';
import { checkIdempotencyKey, type DocumentService, type Uploaded } from './document-service.js';

/** Presigned part URLs live this long (less when the upload expires sooner); resumes ask again. */
const PART_URL_SECONDS = 3600;
/** Part URLs one answer carries: `createUpload` gives the first ones, `uploadParts` any others. */
export const MAX_URLS_PER_REQUEST = 1000;

export interface PartUrl {
  partNumber: number;
  url: string;
}

export interface CreatedUpload {
  upload: UploadRecord;
  parts: PartUrl[];
}

export interface DirectUploadDeps {
  uploads: Pick<UploadStore, 'put' | 'get' | 'setState' | 'delete'>;
  blobs: Pick<
    BlobStore,
    | 'createMultipart'
    | 'presignPart'
    | 'listParts'
    | 'completeMultipart'
    | 'abortMultipart'
    | 'sha256'
    | 'delete'
  >;
  store: Pick<DocumentStore, 'claimIdempotencyKey' | 'releaseIdempotencyKey' | 'getDocument'>;
  documents: Pick<DocumentService, 'recordUpload'>;
  maxUploadBytes: number;
  partBytes: number;
  expirySeconds: number;
  idempotencyWindowSeconds: number;
  logger: Logger;
}

const CreateInput = z.object({
  filename: z.string().min(1, 'filename must not be empty').max(1024, 'filename is over 1024 characters'),
  size: z.number().int('size must be a whole number of bytes').positive('size must be at least 1 byte'),
  contentType: z.string().max(255, 'contentType is over 255 characters').optional(),
  sha256: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$/, 'sha256 must be 64 hex digits')
    .transform((v) => v.toLowerCase())
    .optional(),
  idempotencyKey: z.string().optional(),
});
export type CreateUploadInput = z.input<typeof CreateInput>;

/** A refusal with a machine-readable `reason` next to the code (extensions.reason). */
const refused = (code: ErrorCode, reason: string, message: string, details: Record<string, unknown> = {}) =>
  new DomainError(code, message, { reason, ...details });

/**
 * Direct uploads: the client sends the bytes straight to S3 in parts with presigned URLs; the api
 * creates the multipart upload, hands out URLs, and on completion checks what S3 holds (the parts,
 * their sizes, the whole object's SHA-256) before recording the document and its job through the
 * same `DocumentService.recordUpload` a streamed upload ends with.
 */
export class DirectUploadService {
  constructor(private readonly deps: DirectUploadDeps) {}

  async create(ownerId: string, input: CreateUploadInput, publicBase?: string): Promise<CreatedUpload> {
    const parsed = CreateInput.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw badInput(issue.message, { argument: String(issue.path[0] ?? 'input') });
    }
    const { filename, size, contentType, sha256, idempotencyKey } = parsed.data;
    const { maxUploadBytes } = this.deps;
    if (size > maxUploadBytes) {
      throw refused(
        ErrorCode.PAYLOAD_TOO_LARGE,
        'TOO_LARGE',
        `File is larger than the ${maxUploadBytes}-byte limit`,
        {
          limit: maxUploadBytes,
        },
      );
    }
    const id = newId();
    if (idempotencyKey !== undefined) {
      checkIdempotencyKey(idempotencyKey);
      const earlier = await this.deps.store.claimIdempotencyKey(
        ownerId,
        idempotencyKey,
        id,
        this.deps.idempotencyWindowSeconds,
      );
      if (earlier) return this.retried(ownerId, earlier, publicBase);
    }
    const key = BlobStore.originalKey(id);
    const now = Date.now();
    let s3UploadId: string | undefined;
    try {
      s3UploadId = await this.deps.blobs.createMultipart(key);
      const upload: UploadRecord = {
        id,
        ownerId,
        key,
        s3UploadId,
        filename,
        contentType: contentType ?? 'application/octet-stream',
        size,
        partSize: choosePartSize(size, this.deps.partBytes),
        sha256: sha256 ?? null,
        idempotencyKey: idempotencyKey ?? null,
        state: UploadState.PENDING,
        createdAt: new Date(now).toISOString(),
        expiresAt: new Date(now + this.deps.expirySeconds * 1000).toISOString(),
      };
      await this.deps.uploads.put(upload);
      const count = partCount(size, upload.partSize);
      const first = Array.from({ length: Math.min(count, MAX_URLS_PER_REQUEST) }, (_, i) => i + 1);
      this.deps.logger.info(
        { uploadId: id, size, partSize: upload.partSize, parts: count },
        'direct upload created',
      );
      return { upload, parts: await this.urls(upload, first, publicBase) };
    } catch (err) {
      if (s3UploadId) await this.deps.blobs.abortMultipart(key, s3UploadId).catch(() => undefined);
      if (idempotencyKey !== undefined) {
        await this.deps.store.releaseIdempotencyKey(ownerId, idempotencyKey, id).catch(() => undefined);
      }
      throw err;
    }
  }

  /** The same idempotency key again: the pending upload it made (to resume), else a refusal. */
  private async retried(ownerId: string, id: string, publicBase?: string): Promise<CreatedUpload> {
    const upload = await this.deps.uploads.get(ownerId, id);
    if (upload && upload.state === UploadState.PENDING && !isExpired(upload)) {
      const count = partCount(upload.size, upload.partSize);
      const first = Array.from({ length: Math.min(count, MAX_URLS_PER_REQUEST) }, (_, i) => i + 1);
      return { upload, parts: await this.urls(upload, first, publicBase) };
    }
    const doc = await this.deps.store.getDocument(ownerId, id);
    throw badInput(
      doc
        ? `An upload with this idempotencyKey was completed as document ${id}`
        : 'An upload with this idempotencyKey is being completed (or was aborted); retry later',
      { argument: 'idempotencyKey', ...(doc ? { documentId: id } : {}) },
    );
  }

  /** Fresh URLs for some parts (a resume, or parts past the first MAX_URLS_PER_REQUEST). */
  async partUrls(
    ownerId: string,
    id: string,
    partNumbers: readonly number[],
    publicBase?: string,
  ): Promise<PartUrl[]> {
    const upload = await this.pending(ownerId, id);
    const count = partCount(upload.size, upload.partSize);
    if (partNumbers.length === 0 || partNumbers.length > MAX_URLS_PER_REQUEST) {
      throw badInput(`Ask for 1-${MAX_URLS_PER_REQUEST} parts at a time`, { argument: 'partNumbers' });
    }
    const bad = partNumbers.find((n) => !Number.isInteger(n) || n < 1 || n > count);
    if (bad !== undefined)
      throw badInput(`This upload has parts 1-${count}; ${bad} is not one`, { argument: 'partNumbers' });
    return this.urls(upload, [...new Set(partNumbers)], publicBase);
  }

  /** The owner's upload, or null (missing, expired, or another owner's). */
  async get(ownerId: string, id: string): Promise<UploadRecord | null> {
    requireId(id);
    const upload = await this.deps.uploads.get(ownerId, id);
    return upload && !isExpired(upload) ? upload : null;
  }

  /** The parts S3 holds now: what a resuming client can skip. */
  async storedParts(upload: UploadRecord): Promise<StoredPart[]> {
    return (await this.deps.blobs.listParts(upload.key, upload.s3UploadId)) ?? [];
  }

  /**
   * Verifies and completes the upload, then records the document and its job. A part list that
   * does not match what S3 holds (numbers, ETags, sizes) is refused and the upload stays open to be
   * corrected; once S3 has joined the parts, a SHA-256 mismatch (or any later failure) deletes the
   * object and the upload. Either way no document, job or stray object is left.
   */
  async complete(
    ownerId: string,
    id: string,
    parts: readonly { partNumber: number; etag: string }[],
    correlationId: string,
  ): Promise<Uploaded> {
    const upload = await this.pending(ownerId, id);
    if (!(await this.deps.uploads.setState(id, UploadState.PENDING, UploadState.COMPLETING))) {
      throw badInput('This upload is being completed already', { argument: 'id', reason: 'UPLOAD_BUSY' });
    }
    let stored: StoredPart[];
    try {
      stored = await this.checkParts(upload, parts);
    } catch (err) {
      // The client may still send the missing parts or the right list.
      await this.deps.uploads.setState(id, UploadState.COMPLETING, UploadState.PENDING);
      throw err;
    }
    try {
      await this.deps.blobs.completeMultipart(upload.key, upload.s3UploadId, stored);
      // Every part had its expected size (checkParts), so the object has the declared size.
      const whole = await this.deps.blobs.sha256(upload.key);
      if (upload.sha256 && whole.sha256 !== upload.sha256) {
        throw refused(
          ErrorCode.BAD_USER_INPUT,
          'CHECKSUM_MISMATCH',
          'The SHA-256 of the stored bytes is not the one declared',
          {
            expected: upload.sha256,
            actual: whole.sha256,
          },
        );
      }
      const uploaded = await this.deps.documents.recordUpload(
        ownerId,
        id,
        {
          filename: upload.filename,
          contentType: upload.contentType,
          size: upload.size,
          sha256: whole.sha256,
        },
        correlationId,
      );
      await this.deps.uploads.delete(id);
      return uploaded;
    } catch (err) {
      await discardUpload(this.deps, upload).catch((cleanupErr: unknown) =>
        this.deps.logger.error({ err: cleanupErr, uploadId: id }, 'cleanup of a failed completion failed'),
      );
      throw err;
    }
  }

  /** Drops the upload and its parts. */
  async abort(ownerId: string, id: string): Promise<void> {
    const upload = await this.pending(ownerId, id);
    if (!(await this.deps.uploads.setState(id, UploadState.PENDING, UploadState.COMPLETING))) {
      throw badInput('This upload is being completed', { argument: 'id', reason: 'UPLOAD_BUSY' });
    }
    await discardUpload(this.deps, upload);
    this.deps.logger.info({ uploadId: id }, 'direct upload aborted');
  }

  /** The owner's pending upload; another owner's, a missing or an expired one is NOT_FOUND. */
  private async pending(ownerId: string, id: string): Promise<UploadRecord> {
    requireId(id);
    const upload = await this.deps.uploads.get(ownerId, id);
    if (!upload) throw refused(ErrorCode.NOT_FOUND, 'UPLOAD_NOT_FOUND', `Upload ${id} not found`, { id });
    if (isExpired(upload)) {
      if (upload.state === UploadState.PENDING) await discardUpload(this.deps, upload).catch(() => undefined);
      throw refused(ErrorCode.NOT_FOUND, 'UPLOAD_EXPIRED', `Upload ${id} expired at ${upload.expiresAt}`, {
        id,
      });
    }
    return upload;
  }

  /** The parts to join: the client's list must be exactly what S3 holds, each part its expected size. */
  private async checkParts(
    upload: UploadRecord,
    parts: readonly { partNumber: number; etag: string }[],
  ): Promise<StoredPart[]> {
    const count = partCount(upload.size, upload.partSize);
    const mismatch = (message: string) => refused(ErrorCode.BAD_USER_INPUT, 'PART_LIST_MISMATCH', message);
    if (parts.length !== count) throw mismatch(`This upload has ${count} parts; ${parts.length} were listed`);
    const held = new Map(
      ((await this.deps.blobs.listParts(upload.key, upload.s3UploadId)) ?? []).map((p) => [p.partNumber, p]),
    );
    return parts.map((part, i) => {
      if (part.partNumber !== i + 1) throw mismatch('List the parts once each, in order, from 1');
      const stored = held.get(part.partNumber);
      if (!stored) throw mismatch(`Part ${part.partNumber} has not been uploaded`);
      if (unquote(stored.etag) !== unquote(part.etag)) {
        throw mismatch(`Part ${part.partNumber}'s ETag is not the one storage has`);
      }
      const expected = expectedPartSize(upload.size, upload.partSize, part.partNumber);
      if (stored.size !== expected) {
        throw refused(
          ErrorCode.BAD_USER_INPUT,
          'SIZE_MISMATCH',
          `Part ${part.partNumber} has ${stored.size} bytes; it must have ${expected}`,
        );
      }
      return stored;
    });
  }

  private urls(
    upload: UploadRecord,
    partNumbers: readonly number[],
    publicBase?: string,
  ): Promise<PartUrl[]> {
    const left = Math.floor((Date.parse(upload.expiresAt) - Date.now()) / 1000);
    const expires = Math.max(1, Math.min(PART_URL_SECONDS, left));
    return Promise.all(
      partNumbers.map(async (partNumber) => ({
        partNumber,
        url: await this.deps.blobs.presignPart(
          upload.key,
          upload.s3UploadId,
          partNumber,
          expires,
          publicBase,
        ),
      })),
    );
  }
}

const isExpired = (upload: UploadRecord, now = Date.now()) => Date.parse(upload.expiresAt) <= now;
const unquote = (etag: string) => etag.replaceAll('"', '');
