/**
 * nginx's per-client-address limits (limit_req, limit_conn) with real processes: two nginx instances
 * rendered with small limits in front of one api replica. Clients use two loopback source addresses
 * (127.0.0.1 and 127.0.0.2) to show that budgets are per address.
 *
 * Requests that nginx lets through are only asserted to be "not 429 and answered by the api": the
 * api may answer them with 200 or, once /graphql requires a token, 401; nginx's refusals are 429
 * with nginx's JSON body and no upstream in the access log.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureResources } from '../../aws/bootstrap.js';
import { createAwsClients } from '../../aws/clients.js';
import { ensureCertificates, startNginx, type RunningNginx } from '../../dev/nginx.js';
import { loadConfig } from '../../domain/config.js';
import {
  accessLogLine,
  httpsRequest,
  requireNginx,
  startApiProcess,
  waitFor,
  type ApiProcess,
  type HttpsResponse,
} from '../support/edge.js';
import { Disposables, removeDir, startEmulators, tempDir, testEnv } from '../support/stack.js';

/** 1 request a minute: nothing refills during the test, so exactly 1 + burst requests pass. */
const RATE = '1r/m';
const BURST = 4;
const HEALTH_BURST = 2;
const CONNECTIONS = 3;
const CLIENT = '127.0.0.1';
const OTHER_CLIENT = '127.0.0.2';

const disposables = new Disposables();
let ca: Buffer;
let api: ApiProcess;
/** Tight request rates, default connection limit. */
let rateEdge: RunningNginx;
/** Tight connection limit, default request rates. */
let connEdge: RunningNginx;

beforeAll(async () => {
  const bin = requireNginx();
  const dir = tempDir('docpipe-limits-');
  disposables.add(() => removeDir(dir));
  const aws = await startEmulators(disposables);
  const env = testEnv(aws, { DOCPIPE_BOOTSTRAP: 'false' });
  const config = loadConfig(env);
  const clients = createAwsClients(config.aws);
  await ensureResources(clients, config.resources, {
    visibilityTimeoutSeconds: config.worker.visibilityTimeoutSeconds,
  });
  clients.destroy();
  api = await startApiProcess({ ...env, TMPDIR: dir }, disposables);

  const tls = await ensureCertificates(join(dir, 'tls'));
  ca = readFileSync(tls.ca);
  const common = {
    bin,
    tls,
    upstreams: [api.address],
    host: '127.0.0.1',
    httpsPort: 0,
    httpPort: 0,
    maxUploadBytes: config.limits.maxUploadBytes,
    wsKeepAliveMs: config.wsKeepAliveMs,
  };
  rateEdge = await startNginx({
    ...common,
    prefixDir: join(dir, 'nginx-rate'),
    limits: { requestRate: RATE, requestBurst: BURST, healthRate: RATE, healthBurst: HEALTH_BURST },
  });
  disposables.add(() => rateEdge.stop());
  connEdge = await startNginx({
    ...common,
    prefixDir: join(dir, 'nginx-conn'),
    limits: { connections: CONNECTIONS },
  });
  disposables.add(() => connEdge.stop());
});

afterAll(() => disposables.disposeAll());

function get(edge: RunningNginx, path: string, from = CLIENT): Promise<HttpsResponse> {
  return httpsRequest(`${edge.httpsOrigin}${path}`, { ca, localAddress: from });
}

/** A GraphQL POST tagged with a unique query string, to find its access log line. */
function graphql(edge: RunningNginx, tag: string, from = CLIENT): Promise<HttpsResponse> {
  return httpsRequest(`${edge.httpsOrigin}/graphql?t=${tag}`, {
    ca,
    localAddress: from,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: '{ __typename }' }),
  });
}

function expectRefusedByNginx(res: HttpsResponse, message: RegExp, retryAfter: string): void {
  expect(res.status).toBe(429);
  expect(res.headers['content-type']).toBe('application/json');
  expect(res.headers['retry-after']).toBe(retryAfter);
  // The server-wide security headers are still sent with the refusal.
  expect(res.headers['strict-transport-security']).toBe('max-age=63072000');
  const body = JSON.parse(res.text);
  expect(body).toEqual({
    errors: [{ message: expect.stringMatching(message), extensions: { code: 'RATE_LIMITED' } }],
  });
}

/** The access log line of the request tagged `tag`: who answered it (nginx: no upstream). */
function logLine(edge: RunningNginx, tag: string) {
  return accessLogLine(edge.accessLog, (l) => l['uri'] === `/graphql?t=${tag}`);
}

