/**
 * S3 ListParts on the embedded emulator. fauxqs 2.4.1 (pinned) has no ListParts (its router sends
 * `GET /<bucket>/<key>?uploadId=…` to GetObject, which answers NoSuchKey), and direct uploads need
 * it: `completeUpload` checks the client's part list against what storage holds, and a resuming
 * client asks which parts are there. This answers it from fauxqs's own multipart state, in front of
 * fauxqs's handler, in the shape S3 documents (one page: fauxqs keeps at most 10 000 parts).
 *
 * fauxqs does not expose its S3 store, so the stores are recorded as they create, restore or take
 * parts of multipart uploads (upload ids are random UUIDs: looking one up in every store is safe).
 */
import type { Server } from 'node:http';
import { inFrontOf } from './request-front.js';

interface PartLike {
  partNumber: number;
  etag: string;
  lastModified?: Date;
  body: Buffer;
  /** Set by dev/fauxqs-large-objects.ts once a part lives on disk only. */
  onDisk?: { size: number };
}
interface UploadLike {
  bucket: string;
  key: string;
  parts: Map<number, PartLike>;
}
interface StoreLike {
  multipartUploads: Map<string, UploadLike>;
}
type Method = (this: StoreLike, ...args: never[]) => unknown;

const stores = new Set<WeakRef<StoreLike>>();
let patched: Promise<void> | undefined;

/** Records fauxqs's S3 stores as they handle multipart uploads (once per process). */
export function recordFauxqsStores(): Promise<void> {
  patched ??= (async () => {
    const entry = import.meta.resolve('fauxqs');
    const { S3Store } = (await import(new URL('./s3/s3Store.js', entry).href)) as {
      S3Store: { prototype: Record<string, Method> };
    };
    const seen = new WeakSet<StoreLike>();
    for (const name of ['createMultipartUpload', 'restoreMultipartUpload', 'uploadPart']) {
      const original = S3Store.prototype[name]!;
      S3Store.prototype[name] = function (this: StoreLike, ...args: never[]) {
        if (!seen.has(this)) {
          seen.add(this);
          stores.add(new WeakRef(this));
        }
        return original.apply(this, args);
      };
    }
  })();
  return patched;
}

/** Answers ListParts requests on `server` before fauxqs's handler sees them. */
export function serveListParts(server: Server): void {
  inFrontOf(server, (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const uploadId = url.searchParams.get('uploadId');
    if (req.method !== 'GET' || !uploadId) {
      next();
      return;
    }
    const upload = findUpload(uploadId);
    res.setHeader('content-type', 'application/xml');
    if (!upload) {
      res
        .writeHead(404)
        .end(
          '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchUpload</Code>' +
            '<Message>The specified multipart upload does not exist.</Message></Error>',
        );
      return;
    }
    const parts = [...upload.parts.values()]
      .sort((a, b) => a.partNumber - b.partNumber)
      .map(
        (p) =>
          `<Part><PartNumber>${p.partNumber}</PartNumber>` +
          `<LastModified>${(p.lastModified ?? new Date()).toISOString()}</LastModified>` +
          `<ETag>${escapeXml(p.etag)}</ETag><Size>${p.onDisk?.size ?? p.body.length}</Size></Part>`,
      );
    res
      .writeHead(200)
      .end(
        '<?xml version="1.0" encoding="UTF-8"?>\n<ListPartsResult>' +
          `<Bucket>${escapeXml(upload.bucket)}</Bucket><Key>${escapeXml(upload.key)}</Key>` +
          `<UploadId>${escapeXml(uploadId)}</UploadId><IsTruncated>false</IsTruncated>` +
          `${parts.join('')}</ListPartsResult>`,
      );
  });
}

function findUpload(uploadId: string): UploadLike | undefined {
  for (const ref of stores) {
    const store = ref.deref();
    if (!store) stores.delete(ref);
    else if (store.multipartUploads.has(uploadId)) return store.multipartUploads.get(uploadId);
  }
  return undefined;
}

const escapeXml = (s: string) =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
