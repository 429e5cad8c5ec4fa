/**
 * Large objects on the embedded S3 emulator without holding them in memory.
 *
 * fauxqs 2.4.1 (pinned) keeps every multipart part in memory until the upload completes, then
 * concatenates them (the object twice over), and reads a whole object into memory for every GET:
 * a 1 GiB upload took the `npm start` launcher to 2.4 GB. When objects are persisted as files
 * (`s3StorageDir`, as `npm start` runs it), this wrapper changes the two places, in the way a fix
 * upstream would, and nothing else:
 *
 * - `uploadPart` keeps the part on disk only (fauxqs writes it there already) and remembers its
 *   size and MD5; `completeMultipartUpload` copies the part files into the object's file in chunks;
 * - a GET of a whole object of at least `STREAM_FROM_BYTES` (no range, no conditions) is streamed
 *   from its file by `streamLargeObjects`, in front of fauxqs's own handler.
 *
 * In-memory mode (the tests' emulators without a data dir) is left as it is. fauxqs's package
 * exports only its entry, so its S3 store module is reached by file URL next to that entry: the
 * same module instance the emulator uses. tests/emulator-memory.test.ts fails if this stops working.
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  createReadStream,
  existsSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  writeSync,
} from 'node:fs';
import type { IncomingMessage, Server } from 'node:http';
import { join, sep } from 'node:path';
import { inFrontOf } from './request-front.js';

/** Whole-object GETs from this size on are streamed from disk; smaller ones fauxqs serves itself. */
export const STREAM_FROM_BYTES = 8 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);
const MIN_PART_SIZE = 5 * 1024 * 1024;
const COPY_CHUNK = 4 * 1024 * 1024;

interface Part {
  partNumber: number;
  body: Buffer;
  etag: string;
  checksumValue?: string;
  /** Set once the part lives on disk only. */
  onDisk?: { size: number; md5: Buffer };
}
interface Upload {
  uploadId: string;
  bucket: string;
  key: string;
  contentType: string;
  metadata: Record<string, string>;
  parts: Map<number, Part>;
  checksumAlgorithm?: string;
  contentLanguage?: string;
  contentDisposition?: string;
  cacheControl?: string;
  contentEncoding?: string;
}
interface FilePersistence {
  bucketsDir: string;
  multipartDir: string;
  upsertObject(bucket: string, obj: Record<string, unknown>): void;
  deleteMultipartUpload(uploadId: string): void;
}
interface S3StoreLike {
  persistence?: unknown;
  multipartUploads: Map<string, Upload>;
  multipartUploadsByBucket: Map<string, Set<string>>;
  buckets: Map<string, Map<string, unknown>>;
  spy?: { addMessage(m: Record<string, unknown>): void };
  uploadPart(uploadId: string, partNumber: number, body: Buffer, checksumValue?: string): unknown;
  completeMultipartUpload(uploadId: string, specs: { partNumber: number; etag: string }[]): unknown;
}

const isFilePersistence = (p: unknown): p is FilePersistence =>
  typeof p === 'object' && p !== null && 'bucketsDir' in p && 'multipartDir' in p;

let patched: Promise<void> | undefined;

