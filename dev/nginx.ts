/**
 * Runs the nginx edge as an unprivileged child process: everything (config, pid, logs, temp files)
 * lives under one prefix directory, so it needs no root and leaves the system's nginx alone.
 * Used by `npm start`, the edge tests and the TLS benchmark.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  DEFAULT_PROXY_TIMEOUT_SECONDS,
  renderNginxConfig,
  type EdgeLimits,
  type NginxConfigOptions,
} from './nginx-config.js';
import { projectRoot } from './project-root.js';

const root = projectRoot;
const run = promisify(execFile);

export interface TlsFiles {
  /** The local CA clients trust (`curl --cacert`, `NODE_EXTRA_CA_CERTS`). */
  ca: string;
  certificate: string;
  key: string;
}

/** Creates (once) a local CA and a localhost certificate in `dir` with nginx/make-certs.sh. */
export async function ensureCertificates(dir: string): Promise<TlsFiles> {
  await run('bash', [join(root, 'nginx', 'make-certs.sh'), dir]);
  return { ca: join(dir, 'ca.pem'), certificate: join(dir, 'server.pem'), key: join(dir, 'server-key.pem') };
}

/**
 * The nginx binary for an EDGE_NGINX setting: `off` → none; `auto` → `nginx` on PATH or in the
 * sbin directories Debian uses (often not on a user's PATH); anything else is a path that must exist.
 */
export function findNginx(setting: string): string | undefined {
  if (setting === 'off') return undefined;
  if (setting !== 'auto') {
    if (!isExecutable(setting)) throw new Error(`EDGE_NGINX=${setting} is not an executable file`);
    return setting;
  }
  const dirs = [...(process.env['PATH'] ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  return dirs
    .filter(Boolean)
    .map((d) => join(d, 'nginx'))
    .find(isExecutable);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export interface StartNginxOptions {
  bin: string;
  /** Created if missing; holds nginx.conf, logs/ and tmp/. */
  prefixDir: string;
  tls: TlsFiles;
  /** `host:port` of each api replica. */
  upstreams: readonly string[];
  /** Listen address, e.g. 127.0.0.1. */
  host: string;
  /** 0 picks a free port (and retries if another process takes it first). */
  httpsPort: number;
  httpPort: number;
  maxUploadBytes: number;
  wsKeepAliveMs: number;
  proxyTimeoutSeconds?: number;
  /** Per-client-address request and connection limits; omitted ones are the defaults. */
  limits?: Partial<EdgeLimits>;
  /** The template to render instead of nginx/nginx.conf.template (tests render variants of it). */
  template?: string;
  /** The S3 emulator behind `/storage` (direct-upload parts); see `storageOptions`. */
  storage?: NginxConfigOptions['storage'];
}

export interface RunningNginx {
  pid: number;
  httpsPort: number;
  httpPort: number;
  /** e.g. https://127.0.0.1:8443 */
  httpsOrigin: string;
  httpOrigin: string;
  configFile: string;
  accessLog: string;
  errorLog: string;
  /** Where request bodies would be spooled if they were buffered (empty while uploads stream). */
  clientBodyTempDir: string;
  /** Settles when nginx exits, for whatever reason (exit code, or null after a signal). */
  exited: Promise<number | null>;
  /** Fast shutdown (SIGTERM): open connections, WebSockets included, are closed. */
  stop(): Promise<void>;
}

const START_ATTEMPTS = 4;
const READY_TIMEOUT_MS = 15_000;

export async function startNginx(opts: StartNginxOptions): Promise<RunningNginx> {
  const prefix = resolve(opts.prefixDir);
  const logs = join(prefix, 'logs');
  const temp = join(prefix, 'tmp');
  mkdirSync(logs, { recursive: true });
  mkdirSync(temp, { recursive: true });
  const configFile = join(prefix, 'nginx.conf');
  const pidFile = join(logs, 'nginx.pid');
  const accessLog = join(logs, 'access.log');
  const errorLog = join(logs, 'error.log');

  for (let attempt = 1; ; attempt++) {
    const httpsPort = opts.httpsPort || (await freePort(opts.host));
    const httpPort = opts.httpPort || (await freePort(opts.host));
    const listen = (port: number) => `${opts.host.includes(':') ? `[${opts.host}]` : opts.host}:${port}`;
    writeFileSync(
      configFile,
      renderNginxConfig(
        {
          workerProcesses: 1,
          pidFile,
          errorLog,
          accessLog,
          // As root, workers would drop to `nobody`, which cannot use a prefix inside a private
          // directory (a temp dir, a home). This only happens in containers and CI.
          ...(process.getuid?.() === 0 ? { user: 'root' } : {}),
          tempDir: temp,
          httpsListen: listen(httpsPort),
          httpListen: listen(httpPort),
          httpsPublicPort: httpsPort,
          certificate: opts.tls.certificate,
          certificateKey: opts.tls.key,
          upstreams: opts.upstreams,
          maxUploadBytes: opts.maxUploadBytes,
          proxyTimeoutSeconds: opts.proxyTimeoutSeconds ?? DEFAULT_PROXY_TIMEOUT_SECONDS,
          wsKeepAliveMs: opts.wsKeepAliveMs,
          ...(opts.limits ? { limits: opts.limits } : {}),
          ...(opts.storage ? { storage: opts.storage } : {}),
        },
        opts.template,
      ),
    );
    const child = spawn(
      opts.bin,
      ['-p', `${prefix}/`, '-c', configFile, '-e', 'stderr', '-g', 'daemon off;'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-8_192);
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const started = await waitForPidFile(child, pidFile);
    if (started) {
      const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
      const origin = (scheme: string, port: number) =>
        `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}`;
      return {
        pid: child.pid!,
        httpsPort,
        httpPort,
        httpsOrigin: origin('https', httpsPort),
        httpOrigin: origin('http', httpPort),
        configFile,
        accessLog,
        errorLog,
        clientBodyTempDir: join(temp, 'client_body'),
        exited,
        stop: () => stopChild(child),
      };
    }
    await stopChild(child);
    const reason = stderr.trim() || tail(errorLog);
    const collided = /Address already in use/.test(reason) && (!opts.httpsPort || !opts.httpPort);
    if (!collided || attempt >= START_ATTEMPTS) {
      throw new Error(`nginx did not start (${opts.bin}):\n${reason}`);
    }
  }
}

/**
 * nginx writes its pid file only after it has bound every listen socket, so the file holding our
 * child's pid means the edge accepts connections. Resolves false if nginx exits or times out.
 */
function waitForPidFile(child: ChildProcess, pidFile: string): Promise<boolean> {
  return new Promise((resolveReady) => {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    const onExit = () => finish(false);
    const timer = setInterval(() => {
      if (readPid(pidFile) === child.pid) finish(true);
      else if (Date.now() > deadline) finish(false);
    }, 25);
    function finish(ok: boolean) {
      clearInterval(timer);
      child.off('exit', onExit);
      resolveReady(ok);
    }
    child.once('exit', onExit);
  });
}

function readPid(file: string): number | undefined {
  try {
    return Number(readFileSync(file, 'utf8').trim());
  } catch {
    return undefined;
  }
}

function tail(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').slice(-4_096) : '';
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

/** A port that was free a moment ago (the caller retries if someone takes it in between). */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}
