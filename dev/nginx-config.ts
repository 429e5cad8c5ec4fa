/**
 * Renders nginx/nginx.conf.template, the one nginx configuration of docpipe, for each place that
 * runs nginx: an unprivileged instance under a prefix directory (`npm start`, tests, benchmark) and
 * the docker-compose service (nginx/compose.nginx.conf, committed and checked for staleness).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MULTIPART_ALLOWANCE_BYTES, type Config } from '../domain/config.js';
import { choosePartSize } from '../domain/uploads.js';
import { projectRoot } from './project-root.js';

const root = projectRoot;
export const NGINX_TEMPLATE = join(root, 'nginx', 'nginx.conf.template');
/** The rendering docker-compose mounts as /etc/nginx/nginx.conf. */
export const COMPOSE_NGINX_CONF = join(root, 'nginx', 'compose.nginx.conf');

export { MULTIPART_ALLOWANCE_BYTES };

/** The api's port inside the compose network (docker-compose.yml sets PORT to it). */
export const COMPOSE_API_PORT = 4000;

/**
 * nginx's ports inside its container. It runs as an unprivileged user with every capability
 * dropped, so it cannot bind below 1024; docker-compose.yml publishes 443 → 8443 and 80 → 8080.
 */
export const COMPOSE_NGINX_HTTPS_PORT = 8443;
export const COMPOSE_NGINX_HTTP_PORT = 8080;
/** The one writable path in the read-only nginx container (a tmpfs): pid file and temp files. */
export const COMPOSE_NGINX_WRITABLE_DIR = '/tmp';

/** Proxy read/send timeout in production: nginx's default, five keepalive pings at 12 s. */
export const DEFAULT_PROXY_TIMEOUT_SECONDS = 60;

/**
 * nginx's per-client-address limits, a second line behind the api's own: generous enough that no
 * well-behaved client (a browser loading the page, a CLI uploading in parallel, a few subscriptions)
 * meets them, tight enough that one address cannot monopolise the edge.
 */
export interface EdgeLimits {
  /** limit_req rate for /graphql and every other proxied path but the health checks: `Nr/s` or `Nr/m`. */
  requestRate: string;
  /** Requests above the rate served at once before nginx answers 429 (nginx needs at least 1). */
  requestBurst: number;
  /** The same for /healthz and /readyz, which have their own zone. */
  healthRate: string;
  healthBurst: number;
  /** limit_conn: concurrent requests per address, WebSockets included (each HTTP/2 stream counts). */
  connections: number;
}

export const DEFAULT_EDGE_LIMITS: Readonly<EdgeLimits> = {
  requestRate: '50r/s',
  requestBurst: 100,
  healthRate: '10r/s',
  healthBurst: 20,
  connections: 100,
};

const RATE = /^([1-9]\d*)r\/([sm])$/;

/** Seconds until a rate of `Nr/s` or `Nr/m` lets one more request through (at least 1). */
export function retryAfterSeconds(rate: string): number {
  const m = RATE.exec(rate);
  if (!m) throw new Error(`nginx rate "${rate}" must look like 50r/s or 30r/m`);
  return Math.max(1, Math.ceil((m[2] === 'm' ? 60 : 1) / Number(m[1])));
}

function checkLimits(limits: EdgeLimits): void {
  retryAfterSeconds(limits.requestRate);
  retryAfterSeconds(limits.healthRate);
  for (const [name, value, min] of [
    // nginx rejects burst=0 ("invalid burst value").
    ['requestBurst', limits.requestBurst, 1],
    ['healthBurst', limits.healthBurst, 1],
    ['connections', limits.connections, 1],
  ] as const) {
    if (!Number.isInteger(value) || value < min)
      throw new Error(`nginx limit ${name} must be an integer ≥ ${min}`);
  }
}

