import { formatBytes } from '../../client/common/format.js';
import { createClient } from '../../client/sdk/node.js';
import { makePdf, makeScannedPdf, SCAN_PHRASE } from '../fixtures/documents.js';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_TOKEN, tokenFor } from '../support/auth.js';
import { eventually } from '../support/inspect.js';
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

/**
 * Runs the real binary with the test api as DOCPIPE_URL and the test owner's DOCPIPE_TOKEN
 * (stdout/stderr are pipes, not a TTY). An `undefined` in `env` removes that variable.
 */
function docpipe(args: string[], env: Record<string, string | undefined> = {}, cwd = dir): Promise<Run> {
  const childEnv: Record<string, string | undefined> = {
    ...process.env,
    DATA_DIR: undefined,
    DOCPIPE_URL: api.url,
    DOCPIPE_TOKEN: TEST_TOKEN,
    ...env,
  };
  for (const [k, v] of Object.entries(childEnv)) if (v === undefined) delete childEnv[k];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: childEnv,
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
      error: { code: 'BAD_USER_INPUT', message: expect.stringContaining('id is not a docpipe id') },
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

  it('search finds documents by their text, matches in brackets; --json for scripts', async () => {
    // Indexed from the COMPLETED event, a moment after it: ask until found (bounded).
    let last: Run | undefined;
    const run = await eventually(async () => {
      last = await docpipe(['search', 'plain', 'notes']);
      return last.stdout.includes('notes.txt') ? last : undefined;
    }, 15_000).catch((err: unknown) => {
      throw new Error(`${String(err)}; last run: ${JSON.stringify(last)}`);
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^\S+  COMPLETED  notes\.txt$/m);
    expect(run.stdout).toContain('[plain] [notes]');
    const json = await docpipe(['--json', 'search', 'plai*']);
    const { hits } = JSON.parse(json.stdout);
    expect(hits[0].document.filename).toBe('notes.txt');
    expect(hits[0].snippets[0].highlights[0]).toEqual({ start: 0, length: 5 });
    const none = await docpipe(['search', 'nothing-of-the-sort']);
    expect(none.stdout).toContain('No documents found.');
    const bad = await docpipe(['search', '***']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/letters or digits/);
  });

  it('search finds a phrase that is only in an uploaded scan (OCR), with the match marked', async () => {
    const scan = file('scan.pdf', Buffer.from(await makeScannedPdf()));
    const up = await docpipe(['upload', scan, '--watch']);
    expect(up.code).toBe(0);
    expect(up.stderr).toMatch(/^scan\.pdf: COMPLETED$/m);
    const run = await eventually(async () => {
      const r = await docpipe(['search', `"${SCAN_PHRASE}"`]);
      return r.stdout.includes('scan.pdf') ? r : undefined;
    }, 15_000);
    expect(run.stdout).toMatch(/^\S+  COMPLETED  scan\.pdf$/m);
    expect(run.stdout.toLowerCase()).toContain(`[${SCAN_PHRASE}]`);
  });

  it('watch --all prints every change to my documents as it happens, until stopped', async () => {
    const child = spawn(process.execPath, [BIN, '--json', 'watch', '--all'], {
      cwd: dir,
      env: { ...process.env, DOCPIPE_URL: api.url, DOCPIPE_TOKEN: TEST_TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise((r) => child.on('close', r));
    try {
      await eventually(async () => (api.server.documentHub.size > 0 ? true : undefined), 30_000);
      const sdk = createClient({ url: api.url, token: TEST_TOKEN });
      const doc = await sdk.uploadDocument(Buffer.from('watched by the CLI'), { filename: 'all.txt' });
      await sdk.close();
      const lines = await eventually(async () => {
        const events = stdout
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l));
        return events.some((e) => e.documentId === doc.id && e.kind === 'COMPLETED') ? events : undefined;
      }, 15_000);
      const mine = lines.filter((e: any) => e.documentId === doc.id);
      expect(mine[0]).toMatchObject({ kind: 'CREATED', document: { filename: 'all.txt' } });
      expect(mine.at(-1).cursor).toEqual(expect.any(String));
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('rejects usage mistakes with exit code 2', async () => {
    for (const args of [
      ['list', '--status', 'DONE'],
      ['upload'],
      ['--url', 'not a url', 'list'],
      ['frobnicate'],
      ['search'],
      ['search', 'x', '-n', '51'],
      ['watch'],
      ['watch', 'some-job', '--all'],
    ]) {
      const run = await docpipe(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(/error/i);
    }
    const help = await docpipe(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('upload [options] <files...>');
    expect(help.stdout).toContain('keys');
    expect(help.stdout).toContain('docpipe token create --owner <id> [--ttl 30d]');
  });
});

/** No DOCPIPE_TOKEN: the CLI has to find a token by itself. */
const NO_TOKEN = { DOCPIPE_TOKEN: undefined };
/** Line breaks and tabs are allowed where a value spans lines (the text preview). */
const withoutBreaks = (text: string) => text.replace(/[\n\t]/g, '');
/** Raw control or bidi/invisible format characters (line breaks aside). */
const RAW_UNSAFE = /[\p{Cc}\p{Cf}\u2028\u2029]/u;

/** A stand-in api on `host` that records the Authorization header and answers 401 like the api. */
async function recordingServer(host: string): Promise<{ url: string; seen: (string | undefined)[] }> {
  const seen: (string | undefined)[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    seen.push(req.headers.authorization);
    req.resume();
    req.on('end', () =>
      res.writeHead(401, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          errors: [{ message: 'Refused by the recorder', extensions: { code: 'UNAUTHENTICATED' } }],
        }),
      ),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  disposables.add(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url: `http://${host}:${(server.address() as AddressInfo).port}/graphql`, seen };
}

describe('docpipe CLI tokens', () => {
  let project: string;
  let devToken: string;

  beforeAll(async () => {
    // A project folder after `npm start`: .data/dev-token for its own owner.
    project = join(dir, 'project');
    mkdirSync(join(project, '.data'), { recursive: true });
    devToken = await tokenFor('cli-dev-owner');
    writeFileSync(join(project, '.data', 'dev-token'), `${devToken}\n`, { mode: 0o600 });
    writeFileSync(join(project, 'dev.txt'), 'uploaded with the development token\n');
  });

  it('uses .data/dev-token for a loopback URL without any setup; DATA_DIR moves it; DOCPIPE_TOKEN wins', async () => {
    const up = await docpipe(['--json', 'upload', 'dev.txt'], NO_TOKEN, project);
    expect(up.code, up.stderr).toBe(0);
    const [doc] = JSON.parse(up.stdout);
    // It belongs to the development token's owner, not to the test owner.
    const asDev = createClient({ url: api.url, token: devToken });
    expect(await asDev.document(doc.id)).toMatchObject({ id: doc.id, filename: 'dev.txt' });
    const asTestOwner = createClient({ url: api.url, token: TEST_TOKEN });
    expect(await asTestOwner.document(doc.id)).toBeNull();

    const list = await docpipe(['list', '--json'], NO_TOKEN, project);
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout).documents.map((d: any) => d.id)).toEqual([doc.id]);

    // DATA_DIR (relative to the current directory) names another folder: another owner, no documents.
    const elsewhere = join(project, 'state');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'dev-token'), await tokenFor('cli-other-owner'));
    const other = await docpipe(['list', '--json'], { ...NO_TOKEN, DATA_DIR: 'state' }, project);
    expect(other.code, other.stderr).toBe(0);
    expect(JSON.parse(other.stdout).documents).toEqual([]);

    // DOCPIPE_TOKEN and --token come first.
    const viaEnv = await docpipe(['list', '--json'], {}, project);
    expect(JSON.parse(viaEnv.stdout).documents.map((d: any) => d.id)).not.toContain(doc.id);
    const viaFlag = await docpipe(
      ['--token', devToken, 'list', '--json'],
      { DOCPIPE_TOKEN: 'not-a-token' },
      dir,
    );
    expect(JSON.parse(viaFlag.stdout).documents.map((d: any) => d.id)).toEqual([doc.id]);
  });

  it('never sends the development token to a host that is not loopback', async () => {
    // 127.0.0.2 is this machine too, but not one of the names npm start serves the dev token for.
    const remote = await recordingServer('127.0.0.2');
    const run = await docpipe(['list', '--url', remote.url], NO_TOKEN, project);
    expect(run.code).toBe(1);
    expect(remote.seen).toEqual([undefined]);
    expect(run.stderr).toBe(
      'docpipe: Refused by the recorder [UNAUTHENTICATED]\n' +
        'No token: set DOCPIPE_TOKEN or pass --token (.data/dev-token is only used for loopback URLs); ' +
        '`npx docpipe token create --owner <id>` makes one.\n',
    );

    // The same stand-in on 127.0.0.1 gets it: the host name is the only difference.
    const local = await recordingServer('127.0.0.1');
    await docpipe(['list', '--url', local.url], NO_TOKEN, project);
    expect(local.seen).toEqual([`Bearer ${devToken}`]);
  });

  it('explains a missing or refused token in one line and exits 1', async () => {
    const missing = await docpipe(['list'], NO_TOKEN, dir);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr.split('\n')).toEqual([
      expect.stringMatching(/^docpipe: .+ \[UNAUTHENTICATED\]$/),
      'No token: run `npm start` (it writes .data/dev-token) or set DOCPIPE_TOKEN; `npx docpipe token create --owner <id>` makes one.',
      '',
    ]);

    const refused = await docpipe(['list'], { DOCPIPE_TOKEN: 'not-a-token' });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/\[UNAUTHENTICATED\]\nThe token from DOCPIPE_TOKEN was refused .*\n$/);

    const expired = await docpipe(['--token', await tokenFor('cli-dev-owner', -60), 'list', '--json']);
    expect(expired.code).toBe(1);
    expect(JSON.parse(expired.stdout)).toMatchObject({ error: { code: 'UNAUTHENTICATED' } });
    expect(expired.stderr).toContain('The token from --token was refused');

    // A stale development token (say, after the signing secret changed) says how to renew it.
    const stale = join(dir, 'stale');
    mkdirSync(join(stale, '.data'), { recursive: true });
    writeFileSync(join(stale, '.data', 'dev-token'), 'eyJhbGciOiJIUzI1NiJ9.e30.c3RhbGU\n');
    const run = await docpipe(['upload', join(project, 'dev.txt')], NO_TOKEN, stale);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('dev.txt: error: UNAUTHENTICATED: ');
    expect(run.stderr).toContain(
      'The development token in .data/dev-token was refused: restart `npm start` (it renews it)',
    );
  });

  it('keys create / list / revoke round trip; a revoked key is refused', async () => {
    const owner = { DOCPIPE_TOKEN: await tokenFor('cli-keys-owner') };
    const created = await docpipe(['keys', 'create', 'ci pipeline'], owner);
    expect(created.code, created.stderr).toBe(0);
    const key = created.stdout.trim();
    expect(created.stdout).toMatch(/^dpk_[0-9a-f]{32}_[\w-]{43}\n$/);
    expect(created.stderr).toMatch(/created API key [0-9a-f]{32} \(ci pipeline\)\. Store it now/);
    const id = /created API key ([0-9a-f]{32})/.exec(created.stderr)![1]!;

    const table = await docpipe(['keys', 'list'], owner);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^ID\s+CREATED\s+REVOKED\s+NAME$/m);
    expect(table.stdout).toMatch(new RegExp(`^${id}\\s+\\S+ \\S+\\s+-\\s+ci pipeline$`, 'm'));
    expect(table.stdout).not.toContain(key.slice(4)); // the key itself is never listed

    // The key works as a token (for the same owner)...
    const withKey = await docpipe(['keys', 'list', '--json'], { DOCPIPE_TOKEN: key });
    expect(withKey.code).toBe(0);
    expect(JSON.parse(withKey.stdout)).toEqual([
      { id, name: 'ci pipeline', createdAt: expect.any(String), revokedAt: null },
    ]);

    // ...until it is revoked.
    const revoke = await docpipe(['keys', 'revoke', id], owner);
    expect(revoke).toMatchObject({ code: 0, stdout: `Revoked ${id}\n` });
    const refused = await docpipe(['list'], { DOCPIPE_TOKEN: key });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('[UNAUTHENTICATED]\nThe token from DOCPIPE_TOKEN was refused');
    const listed = JSON.parse((await docpipe(['keys', 'list', '--json'], owner)).stdout);
    expect(listed[0]).toMatchObject({ id, revokedAt: expect.any(String) });
    const again = await docpipe(['keys', 'revoke', id], owner);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`nothing revoked: no active API key ${id} of yours`);

    const json = await docpipe(['--json', 'keys', 'create', 'scripted'], owner);
    expect(JSON.parse(json.stdout)).toMatchObject({
      key: expect.stringMatching(/^dpk_/),
      apiKey: { name: 'scripted' },
    });
  });
});