/** Patches fauxqs's S3 store once per process (idempotent). */
export function patchFauxqsMultipart(): Promise<void> {
  patched ??= (async () => {
    const entry = import.meta.resolve('fauxqs');
    const { S3Store } = (await import(new URL('./s3/s3Store.js', entry).href)) as {
      S3Store: { prototype: S3StoreLike };
    };
    const { S3Error } = (await import(new URL('./common/errors.js', entry).href)) as {
      S3Error: new (code: string, message: string, status: number) => Error;
    };
    const { computeCompositeChecksum } = (await import(new URL('./s3/checksum.js', entry).href)) as {
      computeCompositeChecksum: (algorithm: string, checksums: string[]) => string;
    };
    const proto = S3Store.prototype;
    const uploadPart = proto.uploadPart;
    const complete = proto.completeMultipartUpload;

    proto.uploadPart = function (this: S3StoreLike, uploadId, partNumber, body, checksumValue) {
      const result = uploadPart.call(this, uploadId, partNumber, body, checksumValue);
      const part = this.multipartUploads.get(uploadId)?.parts.get(partNumber);
      if (part && isFilePersistence(this.persistence)) {
        part.onDisk = { size: body.length, md5: Buffer.from(part.etag.replaceAll('"', ''), 'hex') };
        part.body = EMPTY;
      }
      return result;
    };

    proto.completeMultipartUpload = function (this: S3StoreLike, uploadId, specs) {
      const upload = this.multipartUploads.get(uploadId);
      const persistence = this.persistence;
      if (!upload || !isFilePersistence(persistence) || ![...upload.parts.values()].some((p) => p.onDisk)) {
        return complete.call(this, uploadId, specs);
      }
      const objects = this.buckets.get(upload.bucket);
      if (!objects)
        throw new S3Error('NoSuchBucket', `The specified bucket does not exist: ${upload.bucket}`, 404);
      const invalidPart = () =>
        new S3Error(
          'InvalidPart',
          'One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part\u2019s entity tag.',
          400,
        );
      // The same checks as fauxqs's own completion.
      const parts = specs.map((spec, i) => {
        if (i > 0 && spec.partNumber <= specs[i - 1]!.partNumber) {
          throw new S3Error('InvalidPartOrder', 'The list of parts was not in ascending order.', 400);
        }
        const part = upload.parts.get(spec.partNumber);
        if (!part?.onDisk || spec.etag.replaceAll('"', '') !== part.etag.replaceAll('"', ''))
          throw invalidPart();
        if (i < specs.length - 1 && part.onDisk.size < MIN_PART_SIZE) {
          throw new S3Error(
            'EntityTooSmall',
            'Your proposed upload is smaller than the minimum allowed size',
            400,
          );
        }
        return part as Part & { onDisk: NonNullable<Part['onDisk']> };
      });

      // The parts' files, in order, into one file next to where the object's data goes.
      const partsDir = join(persistence.multipartDir, uploadId, 'parts');
      const dataPath = join(
        persistence.bucketsDir,
        upload.bucket,
        'objects',
        `${encodeKeyToPath(upload.key)}.data`,
      );
      const staging = join(persistence.multipartDir, uploadId, 'object.data');
      const out = openSync(staging, 'w');
      const chunk = Buffer.allocUnsafe(COPY_CHUNK);
      try {
        for (const part of parts) {
          const input = openSync(join(partsDir, `${part.partNumber}.data`), 'r');
          try {
            for (let n = readSync(input, chunk); n > 0; n = readSync(input, chunk))
              writeSync(out, chunk, 0, n);
          } finally {
            closeSync(input);
          }
        }
      } finally {
        closeSync(out);
      }

      let offset = 0;
      const boundaries = parts.map((p) => {
        const b = { partNumber: p.partNumber, offset, length: p.onDisk.size };
        offset += p.onDisk.size;
        return b;
      });
      const checksums = parts.map((p) => p.checksumValue).filter((c): c is string => !!c);
      const etag = `"${createHash('md5')
        .update(Buffer.concat(parts.map((p) => p.onDisk.md5)))
        .digest('hex')}-${parts.length}"`;
      const obj = {
        key: upload.key,
        body: EMPTY,
        contentType: upload.contentType,
        contentLength: offset,
        etag,
        lastModified: new Date(),
        metadata: upload.metadata,
        parts: boundaries,
        ...(upload.contentLanguage && { contentLanguage: upload.contentLanguage }),
        ...(upload.contentDisposition && { contentDisposition: upload.contentDisposition }),
        ...(upload.cacheControl && { cacheControl: upload.cacheControl }),
        ...(upload.contentEncoding && { contentEncoding: upload.contentEncoding }),
        ...(upload.checksumAlgorithm &&
          checksums.length > 0 && {
            checksumAlgorithm: upload.checksumAlgorithm,
            checksumValue: computeCompositeChecksum(upload.checksumAlgorithm, checksums),
            checksumType: 'COMPOSITE',
            partChecksums: checksums,
          }),
      };
      // fauxqs writes the metadata file (and an empty data file), then the real data takes its place.
      persistence.upsertObject(upload.bucket, obj);
      renameSync(staging, dataPath);
      persistence.deleteMultipartUpload(uploadId);
      objects.set(upload.key, obj);
      this.multipartUploads.delete(uploadId);
      this.multipartUploadsByBucket.get(upload.bucket)?.delete(uploadId);
      this.spy?.addMessage({
        service: 's3',
        bucket: upload.bucket,
        key: upload.key,
        status: 'uploaded',
        timestamp: Date.now(),
      });
      return obj;
    };
  })();
  return patched;
}

