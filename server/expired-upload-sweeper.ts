import type { Logger } from 'pino';
import type { BlobStore } from '../aws/blob-store.js';
import type { DocumentStore } from '../aws/document-store.js';
import { discardUpload, type UploadStore } from '../aws/upload-store.js';
import { UploadState } from '../domain/uploads.js';

const BATCH = 25;
/** A completion still running this long after its upload expired is taken for dead. */
const COMPLETING_GRACE_MS = 15 * 60 * 1000;

/**
 * Aborts direct uploads past their expiry and forgets them (S3 parts, record, idempotency key),
 * found by Query on the sparse expiry index. Every api instance runs it (it is idempotent); the api
 * rather than the worker, which may not write originals/. The bucket's lifecycle rule is the second
 * line for multipart uploads whose record is gone.
 */
export async function sweepExpiredUploads(
  deps: { uploads: UploadStore; blobs: BlobStore; store: DocumentStore; logger: Logger },
  now = Date.now(),
): Promise<number> {
  let swept = 0;
  for (const upload of await deps.uploads.listExpired(new Date(now).toISOString(), BATCH)) {
    if (upload.state === UploadState.COMPLETING && Date.parse(upload.expiresAt) > now - COMPLETING_GRACE_MS) {
      continue;
    }
    await discardUpload(deps, upload);
    swept++;
    deps.logger.info({ uploadId: upload.id, expiresAt: upload.expiresAt }, 'expired direct upload swept');
  }
  return swept;
}
