/**
 * The nginx configuration as text: the renderer's guards, `nginx -t` on what `npm start`/tests run
 * and on what docker-compose mounts.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCompose, serviceEnv } from '../../dev/compose.js';
import { ensureCertificates, findNginx, freePort, type TlsFiles } from '../../dev/nginx.js';
import {
  COMPOSE_NGINX_CONF,
  COMPOSE_NGINX_HTTP_PORT,
  COMPOSE_NGINX_HTTPS_PORT,
  COMPOSE_NGINX_WRITABLE_DIR,
  DEFAULT_EDGE_LIMITS,
  MULTIPART_ALLOWANCE_BYTES,
  readTemplate,
  retryAfterSeconds,
  renderComposeNginxConfig,
  renderNginxConfig,
  type NginxConfigOptions,
} from '../../dev/nginx-config.js';
import { loadConfig } from '../../domain/config.js';
import { httpsRequest, requireNginx, waitFor } from '../support/edge.js';
import { removeDir, tempDir } from '../support/stack.js';

let dir: string;
let tls: TlsFiles;

beforeAll(async () => {
  dir = tempDir('docpipe-nginx-conf-');
  tls = await ensureCertificates(join(dir, 'tls'));
});
afterAll(() => removeDir(dir));

function localOptions(overrides: Partial<NginxConfigOptions> = {}): NginxConfigOptions {
  return {
    workerProcesses: 1,
    pidFile: join(dir, 'nginx.pid'),
    errorLog: join(dir, 'error.log'),
    accessLog: join(dir, 'access.log'),
    tempDir: dir,
    httpsListen: '127.0.0.1:8443',
    httpListen: '127.0.0.1:8080',
    httpsPublicPort: 8443,
    certificate: tls.certificate,
    certificateKey: tls.key,
    upstreams: ['127.0.0.1:4000', '127.0.0.1:4001'],
    maxUploadBytes: 100 * 1024 * 1024,
    proxyTimeoutSeconds: 60,
    wsKeepAliveMs: 12_000,
    ...overrides,
  };
}

/**
 * `nginx -t` on a config file; resolves with its output. stdout/stderr go to a file, not a pipe:
 * Node's pipes are sockets, which nginx cannot open as /dev/stdout (the compose config logs there).
 */
async function nginxTest(configFile: string): Promise<string> {
  const out = join(dir, 'nginx-t.out');
  const fd = openSync(out, 'w');
  try {
    const result = spawnSync(requireNginx(), ['-t', '-p', `${dir}/`, '-c', configFile, '-e', 'stderr'], {
      stdio: ['ignore', fd, fd],
      timeout: 30_000,
    });
    const output = readFileSync(out, 'utf8');
    if (result.status !== 0) throw new Error(`nginx -t failed (${result.status}): ${output}`);
    return output;
  } finally {
    closeSync(fd);
  }
}

describe('nginx config rendering', () => {
  it('renders every placeholder and nginx -t accepts the result', async () => {
    const text = renderNginxConfig(localOptions());
    expect(text).not.toMatch(/\{\{\w+\}\}/);
    expect(text).toContain('server 127.0.0.1:4000;\n        server 127.0.0.1:4001;');
    expect(text).toContain(`client_max_body_size ${100 * 1024 * 1024 + MULTIPART_ALLOWANCE_BYTES};`);
    expect(text).toContain('return 308 https://$host:8443$request_uri;');
    const file = join(dir, 'local.conf');
    writeFileSync(file, text);
    expect(await nginxTest(file)).toMatch(/test is successful/);
  });

  it('refuses a proxy timeout that keepalive pings could not keep open', () => {
    expect(() => renderNginxConfig(localOptions({ proxyTimeoutSeconds: 3, wsKeepAliveMs: 2_000 }))).toThrow(
      /at least twice WS_KEEPALIVE_MS/,
    );
    expect(() =>
      renderNginxConfig(localOptions({ proxyTimeoutSeconds: 3, wsKeepAliveMs: 1_000 })),
    ).not.toThrow();
  });

  it('refuses an empty upstream list and unknown or missing placeholders', () => {
    expect(() => renderNginxConfig(localOptions({ upstreams: [] }))).toThrow(/at least one api upstream/);
    expect(() => renderNginxConfig(localOptions(), `${readTemplate()}\n# {{typo}}\n`)).toThrow(
      /unknown placeholder/,
    );
    expect(() => renderNginxConfig(localOptions(), readTemplate().replace('{{pid}}', '/x.pid'))).toThrow(
      /lacks placeholders: pid/,
    );
  });

  it('keeps the TLS profile, WebSocket and streaming settings the edge depends on', () => {
    const text = renderNginxConfig(localOptions());
    for (const directive of [
      'ssl_protocols TLSv1.2 TLSv1.3;',
      'ssl_prefer_server_ciphers off;',
      'map $http_upgrade $connection_upgrade',
      'proxy_http_version 1.1;',
      'proxy_set_header Connection $connection_upgrade;',
      'proxy_set_header X-Request-Id $request_id;',
      'proxy_request_buffering off;',
      'proxy_read_timeout 60s;',
      'keepalive 32;',
      'add_header Strict-Transport-Security "max-age=63072000" always;',
    ]) {
      expect(text).toContain(directive);
    }
    expect(text).toMatch(/listen 127\.0\.0\.1:8443 ssl http2 default_server;/);
    // Every cipher offered is ECDHE with an AEAD (Mozilla intermediate, guidelines 6.0).
    const ciphers = /ssl_ciphers ([^;]+);/.exec(text)![1]!.split(':');
    expect(
      ciphers.every((c) => /^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/.test(c)),
    ).toBe(true);
  });
});

