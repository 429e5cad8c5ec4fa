/**
 * The edge end to end with real processes: nginx (generated config and certificates) in front of
 * two api replicas (child processes), embedded emulators and a worker. Every client verifies the
 * server certificate against the generated CA.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { createClient as createSseClient } from 'graphql-sse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureResources } from '../../aws/bootstrap.js';
import { createAwsClients } from '../../aws/clients.js';
import { ensureCertificates, startNginx, type RunningNginx } from '../../dev/nginx.js';
import { MULTIPART_ALLOWANCE_BYTES } from '../../dev/nginx-config.js';
import { loadConfig, type Config } from '../../domain/config.js';
import type { Worker } from '../../worker/create-worker.js';
import {
  accessLog,
  accessLogLine,
  httpsGraphQL,
  httpsRequest,
  memoryOf,
  requireNginx,
  startApiProcess,
  streamUpload,
  trustingFetch,
  waitFor,
  wssClient,
  type ApiProcess,
} from '../support/edge.js';
import { bearer, TEST_TOKEN } from '../support/auth.js';
import { JOB_FIELDS, collect } from '../support/graphql.js';
import { Disposables, removeDir, startEmulators, startWorker, tempDir, testEnv } from '../support/stack.js';

const MiB = 1024 * 1024;
const UPLOAD_BYTES = 100 * MiB;
/** nginx closes a proxied connection after this much silence; the api pings every second. */
const PROXY_TIMEOUT_SECONDS = 3;
const KEEPALIVE_MS = 1_000;
/**
 * Ceiling on a warmed-up api replica's resident memory growth while it receives the 100 MiB upload.
 * A replica that buffered the file would grow by at least the file size; streaming keeps it to the
 * multipart parser's and lib-storage's part buffers (5 MiB parts, 4 in flight) plus GC slack
 * (measured: +15-17 MiB for 25, 100 and 200 MiB files).
 */
const UPLOAD_RSS_GROWTH_CEILING = 64 * MiB;

const WATCH = `subscription Watch($jobId: ID!) { jobUpdated(jobId: $jobId) { ${JOB_FIELDS} } }`;

const disposables = new Disposables();
let dir: string;
let config: Config;
let replicas: ApiProcess[];
let edge: RunningNginx;
let ca: Buffer;
let worker: Worker | undefined;
let graphqlUrl: string;
let wssUrl: string;

beforeAll(async () => {
  const nginxBin = requireNginx();
  dir = tempDir('docpipe-edge-');
  disposables.add(() => removeDir(dir));
  const aws = await startEmulators(disposables);
  const env = testEnv(aws, {
    WS_KEEPALIVE_MS: String(KEEPALIVE_MS),
    // Above the 100 MiB upload; nginx's limit follows it (plus the multipart allowance).
    MAX_UPLOAD_BYTES: String(UPLOAD_BYTES + 8 * MiB),
    // As in compose: resources made once up front, the replicas only look them up.
    DOCPIPE_BOOTSTRAP: 'false',
    SQS_WAIT_SECONDS: '1',
  });
  config = loadConfig(env);
  const clients = createAwsClients(config.aws);
  await ensureResources(clients, config.resources, {
    visibilityTimeoutSeconds: config.worker.visibilityTimeoutSeconds,
  });
  clients.destroy();

  // graphql-upload-ts spools uploads to the temp dir; keep them inside this test's directory.
  const childEnv = { ...env, TMPDIR: dir };
  replicas = [];
  for (let i = 0; i < 2; i++) replicas.push(await startApiProcess(childEnv, disposables));
  worker = await startWorker(config, disposables);

  const tls = await ensureCertificates(join(dir, 'tls'));
  ca = readFileSync(tls.ca);
  edge = await startNginx({
    bin: nginxBin,
    prefixDir: join(dir, 'nginx'),
    tls,
    upstreams: replicas.map((r) => r.address),
    host: '127.0.0.1',
    httpsPort: 0,
    httpPort: 0,
    maxUploadBytes: config.limits.maxUploadBytes,
    wsKeepAliveMs: KEEPALIVE_MS,
    proxyTimeoutSeconds: PROXY_TIMEOUT_SECONDS,
  });
  disposables.add(() => edge.stop());
  graphqlUrl = `${edge.httpsOrigin}/graphql`;
  wssUrl = graphqlUrl.replace(/^https/, 'wss');
});

