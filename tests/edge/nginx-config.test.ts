/**
 * The nginx configuration as text: the renderer's guards, `nginx -t` on what `npm start`/tests run
 * and on what docker-compose mounts.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCompose, serviceEnv } from '../../dev/compose.js';
import { ensureCertificates, findNginx, type TlsFiles } from '../../dev/nginx.js';
import {
  COMPOSE_NGINX_CONF,
  DEFAULT_EDGE_LIMITS,
  MULTIPART_ALLOWANCE_BYTES,
  readTemplate,
  retryAfterSeconds,
  renderComposeNginxConfig,
  renderNginxConfig,
  type NginxConfigOptions,
} from '../../dev/nginx-config.js';
import { loadConfig } from '../../domain/config.js';
import { requireNginx } from '../support/edge.js';
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

  it('passes nginx -t (with the compose DNS name and certificate paths mapped to this machine)', async () => {
    const text = readFileSync(COMPOSE_NGINX_CONF, 'utf8');
    expect(text).toContain('server api:4000;');
    expect(text).toContain('ssl_certificate /etc/nginx/tls/server.pem;');
    // `api` only resolves inside the compose network and /etc/nginx/tls is a volume there; nothing
    // else is changed.
    const local = text
      .replace('server api:4000;', 'server 127.0.0.1:4000;')
      .replaceAll('/etc/nginx/tls/', `${dir}/tls/`);
    const file = join(dir, 'compose.conf');
    writeFileSync(file, local);
    expect(await nginxTest(file)).toMatch(/test is successful/);
  });
});