describe('nginx limit_req (per client address)', () => {
  it(`serves 1 + burst (${1 + BURST}) requests to /graphql, then answers 429 RATE_LIMITED itself`, async () => {
    const results: HttpsResponse[] = [];
    for (let i = 0; i < BURST + 4; i++) results.push(await graphql(rateEdge, `burst-${i}`));

    const statuses = results.map((r) => r.status);
    // Below the limit: the api answered (200 now; 401 once a token is required), never 429.
    for (const [i, res] of results.slice(0, BURST + 1).entries()) {
      expect(res.status, `request ${i}: ${statuses.join()}`).not.toBe(429);
      const line = await logLine(rateEdge, `burst-${i}`);
      expect(line['upstream']).toBe(api.address);
      expect(line['upstream_status']).toBe(String(res.status));
    }
    // Above it: nginx refuses, the api never sees the request.
    for (const [i, res] of results.slice(BURST + 1).entries()) {
      expectRefusedByNginx(res, /^Too many requests from this address/, '60');
      const line = await logLine(rateEdge, `burst-${BURST + 1 + i}`);
      expect(line).toMatchObject({ status: 429, upstream: '', upstream_status: '' });
    }
  });

  it('keeps a separate budget for each client address', async () => {
    // 127.0.0.1 is out of budget after the test above; 127.0.0.2 is not.
    expect((await graphql(rateEdge, 'still-limited')).status).toBe(429);
    const other = await graphql(rateEdge, 'other-client', OTHER_CLIENT);
    expect(other.status).not.toBe(429);
    expect((await logLine(rateEdge, 'other-client'))['upstream']).toBe(api.address);
  });

  it('gives /healthz and /readyz their own budget, and never limits /nginx-healthz', async () => {
    // 127.0.0.1 is refused on /graphql, yet its health checks are served ...
    expect((await graphql(rateEdge, 'before-health')).status).toBe(429);
    const health: HttpsResponse[] = [];
    for (let i = 0; i < HEALTH_BURST + 1; i++) {
      health.push(await get(rateEdge, i % 2 === 0 ? '/healthz' : '/readyz'));
    }
    expect(health.map((r) => r.status)).toEqual(health.map(() => 200));
    // ... until that separate budget is spent too.
    expectRefusedByNginx(await get(rateEdge, '/healthz'), /^Too many requests/, '60');
    expectRefusedByNginx(await get(rateEdge, '/readyz'), /^Too many requests/, '60');
    // nginx's own health answer runs before any limit.
    for (let i = 0; i < 10; i++) expect((await get(rateEdge, '/nginx-healthz')).status).toBe(200);
  });
});

/**
 * A request nginx is still processing: headers sent with `Expect: 100-continue` to a path whose body
 * nginx buffers before contacting the api, and only part of the body. nginx sends `100 Continue`
 * when it starts reading the body, after limit_conn counted the request; until the rest of the body
 * arrives, the request holds its slot without involving the api.
 */
async function holdRequest(edge: RunningNginx, from = CLIENT): Promise<TLSSocket> {
  // tls.connect's types lack localAddress: pick the source address on the TCP socket beneath.
  const tcp = netConnect({ host: '127.0.0.1', port: edge.httpsPort, localAddress: from });
  const socket = await new Promise<TLSSocket>((resolve, reject) => {
    const s = tlsConnect({ socket: tcp, servername: 'localhost', ca }, () => resolve(s));
    s.once('error', reject);
  });
  let received = '';
  socket.on('data', (c: Buffer) => (received += c.toString()));
  socket.write(
    'POST /held HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\nContent-Length: 10\r\n' +
      'Expect: 100-continue\r\n\r\n',
  );
  await waitFor(() => received.length > 0, 5_000, 'nginx to answer the held request');
  // Anything but 100 means nginx answered (e.g. refused) instead of reading the body.
  expect(received).toMatch(/^HTTP\/1\.1 100 Continue\r\n/);
  socket.write('12345');
  return socket;
}

describe('nginx limit_conn (per client address)', () => {
  it(`answers 429 beyond ${CONNECTIONS} concurrent requests from one address while serving the others`, async () => {
    const held: TLSSocket[] = [];
    try {
      for (let i = 0; i < CONNECTIONS; i++) held.push(await holdRequest(connEdge));

      // One more from the same address: refused by nginx, on every location it proxies.
      expectRefusedByNginx(await get(connEdge, '/healthz'), /^Too many concurrent requests/, '1');
      const refused = await graphql(connEdge, 'conn-refused');
      expectRefusedByNginx(refused, /^Too many concurrent requests/, '1');
      expect(await logLine(connEdge, 'conn-refused')).toMatchObject({ status: 429, upstream: '' });

      // Another address is served meanwhile.
      expect((await get(connEdge, '/healthz', OTHER_CLIENT)).status).toBe(200);
      const other = await graphql(connEdge, 'conn-other', OTHER_CLIENT);
      expect(other.status).not.toBe(429);
      expect((await logLine(connEdge, 'conn-other'))['upstream']).toBe(api.address);

      // The held requests are served once their bodies are complete (the api answers them; the
      // path does not exist there), and the address gets its slot back.
      const first = held.shift()!;
      let reply = '';
      first.on('data', (c: Buffer) => (reply += c.toString()));
      first.write('67890');
      const finalStatus = () => /HTTP\/1\.1 (?!100 )(\d{3}) /.exec(reply)?.[1];
      await waitFor(() => finalStatus() !== undefined, 5_000, 'the held request to be answered');
      expect(finalStatus()).not.toBe('429');
      first.destroy();
      // nginx frees the slot when it finalizes that request: poll briefly (bounded).
      const deadline = Date.now() + 5_000;
      let after = await get(connEdge, '/healthz');
      while (after.status === 429 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        after = await get(connEdge, '/healthz');
      }
      expect(after.status).toBe(200);
    } finally {
      for (const socket of held) socket.destroy();
    }
  });
});