afterAll(async () => {
  await worker?.stop();
  await disposables.disposeAll();
});

/**
 * Stops the worker so jobs stay QUEUED (subscriptions then sit idle), and waits out one long-poll:
 * fauxqs still hands a message to a receive the worker already abandoned, hiding it for the
 * visibility timeout.
 */
async function pauseWorker(): Promise<void> {
  await worker?.stop();
  worker = undefined;
  await new Promise((r) => setTimeout(r, config.sqsWaitSeconds * 1000 + 500));
}

async function resumeWorker(): Promise<void> {
  const w = await startWorker(config, new Disposables());
  worker = w;
}

async function uploadSmall(): Promise<{ documentId: string; jobId: string }> {
  const { response } = await streamUpload(graphqlUrl, ca, 4096);
  const body = JSON.parse(response.text);
  expect(body.errors).toBeUndefined();
  return { documentId: body.data.uploadDocument.id, jobId: body.data.uploadDocument.job.id };
}

function tlsProbe(opts: ConnectionOptions): Promise<TLSSocket> {
  return new Promise((resolveSocket, reject) => {
    const socket = tlsConnect({ host: '127.0.0.1', port: edge.httpsPort, ca, ...opts }, () =>
      resolveSocket(socket),
    );
    socket.once('error', reject);
  });
}

