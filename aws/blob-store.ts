import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  UploadPartCommand,
  type ListObjectsV2CommandOutput,
  type ListPartsCommandOutput,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Upload } from '@aws-sdk/lib-storage';
import { create as contentDisposition } from 'content-disposition';
import type { AwsClients } from './clients.js';
import { isErrorNamed } from './bootstrap.js';

/** Part size of streamed uploads (lib-storage's Upload); a smaller known body is one PutObject. */
const PART_BYTES = 5 * 1024 * 1024;

/** A part S3 holds of a multipart upload. */
export interface StoredPart {
  partNumber: number;
  etag: string;
  size: number;
}

/** S3 object access. Keys: `originals/<documentId>`, `derived/<documentId>/…`. */
export class BlobStore {
  /**
   * @param endpoint the S3 endpoint override (emulators), which presigned upload URLs may have
   *   replaced by a public base (see `presignPart`).
   */
  constructor(
    private readonly aws: AwsClients,
    private readonly bucket: string,
    private readonly endpoint?: string,
  ) {}

  static originalKey(documentId: string): string {
    return `originals/${documentId}`;
  }

  static derivedPrefix(documentId: string): string {
    return `derived/${documentId}/`;
  }

  /**
   * One run's artefacts: never shared with another attempt, nor with another run of the same attempt
   * (two copies of one message), so losers clean up safely.
   */
  static attemptPrefix(documentId: string, jobId: string, attempt: number, runId: string): string {
    return `derived/${documentId}/${jobId}/a${attempt}-${runId}/`;
  }

  /**
   * Streams `body` to S3 as a multipart upload (5 MiB parts), so memory stays bounded; a buffer of
   * at most one part is one PutObject.
   */
  async putStream(
    key: string,
    body: Readable | Buffer,
    contentType: string,
    signal?: AbortSignal,
  ): Promise<void> {
    if (Buffer.isBuffer(body) && body.length <= PART_BYTES) {
      // Known and small (the worker's artefacts): one PutObject, without lib-storage's machinery.
      await this.aws.s3.send(
        new PutObjectCommand({ Bucket: this.bucket, Key: key, Body: body, ContentType: contentType }),
        signal ? { abortSignal: signal } : {},
      );
      return;
    }
    const upload = new Upload({
      client: this.aws.s3,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
      queueSize: 2,
      partSize: PART_BYTES,
      leavePartsOnError: false,
    });
    const abort = () => void upload.abort().catch(() => undefined);
    signal?.addEventListener('abort', abort, { once: true });
    try {
      await upload.done();
    } finally {
      signal?.removeEventListener('abort', abort);
    }
  }

  /** The object's bytes, or null when there is no such object. */
  async getStream(key: string): Promise<Readable | null> {
    try {
      const res = await this.aws.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return res.Body as Readable;
    } catch (err) {
      if (isErrorNamed(err, 'NoSuchKey') || isErrorNamed(err, 'NotFound')) return null;
      throw err;
    }
  }

  /** Size in bytes, or null when the object does not exist. */
  async size(key: string): Promise<number | null> {
    try {
      const res = await this.aws.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return res.ContentLength ?? 0;
    } catch (err) {
      if (isErrorNamed(err, 'NotFound') || isErrorNamed(err, 'NoSuchKey')) return null;
      throw err;
    }
  }

