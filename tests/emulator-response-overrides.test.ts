/**
 * The embedded S3 answers a presigned GET's `response-content-type` / `response-content-disposition`
 * overrides as S3 does (dev/fauxqs-response-overrides.ts), for objects fauxqs serves itself and for
 * large ones streamed from disk (dev/fauxqs-large-objects.ts); a GET without them gets what was
 * stored.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedAws, type EmbeddedAws } from '../dev/emulators.js';
import { STREAM_FROM_BYTES } from '../dev/fauxqs-large-objects.js';
import { removeDir, tempDir } from './support/stack.js';

const dataDir = tempDir('docpipe-overrides-');
let aws: EmbeddedAws;
let s3: S3Client;

beforeAll(async () => {
  aws = await startEmbeddedAws({ dataDir });
  s3 = new S3Client({
    endpoint: aws.awsEndpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'overrides' }));
});
afterAll(async () => {
  s3?.destroy();
  await aws?.stop();
  removeDir(dataDir);
});

async function stored(key: string, body: Buffer) {
  await s3.send(
    new PutObjectCommand({
      Bucket: 'overrides',
      Key: key,
      Body: body,
      ContentType: 'application/octet-stream',
    }),
  );
}

const presigned = (
  key: string,
  overrides: { ResponseContentType?: string; ResponseContentDisposition?: string },
) =>
  getSignedUrl(s3, new GetObjectCommand({ Bucket: 'overrides', Key: key, ...overrides }), { expiresIn: 60 });

describe('embedded S3 response overrides', () => {
  it.each([
    ['a small object (fauxqs answers)', 'small', Buffer.from('plain text\n')],
    ['a large object (streamed from disk)', 'large', Buffer.alloc(STREAM_FROM_BYTES, 'a')],
  ])(
    '%s: the signed overrides win over what was stored; without them, what was stored',
    async (_, key, body) => {
      await stored(key, body);
      const overridden = await fetch(
        await presigned(key, {
          ResponseContentType: 'text/plain; charset=utf-8',
          ResponseContentDisposition: 'inline; filename="text.txt"',
        }),
      );
      expect(overridden.status).toBe(200);
      expect(overridden.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(overridden.headers.get('content-disposition')).toBe('inline; filename="text.txt"');
      expect(Buffer.from(await overridden.arrayBuffer()).equals(body)).toBe(true);

      const plain = await fetch(await presigned(key, {}));
      expect(plain.headers.get('content-type')).toBe('application/octet-stream');
      expect(plain.headers.get('content-disposition')).toBeNull();
      await plain.arrayBuffer();
    },
  );

  it('leaves an error answer alone', async () => {
    const missing = await fetch(await presigned('missing', { ResponseContentType: 'text/plain' }));
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).not.toBe('text/plain');
    await missing.arrayBuffer();
  });
});
