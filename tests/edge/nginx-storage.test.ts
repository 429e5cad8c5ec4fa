/**
 * Direct uploads through the edge: the api, told by nginx where the S3 emulator is reachable
 * (`X-Docpipe-Storage-Path`), hands out same-origin part URLs (`/storage/…`, no CORS); nginx passes
 * exactly those PUTs to the emulator with the signed Host, and nothing else of it.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCertificates, startNginx, type RunningNginx } from '../../dev/nginx.js';
import { storageOptions } from '../../dev/nginx-config.js';
import type { Config } from '../../domain/config.js';
import {
  ABORT_UPLOAD,
  COMPLETE_UPLOAD,
  CREATE_UPLOAD,
  type CreatedUpload,
} from '../support/direct-upload.js';
import { httpsRequest, requireNginx } from '../support/edge.js';
import { bearer, TEST_TOKEN } from '../support/auth.js';
import { Disposables, removeDir, startApi, startEmulators, tempDir, testConfig } from '../support/stack.js';

const MiB = 1024 * 1024;
const disposables = new Disposables();
let config: Config;
let edge: RunningNginx;
let ca: Buffer;
let origin: string;

beforeAll(async () => {
  const bin = requireNginx();
  const dir = tempDir('docpipe-edge-storage-');
  disposables.add(() => removeDir(dir));
  const emulators = await startEmulators(disposables);
  config = testConfig(emulators, { MAX_UPLOAD_BYTES: String(32 * MiB), UPLOAD_PART_BYTES: String(5 * MiB) });
  const api = await startApi(config, disposables);
  const tls = await ensureCertificates(join(dir, 'tls'));
  ca = readFileSync(tls.ca);
  edge = await startNginx({
    bin,
    prefixDir: join(dir, 'nginx'),
    tls,
    upstreams: [new URL(api.url).host],
    host: '127.0.0.1',
    httpsPort: 0,
    httpPort: 0,
    maxUploadBytes: config.limits.maxUploadBytes,
    wsKeepAliveMs: config.wsKeepAliveMs,
    ...storageOptions(config),
  });
  disposables.add(() => edge.stop());
  origin = edge.httpsOrigin;
});
afterAll(() => disposables.disposeAll());

async function graphql(query: string, variables: Record<string, unknown>) {
  const res = await httpsRequest(`${origin}/graphql`, {
    ca,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: bearer(TEST_TOKEN) },
    body: JSON.stringify({ query, variables }),
  });
  return JSON.parse(res.text) as {
    data?: Record<string, any> | null;
    errors?: { extensions?: { code?: string } }[];
  };
}

const put = (path: string, body: Uint8Array) =>
  httpsRequest(`${origin}${path}`, { ca, method: 'PUT', headers: { 'content-length': body.length }, body });

describe('direct uploads through the edge', () => {
  it('hands out /storage URLs on the same origin, whose PUTs reach storage and complete', async () => {
    const bytes = randomBytes(7 * MiB);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const created = await graphql(CREATE_UPLOAD, {
      input: { filename: 'edge.bin', size: bytes.length, sha256 },
    });
    const upload = created.data!['createUpload'].upload as CreatedUpload;
    for (const part of upload.parts) expect(part.url).toMatch(/^\/storage\/[^/]+\/originals\/[0-9a-f-]+\?/);

    const parts = [];
    for (const { partNumber, url } of upload.parts) {
      const res = await put(
        url,
        bytes.subarray((partNumber - 1) * upload.partSize, partNumber * upload.partSize),
      );
      expect(res.status).toBe(200);
      parts.push({ partNumber, etag: String(res.headers.etag) });
    }
    const done = await graphql(COMPLETE_UPLOAD, { input: { id: upload.id, parts } });
    expect(done.errors).toBeUndefined();
    expect(done.data!['completeUpload'].document).toMatchObject({
      id: upload.id,
      size: bytes.length,
      sha256,
    });
  });

  it('lets nothing but signed part PUTs through to the emulator', async () => {
    const created = await graphql(CREATE_UPLOAD, { input: { filename: 'x.bin', size: 6 * MiB } });
    const upload = created.data!['createUpload'].upload as CreatedUpload;
    const url = upload.parts[0]!.url;
    const path = url.slice(0, url.indexOf('?'));
    const bucket = path.split('/')[2];
    expect((await httpsRequest(`${origin}${url}`, { ca, method: 'GET' })).status).toBe(403);
    expect((await httpsRequest(`${origin}${url}`, { ca, method: 'DELETE' })).status).toBe(403);
    expect((await put(path, new Uint8Array(10))).status).toBe(403); // a plain PutObject
    expect((await put(url.replace(/X-Amz-Signature=[0-9a-f]+/, ''), new Uint8Array(10))).status).toBe(403);
    expect((await httpsRequest(`${origin}/storage/${bucket}`, { ca, method: 'GET' })).status).toBe(404);
    expect((await put(url, new Uint8Array(9 * MiB))).status).toBe(413); // over the part size
    // UploadPartCopy of someone else's original into my upload: refused at the edge.
    const copy = await httpsRequest(`${origin}${url}`, {
      ca,
      method: 'PUT',
      headers: { 'content-length': 0, 'x-amz-copy-source': `/${bucket}/originals/${randomUUID()}` },
      body: new Uint8Array(0),
    });
    expect(copy.status).toBe(403);
    await graphql(ABORT_UPLOAD, { input: { id: upload.id } });
  });
});