describe('docpipe CLI terminal safety', () => {
  const unsafe = (run: Run) => RAW_UNSAFE.test(withoutBreaks(run.stdout + run.stderr));

  it('uploads a file with escape and bidi characters in its name and text; nothing raw reaches the terminal', async () => {
    // A local name with an OSC title sequence, a bidi override and a screen clear; a text whose
    // preview carries ESC sequences, a C1 CSI, DEL and bidi isolates.
    const name = '\u001b]0;pwned\u0007 report\u202Egnp\u001b[2J.txt';
    const text =
      'Plain words \u001b[31mRED\u001b[0m \u009b2J and \u007f with \u2066isolated\u2069 and \u202Eevil\u202C text. ';
    const path = file(name, `${text}${'filler words '.repeat(20)}\n`);

    const up = await docpipe(['upload', path, '--watch']);
    expect(up.code, up.stderr).toBe(0);
    expect(unsafe(up)).toBe(false);
    // Shown, visibly escaped: on the progress lines (the local name) and in the preview (from the api).
    expect(up.stderr).toContain('\\u{1B}]0;pwned\\u{7} report\\u{202E}gnp\\u{1B}[2J.txt: uploading');
    expect(up.stdout).toContain(
      'Plain words \\u{1B}[31mRED\\u{1B}[0m \\u{9B}2J and \\u{7F} with \\u{2066}isolated\\u{2069} and \\u{202E}evil\\u{202C} text.',
    );
    const id = /uploaded as (\S+)$/m.exec(up.stderr)![1]!;

    for (const args of [
      ['get', id],
      ['list'],
      ['get', id, '--json'],
      ['list', '--json'],
      ['--json', 'upload', path],
    ]) {
      const run = await docpipe(args);
      expect(run.code, args.join(' ')).toBe(0);
      expect(unsafe(run), args.join(' ')).toBe(false);
    }
    // JSON keeps the exact value (escaped as \uXXXX).
    const doc = JSON.parse((await docpipe(['get', id, '--json'])).stdout);
    expect(doc.result.textPreview).toContain(text.trim());
  });

  it('neutralises whatever a hostile api sends: names, stages, messages, previews, codes', async () => {
    const esc = '\u001b]0;pwned\u0007';
    const job = {
      id: `job${esc}`,
      documentId: 'doc',
      status: 'FAILED',
      stage: `done\u001b[2J`,
      progress: 100,
      attempts: 1,
      version: 3,
      error: { code: 'BAD\u001b[5m', message: 'boom \u001b[31m\u202E\nforged line' },
      createdAt: '2026-12-01T00:00:00.000Z',
      startedAt: null,
      finishedAt: null,
      updatedAt: '2026-12-01T00:00:01.000Z\u001b[1A',
    };
    const doc = {
      id: `doc\u202E`,
      filename: `${esc}invoice\u202Efdp.exe\u009b2J\r`,
      contentType: 'text/plain\u0085',
      detectedType: 'text/plain\u200B',
      size: 5,
      sha256: `ab${esc}`,
      status: 'FAILED',
      createdAt: '2026-12-01T00:00:00.000Z\u2066',
      updatedAt: '2026-12-01T00:00:01.000Z',
      job,
      result: {
        jobId: job.id,
        kind: 'text\u001b',
        pageCount: null,
        wordCount: 1,
        charCount: 5,
        language: 'eng\u061C',
        textPreview: `pre\u001b[31mview\u202E\nsecond\tline\r`,
        textTruncated: false,
        title: `T${esc}`,
        author: 'A\u2067',
        authoredAt: null,
        image: null,
        metadata: { k: '\u001b' },
        textUrl: 'http://127.0.0.1/\u001b[8m',
        thumbnailUrl: null,
      },
    };
    const data: Record<string, unknown> = {
      DocumentById: { document: doc },
      ListDocuments: {
        documents: {
          edges: [{ cursor: 'c', node: doc }],
          pageInfo: { hasNextPage: true, endCursor: `c${esc}` },
        },
      },
      ListApiKeys: {
        apiKeys: [
          { id: `k${esc}`, name: 'key\u202Ename', createdAt: '2026-12-01T00:00:00Z', revokedAt: null },
        ],
      },
    };
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const name = /(?:query|mutation) (\w+)/.exec(JSON.parse(body).query)?.[1] ?? '';
        const reply =
          name in data
            ? { data: data[name] }
            : { errors: [{ message: `no ${esc}\u202Esuch\nthing`, extensions: { code: 'NOPE\u001b[31m' } }] };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    disposables.add(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;

    const get = await docpipe(['get', 'x'], { DOCPIPE_URL: url });
    expect(get.code).toBe(0);
    expect(unsafe(get)).toBe(false);
    expect(get.stdout).toContain(
      'filename       \\u{1B}]0;pwned\\u{7}invoice\\u{202E}fdp.exe\\u{9B}2J\\u{D}',
    );
    expect(get.stdout).toContain('error          BAD\\u{1B}[5m: boom \\u{1B}[31m\\u{202E}\\u{A}forged line');
    expect(get.stdout).not.toMatch(/^forged line/m);
    // The preview may span lines (indented under its label); other controls are escaped.
    expect(get.stdout).toMatch(/^preview {8}pre\\u\{1B\}\[31mview\\u\{202E\}\n {15}second\tline\\u\{D\}$/m);

    for (const args of [
      ['list'],
      ['get', 'x', '--json'],
      ['list', '--json'],
      ['keys', 'list'],
      ['keys', 'list', '--json'],
    ]) {
      const run = await docpipe(args, { DOCPIPE_URL: url });
      expect(run.code, args.join(' ')).toBe(0);
      expect(unsafe(run), args.join(' ')).toBe(false);
    }
    const listed = JSON.parse((await docpipe(['list', '--json'], { DOCPIPE_URL: url })).stdout);
    expect(listed.documents[0]).toEqual(doc);

    const failed = await docpipe(['delete', 'x'], { DOCPIPE_URL: url });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      'docpipe: no \\u{1B}]0;pwned\\u{7}\\u{202E}such\\u{A}thing [NOPE\\u{1B}[31m]\n',
    );
    const failedJson = await docpipe(['delete', 'x', '--json'], { DOCPIPE_URL: url });
    expect(unsafe(failedJson)).toBe(false);
    expect(JSON.parse(failedJson.stdout).error.message).toBe(`no ${esc}\u202Esuch\nthing`);
  });
});