  async delete(key: string): Promise<void> {
    await this.aws.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /** Deletes every object under `prefix` except those under `keep`; returns how many it deleted. */
  async deletePrefix(prefix: string, keep?: string): Promise<number> {
    let deleted = 0;
    let token: string | undefined;
    do {
      const page: ListObjectsV2CommandOutput = await this.aws.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      const keys = (page.Contents ?? [])
        .filter((o) => keep === undefined || !o.Key!.startsWith(keep))
        .map((o) => ({ Key: o.Key! }));
      if (keys.length > 0) {
        await this.aws.s3.send(new DeleteObjectsCommand({ Bucket: this.bucket, Delete: { Objects: keys } }));
        deleted += keys.length;
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return deleted;
  }

  /**
   * A time-limited GET URL. The response's type and disposition are fixed by the signature (S3 honours
   * `response-content-type` / `response-content-disposition`), so what the bytes claim to be never
   * decides how a browser treats them. The disposition header is built by `content-disposition`
   * (quoting, RFC 5987 for non-ASCII names, no CR/LF injection).
   */
  presignDownload(
    key: string,
    opts: { filename: string; contentType: string; inline: boolean; expiresInSeconds: number },
  ): Promise<string> {
    return getSignedUrl(
      this.aws.s3,
      new GetObjectCommand({
        Bucket: this.bucket,
        Key: key,
        ResponseContentType: opts.contentType,
        ResponseContentDisposition: contentDisposition(opts.filename, {
          type: opts.inline ? 'inline' : 'attachment',
        }),
      }),
      { expiresIn: opts.expiresInSeconds },
    );
  }

  /** Starts a multipart upload of `key`; returns S3's upload id. */
  async createMultipart(key: string): Promise<string> {
    const res = await this.aws.s3.send(
      new CreateMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        // Stored as opaque bytes whatever the client claims, as streamed uploads are.
        ContentType: 'application/octet-stream',
      }),
    );
    return res.UploadId!;
  }

  /**
   * A presigned PUT of one part. Only `host` is signed. With `publicBase` (an emulator endpoint is
   * configured and the request came through the edge), the emulator's origin is replaced by it,
   * e.g. `/storage`: the edge forwards `/storage/<rest>` to the emulator with the signed Host, so
   * the request S3 sees is exactly the one signed. Real S3's URLs are never rewritten.
   */
  async presignPart(
    key: string,
    uploadId: string,
    partNumber: number,
    expiresInSeconds: number,
    publicBase?: string,
  ): Promise<string> {
    const url = await getSignedUrl(
      this.aws.s3Presigner,
      new UploadPartCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId, PartNumber: partNumber }),
      { expiresIn: expiresInSeconds },
    );
    if (!publicBase || !this.endpoint) return url;
    const origin = new URL(this.endpoint).origin;
    return url.startsWith(origin) ? `${publicBase.replace(/\/+$/, '')}${url.slice(origin.length)}` : url;
  }

  /** Every part S3 holds, by part number; null when the multipart upload does not exist (any more). */
  async listParts(key: string, uploadId: string): Promise<StoredPart[] | null> {
    const parts: StoredPart[] = [];
    let marker: string | undefined;
    try {
      do {
        const page: ListPartsCommandOutput = await this.aws.s3.send(
          new ListPartsCommand({
            Bucket: this.bucket,
            Key: key,
            UploadId: uploadId,
            PartNumberMarker: marker,
          }),
        );
        for (const p of page.Parts ?? []) {
          parts.push({ partNumber: p.PartNumber!, etag: p.ETag!, size: p.Size ?? 0 });
        }
        marker = page.IsTruncated ? page.NextPartNumberMarker : undefined;
      } while (marker);
    } catch (err) {
      if (isErrorNamed(err, 'NoSuchUpload')) return null;
      throw err;
    }
    return parts.sort((a, b) => a.partNumber - b.partNumber);
  }

  async completeMultipart(key: string, uploadId: string, parts: readonly StoredPart[]): Promise<void> {
    await this.aws.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key: key,
        UploadId: uploadId,
        MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
      }),
    );
  }

  /** Drops a multipart upload and its parts; one that is already gone is fine. */
  async abortMultipart(key: string, uploadId: string): Promise<void> {
    try {
      await this.aws.s3.send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: key, UploadId: uploadId }),
      );
    } catch (err) {
      if (!isErrorNamed(err, 'NoSuchUpload')) throw err;
    }
  }

  /**
   * Hex SHA-256 and size of an object, read as a stream (chunk by chunk, with backpressure), so
   * memory stays bounded whatever its size. S3's own checksums cannot give this: a multipart
   * upload's SHA-256 checksum is a hash of the parts' hashes, not of the bytes.
   */
  async sha256(key: string): Promise<{ sha256: string; size: number }> {
    const res = await this.aws.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
    const hash = createHash('sha256');
    let size = 0;
    for await (const chunk of res.Body as Readable) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
    return { sha256: hash.digest('hex'), size };
  }
}
