/**
 * docker-compose.yml and the Dockerfile checked without a Docker engine: `docker-compose config`
 * (Debian's compose 1.29 validates against its schema and normalises the file), then the invariants
 * that keep the compose topology the one the edge tests run.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPOSE_FILE, parseCompose, readCompose, serviceEnv, type ComposeFile } from '../../dev/compose.js';
import {
  COMPOSE_API_PORT,
  COMPOSE_NGINX_CONF,
  COMPOSE_NGINX_HTTP_PORT,
  COMPOSE_NGINX_HTTPS_PORT,
  COMPOSE_NGINX_WRITABLE_DIR,
} from '../../dev/nginx-config.js';
import { SERVICE_NODE_FLAGS } from '../../dev/processes.js';
import { CONFIG_ENV_NAMES, loadConfig } from '../../domain/config.js';
import { removeDir, tempDir } from '../support/stack.js';

const run = promisify(execFile);
const root = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
const DOCPIPE_SERVICES = ['bootstrap', 'api', 'worker'];
/** Every service that runs docpipe's code or config: hardened alike. */
const HARDENED_SERVICES = [...DOCPIPE_SERVICES, 'nginx'];
const MiB = 1024 * 1024;

/** Compose's normalised view: anchors merged, variables interpolated (defaults), paths absolute. */
let normalised: ComposeFile;

beforeAll(async () => {
  // No variables from the shell or a local .env: the file's own defaults are what is checked, plus
  // the one variable without a default (the token secret).
  const dir = tempDir('docpipe-compose-');
  try {
    const envFile = join(dir, 'only-secret.env');
    writeFileSync(envFile, `DOCPIPE_AUTH_SECRET=${'s'.repeat(40)}\n`);
    const { stdout } = await run('docker-compose', ['--env-file', envFile, '-f', COMPOSE_FILE, 'config'], {
      env: { PATH: process.env['PATH'] ?? '' },
    });
    normalised = parseCompose(stdout);
  } finally {
    removeDir(dir);
  }
});

/** Docker's byte sizes as compose writes them: `512m`, `1g`, `65536k`, `1048576`. */
function bytes(size: unknown): number {
  const m = /^(\d+)([bkmg]?)b?$/i.exec(String(size));
  if (!m) throw new Error(`not a size: ${String(size)}`);
  const unit = { '': 1, b: 1, k: 1024, m: MiB, g: 1024 * MiB }[
    m[2]!.toLowerCase() as '' | 'b' | 'k' | 'm' | 'g'
  ];
  return Number(m[1]) * unit;
}

/** A service's tmpfs mounts: target → size in bytes (compose's short syntax, `PATH:size=…`). */
function tmpfsOf(service: string): Map<string, number> {
  const raw = normalised.services[service]!['tmpfs'];
  const entries = raw === undefined ? [] : Array.isArray(raw) ? raw.map(String) : [String(raw)];
  return new Map(
    entries.map((entry) => {
      const [target, options = ''] = entry.split(/:(.*)/s) as [string, string?];
      const size = /(?:^|,)size=([^,]+)/.exec(options)?.[1];
      if (!size) throw new Error(`${service}: tmpfs ${target} has no size limit`);
      return [target, bytes(size)];
    }),
  );
}

/** `FROM … AS <name>` stages of the Dockerfile, with the instructions of each. */
function stages(): Map<string, string> {
  const result = new Map<string, string>();
  for (const part of dockerfile.split(/^(?=FROM )/m).slice(1)) {
    const name = /^FROM \S+ AS (\S+)/.exec(part)?.[1];
    if (name) result.set(name, part);
  }
  return result;
}

function healthcheckOf(service: string): { source: 'compose' | 'image'; test?: unknown } | undefined {
  const spec = normalised.services[service]!;
  if (spec.healthcheck && !spec.healthcheck.disable)
    return { source: 'compose', test: spec.healthcheck.test };
  const target = typeof spec.build === 'object' ? spec.build.target : undefined;
  const stage = target ? stages().get(target) : undefined;
  if (stage && /^HEALTHCHECK CMD|^HEALTHCHECK --/m.test(stage)) return { source: 'image' };
  return undefined;
}

