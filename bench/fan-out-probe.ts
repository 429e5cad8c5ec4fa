/**
 * Fan-out probe: one api in this process (embedded emulators), S idle WebSocket subscribers of one
 * job in a child process, then E job events; prints the spread between the first and the last
 * subscriber to receive each event, the latency to the last one, and the api's RSS per idle
 * subscriber. `npm run bench -- fanout` runs it twice: against docpipe's api and against a bare
 * `ws` broadcast of the same payload to the same sockets (PROBE_BARE=1).
 *
 *   ./node_modules/.bin/node --import tsx bench/fan-out-probe.ts
 *
 * Env: PROBE_SOCKETS (2000), PROBE_EVENTS (10), PROBE_QUERIES (1 = every subscriber sends the same
 * selection set; k > 1 spreads them over k different selection sets), PROBE_TIMEOUT_S (120),
 * PROBE_HEAPSNAPSHOT (a path: writes the api process's heap once every subscriber is idle),
 * PROBE_BARE (1: the bare ws baseline instead of the api), PROBE_OUT (a path: the result as JSON).
 *
 * Events are handed to the api's JobEventHub directly, as its SNS→SQS listener does, so the numbers
 * are the api's fan-out alone. Subscribers are raw `ws` clients speaking graphql-transport-ws (one
 * socket each, one subscription each) in a child process, so the api's RSS is its own.
 */
import 'reflect-metadata';
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { writeFileSync } from 'node:fs';
import WebSocket, { WebSocketServer } from 'ws';

const SOCKETS = Number(process.env['PROBE_SOCKETS'] ?? 2000);
const EVENTS = Number(process.env['PROBE_EVENTS'] ?? 10);
const QUERIES = Number(process.env['PROBE_QUERIES'] ?? 1);
const TIMEOUT_MS = Number(process.env['PROBE_TIMEOUT_S'] ?? 120) * 1000;
const OPEN_CONCURRENCY = 100;

const FIELDS = ['id', 'status', 'stage', 'progress', 'version', 'attempts', 'documentId', 'updatedAt'];
const queryFor = (i: number) => {
  const k = i % QUERIES;
  // Query k asks for a different set of fields (always `version`, which the client reads).
  const fields = k === 0 ? FIELDS : ['version', ...FIELDS.filter((_, j) => j !== k % FIELDS.length)];
  return `subscription Probe($jobId: ID!) { jobUpdated(jobId: $jobId) { ${[...new Set(fields)].join(' ')} error { code message } } }`;
};

const now = () => performance.timeOrigin + performance.now();

type ToChild = { type: 'publish'; version: number } | { type: 'continue' } | { type: 'stop' };
type FromChild =
  | { type: 'half'; opened: number }
  | { type: 'ready'; opened: number; failed: number; ms: number }
  | { type: 'received'; version: number; count: number; first: number; last: number }
  | { type: 'completed'; count: number };

if (process.argv.includes('--clients')) await clients();
else await main();

/** What the probe subscribes to: docpipe's api, or the bare `ws` broadcast baseline. */
interface Target {
  url: string;
  token: string;
  jobId: string;
  documentId: string;
  /** Hands one job version to the server, which sends it to every subscriber. */
  dispatch(job: Record<string, unknown>): void;
  executions?: number;
  stop(): Promise<void>;
}

