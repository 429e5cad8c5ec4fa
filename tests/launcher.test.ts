import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { gql, uploadFile, watchUntilDone } from './support/graphql.js';
import { removeDir, tempDir } from './support/stack.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = tempDir();
const running = new Set<ChildProcess>();
afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  removeDir(dataDir);
});

/** Runs the launcher exactly as `npm start` does, on free ports. */
function launch(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'dev/start.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: '0',
      EMBEDDED_AWS_PORT: '0',
      EMBEDDED_DYNAMODB_PORT: '0',
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const m = /GraphQL endpoint\s+(http\S+)/.exec(output);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`launcher exited (${code}) before ready:\n${output}`)));
  });
  url.catch(() => undefined); // callers that expect a failure await `exited` instead
  return { child, url, exited, output: () => output };
}

describe('npm start (dev/start.ts)', () => {
  it('runs the whole stack, stops cleanly on SIGTERM and loses nothing across a restart', async () => {
    const first = launch();
    const url = await first.url;
    const up = await uploadFile(url, 'launched');
    const doc = up.data!.uploadDocument;
    const events = await watchUntilDone(url.replace(/^http/, 'ws'), doc.job.id);
    expect(events.at(-1).status).toBe('COMPLETED');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = launch();
    const url2 = await second.url;
    const res = await gql(url2, 'query($id: ID!) { document(id: $id) { id status sha256 } }', { id: doc.id });
    expect(res.data!.document).toEqual({ id: doc.id, status: 'COMPLETED', sha256: doc.sha256 });
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('refuses to start with a message naming each bad variable', async () => {
    const bad = launch({ PORT: 'eighty', MAX_UPLOAD_BYTES: '-5' });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/PORT must be a port number \(got "eighty"\)/);
    expect(bad.output()).toMatch(/MAX_UPLOAD_BYTES/);
  });
});
