import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Upload } from '@aws-sdk/lib-storage';
import { create as contentDisposition } from 'content-disposition';
import type { AwsClients } from './clients.js';
import { isErrorNamed } from './bootstrap.js';

/** S3 object access. Keys: `originals/<documentId>`, `derived/<documentId>/…`. */
export class BlobStore {
  constructor(
    private readonly aws: AwsClients,
    private readonly bucket: string,
  ) {}

  static originalKey(documentId: string): string {
    return `originals/${documentId}`;
  }

  static derivedPrefix(documentId: string): string {
    return `derived/${documentId}/`;
  }

  /** One successful attempt's artefacts: never shared with another attempt, so losers clean up safely. */
  static attemptPrefix(documentId: string, jobId: string, attempt: number): string {
    return `derived/${documentId}/${jobId}/a${attempt}/`;
  }

  /** Streams `body` to S3 as a multipart upload (5 MiB parts), so memory stays bounded. */
  async putStream(
    key: string,
    body: Readable | Buffer,
    contentType: string,
    signal?: AbortSignal,
  ): Promise<void> {
    const upload = new Upload({
      client: this.aws.s3,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
      queueSize: 2,
      partSize: 5 * 1024 * 1024,
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
}