async function main(): Promise<void> {
  const { JobStatus } = await import('../domain/model.js');
  const target = process.env['PROBE_BARE'] ? await bareTarget() : await apiTarget();
  const { url, jobId, documentId } = target;

  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  const rss = () => {
    gc();
    gc();
    return process.memoryUsage().rss;
  };
  await new Promise((r) => setTimeout(r, 500));
  const rssBefore = rss();
  const memBefore = process.memoryUsage();
  const heapBefore = memBefore.heapUsed;

  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--clients'], {
    execArgv: ['--import', 'tsx'],
    env: {
      ...process.env,
      PROBE_URL: url.replace(/^http/, 'ws'),
      PROBE_TOKEN: target.token,
      PROBE_JOB: jobId,
    },
  });
  const inbox: FromChild[] = [];
  let wake: (() => void) | undefined;
  child.on('message', (m: FromChild) => {
    inbox.push(m);
    wake?.();
  });
  const nextMessage = async (type: FromChild['type'], ms = TIMEOUT_MS): Promise<FromChild | undefined> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const i = inbox.findIndex((m) => m.type === type);
      if (i >= 0) return inbox.splice(i, 1)[0];
      if (Date.now() > deadline) return undefined;
      await new Promise<void>((r) => {
        wake = r;
        setTimeout(r, 200);
      });
    }
  };

  // RSS at half the subscribers too: the slope between half and all is the marginal cost of one
  // idle subscriber, without the heap's fixed growth (young generation) that the average includes.
  const half = (await nextMessage('half')) as Extract<FromChild, { type: 'half' }> | undefined;
  if (!half) throw new Error('clients never reached half');
  await new Promise((r) => setTimeout(r, 1000));
  const rssHalf = rss();
  child.send({ type: 'continue' } satisfies ToChild);
  const ready = (await nextMessage('ready')) as Extract<FromChild, { type: 'ready' }> | undefined;
  if (!ready) throw new Error('clients never became ready');
  const opened = ready.opened;
  await new Promise((r) => setTimeout(r, 1000));
  const rssIdle = rss();
  if (process.env['PROBE_HEAPSNAPSHOT'])
    (await import('node:v8')).writeHeapSnapshot(process.env['PROBE_HEAPSNAPSHOT']);
  const memIdle = process.memoryUsage();
  const heapIdle = memIdle.heapUsed;
  const perSubKb = (rssIdle - rssBefore) / 1024 / Math.max(1, opened);

  const spreads: number[] = [];
  const lasts: number[] = [];
  const servers: number[] = [];
  const base = Date.now();
  for (let e = 1; e <= EVENTS; e++) {
    const version = 1 + e;
    const final = e === EVENTS;
    const job = {
      id: jobId,
      documentId,
      ownerId: 'probe-owner',
      status: final ? JobStatus.COMPLETED : JobStatus.PROCESSING,
      stage: final ? 'done' : 'detecting',
      progress: final ? 100 : Math.round((e / EVENTS) * 90),
      attempts: 1,
      version,
      error: null,
      createdAt: new Date(base).toISOString(),
      updatedAt: new Date(base + e).toISOString(),
      startedAt: new Date(base).toISOString(),
      finishedAt: final ? new Date(base + e).toISOString() : null,
    };
    child.send({ type: 'publish', version } satisfies ToChild);
    await new Promise((r) => setTimeout(r, 50)); // let the child arm its counter
    const t0 = now();
    target.dispatch(job);
    // Every frame of this event is written once the microtasks it started have run.
    const serverDone = new Promise<number>((r) => setImmediate(() => r(now() - t0)));
    servers.push(await serverDone);
    const got = (await nextMessage('received')) as Extract<FromChild, { type: 'received' }> | undefined;
    if (!got) {
      console.log(`event v${version}: not received by all within ${TIMEOUT_MS} ms`);
      break;
    }
    spreads.push(got.last - got.first);
    lasts.push(got.last - t0);
    if (got.count !== opened) console.log(`event v${version}: ${got.count}/${opened} received`);
  }
  const completed = (await nextMessage('completed', 30_000)) as
    Extract<FromChild, { type: 'completed' }> | undefined;
  child.send({ type: 'stop' } satisfies ToChild);

  const pct = (xs: number[], p: number) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
  };
  const result = {
    sockets: SOCKETS,
    subscribed: opened,
    failed: ready.failed,
    openMs: Math.round(ready.ms),
    queries: QUERIES,
    events: spreads.length,
    spreadMs: { p50: round(pct(spreads, 50)), worst: round(Math.max(...spreads)) },
    apiWritesMs: { p50: round(pct(servers, 50)), worst: round(Math.max(...servers)) },
    publishToLastMs: { p50: round(pct(lasts, 50)), worst: round(Math.max(...lasts)) },
    completed: completed?.count ?? 0,
    rssMb: { before: mb(rssBefore), idle: mb(rssIdle) },
    rssKbPerIdleSubscriber: round(perSubKb),
    rssKbPerIdleSubscriberMarginal: round((rssIdle - rssHalf) / 1024 / Math.max(1, opened - half.opened)),
    heapKbPerIdleSubscriber: round((heapIdle - heapBefore) / 1024 / Math.max(1, opened)),
    heapTotalKbPerIdleSubscriber: round(
      (memIdle.heapTotal - memBefore.heapTotal) / 1024 / Math.max(1, opened),
    ),
    externalKbPerIdleSubscriber: round((memIdle.external - memBefore.external) / 1024 / Math.max(1, opened)),
    executions: target.executions ?? 'n/a',
    server: process.env['PROBE_BARE'] ? 'bare ws broadcast' : 'docpipe api',
  };
  console.log(JSON.stringify(result, null, 2));
  if (process.env['PROBE_OUT']) writeFileSync(process.env['PROBE_OUT'], JSON.stringify(result));
  await new Promise((r) => child.once('exit', r).once('error', r));
  await target.stop();
  process.exit(0);
}

