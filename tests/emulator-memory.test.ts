/**
 * The embedded S3 emulator with files under a data dir (as `npm start` runs it) holds neither a
 * multipart upload's parts nor a large object's body in memory (dev/fauxqs-large-objects.ts):
 * its peak RSS grows by far less than the object's size (measured: +53 MiB for 96 MiB, +78 MiB for
 * 192 MiB, under +128 MiB for 384 MiB), and the bytes come back intact.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { GetObjectCommand, CreateBucketCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { afterAll, expect, it } from 'vitest';
import { createAwsClients } from '../aws/clients.js';
import { launch, type ServiceProcess } from '../dev/processes.js';
import { memoryOf } from './support/edge.js';
import { removeDir, tempDir } from './support/stack.js';

const MiB = 1024 * 1024;
const SIZE = 256 * MiB;
const dataDir = tempDir('docpipe-emulator-memory-');
let emulators: ServiceProcess | undefined;
afterAll(async () => {
  await emulators?.stop();
  removeDir(dataDir);
});

it('uploads and reads back a 256 MiB object with the emulator growing by less than half of it', async () => {
  emulators = launch('dev/emulators-main.ts', { env: { DATA_DIR: dataDir } });
  const { env } = (await emulators.ready) as { env: Record<string, string> };
  const { s3, destroy } = createAwsClients({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    endpoints: { s3: env['AWS_ENDPOINT_URL']! },
    requestTimeoutMs: 30_000,
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'memory' }));
    // Peak RSS from here on: writing 5 to clear_refs resets VmHWM (Linux).
    writeFileSync(`/proc/${emulators.pid}/clear_refs`, '5');
    const before = memoryOf(emulators.pid);

    // 96 MiB of random bytes, made a chunk at a time: nothing here holds the whole object either.
    const hash = createHash('sha256');
    let made = 0;
    const body = Readable.from(
      (function* () {
        while (made < SIZE) {
          const chunk = randomBytes(MiB);
          made += chunk.length;
          hash.update(chunk);
          yield chunk;
        }
      })(),
    );
    await new Upload({
      client: s3,
      params: { Bucket: 'memory', Key: 'big/object.bin', Body: body },
      partSize: 8 * MiB,
      queueSize: 2,
    }).done();
    const sent = hash.digest('hex');
    expect(
      (await s3.send(new HeadObjectCommand({ Bucket: 'memory', Key: 'big/object.bin' }))).ContentLength,
    ).toBe(SIZE);

    const res = await s3.send(new GetObjectCommand({ Bucket: 'memory', Key: 'big/object.bin' }));
    const back = createHash('sha256');
    let received = 0;
    for await (const chunk of res.Body as Readable) {
      back.update(chunk);
      received += chunk.length;
    }
    expect(received).toBe(SIZE);
    expect(back.digest('hex')).toBe(sent);

    // fauxqs alone peaks at twice the object (parts, then their concatenation) plus a copy per GET;
    // what is left is garbage of the parts' request bodies awaiting collection (~60–80 MiB).
    const grew = memoryOf(emulators.pid).hwm - before.rss;
    expect(grew).toBeLessThan(SIZE / 2);
  } finally {
    destroy();
  }
}, 120_000);
