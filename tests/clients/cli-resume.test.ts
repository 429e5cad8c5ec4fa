/**
 * `docpipe upload big.bin` killed (SIGKILL) at ~60 % and run again: the second run goes on from the
 * parts already stored (the SDK's state file) and ends with the whole file as a document.
 *
 * Size: DOCPIPE_TEST_CLI_MIB (default 96, twelve 8 MiB parts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_TOKEN } from '../support/auth.js';
import { gql } from '../support/graphql.js';
import {
  Disposables,
  removeDir,
  startApi,
  startEmbeddedEmulators,
  tempDir,
  testConfig,
  type RunningApi,
} from '../support/stack.js';

const MiB = 1024 * 1024;
const SIZE = Number(process.env['DOCPIPE_TEST_CLI_MIB'] ?? 96) * MiB;
const PART = 8 * MiB;
const BIN = new URL('../../bin/docpipe.js', import.meta.url).pathname;
const disposables = new Disposables();
let dir: string;
let api: RunningApi;

beforeAll(async () => {
  dir = tempDir('docpipe-cli-resume-');
  disposables.add(() => removeDir(dir));
  const emulators = await startEmbeddedEmulators(disposables, join(dir, 'data'));
  api = await startApi(
    testConfig(emulators, { MAX_UPLOAD_BYTES: String(SIZE), UPLOAD_PART_BYTES: String(PART) }),
    disposables,
  );
}, 60_000);
afterAll(() => disposables.disposeAll());

function upload(path: string, stateDir: string): { child: ChildProcess; done: Promise<Run> } {
  const child = spawn(process.execPath, [BIN, 'upload', path], {
    cwd: dir,
    env: {
      ...process.env,
      DOCPIPE_URL: api.url,
      DOCPIPE_TOKEN: TEST_TOKEN,
      DOCPIPE_UPLOAD_STATE_DIR: stateDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<Run>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  return { child, done };
}
interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Parts the state file says are stored (0 while there is none). */
function partsSaved(stateDir: string): number {
  const files = existsSync(stateDir) ? readdirSync(stateDir).filter((f) => f.endsWith('.json')) : [];
  if (files.length === 0) return 0;
  try {
    return Object.keys(JSON.parse(readFileSync(join(stateDir, files[0]!), 'utf8')).etags).length;
  } catch {
    return 0;
  }
}

it('goes on from the parts already stored after being killed at ~60 %', async () => {
  const path = join(dir, 'big.bin');
  const bytes = randomBytes(SIZE);
  writeFileSync(path, bytes);
  const stateDir = join(dir, 'state');
  const parts = SIZE / PART;

  const first = upload(path, stateDir);
  while (partsSaved(stateDir) < Math.ceil(parts * 0.6)) {
    const exited = await Promise.race([first.done, new Promise((r) => setTimeout(r, 20))]);
    if (exited) throw new Error(`the CLI finished before it could be killed: ${JSON.stringify(exited)}`);
  }
  first.child.kill('SIGKILL');
  expect((await first.done).signal).toBe('SIGKILL');
  const saved = partsSaved(stateDir);
  expect(saved).toBeLessThan(parts);

  const second = await upload(path, stateDir).done;
  expect(second.code, second.stderr).toBe(0);
  const resumedAt = Number(/\(resumed at (\d+)%\)/.exec(second.stderr)?.[1]);
  expect(resumedAt).toBeGreaterThanOrEqual(Math.floor((saved / parts) * 100));
  const id = /big\.bin {2}(\S+) {2}job/.exec(second.stdout)?.[1];
  const doc = await gql(api.url, 'query($id: ID!) { document(id: $id) { size sha256 } }', { id });
  expect(doc.data?.['document']).toEqual({
    size: SIZE,
    sha256: createHash('sha256').update(bytes).digest('hex'),
  });
  expect(partsSaved(stateDir)).toBe(0); // the state file is gone once completed
}, 180_000);