/** docpipe's api with embedded emulators; one uploaded document's job is the one watched. */
async function apiTarget(): Promise<Target> {
  const { pino } = await import('pino');
  const { startEmbeddedAws } = await import('../dev/emulators.js');
  const { loadConfig } = await import('../domain/config.js');
  const { signToken } = await import('../auth/tokens.js');
  const { createApiServer } = await import('../server/create-server.js');

  const aws = await startEmbeddedAws();
  const secret = 'fan-out-probe-secret-0123456789abcdefghij';
  const config = loadConfig({
    ...aws.env,
    PORT: '0',
    LOG_LEVEL: 'silent',
    NODE_ENV: 'test',
    AUTH_SECRET: secret,
    RATE_LIMIT_REQUESTS: '10000000',
    WS_MAX_SOCKETS_PER_OWNER: '1000000',
    SEARCH_INDEX_PATH: ':memory:',
  });
  const api = createApiServer(config, { logger: pino({ level: 'silent' }) });
  const { url } = await api.start();
  const token = await signToken({ ...config.auth, secret }, 'probe-owner', 3600);

  const form = new FormData();
  const UPLOAD =
    'mutation ($file: Upload!) { uploadDocument(file: $file) { job { id documentId version } } }';
  form.append('operations', JSON.stringify({ query: UPLOAD, variables: { file: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append('0', new Blob(['probe'], { type: 'text/plain' }), 'probe.txt');
  const res = await fetch(url, {
    method: 'POST',
    body: form,
    headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${token}` },
  });
  const body = (await res.json()) as {
    data: { uploadDocument: { job: { id: string; documentId: string } } };
  };
  const { id: jobId, documentId } = body.data.uploadDocument.job;
  return {
    url,
    token,
    jobId,
    documentId,
    dispatch: (job) => api.hub.dispatch(job as never),
    get executions() {
      return (api as unknown as { fanout?: { executions: number } }).fanout?.executions;
    },
    async stop() {
      await api.stop();
      await aws.stop();
    },
  };
}

/**
 * The baseline: a bare `ws` server speaking just enough graphql-transport-ws (ack, one `next`
 * snapshot per subscribe) that broadcasts each version's payload, serialised once, to every socket.
 */
async function bareTarget(): Promise<Target> {
  const { createServer } = await import('node:http');
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false });
  const subscribers = new Map<WebSocket, string>();
  let snapshot = '{"data":{"jobUpdated":{"id":"bare-job","version":1,"status":"QUEUED"}}}';
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as { type: string; id?: string };
      if (m.type === 'connection_init') ws.send('{"type":"connection_ack"}');
      else if (m.type === 'subscribe' && m.id) {
        subscribers.set(ws, m.id);
        ws.send(`{"id":${JSON.stringify(m.id)},"type":"next","payload":${snapshot}}`);
      }
    });
    ws.on('close', () => subscribers.delete(ws));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/graphql`,
    token: 'bare',
    jobId: 'bare-job',
    documentId: 'bare-doc',
    dispatch(job) {
      snapshot = JSON.stringify({ data: { jobUpdated: { ...job, error: null } } });
      const final = job['status'] === 'COMPLETED';
      for (const [ws, id] of subscribers) {
        ws.send(`{"id":${JSON.stringify(id)},"type":"next","payload":${snapshot}}`);
        if (final) ws.send(`{"id":${JSON.stringify(id)},"type":"complete"}`);
      }
    },
    async stop() {
      for (const ws of subscribers.keys()) ws.terminate();
      wss.close();
      await new Promise((r) => server.close(r));
    },
  };
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
function mb(n: number): number {
  return Math.round(n / 1024 / 1024);
}

async function clients(): Promise<void> {
  const url = process.env['PROBE_URL']!;
  const token = process.env['PROBE_TOKEN']!;
  const jobId = process.env['PROBE_JOB']!;
  const send = (m: FromChild) => process.send!(m);
  const sockets: WebSocket[] = [];
  let armed: { version: number; count: number; first: number; last: number } | undefined;
  let completed = 0;
  const started = performance.now();
  let failed = 0;

  const open = (i: number) =>
    new Promise<void>((resolve) => {
      const ws = new WebSocket(url, 'graphql-transport-ws', { perMessageDeflate: false });
      let subscribed = false;
      const timer = setTimeout(() => {
        failed++;
        ws.terminate();
        resolve();
      }, 30_000);
      ws.on('open', () =>
        ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })),
      );
      ws.on('error', () => undefined);
      ws.on('close', () => {
        if (!subscribed) {
          clearTimeout(timer);
          failed++;
          resolve();
        }
      });
      ws.on('message', (data: Buffer) => {
        const text = data.toString();
        if (!subscribed) {
          if (text.includes('"connection_ack"')) {
            ws.send(
              JSON.stringify({
                id: '1',
                type: 'subscribe',
                payload: { query: queryFor(i), variables: { jobId } },
              }),
            );
          } else if (text.includes('"next"')) {
            subscribed = true;
            sockets.push(ws);
            clearTimeout(timer);
            resolve();
          }
          return;
        }
        if (text.startsWith('{"id":"1","type":"complete"') || text.includes('"type":"complete"')) {
          completed++;
          if (completed === sockets.length) send({ type: 'completed', count: completed });
          return;
        }
        const m = /"version":(\d+)/.exec(text);
        if (!m || !armed || Number(m[1]) !== armed.version) return;
        const t = now();
        if (armed.count === 0) armed.first = t;
        armed.last = t;
        if (++armed.count === sockets.length) {
          send({ type: 'received', ...armed });
          armed = undefined;
        }
      });
    });

  const deadline = Date.now() + TIMEOUT_MS;
  let next = 0;
  const openUpTo = (n: number) =>
    Promise.all(
      Array.from({ length: OPEN_CONCURRENCY }, async () => {
        while (next < n && Date.now() < deadline) await open(next++);
      }),
    );
  let resume!: () => void;
  const resumed = new Promise<void>((r) => (resume = r));
  process.on('message', (m: ToChild) => {
    if (m.type === 'continue') resume();
    else if (m.type === 'publish') armed = { version: m.version, count: 0, first: 0, last: 0 };
    else {
      for (const ws of sockets) ws.terminate();
      process.exit(0);
    }
  });
  await openUpTo(Math.floor(SOCKETS / 2));
  send({ type: 'half', opened: sockets.length });
  await resumed;
  await openUpTo(SOCKETS);
  send({ type: 'ready', opened: sockets.length, failed, ms: performance.now() - started });
}
