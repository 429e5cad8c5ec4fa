import { formatBytes } from '../../client/common/format.js';
import { makePdf } from '../fixtures/documents.js';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Disposables,
  removeDir,
  startApi,
  startEmulators,
  startWorker,
  tempDir,
  testConfig,
  type RunningApi,
} from '../support/stack.js';

const BIN = fileURLToPath(new URL('../../bin/docpipe.js', import.meta.url));
const disposables = new Disposables();
let api: RunningApi;
let dir: string;

beforeAll(async () => {
  const aws = await startEmulators(disposables);
  const config = testConfig(aws);
  api = await startApi(config, disposables);
  await startWorker(config, disposables);
  dir = tempDir('docpipe-cli-');
  disposables.add(() => removeDir(dir));
});
afterAll(() => disposables.disposeAll());

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the real binary with the test api as DOCPIPE_URL (stdout/stderr are pipes, not a TTY). */
function docpipe(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: dir,
      env: { ...process.env, DOCPIPE_URL: api.url, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // Bounded: a hung CLI fails the test instead of stalling the run.
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('docpipe CLI', () => {
  let pdfId = '';
  let pdfBytes = Buffer.alloc(0);

  it('upload --watch shows per-file progress and ends with what processing found', async () => {
    const bytes = Buffer.from(await makePdf({ pages: 3, title: 'CLI report' }));
    pdfBytes = bytes;
    const pdf = file('report.pdf', bytes);
    const txt = file('notes.txt', 'plain notes\n');
    const run = await docpipe(['upload', pdf, txt, '--watch']);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(`report.pdf: uploading ${formatBytes(bytes.length)}\n`);
    expect(run.stderr).toMatch(/^report\.pdf: uploaded as \S+$/m);
    expect(run.stderr).toMatch(/^report\.pdf: COMPLETED$/m);
    expect(run.stderr).toMatch(/^notes\.txt: COMPLETED$/m);
    expect(run.stdout).toMatch(/^detected type\s+application\/pdf$/m);
    expect(run.stdout).toMatch(/^detected type\s+text\/plain$/m);
    expect(run.stdout).toMatch(/^pages\s+3$/m);
    expect(run.stdout).toMatch(/^title\s+CLI report$/m);
    pdfId = /^report\.pdf: uploaded as (\S+)$/m.exec(run.stderr)![1]!;
  });

  it('upload --watch --json prints the final documents for scripts', async () => {
    const run = await docpipe(['--json', 'upload', file('data.json', '{"a":1}'), '--watch']);
    expect(run.code).toBe(0);
    const [doc] = JSON.parse(run.stdout);
    expect(doc).toMatchObject({ filename: 'data.json', status: 'COMPLETED', size: 7 });
    expect(doc.job).toMatchObject({ status: 'COMPLETED', progress: 100 });
  });

  it('list, get and watch, as tables and as JSON', async () => {
    const list = await docpipe(['list', '--status', 'COMPLETED', '--json']);
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout);
    expect(listed.documents.map((d: any) => d.id)).toContain(pdfId);
    expect(listed.pageInfo).toHaveProperty('hasNextPage');

    const table = await docpipe(['list', '-n', '1']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+STATUS\s+TYPE\s+SIZE\s+CREATED\s+NAME$/m);
    expect(table.stdout).toMatch(/^More: docpipe list --after \S+$/m);

    const get = await docpipe(['get', pdfId, '--json']);
    const doc = JSON.parse(get.stdout);
    expect(doc).toMatchObject({ id: pdfId, detectedType: 'application/pdf', status: 'COMPLETED' });

    const watch = await docpipe(['watch', doc.job.id, '--json']);
    expect(watch.code).toBe(0);
    const events = watch.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.at(-1)).toMatchObject({ id: doc.job.id, status: 'COMPLETED' });
  });

  it('download writes the original bytes and will not overwrite without --force', async () => {
    const run = await docpipe(['download', pdfId, '-o', 'copy.pdf']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Saved copy\\.pdf \\(${formatBytes(pdfBytes.length)}\\)$`, 'm'));
    expect(readFileSync(join(dir, 'copy.pdf'))).toEqual(readFileSync(join(dir, 'report.pdf')));

    const again = await docpipe(['download', pdfId, '-o', 'copy.pdf']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('copy.pdf already exists (use --force to overwrite)');
    expect((await docpipe(['download', pdfId, '-o', 'copy.pdf', '--force'])).code).toBe(0);
  });

  it('reprocess --watch runs a new job; delete removes the document', async () => {
    const re = await docpipe(['reprocess', pdfId, '--watch', '--json']);
    expect(re.code).toBe(0);
    expect(JSON.parse(re.stdout)).toMatchObject({ id: pdfId, status: 'COMPLETED' });

    const del = await docpipe(['delete', pdfId]);
    expect(del).toMatchObject({ code: 0, stdout: `Deleted ${pdfId}\n` });
    const again = await docpipe(['delete', pdfId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`nothing deleted: document ${pdfId} not found`);
  });

  it('explains failures in words and exits non-zero', async () => {
    const missing = await docpipe(['get', '01900000-0000-7000-8000-000000000000']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(
      'docpipe: Document 01900000-0000-7000-8000-000000000000 not found [NOT_FOUND]\n',
    );

    const json = await docpipe(['get', 'nope', '--json']);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'NOT_FOUND', message: 'Document nope not found' },
    });

    const noFile = await docpipe(['upload', 'absent.pdf']);
    expect(noFile.code).toBe(1);
    expect(noFile.stderr).toContain(
      'absent.pdf: error: BAD_USER_INPUT: Cannot read absent.pdf: no such file',
    );

    const down = await docpipe(['list'], { DOCPIPE_URL: 'http://127.0.0.1:9/graphql' });
    expect(down.code).toBe(1);
    expect(down.stderr).toContain('Cannot reach http://127.0.0.1:9/graphql');
    expect(down.stderr).toContain('Is the api running?');
  });

  it('rejects usage mistakes with exit code 2', async () => {
    for (const args of [
      ['list', '--status', 'DONE'],
      ['upload'],
      ['--url', 'not a url', 'list'],
      ['frobnicate'],
    ]) {
      const run = await docpipe(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/error/i);
    }
    const help = await docpipe(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('upload [options] <files...>');
  });
});