/**
 * Serves whole-object GETs of large file-persisted objects from disk, in front of fauxqs's handler
 * on `server`; everything else goes to fauxqs as before.
 */
export function streamLargeObjects(server: Server, s3StorageDir: string): void {
  inFrontOf(server, (req, res, next) => {
    const file = req.method === 'GET' ? largeObjectFile(req, s3StorageDir) : undefined;
    if (!file) {
      next();
      return;
    }
    const { meta, dataPath } = file;
    // As fauxqs: the stored checksum when the client asks for it (the SDK does by default).
    const checksum =
      String(req.headers['x-amz-checksum-mode'] ?? '').toUpperCase() === 'ENABLED' &&
      meta.checksumAlgorithm &&
      meta.checksumValue
        ? {
            [`x-amz-checksum-${meta.checksumAlgorithm.toLowerCase()}`]: meta.checksumValue,
            ...(meta.checksumType && { 'x-amz-checksum-type': meta.checksumType }),
          }
        : {};
    res.writeHead(200, {
      ...checksum,
      'content-type': meta.contentType,
      'content-length': meta.contentLength,
      etag: meta.etag,
      'last-modified': new Date(meta.lastModified).toUTCString(),
      ...Object.fromEntries(Object.entries(meta.metadata ?? {}).map(([k, v]) => [`x-amz-meta-${k}`, v])),
      ...(meta.contentDisposition && { 'content-disposition': meta.contentDisposition }),
      ...(meta.contentLanguage && { 'content-language': meta.contentLanguage }),
      ...(meta.cacheControl && { 'cache-control': meta.cacheControl }),
      ...(meta.contentEncoding && { 'content-encoding': meta.contentEncoding }),
    });
    createReadStream(dataPath)
      .on('error', () => res.destroy())
      .pipe(res);
  });
}

interface ObjectMeta {
  contentType: string;
  contentLength: number;
  etag: string;
  lastModified: string;
  metadata?: Record<string, string>;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  contentEncoding?: string;
  checksumAlgorithm?: string;
  checksumValue?: string;
  checksumType?: string;
}

/** The files of the object a plain whole-object GET asks for, if it is large and on disk. */
function largeObjectFile(req: IncomingMessage, s3StorageDir: string) {
  const h = req.headers;
  if (
    h['range'] ||
    h['if-match'] ||
    h['if-none-match'] ||
    h['if-modified-since'] ||
    h['if-unmodified-since']
  ) {
    return undefined;
  }
  const url = new URL(req.url ?? '/', 'http://emulator');
  // Presigned-URL and SDK parameters only; anything else (partNumber, versionId, acl…) is fauxqs's.
  for (const name of url.searchParams.keys()) {
    if (!/^(x-amz-|x-id$|response-)/i.test(name)) return undefined;
  }
  const path = decodeURIComponent(url.pathname).slice(1);
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) return undefined;
  const bucket = path.slice(0, slash);
  const key = path.slice(slash + 1);
  if ([bucket, ...key.split('/')].some((segment) => segment === '..' || segment === '.')) return undefined;
  const base = join(s3StorageDir, 'buckets', bucket, 'objects', encodeKeyToPath(key));
  if (!existsSync(`${base}.meta.json`)) return undefined;
  const meta = JSON.parse(readFileSync(`${base}.meta.json`, 'utf8')) as ObjectMeta & { key: string };
  if (meta.key !== key || meta.contentLength < STREAM_FROM_BYTES) return undefined;
  return { meta, dataPath: `${base}.data` };
}

/** fauxqs's own mapping of an S3 key to a relative file path (FileS3Persistence). */
function encodeKeyToPath(key: string): string {
  const encoded = key.replace(
    /[<>:"|?*\\%\x00-\x1f]/g,
    (ch) => '%' + ch.charCodeAt(0).toString(16).padStart(2, '0'),
  );
  return encoded.split('/').join(sep);
}
