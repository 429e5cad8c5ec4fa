/**
 * One large upload (issue 10; 1 GiB, 16 MiB in smoke runs) through an api process to the embedded
 * S3 emulator, itself a process of its own keeping objects on disk (as `npm start` runs it). Reads
 * the api's and the emulator's peak RSS (VmHWM). Baseline, same emulator, same run: the same file
 * uploaded with @aws-sdk/lib-storage straight to the bucket, with the settings the api uses.
 */
import { mkdtempSync, openAsBlob, rmSync } from 'node:fs';
import { createReadStream, createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { Upload } from '@aws-sdk/lib-storage';
import { pino } from 'pino';
import { createAwsClients } from '../../../aws/clients.js';
import { connectAws } from '../../../aws/connect.js';
import { launch, type ServiceProcess } from '../../../dev/processes.js';
import { loadConfig } from '../../../domain/config.js';
import { TEST_AUTH_SECRET, TEST_TOKEN } from '../../../tests/support/auth.js';
import { UPLOAD } from '../../../tests/support/graphql.js';
import type { Scenario } from '../scenario.js';
import { ensureBuilt, round, row, rssMiB } from '../support.js';

const MiB = 1024 * 1024;

export const largeUpload: Scenario = {
  name: 'large-upload',
  description: '1 GiB upload: api peak RSS and throughput vs a raw lib-storage upload; emulator memory',
  async run({ smoke, log }) {
    const size = (smoke ? 16 : 1024) * MiB;
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'docpipe-bench-large-'));
    const processes: ServiceProcess[] = [];
    try {
      const file = join(dir, 'large.bin');
      await writeFile(file, size);
      const emulators = launch('dev/emulators-main.ts', {
        compiled: true,
        env: { ...process.env, DATA_DIR: join(dir, 'data') },
      });
      processes.push(emulators);
      const { env: awsEnv } = (await emulators.ready) as { env: Record<string, string> };
      const env = {
        ...awsEnv,
        PORT: '0',
        LOG_LEVEL: 'warn',
        NODE_ENV: 'test',
        AUTH_SECRET: TEST_AUTH_SECRET,
        MAX_UPLOAD_BYTES: String(size + MiB),
        SEARCH_INDEX_PATH: ':memory:',
      };
      const config = loadConfig(env);
      const adapters = await connectAws(config, pino({ level: 'silent' }), {
        bootstrap: true,
        service: 'bench',
      });
      adapters.destroy();
      const emulatorIdle = rssMiB(emulators.pid);

      log(`raw lib-storage upload: ${size / MiB} MiB`);
      const raw = createAwsClients(config.aws);
      let t0 = performance.now();
      await new Upload({
        client: raw.s3,
        params: { Bucket: config.resources.bucket, Key: 'bench/raw-large', Body: createReadStream(file) },
        queueSize: 2,
        partSize: 5 * MiB,
      }).done();
      const rawMiBs = size / MiB / ((performance.now() - t0) / 1000);
      raw.destroy();

      const api = launch('server/main.ts', { compiled: true, env: { ...process.env, ...env } });
      processes.push(api);
      const { url } = await api.ready;
      const apiIdle = rssMiB(api.pid);
      log(`docpipe upload: ${size / MiB} MiB`);
      const form = new FormData();
      form.append('operations', JSON.stringify({ query: UPLOAD, variables: { file: null } }));
      form.append('map', JSON.stringify({ 0: ['variables.file'] }));
      form.append('0', await openAsBlob(file, { type: 'application/octet-stream' }), 'large.bin');
      t0 = performance.now();
      const res = await fetch(url!, {
        method: 'POST',
        body: form,
        headers: { 'apollo-require-preflight': 'true', authorization: `Bearer ${TEST_TOKEN}` },
      });
      const answer = (await res.json()) as { errors?: unknown; data?: { uploadDocument: { size: number } } };
      const seconds = (performance.now() - t0) / 1000;
      if (answer.errors || answer.data?.uploadDocument.size !== size)
        throw new Error(`large upload failed: ${JSON.stringify(answer.errors ?? answer.data)}`);
      const apiMiBs = size / MiB / seconds;
      const apiPeak = rssMiB(api.pid, 'VmHWM');
      const emulatorPeak = rssMiB(emulators.pid, 'VmHWM');

      return [
        row({
          name: `upload ${size / MiB} MiB: api peak RSS`,
          measured: apiPeak,
          baseline: null,
          unit: 'MiB',
          better: 'lower',
          target: '< 200 MiB',
          meets: (m) => m < 200,
          smoke,
          detail: { apiIdleMiB: apiIdle },
        }),
        row({
          name: `upload ${size / MiB} MiB: throughput`,
          measured: round(apiMiBs, 1),
          baseline: round(rawMiBs, 1),
          unit: 'MiB/s',
          better: 'higher',
          target: 'ratio ≥ 0.85 of raw lib-storage',
          meets: (_, ratio) => (ratio ?? 0) >= 0.85,
          smoke,
        }),
        row({
          name: `upload ${size / MiB} MiB ×2 (raw + api): emulator peak RSS`,
          measured: emulatorPeak,
          baseline: emulatorIdle,
          unit: 'MiB',
          better: 'lower',
          target: 'flat in upload size: peak − idle < ¼ of the object',
          meets: (m) => m - emulatorIdle < size / MiB / 4,
          smoke,
        }),
      ];
    } finally {
      for (const p of processes.reverse()) await p.stop(); // the last started goes first
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

/** `size` bytes of a repeating non-text pattern, written in 1 MiB chunks. */
async function writeFile(path: string, size: number): Promise<void> {
  const chunk = Buffer.alloc(MiB);
  for (let i = 0; i < MiB; i++) chunk[i] = (i * 131 + 7) & 0xff;
  await pipeline(
    Readable.from(
      (function* () {
        for (let written = 0; written < size; written += MiB) yield chunk;
      })(),
    ),
    createWriteStream(path),
  );
}
