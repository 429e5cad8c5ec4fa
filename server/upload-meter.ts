import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export class UploadTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`upload exceeds ${limit} bytes`);
    this.name = 'UploadTooLargeError';
  }
}

/**
 * Pass-through that counts bytes and computes SHA-256 while the upload streams to S3, and keeps the
 * bytes of an upload no longer than `keepUpTo` (they travel in the job message).
 */
export class UploadMeter extends Transform {
  bytes = 0;
  exceeded = false;
  private readonly hash = createHash('sha256');
  private head: Buffer[] | null = [];

  constructor(
    private readonly limit: number,
    private readonly keepUpTo = 0,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.limit) {
      this.exceeded = true;
      done(new UploadTooLargeError(this.limit));
      return;
    }
    this.hash.update(chunk);
    if (this.head && this.bytes <= this.keepUpTo) this.head.push(chunk);
    else this.head = null;
    done(null, chunk);
  }

  /** Hex SHA-256 of everything that passed; call once, after the stream ended. */
  digest(): string {
    return this.hash.digest('hex');
  }

  /** The whole upload when it was no longer than `keepUpTo`, after the stream ended; else undefined. */
  kept(): Buffer | undefined {
    return this.head ? Buffer.concat(this.head, this.bytes) : undefined;
  }
}
