/**
 * One trace per upload across processes: the api and the worker run as real child processes with
 * OTEL_EXPORTER_OTLP_ENDPOINT pointed at an OTLP/HTTP (JSON) receiver this test runs on 127.0.0.1.
 * The trace context crosses the SQS job message and the SNS job event only as message attributes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, uploadFile, WATCH, wsClient } from '../support/graphql.js';
import { spawnService } from '../support/processes.js';
import { Disposables, startEmulators, testEnv } from '../support/stack.js';

interface ReceivedSpan {
  service: string;
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId: string;
}

const disposables = new Disposables();
const spans: ReceivedSpan[] = [];
let apiUrl: string;

/** An OTLP/HTTP receiver: collects the spans of every POST /v1/traces (JSON encoding). */
async function startReceiver(): Promise<string> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let raw = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
      if (req.url === '/v1/traces') {
        const body = JSON.parse(raw.toString('utf8'));
        for (const rs of body.resourceSpans ?? []) {
          const service = rs.resource?.attributes?.find((a: any) => a.key === 'service.name')?.value
            ?.stringValue;
          for (const ss of rs.scopeSpans ?? []) {
            for (const s of ss.spans ?? []) {
              spans.push({
                service,
                name: s.name,
                traceId: s.traceId,
                spanId: s.spanId,
                parentSpanId: s.parentSpanId ?? '',
              });
            }
          }
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  disposables.add(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const receiver = await startReceiver();
  const emulators = await startEmulators(disposables);
  const env = testEnv(emulators, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver,
    OTEL_BSP_SCHEDULE_DELAY: '100',
  });
  const api = spawnService('server/main.ts', env, disposables);
  const worker = spawnService('worker/main.ts', env, disposables);
  const [ready] = await Promise.all([api.ready, worker.ready]);
  apiUrl = ready.url!;
}, 60_000);
afterAll(() => disposables.disposeAll());

async function until(check: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('tracing', () => {
  it('follows an upload from the resolver through SQS, the worker and SNS to the subscription', async () => {
    // Over 16 KiB, so the original is not in the job message: the worker downloads it (its span).
    const up = await uploadFile(apiUrl, 'trace me\n'.repeat(2_000), 't.txt', 'text/plain');
    expect(up.errors).toBeUndefined();
    const client = wsClient(apiUrl.replace(/^http/, 'ws'));
    try {
      const { events } = await collect<{ jobUpdated: any }>(client, WATCH, {
        jobId: up.data!.uploadDocument.job.id,
      }).done;
      expect(events.at(-1)!.jobUpdated.status).toBe('COMPLETED');
    } finally {
      await client.dispose();
    }

    const named = (service: string, name: string) =>
      spans.filter((s) => s.service === service && s.name === name);
    await until(() => named('docpipe-api', 'uploadDocument').length === 1);
    const root = named('docpipe-api', 'uploadDocument')[0]!;
    expect(root.parentSpanId).toBe('');
    const inTrace = () => spans.filter((s) => s.traceId === root.traceId);
    const has = (service: string, name: string) =>
      inTrace().some((s) => s.service === service && s.name === name);
    const expected: [string, string][] = [
      ['docpipe-api', 'dynamodb.PutItem'],
      ['docpipe-api', 'sqs.SendMessage'],
      ['docpipe-worker', 'process job'],
      ['docpipe-worker', 'stage download'],
      ['docpipe-worker', 'stage analysis'],
      ['docpipe-worker', 'stage storing'],
      ['docpipe-worker', 's3.GetObject'],
      ['docpipe-worker', 'dynamodb.PutItem'],
      ['docpipe-worker', 'sns.Publish'],
      ['docpipe-api', 'job event deliver'],
    ];
    await until(() => expected.every(([service, name]) => has(service, name)), 15_000).catch(() => {
      const missing = expected.filter(([service, name]) => !has(service, name));
      throw new Error(`missing from the trace: ${JSON.stringify(missing)}`);
    });
    expect(inTrace().some((s) => s.service === 'docpipe-api' && s.name.startsWith('s3.'))).toBe(true);

    // The worker's job span is a child of the api's upload span: the context crossed SQS.
    const job = inTrace().find((s) => s.name === 'process job')!;
    expect(job.parentSpanId).toBe(root.spanId);
    // The api's delivery of the COMPLETED event hangs under the worker's job: it crossed SNS.
    const workerSpanIds = new Set(
      inTrace()
        .filter((s) => s.service === 'docpipe-worker')
        .map((s) => s.spanId),
    );
    const deliveries = inTrace().filter((s) => s.name === 'job event deliver');
    expect(deliveries.every((d) => workerSpanIds.has(d.parentSpanId))).toBe(true);
    // Exactly one trace for the upload: nothing of this job in another trace.
    const otherTraces = spans.filter((s) => s.traceId !== root.traceId && s.name === 'process job');
    expect(otherTraces).toEqual([]);
  }, 60_000);
});