describe('per-client-address limits', () => {
  it('renders generous defaults: 50 r/s with a burst of 100, 100 concurrent requests, health apart', () => {
    expect(DEFAULT_EDGE_LIMITS).toEqual({
      requestRate: '50r/s',
      requestBurst: 100,
      healthRate: '10r/s',
      healthBurst: 20,
      connections: 100,
    });
    const text = renderNginxConfig(localOptions());
    for (const directive of [
      'limit_req_zone $binary_remote_addr zone=docpipe_req:10m rate=50r/s;',
      'limit_req_zone $binary_remote_addr zone=docpipe_health:1m rate=10r/s;',
      'limit_conn_zone $binary_remote_addr zone=docpipe_conn:10m;',
      'limit_req_status 429;',
      'limit_conn_status 429;',
      'limit_conn docpipe_conn 100;',
      'limit_req zone=docpipe_req burst=100 nodelay;',
      'error_page 429 = @rate_limited;',
      'add_header Retry-After $docpipe_retry_after always;',
    ]) {
      expect(text).toContain(directive);
    }
    // Both health locations use the health zone, nothing else does.
    expect(text.match(/limit_req zone=docpipe_health burst=20 nodelay;/g)).toHaveLength(2);
    for (const path of ['/healthz', '/readyz']) {
      const block = new RegExp(`location = ${path} \\{[^}]*\\}`).exec(text)![0];
      expect(block).toContain('zone=docpipe_health');
    }
    // The 429 bodies are GraphQL-shaped JSON with the RATE_LIMITED code.
    const bodies = [...text.matchAll(/return 429 '([^']+)\\n';/g)].map((m) => JSON.parse(m[1]!));
    expect(bodies).toHaveLength(2);
    for (const body of bodies) expect(body.errors[0].extensions.code).toBe('RATE_LIMITED');
  });

  it('renders small limits for tests, derives Retry-After from the rate, and nginx -t accepts them', async () => {
    const text = renderNginxConfig(
      localOptions({
        limits: { requestRate: '6r/m', requestBurst: 1, healthRate: '2r/s', healthBurst: 1, connections: 1 },
      }),
    );
    expect(text).toContain('zone=docpipe_req:10m rate=6r/m;');
    expect(text).toContain('zone=docpipe_health:1m rate=2r/s;');
    expect(text).toContain('limit_req zone=docpipe_req burst=1 nodelay;');
    expect(text).toContain('limit_req zone=docpipe_health burst=1 nodelay;');
    expect(text).toContain('limit_conn docpipe_conn 1;');
    expect(text).toMatch(/REJECTED\(\\s\|\$\)" 10;/);
    const file = join(dir, 'limits.conf');
    writeFileSync(file, text);
    expect(await nginxTest(file)).toMatch(/test is successful/);

    expect(retryAfterSeconds('50r/s')).toBe(1);
    expect(retryAfterSeconds('1r/s')).toBe(1);
    expect(retryAfterSeconds('1r/m')).toBe(60);
    expect(retryAfterSeconds('7r/m')).toBe(9);
  });

  it('refuses malformed limits', () => {
    for (const limits of [
      { requestRate: '50' },
      { requestRate: '0r/s' },
      { healthRate: '5r/h' },
      { requestBurst: 0 },
      { healthBurst: 1.5 },
      { connections: 0 },
    ]) {
      expect(() => renderNginxConfig(localOptions({ limits })), JSON.stringify(limits)).toThrow(
        /nginx (rate|limit)/,
      );
    }
  });
});

describe('EDGE_NGINX and certificates', () => {
  it('finds nginx for auto, none for off, and rejects a path that is not a binary', () => {
    expect(findNginx('auto')).toBe(requireNginx());
    expect(findNginx('off')).toBeUndefined();
    expect(() => findNginx(join(dir, 'no-such-nginx'))).toThrow(/EDGE_NGINX=.* is not an executable file/);
  });

  it('makes the certificates once and keeps them on the next start', async () => {
    const before = readFileSync(tls.certificate, 'utf8');
    const again = await ensureCertificates(join(dir, 'tls'));
    expect(readFileSync(again.certificate, 'utf8')).toBe(before);
    expect(readFileSync(again.ca, 'utf8')).toContain('BEGIN CERTIFICATE');
  });
});

describe('the compose rendering (nginx/compose.nginx.conf)', () => {
  it('is up to date with the template and the api settings in docker-compose.yml', () => {
    const expected = renderComposeNginxConfig(loadConfig(serviceEnv(readCompose(), 'api')));
    // If this fails: npm run nginx:render
    expect(readFileSync(COMPOSE_NGINX_CONF, 'utf8')).toBe(expected);
  });

  it('passes nginx -t (with the compose DNS names and certificate paths mapped to this machine)', async () => {
    const text = readFileSync(COMPOSE_NGINX_CONF, 'utf8');
    expect(text).toContain('server api:4000;');
    expect(text).toContain('ssl_certificate /etc/nginx/tls/server.pem;');
    // `api` only resolves inside the compose network and /etc/nginx/tls is a volume there; the
    // container's tmpfs becomes a directory here (nginx -t creates the temp directories).
    const writable = join(dir, 'compose-tmp');
    mkdirSync(writable, { recursive: true });
    expect(text).toContain('server floci:4566;');
    const local = text
      .replace('server api:4000;', 'server 127.0.0.1:4000;')
      .replace('server floci:4566;', 'server 127.0.0.1:4566;')
      // (the tmpfs first: the paths substituted here are under /tmp themselves)
      .replaceAll(`${COMPOSE_NGINX_WRITABLE_DIR}/`, `${writable}/`)
      .replaceAll('/etc/nginx/tls/', `${dir}/tls/`);
    const file = join(dir, 'compose.conf');
    writeFileSync(file, local);
    expect(await nginxTest(file)).toMatch(/test is successful/);
  });

  it('writes only under the tmpfs dir and listens on unprivileged ports', () => {
    const text = readFileSync(COMPOSE_NGINX_CONF, 'utf8');
    const written = [
      /^pid (\S+);/m.exec(text)![1]!,
      ...[...text.matchAll(/^\s*\w+_temp_path (\S+);/gm)].map((m) => m[1]!),
    ];
    expect(written).toHaveLength(6);
    for (const path of written) expect(path.startsWith(`${COMPOSE_NGINX_WRITABLE_DIR}/`), path).toBe(true);
    // Logs go to the container's stdout/stderr, not to files.
    expect(text).toContain('error_log /dev/stderr warn;');
    expect(text).toContain('access_log /dev/stdout docpipe;');
    const listens = [...text.matchAll(/^\s*listen (\d+)\b/gm)].map((m) => Number(m[1]));
    expect(listens.sort()).toEqual([COMPOSE_NGINX_HTTP_PORT, COMPOSE_NGINX_HTTPS_PORT].sort());
    for (const port of listens) expect(port).toBeGreaterThanOrEqual(1024);
    // The redirect and X-Forwarded-Port name the published port, not the container's.
    expect(text).toContain('return 308 https://$host$request_uri;');
    expect(text).toContain('proxy_set_header X-Forwarded-Port 443;');
    expect(text).not.toMatch(/^user /m);
  });

  it('runs as an unprivileged user with no capabilities, as docker-compose.yml starts it', async () => {
    // As root (CI, this machine): drop to `nobody` with empty capability sets and no_new_privs,
    // like `user:` + `cap_drop: [ALL]` + `no-new-privileges`. Otherwise we are unprivileged already.
    const asRoot = process.getuid?.() === 0;
    const uid = asRoot ? 65534 : process.getuid!();
    const gid = asRoot ? 65534 : process.getgid!();
    const base = join(dir, 'compose-run');
    const writable = join(base, 'tmp');
    const tlsDir = join(base, 'tls');
    mkdirSync(writable, { recursive: true });
    mkdirSync(tlsDir, { recursive: true });
    // The key as DOCPIPE_NGINX_USER needs it: mode 600, owned by the user nginx runs as.
    copyFileSync(tls.certificate, join(tlsDir, 'server.pem'));
    copyFileSync(tls.key, join(tlsDir, 'server-key.pem'));
    chmodSync(join(tlsDir, 'server-key.pem'), 0o600);
    if (asRoot) {
      for (const d of [dir, base]) chmodSync(d, 0o755);
      chownSync(writable, uid, gid);
      chownSync(join(tlsDir, 'server-key.pem'), uid, gid);
    }
    const [httpsPort, httpPort] = [await freePort(), await freePort()];
    const text = readFileSync(COMPOSE_NGINX_CONF, 'utf8')
      .replace('server api:4000;', 'server 127.0.0.1:9;')
      .replace('server floci:4566;', 'server 127.0.0.1:9;')
      .replaceAll(`${COMPOSE_NGINX_WRITABLE_DIR}/`, `${writable}/`)
      .replaceAll('/etc/nginx/tls/', `${tlsDir}/`)
      // Loopback only in tests, on free ports.
      .replace(`listen ${COMPOSE_NGINX_HTTPS_PORT} `, `listen 127.0.0.1:${httpsPort} `)
      .replace(`listen ${COMPOSE_NGINX_HTTP_PORT} `, `listen 127.0.0.1:${httpPort} `);
    const file = join(base, 'nginx.conf');
    writeFileSync(file, text);
    // /dev/stdout and /dev/stderr must be files nginx can open (Node's pipes are sockets).
    const out = openSync(join(base, 'out.log'), 'w');
    if (asRoot) chownSync(join(base, 'out.log'), uid, gid);
    const nginxArgs = ['-p', `${base}/`, '-c', file, '-e', 'stderr', '-g', 'daemon off;'];
    const child = asRoot
      ? spawn(
          'setpriv',
          [
            `--reuid=${uid}`,
            `--regid=${gid}`,
            '--clear-groups',
            '--inh-caps=-all',
            '--bounding-set=-all',
            '--no-new-privs',
            '--',
            requireNginx(),
            ...nginxArgs,
          ],
          { stdio: ['ignore', out, out] },
        )
      : spawn(requireNginx(), nginxArgs, { stdio: ['ignore', out, out] });
    closeSync(out);
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    try {
      const pidFile = join(writable, 'nginx.pid');
      await waitFor(
        () => existsSync(pidFile) || child.exitCode !== null,
        15_000,
        'nginx to write its pid file',
      );
      expect(child.exitCode, readFileSync(join(base, 'out.log'), 'utf8')).toBeNull();
      // The master really runs with that user and without any capability.
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      expect(/^Uid:\s+(\d+)/m.exec(status)![1]).toBe(String(uid));
      for (const set of ['CapInh', 'CapPrm', 'CapEff', 'CapAmb'])
        expect(new RegExp(`^${set}:\\s+0+$`, 'm').test(status), set).toBe(true);

      const health = await httpsRequest(`https://127.0.0.1:${httpsPort}/nginx-healthz`, {
        ca: readFileSync(tls.ca),
      });
      expect(health.status).toBe(200);
      const redirect = await fetch(`http://127.0.0.1:${httpPort}/graphql`, { redirect: 'manual' });
      expect(redirect.status).toBe(308);
      expect(redirect.headers.get('location')).toBe('https://127.0.0.1/graphql');
      // Everything nginx created is inside the writable dir.
      expect(readdirSync(writable).sort()).toEqual(
        ['client_body', 'fastcgi', 'nginx.pid', 'proxy', 'scgi', 'uwsgi'].sort(),
      );
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