describe('docker-compose.yml', () => {
  it('refuses to render without DOCPIPE_AUTH_SECRET, naming it', async () => {
    const dir = tempDir('docpipe-compose-');
    try {
      const envFile = join(dir, 'empty.env');
      writeFileSync(envFile, '');
      const failed = await run('docker-compose', ['--env-file', envFile, '-f', COMPOSE_FILE, 'config'], {
        env: { PATH: process.env['PATH'] ?? '' },
      }).then(
        () => '',
        (err: { stderr?: string }) => String(err.stderr),
      );
      expect(failed).toMatch(/DOCPIPE_AUTH_SECRET/);
    } finally {
      removeDir(dir);
    }
  });

  it('gives every api replica the same token secret and a shared request budget', () => {
    for (const name of ['api']) {
      const env = normalised.services[name]!.environment as Record<string, string>;
      expect(env['AUTH_SECRET']).toBe('s'.repeat(40));
      expect(env['RATE_LIMIT_STORE']).toBe('dynamodb');
    }
  });

  it('passes `docker-compose config` validation', () => {
    expect(Object.keys(normalised.services).sort()).toEqual(
      ['api', 'bootstrap', 'floci', 'localstack', 'nginx', 'worker'].sort(),
    );
  });

  it('resolves every image or build: contexts exist and build targets are Dockerfile stages', () => {
    for (const [name, spec] of Object.entries(normalised.services)) {
      expect(spec.image ?? spec.build, `${name} has neither image nor build`).toBeTruthy();
      if (spec.build) {
        const build = typeof spec.build === 'string' ? { context: spec.build } : spec.build;
        expect(existsSync(join(build.context!, build.dockerfile ?? 'Dockerfile')), name).toBe(true);
        if (build.target) expect([...stages().keys()], name).toContain(build.target);
      } else {
        // Pulled images are pinned to a repository name (tags are the user's to move).
        expect(spec.image, name).toMatch(/^[a-z0-9./-]+:[\w.-]+$/);
      }
    }
  });

  it('describes the edge topology: nginx on 443/80, two api and two worker replicas, Floci on 4566', () => {
    const { services } = normalised;
    const published = (name: string) =>
      (services[name]!.ports ?? []).map((p) => (typeof p === 'string' ? p : `${p.published}:${p.target}`));
    // nginx listens on unprivileged ports inside its container (it has no capabilities).
    expect(published('nginx')).toEqual(
      expect.arrayContaining([`443:${COMPOSE_NGINX_HTTPS_PORT}`, `80:${COMPOSE_NGINX_HTTP_PORT}`]),
    );
    expect(services['api']!.deploy?.replicas).toBe(2);
    expect(services['worker']!.deploy?.replicas).toBe(2);
    expect(services['floci']!.image).toMatch(/^floci\/floci:/);
    expect(published('floci').join()).toContain('4566:4566');
    // Floci's state survives restarts in a named volume.
    expect(services['floci']!.volumes).toEqual(
      expect.arrayContaining([expect.stringMatching(/^floci-data:\/app\/data/)]),
    );
    expect(Object.keys(normalised.volumes ?? {})).toContain('floci-data');
    // Every docpipe process talks to Floci unless told otherwise.
    for (const name of DOCPIPE_SERVICES) {
      expect(serviceEnv(normalised, name)['AWS_ENDPOINT_URL']).toBe('http://floci:4566');
    }
  });

  it('offers LocalStack only as an opt-in profile taking LOCALSTACK_AUTH_TOKEN', () => {
    const localstack = normalised.services['localstack']!;
    expect(localstack.profiles).toEqual(['localstack']);
    expect(serviceEnv(normalised, 'localstack')).toHaveProperty('LOCALSTACK_AUTH_TOKEN');
    for (const [name, spec] of Object.entries(normalised.services)) {
      if (name !== 'localstack') expect(spec.profiles, name).toBeUndefined();
    }
  });

  it('has health checks where it matters and waits on them', () => {
    for (const name of ['nginx', 'api', 'floci', 'localstack']) {
      expect(healthcheckOf(name), `${name} has no health check`).toBeDefined();
    }
    // The api is healthy when ready (AWS reachable, event queue subscribed), not merely alive.
    expect(JSON.stringify(healthcheckOf('api')!.test)).toContain('/readyz');
    const waits: [string, string, string][] = [];
    for (const [name, spec] of Object.entries(normalised.services)) {
      const deps = spec.depends_on;
      if (!deps || Array.isArray(deps)) continue;
      for (const [dep, { condition }] of Object.entries(deps)) waits.push([name, dep, condition ?? '']);
    }
    for (const [name, dep, condition] of waits) {
      if (condition === 'service_healthy')
        expect(healthcheckOf(dep), `${name} waits on ${dep}`).toBeDefined();
      else if (condition === 'service_completed_successfully') {
        expect(normalised.services[dep]!.restart, `${dep} is a one-shot`).toBe('no');
      } else throw new Error(`${name} depends on ${dep} without a condition`);
    }
    expect(waits).toEqual(
      expect.arrayContaining([
        ['nginx', 'api', 'service_healthy'],
        ['api', 'bootstrap', 'service_completed_successfully'],
        ['worker', 'bootstrap', 'service_completed_successfully'],
        ['bootstrap', 'floci', 'service_healthy'],
      ]),
    );
  });

  it("mounts the rendered nginx config the tests run, and its upstream and limits match the api's", () => {
    const volumes = (normalised.services['nginx']!.volumes ?? []).map(String);
    expect(volumes).toContain(`${COMPOSE_NGINX_CONF}:/etc/nginx/nginx.conf:ro`);
    expect(volumes.some((v) => v.endsWith(':/etc/nginx/tls:ro'))).toBe(true);
    const api = loadConfig(serviceEnv(normalised, 'api'));
    expect(api.http).toEqual({ host: '0.0.0.0', port: COMPOSE_API_PORT });
    // The rendered file's freshness against the template is checked in nginx-config.test.ts; here,
    // that it was rendered for this api (the multipart allowance is 1 MiB).
    const conf = readFileSync(COMPOSE_NGINX_CONF, 'utf8');
    expect(conf).toContain(`server api:${api.http.port};`);
    expect(conf).toContain(`client_max_body_size ${api.limits.maxUploadBytes + 1024 * 1024};`);
    expect(api.wsKeepAliveMs * 2).toBeLessThanOrEqual(60_000);
  });

  it('hardens every docpipe service: read-only root, no capabilities, no-new-privileges, memory and pid limits', () => {
    for (const name of HARDENED_SERVICES) {
      const spec = normalised.services[name]!;
      expect(spec['read_only'], `${name} read_only`).toBe(true);
      expect(spec['cap_drop'], `${name} cap_drop`).toEqual(['ALL']);
      expect(spec['cap_add'], `${name} cap_add`).toBeUndefined();
      expect(spec['security_opt'], `${name} security_opt`).toContain('no-new-privileges:true');
      expect(spec['privileged'], `${name} privileged`).toBeUndefined();
      for (const key of ['network_mode', 'pid', 'ipc', 'userns_mode', 'devices']) {
        expect(spec[key], `${name} ${key}`).toBeUndefined();
      }
      // Writable only where it must be: a size-capped tmpfs at /tmp; every mount is read-only.
      const tmpfs = tmpfsOf(name);
      expect([...tmpfs.keys()], `${name} tmpfs`).toEqual(['/tmp']);
      for (const volume of (spec.volumes ?? []).map(String)) expect(volume, name).toMatch(/:ro$/);
      // tmpfs pages are charged to the container's memory: the limit must leave room for the process.
      const memory = bytes(spec['mem_limit']);
      const tmpfsTotal = [...tmpfs.values()].reduce((a, b) => a + b, 0);
      expect(memory - tmpfsTotal, `${name}: mem_limit minus tmpfs`).toBeGreaterThanOrEqual(128 * MiB);
      const pids = spec['pids_limit'];
      expect(
        Number.isInteger(pids) && (pids as number) >= 32 && (pids as number) <= 1024,
        `${name} pids_limit`,
      ).toBe(true);
    }
  });

  it('sizes tmpfs and memory for what the api and workers write and hold', () => {
    const api = loadConfig(serviceEnv(normalised, 'api'));
    const worker = loadConfig(serviceEnv(normalised, 'worker'));
    // The api spools each upload to /tmp while it streams to S3: at least a few at the size limit.
    expect(tmpfsOf('api').get('/tmp')).toBeGreaterThanOrEqual(4 * api.limits.maxUploadBytes);
    // Each in-flight job downloads its original to /tmp ...
    const workerTmp = tmpfsOf('worker').get('/tmp')!;
    expect(workerTmp).toBeGreaterThanOrEqual(worker.worker.concurrency * worker.limits.maxUploadBytes);
    // ... and analyses it in one of its threads, each of whose heap may reach PROCESSING_MAX_MEMORY_MB.
    const heaps = worker.worker.analysisThreads * worker.processing.maxMemoryMb * MiB;
    expect(bytes(normalised.services['worker']!['mem_limit'])).toBeGreaterThanOrEqual(heaps + workerTmp);
  });

  it('runs nginx as a non-root user whose every write goes to its tmpfs', () => {
    const nginx = normalised.services['nginx']!;
    const user = String(nginx['user'] ?? '');
    expect(user).toMatch(/^\d+(:\d+)?$/);
    expect(user.split(':')[0]).not.toBe('0');
    // The api, worker and bootstrap images run as `node` (Dockerfile `USER node`).
    for (const name of DOCPIPE_SERVICES) expect(normalised.services[name]!['user'], name).toBeUndefined();
    expect(dockerfile).toMatch(/^USER node$/m);
    const conf = readFileSync(COMPOSE_NGINX_CONF, 'utf8');
    expect(tmpfsOf('nginx').has(COMPOSE_NGINX_WRITABLE_DIR)).toBe(true);
    expect(conf).toContain(`pid ${COMPOSE_NGINX_WRITABLE_DIR}/nginx.pid;`);
    expect(conf).toContain(`listen ${COMPOSE_NGINX_HTTPS_PORT} ssl http2 default_server;`);
    expect(conf).toContain(`listen ${COMPOSE_NGINX_HTTP_PORT} default_server;`);
    // Its health check goes to the port it really listens on.
    expect(JSON.stringify(nginx.healthcheck!.test)).toContain(
      `http://127.0.0.1:${COMPOSE_NGINX_HTTP_PORT}/nginx-healthz`,
    );
  });

  it('pins the images it pulls for docpipe to a version tag (not digests: none can be resolved offline)', () => {
    // nginx is the only pulled image among the hardened services; the others are built here.
    const pulled = HARDENED_SERVICES.filter((name) => !normalised.services[name]!.build);
    expect(pulled).toEqual(['nginx']);
    for (const name of pulled)
      expect(normalised.services[name]!.image, name).toMatch(/^[a-z0-9./-]+:\d[\w.-]*$/);
    // The Dockerfile's base is a Node 24 tag (checked below); see docs/edge.md for digest pinning.
  });

  it('gives docpipe processes only variables of the config schema, with valid values', () => {
    for (const name of DOCPIPE_SERVICES) {
      const env = serviceEnv(normalised, name);
      expect(
        Object.keys(env).filter((k) => !CONFIG_ENV_NAMES.includes(k)),
        name,
      ).toEqual([]);
      expect(() => loadConfig(env), name).not.toThrow();
      // Resources belong to the bootstrap service, as infrastructure-as-code would own them.
      expect(loadConfig(env).bootstrap, name).toBe(false);
    }
  });

  it('runs the compiled entry points that the build produces', () => {
    const built = JSON.parse(readFileSync(join(root, 'tsconfig.build.json'), 'utf8')).include as string[];
    const commands = [
      ...[...dockerfile.matchAll(/^CMD \[(.*)\]$/gm)].map((m) => JSON.parse(`[${m[1]}]`) as string[]),
      readCompose().services['bootstrap']!.command as string[],
    ];
    expect(commands.length).toBeGreaterThanOrEqual(3);
    for (const [bin, ...args] of commands) {
      expect(bin).toBe('node');
      const script = args.find((a) => !a.startsWith('-')); // after any Node flags
      const source = script!.replace(/^dist\//, '').replace(/\.js$/, '.ts');
      expect(existsSync(join(root, source)), source).toBe(true);
      expect(built, source).toContain(source.split('/')[0]);
      // The Node flags a service runs with everywhere else (dev/processes.ts) hold in the image too.
      for (const flag of SERVICE_NODE_FLAGS[source] ?? []) expect(args, source).toContain(flag);
    }
    expect(
      Object.keys(SERVICE_NODE_FLAGS).every((entry) =>
        commands.some((c) => c.includes(`dist/${entry.replace(/\.ts$/, '.js')}`)),
      ),
    ).toBe(true);
  });
});

describe('Dockerfile', () => {
  it('is a multi-stage build on Node 24 slim with production dependencies only, run as non-root', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24[\w.-]*-slim$/m);
    const s = stages();
    expect([...s.keys()]).toEqual(expect.arrayContaining(['build', 'prod-deps', 'runtime', 'api', 'worker']));
    expect(s.get('build')).toContain('RUN npm run build');
    expect(s.get('prod-deps')).toMatch(/npm (ci|install) --omit=dev/);
    expect(s.get('runtime')).toContain('COPY --from=prod-deps /app/node_modules ./node_modules');
    expect(s.get('runtime')).not.toMatch(/COPY --from=build \/app\/node_modules/);
    expect(s.get('runtime')).toMatch(/^USER node$/m);
    expect(s.get('api')).toMatch(/^HEALTHCHECK /m);
    // Compose's health checks run `node` inside the image; it must be there for the app user.
    expect(readCompose().services['api']!.healthcheck!.test).toContain('node');
  });
});