export interface NginxConfigOptions {
  workerProcesses: number | 'auto';
  pidFile: string;
  errorLog: string;
  accessLog: string;
  /** `user` directive; only meaningful when the master runs as root. Omitted: nginx's default. */
  user?: string;
  /** Directory for every *_temp_path (unprivileged runs). Omitted: the build's defaults. */
  tempDir?: string;
  /** `listen` addresses, e.g. `443` or `127.0.0.1:8443`. */
  httpsListen: string;
  httpListen: string;
  /** HTTPS port clients see, for the HTTP→HTTPS redirect (443 is left out of the URL). */
  httpsPublicPort: number;
  certificate: string;
  certificateKey: string;
  /** `host:port` of each api replica. */
  upstreams: readonly string[];
  maxUploadBytes: number;
  proxyTimeoutSeconds: number;
  /** The api's graphql-ws ping interval, to check it against the proxy timeout. */
  wsKeepAliveMs: number;
  /** Per-client-address limits; each omitted one is DEFAULT_EDGE_LIMITS's. */
  limits?: Partial<EdgeLimits>;
  /**
   * The S3 emulator, when there is one (embedded, compose): direct-upload part PUTs reach it through
   * STORAGE_PATH. `host` is the emulator's `host:port` exactly as the api's S3 endpoint names it,
   * since presigned URLs sign the Host header; `maxPartBytes` bounds one part's body.
   */
  storage?: { host: string; maxPartBytes: number };
}

/** The edge path that leads to the S3 emulator (direct-upload part PUTs only). */
export const STORAGE_PATH = '/storage';

/**
 * The upstream and location for direct-upload parts. Only `PUT /storage/<bucket>/originals/<id>`
 * with an upload id, a part number and a signature passes: the emulators check no signatures, so
 * nothing else of them is reachable through the edge. Host is the signed one, so S3 sees exactly
 * the request the api presigned; the body streams through (no buffering, no CORS: same origin).
 */
function storageBlocks(storage: NginxConfigOptions['storage']): { upstream: string; location: string } {
  if (!storage) return { upstream: '', location: '' };
  const upstream = [
    '    # The S3 emulator, for direct-upload parts (the /storage/ location below).',
    '    upstream docpipe_storage {',
    `        server ${storage.host};`,
    '        keepalive 8;',
    '    }',
    '',
  ].join('\n');
  const location = [
    '        # Direct uploads: the part PUTs of presigned URLs the api handed out, to the S3 emulator.',
    `        location ~ ^${STORAGE_PATH}/[A-Za-z0-9._-]+/originals/[0-9a-f-]+$ {`,
    '            limit_except PUT { deny all; }',
    '            if ($args !~ "(^|&)uploadId=[^&]+") { return 403; }',
    '            if ($args !~ "(^|&)partNumber=[0-9]+(&|$)") { return 403; }',
    '            if ($args !~ "(^|&)X-Amz-Signature=[0-9a-f]+(&|$)") { return 403; }',
    // UploadPartCopy: a part copied from another object. The emulator checks no signatures, so this
    // would let anyone with an upload of their own copy someone else's original into it.
    '            if ($http_x_amz_copy_source) { return 403; }',
    `            rewrite ^${STORAGE_PATH}(/.*)$ $1 break;`,
    '            proxy_pass http://docpipe_storage;',
    `            proxy_set_header Host ${storage.host};`,
    '            proxy_set_header Connection "";',
    '            proxy_request_buffering off;',
    `            client_max_body_size ${storage.maxPartBytes};`,
    '        }',
    '',
  ].join('\n');
  return { upstream, location };
}