describe('nginx edge: TLS', () => {
  it('serves the API and the playground over HTTPS with a certificate verified against the generated CA', async () => {
    const res = await httpsGraphQL(graphqlUrl, ca, '{ __typename }');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ data: { __typename: 'Query' } });

    const playground = await httpsRequest(graphqlUrl, { ca, headers: { accept: 'text/html' } });
    expect(playground.status).toBe(200);
    expect(playground.headers['content-type']).toMatch(/^text\/html/);

    // Verification is really on: without the CA the same request is rejected.
    await expect(
      httpsGraphQL(graphqlUrl, undefined as unknown as Buffer, '{ __typename }'),
    ).rejects.toMatchObject({
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
  });

  it('presents an ECDSA P-256 certificate for localhost and 127.0.0.1 and negotiates HTTP/2', async () => {
    const socket = await tlsProbe({ servername: 'localhost', ALPNProtocols: ['h2', 'http/1.1'] });
    try {
      expect(socket.authorized).toBe(true);
      expect(socket.alpnProtocol).toBe('h2');
      const cert = socket.getPeerCertificate();
      expect(cert.asn1Curve).toBe('prime256v1');
      expect(cert.subjectaltname).toContain('DNS:localhost');
      expect(cert.subjectaltname).toContain('IP Address:127.0.0.1');
    } finally {
      socket.destroy();
    }
  });

  it('speaks TLS 1.2 and 1.3 and refuses TLS 1.1', async () => {
    for (const version of ['TLSv1.2', 'TLSv1.3'] as const) {
      const socket = await tlsProbe({ minVersion: version, maxVersion: version });
      expect(socket.getProtocol()).toBe(version);
      socket.destroy();
    }
    // SECLEVEL=0 lets this client offer TLS 1.1 at all, so the refusal below is the server's: a
    // protocol_version alert.
    await expect(
      tlsProbe({ minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' }),
    ).rejects.toMatchObject({ code: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' });
  });

  it('refuses plain HTTP on the TLS port without reaching the api', async () => {
    const reply = await new Promise<string>((resolveReply, reject) => {
      const socket = netConnect({ host: '127.0.0.1', port: edge.httpsPort }, () => {
        socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
      });
      let data = '';
      socket.on('data', (c: Buffer) => (data += c.toString()));
      socket.on('end', () => resolveReply(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400 /);
    expect(reply).toContain('The plain HTTP request was sent to HTTPS port');
    expect(reply.toLowerCase()).not.toContain('x-request-id');
  });

  it('redirects plain HTTP to HTTPS with 308 and keeps its own health endpoint', async () => {
    const res = await fetch(`${edge.httpOrigin}/graphql?from=http`, {
      method: 'POST',
      body: '{}',
      redirect: 'manual',
    });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe(`https://127.0.0.1:${edge.httpsPort}/graphql?from=http`);

    const health = await fetch(`${edge.httpOrigin}/nginx-healthz`);
    expect(health.status).toBe(200);
  });

  it('sends security headers and proxies the health endpoints', async () => {
    const res = await httpsRequest(`${edge.httpsOrigin}/readyz`, { ca });
    expect(res.status).toBe(200);
    expect(res.headers['strict-transport-security']).toBe('max-age=63072000');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['server']).toBe('nginx'); // no version
    expect((await httpsRequest(`${edge.httpsOrigin}/healthz`, { ca })).status).toBe(200);
    expect((await httpsRequest(`${edge.httpsOrigin}/nginx-healthz`, { ca })).status).toBe(200);
    // Metrics stay inside the network, whatever the case or a trailing slash (express ignores both).
    for (const path of ['/metrics', '/METRICS', '/Metrics/', '/metrics/x', '/metrics?x=1']) {
      const res = await httpsRequest(`${edge.httpsOrigin}${path}`, { ca });
      expect(res.status, path).toBe(404);
      expect(res.text, path).not.toContain('docpipe_');
    }
  });

  it("passes nginx's request id upstream, where the api uses it as the correlation id", async () => {
    // A client-chosen id is replaced: the edge owns ids, so logs cannot be forged from outside.
    const res = await httpsGraphQL(graphqlUrl, ca, '{ __typename }', { 'x-request-id': 'chosen-by-client' });
    const id = res.headers['x-request-id'];
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    // The header comes back from the api (nginx adds none), so the api received nginx's id.
    const line = await accessLogLine(edge.accessLog, (l) => l['request_id'] === id);
    expect(line).toMatchObject({
      method: 'POST',
      uri: '/graphql',
      status: 200,
      tls: expect.stringMatching(/^TLSv1\.[23]$/),
    });
  });
});

describe('nginx edge: uploads', () => {
  it('streams a 100 MiB multipart upload through nginx with the api memory bounded', async () => {
    // Warm both replicas (round robin) so one-time costs (module loading, first S3 multipart upload,
    // allocator arenas) are not counted as growth caused by the size of the file.
    for (let i = 0; i < replicas.length; i++) await streamUpload(graphqlUrl, ca, 16 * MiB);
    const before = replicas.map((r) => memoryOf(r.pid).rss);
    const peak = [...before];
    let spooled = 0;
    let samples = 0;
    const sample = () => {
      samples++;
      replicas.forEach((r, i) => (peak[i] = Math.max(peak[i]!, memoryOf(r.pid).rss)));
      spooled = Math.max(spooled, readdirSync(edge.clientBodyTempDir).length);
    };
    const timer = setInterval(sample, 20);
    let result: Awaited<ReturnType<typeof streamUpload>>;
    try {
      result = await streamUpload(graphqlUrl, ca, UPLOAD_BYTES, sample);
    } finally {
      clearInterval(timer);
    }
    const body = JSON.parse(result.response.text);
    expect(body.errors).toBeUndefined();
    expect(body.data.uploadDocument).toMatchObject({
      size: UPLOAD_BYTES,
      sha256: result.sha256,
      status: 'QUEUED',
    });

    const line = await accessLogLine(
      edge.accessLog,
      (l) => l['uri'] === '/graphql' && l['request_length'] > UPLOAD_BYTES,
    );
    expect(line).toMatchObject({ status: 200, upstream_status: '200' });
    const served = replicas.findIndex((r) => r.address === line!['upstream']);
    expect(served).toBeGreaterThanOrEqual(0);
    const growth = peak[served]! - before[served]!;
    console.log(
      `${mb(UPLOAD_BYTES)} upload: api replica RSS ${mb(before[served]!)} → peak ${mb(peak[served]!)} (+${mb(growth)}), ` +
        `VmHWM ${mb(memoryOf(replicas[served]!.pid).hwm)}, ${samples} samples`,
    );
    // nginx never spooled the body to disk (proxy_request_buffering off) ...
    expect(spooled).toBe(0);
    // ... and the api did not hold it in memory either.
    expect(growth).toBeLessThan(UPLOAD_RSS_GROWTH_CEILING);
  });

  it("rejects a body over the api's limit at the edge with the GraphQL error shape", async () => {
    const res = await httpsRequest(graphqlUrl, {
      ca,
      method: 'POST',
      headers: {
        'content-type': 'multipart/form-data; boundary=x',
        'content-length': String(config.limits.maxUploadBytes + MULTIPART_ALLOWANCE_BYTES + 1),
        'apollo-require-preflight': 'true',
      },
      // nginx answers from the Content-Length alone; nothing of the body is sent.
      body: '',
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.text).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('nginx edge: WebSockets', () => {
  it("delivers a job's events to a wss:// subscription", async () => {
    const { jobId } = await uploadSmall();
    const { client } = wssClient(wssUrl, ca);
    try {
      const { events, errors } = await collect<{ jobUpdated: any }>(client, WATCH, { jobId }).done;
      expect(errors).toBeUndefined();
      const jobs = events.map((e) => e.jobUpdated);
      expect(jobs.at(-1)).toMatchObject({ status: 'COMPLETED', stage: 'done', progress: 100 });
      const versions = jobs.map((j) => j.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
    } finally {
      await client.dispose();
    }
  });

  it(`keeps an idle subscription open past nginx's ${PROXY_TIMEOUT_SECONDS} s read timeout with keepalive pings`, async () => {
    expect(readFileSync(edge.configFile, 'utf8')).toContain(`proxy_read_timeout ${PROXY_TIMEOUT_SECONDS}s;`);
    await pauseWorker();
    const { jobId } = await uploadSmall();
    const { client, pings, closes } = wssClient(wssUrl, ca);
    try {
      const sub = collect<{ jobUpdated: any }>(client, WATCH, { jobId });
      await sub.firstEvent;
      expect(sub.events.map((e) => e.jobUpdated.status)).toEqual(['QUEUED']);
      // Silent but for the api's pings for well over twice nginx's read timeout (a ping a second).
      const idlePings = 2 * PROXY_TIMEOUT_SECONDS + 1;
      await waitFor(() => pings() >= idlePings, (idlePings + 5) * KEEPALIVE_MS, `${idlePings} pings`);
      expect(closes()).toBe(0);
      expect(sub.events).toHaveLength(1);

      // The same connection still carries the job's events once a worker picks it up.
      await resumeWorker();
      const { events, errors } = await sub.done;
      expect(errors).toBeUndefined();
      expect(events.at(-1)!.jobUpdated.status).toBe('COMPLETED');
      expect(closes()).toBe(0);
    } finally {
      await client.dispose();
      if (!worker) await resumeWorker();
    }
  });
});

describe('nginx edge: Server-Sent Events', () => {
  it("streams a job's events live to a graphql-sse client, kept open past the read timeout by pings", async () => {
    await pauseWorker();
    const { jobId } = await uploadSmall();
    const messages: { event: string; at: number }[] = [];
    const client = createSseClient({
      url: `${edge.httpsOrigin}/graphql/stream`,
      headers: { authorization: bearer(TEST_TOKEN), 'accept-encoding': 'gzip' },
      fetchFn: trustingFetch(ca),
      retryAttempts: 0,
      on: { message: (m) => messages.push({ event: m.event, at: Date.now() }) },
    });
    try {
      const sub = collect<{ jobUpdated: any }>(client, WATCH, { jobId });
      // The snapshot arrives while the stream is still open: nginx passes events on unbuffered.
      await sub.firstEvent;
      expect(sub.events.map((e) => e.jobUpdated.status)).toEqual(['QUEUED']);
      // Idle (the api's comment pings only) for twice nginx's read timeout: the stream stays open.
      await new Promise((r) => setTimeout(r, 2 * PROXY_TIMEOUT_SECONDS * 1000));
      expect(sub.events).toHaveLength(1);

      await resumeWorker();
      const { events, errors } = await sub.done;
      expect(errors).toBeUndefined();
      const jobs = events.map((e) => e.jobUpdated);
      expect(jobs.at(-1)).toMatchObject({ status: 'COMPLETED', stage: 'done', progress: 100 });
      const versions = jobs.map((j) => j.version);
      expect(versions).toEqual([...versions].sort((a, b) => a - b));
      // The snapshot came as it happened, not in one piece with the rest at the end of the stream.
      const first = messages.find((m) => m.event === 'next')!;
      expect(messages.at(-1)!.at - first.at).toBeGreaterThanOrEqual(2 * PROXY_TIMEOUT_SECONDS * 1000);
      expect(messages.at(-1)!.event).toBe('complete');
    } finally {
      client.dispose();
      if (!worker) await resumeWorker();
    }
  });

  it('sends the event stream uncompressed with its content type, and refuses a missing token', async () => {
    const { jobId } = await uploadSmall();
    const res = await trustingFetch(ca)(`${edge.httpsOrigin}/graphql/stream`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        'accept-encoding': 'gzip, br',
        authorization: bearer(TEST_TOKEN),
      },
      body: JSON.stringify({ query: WATCH, variables: { jobId } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(res.headers.get('content-encoding') ?? 'none').toBe('none');
    expect(await res.text()).toContain('event: complete');

    const refused = await trustingFetch(ca)(`${edge.httpsOrigin}/graphql/stream`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: WATCH, variables: { jobId } }),
    });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as any).errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });
});

describe('nginx edge: two api replicas', () => {
  it('balances plain requests over both replicas', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await httpsGraphQL(graphqlUrl, ca, '{ __typename }');
      expect(res.status).toBe(200);
      ids.push(String(res.headers['x-request-id']));
    }
    await waitFor(
      () => accessLog(edge.accessLog).filter((l) => ids.includes(l['request_id'])).length === ids.length,
      5_000,
      'the access log lines',
    );
    const upstreams = new Set(
      accessLog(edge.accessLog)
        .filter((l) => ids.includes(l['request_id']))
        .map((l) => l['upstream']),
    );
    expect([...upstreams].sort()).toEqual(replicas.map((r) => r.address).sort());
  });

  it('delivers live job events to subscriptions held by either replica', async () => {
    await pauseWorker();
    const { jobId } = await uploadSmall();
    const before = accessLog(edge.accessLog).length;
    const clients = [0, 1, 2, 3].map(() => wssClient(wssUrl, ca).client);
    try {
      // One connection at a time, so round robin alternates between the replicas.
      const subs = [];
      for (const client of clients) {
        const sub = collect<{ jobUpdated: any }>(client, WATCH, { jobId });
        await sub.firstEvent;
        subs.push(sub);
      }
      await resumeWorker();
      for (const sub of subs) {
        const { events, errors } = await sub.done;
        expect(errors).toBeUndefined();
        const statuses = events.map((e) => e.jobUpdated.status);
        // QUEUED from the initial read, then live events relayed by this replica's SNS queue.
        expect(statuses[0]).toBe('QUEUED');
        expect(statuses.at(-1)).toBe('COMPLETED');
        expect(statuses.length).toBeGreaterThan(1);
      }
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
      if (!worker) await resumeWorker();
    }
    // nginx logs a WebSocket when it closes: which replica held each one.
    await waitFor(
      () =>
        accessLog(edge.accessLog)
          .slice(before)
          .filter((l) => l['status'] === 101).length >= clients.length,
      5_000,
      'WebSocket access log lines',
    );
    const upstreams = new Set(
      accessLog(edge.accessLog)
        .slice(before)
        .filter((l) => l['status'] === 101)
        .map((l) => l['upstream']),
    );
    expect([...upstreams].sort()).toEqual(replicas.map((r) => r.address).sort());
  });
});

function mb(bytes: number): string {
  return `${(bytes / MiB).toFixed(0)} MiB`;
}
