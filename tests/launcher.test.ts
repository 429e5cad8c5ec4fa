import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { get } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { LAUNCHER_NODE_FLAGS } from '../dev/processes.js';
import { gql, uploadFile, watchUntilDone } from './support/graphql.js';
import { removeDir, tempDir } from './support/stack.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = tempDir();
// CI installs nginx; without it the launcher prints the plain URL and a hint instead.
const hasNginx = (() => {
  try {
    execFileSync('nginx', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

function httpsStatus(url: string, ca: Buffer): Promise<number> {
  return new Promise((resolve, reject) => {
    get(url, { ca }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    }).on('error', reject);
  });
}
// `npm start` runs the compiled build (its prestart compiles it); so does this test: dist/ is
// built once for all test files by tests/support/web-build.ts (vitest's globalSetup).

/** The pid of `parent`'s child whose command line contains `needle`. */
function childPid(parent: number, needle: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(needle))
        return Number(entry);
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no child of ${parent} runs ${needle}`);
}

async function until(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

const running = new Set<ChildProcess>();
afterAll(async () => {
  // SIGTERM first so the launcher stops its children and nginx; SIGKILL only as a last resort.
  for (const child of running) child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 3_000));
  for (const child of running) child.kill('SIGKILL');
  removeDir(dataDir);
});

/** Runs the launcher exactly as `npm start` does, on free ports. */
function launch(env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [...LAUNCHER_NODE_FLAGS, 'dist/dev/start.js'], {
    cwd: root,
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      // As `npm start` runs: vitest's NODE_ENV=test must not leak in.
      NODE_ENV: 'development',
      PORT: '0',
      EMBEDDED_AWS_PORT: '0',
      EMBEDDED_DYNAMODB_PORT: '0',
      EDGE_HTTPS_PORT: '0',
      EDGE_HTTP_PORT: '0',
      LOG_LEVEL: 'warn',
      WORKER_METRICS_PORT: '0',
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
  // The api's own URL: "api (no TLS)" when nginx fronts it, else the GraphQL endpoint.
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      if (!/Press Ctrl-C/.test(output)) return;
      const m = /api \(no TLS\)\s+(http\S+)/.exec(output) ?? /GraphQL endpoint\s+(http\S+)/.exec(output);
      if (m) resolve(m[1]!);
    });
    void exited.then((code) => reject(new Error(`launcher exited (${code}) before ready:\n${output}`)));
  });
  url.catch(() => undefined); // callers that expect a failure await `exited` instead
  return { child, url, exited, output: () => output };
}

describe('npm start (dist/dev/start.js, compiled from dev/start.ts)', () => {
  it('is run with the launcher’s Node flags, as this test runs it', () => {
    const scripts = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts as Record<
      string,
      string
    >;
    const start = scripts['start']!.split(/\s+/);
    expect(start.at(-1)).toBe('dist/dev/start.js');
    for (const flag of LAUNCHER_NODE_FLAGS) expect(start).toContain(flag);
  });

  it('runs the whole stack behind nginx, stops cleanly on SIGTERM and loses nothing across a restart', async () => {
    const first = launch();
    const url = await first.url;
    if (hasNginx) {
      // HTTPS through nginx, verified against the CA the launcher generated.
      const https = /GraphQL endpoint\s+(https\S+)/.exec(first.output())![1]!;
      const ca = readFileSync(join(dataDir, 'tls', 'ca.pem'));
      expect(await httpsStatus(https.replace(/\/graphql$/, '/healthz'), ca)).toBe(200);
    }
    // The development token: printed, written 0600 under DATA_DIR, and put into the web page.
    const tokenFile = join(dataDir, 'dev-token');
    const token = readFileSync(tokenFile, 'utf8').trim();
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    expect(first.output()).toContain(token);
    const page = await (await fetch(url.replace(/\/graphql$/, '/'))).text();
    expect(page).toContain(`<meta name="docpipe-dev-token" content="${token}">`);
    expect((await gql(url, '{ documents { edges { cursor } } }', {}, { token: null })).status).toBe(401);

    const up = await uploadFile(url, 'launched', 'hello.txt', 'text/plain', { token });
    const doc = up.data!.uploadDocument;
    const events = await watchUntilDone(url.replace(/^http/, 'ws'), doc.job.id, { token });
    expect(events.at(-1).status).toBe('COMPLETED');
    // The banner names the metrics endpoints, and `curl` works on them.
    const apiMetrics = /Metrics \(api\)\s+(http\S+)/.exec(first.output())![1]!;
    expect(await (await fetch(apiMetrics)).text()).toMatch(/^docpipe_uploads_total [1-9]/m);
    // The worker yields the CPU to requests (WORKER_NICE, 10 by default); the api does not.
    const niceOf = (pid: number) =>
      Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    expect(niceOf(childPid(first.child.pid!, 'worker/main.js'))).toBe(10);
    expect(niceOf(childPid(first.child.pid!, 'server/main.js'))).toBe(0);
    const workerBase = /Worker\s+(http\S+)\/healthz/.exec(first.output())![1]!;
    expect((await fetch(`${workerBase}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${workerBase}/metrics`)).text()).toMatch(
      /^docpipe_jobs_finished_total\{status="COMPLETED",error_code=""\} [1-9]/m,
    );
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    // `docpipe token create` signs with the same local secret, without a running server.
    const made = execFileSync(
      process.execPath,
      ['bin/docpipe.js', 'token', 'create', '--owner', 'dev', '--ttl', '1h'],
      {
        cwd: root,
        env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'development' },
        encoding: 'utf8',
      },
    ).trim();
    const other = execFileSync(
      process.execPath,
      ['bin/docpipe.js', 'token', 'create', '--owner', 'someone-else'],
      {
        cwd: root,
        env: { ...process.env, DATA_DIR: dataDir, NODE_ENV: 'development' },
        encoding: 'utf8',
      },
    ).trim();

    const second = launch({ EDGE_NGINX: 'off' });
    const url2 = await second.url;
    const query = 'query($id: ID!) { document(id: $id) { id status sha256 } }';
    // The first run's token still works (the secret persisted), as does the one made offline.
    for (const t of [token, made]) {
      const res = await gql(url2, query, { id: doc.id }, { token: t });
      expect(res.data!.document).toEqual({ id: doc.id, status: 'COMPLETED', sha256: doc.sha256 });
    }
    // Another owner's token sees nothing.
    expect((await gql(url2, query, { id: doc.id }, { token: other })).data).toEqual({ document: null });
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('starts a worker killed mid-job and an api killed outright again; every job completes', async () => {
    const stack = launch({ DEBUG_STAGE_DELAY_MS: '400', JOB_VISIBILITY_TIMEOUT: '3' });
    const url = await stack.url;
    const token = readFileSync(join(dataDir, 'dev-token'), 'utf8').trim();
    const up = await uploadFile(url, 'interrupted', 'hello.txt', 'text/plain', { token });
    const doc = up.data!.uploadDocument;
    const query = 'query($id: ID!) { document(id: $id) { status job { status attempts } } }';
    await until(
      async () => (await gql(url, query, { id: doc.id }, { token })).data!.document.status === 'PROCESSING',
    );

    process.kill(childPid(stack.child.pid!, 'worker/main.js'), 'SIGKILL');
    await until(async () => /worker is back \(restart 1\)/.test(stack.output()));
    expect(stack.output()).toMatch(/worker exited unexpectedly \(SIGKILL\); restarting in 1 s/);
    // The job's message comes back after its visibility timeout, and the new worker finishes it.
    await until(
      async () => (await gql(url, query, { id: doc.id }, { token })).data!.document.status === 'COMPLETED',
    );
    expect((await gql(url, query, { id: doc.id }, { token })).data!.document.job).toEqual({
      status: 'COMPLETED',
      attempts: 2,
    });

    process.kill(childPid(stack.child.pid!, 'server/main.js'), 'SIGKILL');
    await until(async () => /api is back \(restart 1\)/.test(stack.output()));
    // On the same port, so the printed URL (and nginx's upstream) still works.
    const after = await uploadFile(url, 'after the restarts', 'b.txt', 'text/plain', { token });
    const events = await watchUntilDone(url.replace(/^http/, 'ws'), after.data!.uploadDocument.job.id, {
      token,
    });
    expect(events.at(-1).status).toBe('COMPLETED');
    stack.child.kill('SIGTERM');
    expect(await stack.exited).toBe(0);
  });

  it('refuses to start with a message naming each bad variable', async () => {
    const bad = launch({ PORT: 'eighty', MAX_UPLOAD_BYTES: '-5' });
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toMatch(/PORT must be a port number \(got "eighty"\)/);
    expect(bad.output()).toMatch(/MAX_UPLOAD_BYTES/);
  });
});