/** Fills the template; throws if the options would give a config that misbehaves at run time. */
export function renderNginxConfig(opts: NginxConfigOptions, template = readTemplate()): string {
  if (opts.upstreams.length === 0) throw new Error('nginx needs at least one api upstream');
  // Two pings per timeout window: one lost or late ping must not close a healthy subscription.
  if (opts.wsKeepAliveMs * 2 > opts.proxyTimeoutSeconds * 1000) {
    throw new Error(
      `proxy timeout ${opts.proxyTimeoutSeconds}s must be at least twice WS_KEEPALIVE_MS (${opts.wsKeepAliveMs} ms), ` +
        'or idle subscriptions are closed by nginx',
    );
  }
  const limits: EdgeLimits = { ...DEFAULT_EDGE_LIMITS, ...opts.limits };
  checkLimits(limits);
  const temp = opts.tempDir;
  const storage = storageBlocks(opts.storage);
  const values: Record<string, string> = {
    storage_upstream: storage.upstream,
    storage_location: storage.location,
    storage_path: opts.storage ? STORAGE_PATH : '""',
    worker_processes: String(opts.workerProcesses),
    pid: opts.pidFile,
    error_log: opts.errorLog,
    access_log: opts.accessLog,
    user: opts.user ? `user ${opts.user};` : '',
    temp_paths: temp
      ? ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
          .map((kind) => `    ${kind}_temp_path ${join(temp, kind)};`)
          .join('\n')
      : '',
    upstream_servers: opts.upstreams.map((u) => `        server ${u};`).join('\n'),
    http_listen: opts.httpListen,
    https_listen: opts.httpsListen,
    https_port_suffix: opts.httpsPublicPort === 443 ? '' : `:${opts.httpsPublicPort}`,
    https_public_port: String(opts.httpsPublicPort),
    ssl_certificate: opts.certificate,
    ssl_certificate_key: opts.certificateKey,
    client_max_body_size: String(opts.maxUploadBytes + MULTIPART_ALLOWANCE_BYTES),
    proxy_timeout: `${opts.proxyTimeoutSeconds}s`,
    request_rate: limits.requestRate,
    request_burst: String(limits.requestBurst),
    health_rate: limits.healthRate,
    health_burst: String(limits.healthBurst),
    connection_limit: String(limits.connections),
    // Both limits answer 429 with this header; it tells when the request zone frees one slot.
    retry_after: String(retryAfterSeconds(limits.requestRate)),
  };
  const used = new Set<string>();
  const rendered = template.replace(/\{\{(\w+)\}\}/g, (_match, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`nginx template has an unknown placeholder {{${name}}}`);
    used.add(name);
    return value;
  });
  const unused = Object.keys(values).filter((name) => !used.has(name));
  if (unused.length > 0) throw new Error(`nginx template lacks placeholders: ${unused.join(', ')}`);
  // Placeholders that render empty leave blank lines: drop them after `{`, collapse runs of them.
  return rendered.replace(/\{\n(?:[ \t]*\n)+/g, '{\n').replace(/\n[ \t]*\n(?:[ \t]*\n)+/g, '\n\n');
}

export function readTemplate(): string {
  return readFileSync(NGINX_TEMPLATE, 'utf8');
}

/**
 * What docker-compose.yml runs: the official nginx image as an unprivileged user on a read-only
 * filesystem, api replicas behind the `api` service name.
 */
export function composeNginxOptions(config: Config): NginxConfigOptions {
  return {
    workerProcesses: 'auto',
    pidFile: `${COMPOSE_NGINX_WRITABLE_DIR}/nginx.pid`,
    errorLog: '/dev/stderr',
    accessLog: '/dev/stdout',
    tempDir: COMPOSE_NGINX_WRITABLE_DIR,
    httpsListen: String(COMPOSE_NGINX_HTTPS_PORT),
    httpListen: String(COMPOSE_NGINX_HTTP_PORT),
    httpsPublicPort: 443,
    certificate: '/etc/nginx/tls/server.pem',
    certificateKey: '/etc/nginx/tls/server-key.pem',
    // Docker's DNS returns every replica of `api`; nginx resolves the name once at start and
    // balances over all the addresses (restart nginx after scaling the api).
    upstreams: [`api:${COMPOSE_API_PORT}`],
    maxUploadBytes: config.limits.maxUploadBytes,
    proxyTimeoutSeconds: DEFAULT_PROXY_TIMEOUT_SECONDS,
    wsKeepAliveMs: config.wsKeepAliveMs,
    ...storageOptions(config),
  };
}

/** The edge's route to the S3 emulator the api is configured with (none on real AWS). */
export function storageOptions(config: Config): Pick<NginxConfigOptions, 'storage'> {
  const endpoint = config.aws.endpoints.s3;
  if (!endpoint) return {};
  const { maxUploadBytes, uploadPartBytes } = config.limits;
  return {
    storage: { host: new URL(endpoint).host, maxPartBytes: choosePartSize(maxUploadBytes, uploadPartBytes) },
  };
}

export function renderComposeNginxConfig(config: Config): string {
  const header =
    '# GENERATED from nginx/nginx.conf.template by `npm run nginx:render` for docker-compose.yml.\n' +
    '# Do not edit: change the template and render again.\n\n';
  return header + renderNginxConfig(composeNginxOptions(config));
}
