/**
 * Small uploads (issue 10): 1 KB at 8 in flight against an api process, first with no worker, then
 * with a worker processing what they enqueue. Baseline, same emulators, same run: the AWS calls an
 * upload makes (PutObject, two PutItem, SendMessage) straight through the SDK at 8 in flight.
 */
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { createAwsClients } from '../../../aws/clients.js';
import { launch, type ServiceProcess } from '../../../dev/processes.js';
import { countAwsCalls } from '../../../tests/support/aws-calls.js';
import type { Scenario } from '../scenario.js';
import { benchStack, ensureBuilt, row, runLoad, upload } from '../support.js';

const IN_FLIGHT = 8;
const body = 'x'.repeat(1024);

export const uploads: Scenario = {
  name: 'upload',
  description: '1 KB uploads at 8 in flight (worker stopped, then running) vs the raw AWS calls of an upload',
  async run({ smoke, log }) {
    const N = smoke ? 20 : 600;
    ensureBuilt();
    const stack = await benchStack();
    const raw = createAwsClients(stack.config.aws);
    const { bucket, table } = stack.adapters.resources;
    const processes: ServiceProcess[] = [];
    const calls = countAwsCalls(stack.emulators);
    /** The api's AWS calls per upload since `calls.reset()`, by operation (long polls included). */
    const apiCallsPer = (n: number) =>
      Object.fromEntries(
        Object.entries(calls.of('api')).map(([op, c]) => [op, Math.round((c / n) * 100) / 100]),
      );
    try {
      // A queue of its own, so the worker started later never sees these messages.
      const { QueueUrl: rawQueueUrl } = await raw.sqs.send(
        new CreateQueueCommand({ QueueName: 'bench-raw-uploads' }),
      );
      const rawUpload = async (i: number) => {
        const id = `raw-${i}-${Date.now()}`;
        await raw.s3.send(new PutObjectCommand({ Bucket: bucket, Key: `originals/${id}`, Body: body }));
        await raw.ddb.send(new PutCommand({ TableName: table, Item: { pk: `JOB#${id}`, sk: 'JOB', n: i } }));
        await raw.ddb.send(new PutCommand({ TableName: table, Item: { pk: `DOC#${id}`, sk: 'DOC', n: i } }));
        await raw.sqs.send(new SendMessageCommand({ QueueUrl: rawQueueUrl, MessageBody: id }));
      };
      log(`raw AWS calls: ${N} uploads' worth`);
      await runLoad(Math.min(N, 40), IN_FLIGHT, rawUpload); // warm-up
      const baseline = await runLoad(N, IN_FLIGHT, rawUpload);

      const api = launch('server/main.ts', { compiled: true, env: { ...process.env, ...stack.env } });
      processes.push(api);
      const { url } = await api.ready;
      const send = (i: number) => upload(url!, body, `doc-${i}.txt`).then(() => undefined);
      log(`docpipe uploads, no worker: ${N}`);
      await runLoad(Math.min(N, 40), IN_FLIGHT, send); // warm-up
      calls.reset();
      const alone = await runLoad(N, IN_FLIGHT, send);
      const apiCalls = apiCallsPer(N);

      log(`docpipe uploads, worker running: ${N}`);
      const worker = launch('worker/main.ts', { compiled: true, env: { ...process.env, ...stack.env } });
      processes.push(worker);
      await worker.ready;
      calls.reset();
      const busy = await runLoad(N, IN_FLIGHT, send);
      const apiCallsBusy = apiCallsPer(N);

      return [
        row({
          name: 'upload 1 KB ×8 in flight, no worker',
          measured: alone.perSecond,
          baseline: baseline.perSecond,
          unit: 'req/s',
          better: 'higher',
          target: 'ratio ≥ 0.85 of the raw calls',
          meets: (_, ratio) => (ratio ?? 0) >= 0.85,
          smoke,
          detail: { upload: alone, raw: baseline, apiCallsPerUpload: apiCalls },
        }),
        row({
          name: 'upload 1 KB ×8 in flight, no worker: p99',
          measured: alone.p99,
          baseline: baseline.p99,
          unit: 'ms',
          better: 'lower',
          target: '≤ 50 ms',
          meets: (m) => m <= 50,
          smoke,
        }),
        row({
          name: 'upload 1 KB ×8 in flight, worker running',
          measured: busy.perSecond,
          baseline: baseline.perSecond,
          unit: 'req/s',
          better: 'higher',
          target: '≥ 200 req/s',
          meets: (m) => m >= 200,
          smoke,
          detail: { upload: busy, apiCallsPerUpload: apiCallsBusy },
        }),
      ];
    } finally {
      calls.stop();
      for (const p of processes.reverse()) await p.stop(); // the last started goes first
      raw.destroy();
      await stack.stop();
    }
  },
};
