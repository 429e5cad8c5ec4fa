/**
 * `npm start`: the whole stack on one machine. Embedded AWS emulators persisted under DATA_DIR
 * (unless AWS_ENDPOINT_URL points elsewhere), then the api and one worker as child processes, and
 * the nginx TLS edge in front of the api when nginx is installed (dev/nginx.ts).
 * A crashed api or worker is started again (dev/supervisor.ts). Ctrl-C / SIGTERM stops nginx and
 * the children first, then the emulators, and exits 0.
 */
import { join, resolve } from 'node:path';
import { writeDevToken } from '../auth/local-secret.js';
import { loadConfig, loadConfigOrExit, type Config } from '../domain/config.js';
import { startEmbeddedAws, type EmbeddedAws } from './emulators.js';
import { launch } from './processes.js';
import { supervise, type Supervised, type SupervisorOptions } from './supervisor.js';
import { ensureCertificates, findNginx, startNginx, type RunningNginx, type TlsFiles } from './nginx.js';
import { storageOptions } from './nginx-config.js';

/** Where `npm start` serves the worker's metrics (Prometheus exporters' customary port). */
const DEFAULT_WORKER_METRICS_PORT = 9464;

async function main() {
  const config = loadConfigOrExit(process.env);
  const children: Supervised[] = [];
  let embedded: EmbeddedAws | undefined;
  let edge: RunningNginx | undefined;
  let stopping = false;

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\ndocpipe: stopping…');
    await edge?.stop();
    await Promise.all(children.map((c) => c.stop()));
    await embedded?.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  const env: Record<string, string | undefined> = { ...process.env };
  if (Object.keys(config.aws.endpoints).length === 0) {
    const dataDir = resolve(config.dataDir);
    embedded = await startEmbeddedAws({
      dataDir,
      awsPort: config.embedded.awsPort,
      dynamodbPort: config.embedded.dynamodbPort,
    });
    Object.assign(env, embedded.env, { DATA_DIR: dataDir });
    console.log(`docpipe: embedded AWS emulators (data in ${dataDir})`);
  }
  // The worker's /healthz + /metrics, so `curl` works out of the box (WORKER_METRICS_PORT overrides).
  env['WORKER_METRICS_PORT'] ??= String(DEFAULT_WORKER_METRICS_PORT);
  // Create resources once, before the children start, so they do not race each other doing it. In a
  // process of its own (as docker-compose's `bootstrap` service does it): the AWS SDK loaded here
  // for that would stay in the launcher's memory for good (~24 MiB).
  const childConfig = loadConfig(env);
  const bootstrap = launch('aws/bootstrap-main.ts', { env: { ...env, LOG_LEVEL: 'warn' } });
  const { code, signal } = await bootstrap.exited;
  if (code !== 0) {
    console.error(`docpipe: creating the AWS resources failed (${signal ?? `exit code ${code}`}); see above`);
    return shutdown(1);
  }
  // Outside production: the local signing secret (made once) and a fresh development token that the
  // web page, the playground and the CLI pick up by themselves on this machine.
  const dev = childConfig.env === 'production' ? undefined : await writeDevToken(childConfig);

  // A crashed api or worker is started again (dev/supervisor.ts); only one that cannot start at
  // all stops the stack.
  const start = (entry: string, name: string, restartEnv?: SupervisorOptions['restartEnv']) => {
    const service = supervise(entry, {
      name,
      env,
      stdio: 'inherit',
      ...(restartEnv && { restartEnv }),
      onGiveUp: () => void shutdown(1),
    });
    children.push(service);
    return service;
  };
  // A restarted api keeps its port, so nginx's upstream stays right.
  const api = start('server/main.ts', 'api', ({ url }) => (url ? { PORT: new URL(url).port } : {}));
  const worker = start('worker/main.ts', 'worker');
  const [apiReady, workerReady] = await Promise.all([api.ready, worker.ready]);
  const apiUrl = apiReady.url ?? '';

  let tls: Awaited<ReturnType<typeof startEdge>>;
  try {
    tls = await startEdge(childConfig, apiUrl);
    edge = tls.edge;
  } catch (err) {
    console.error(`docpipe: ${(err as Error).message}`);
    return shutdown(1);
  }
  void edge?.exited.then((code) => {
    if (stopping) return;
    console.error(`docpipe: nginx exited unexpectedly (code ${code}); stopping`);
    void shutdown(1);
  });
  const url = edge ? `${edge.httpsOrigin}/graphql` : apiUrl;
  console.log(
    [
      '',
      'docpipe is running',
      `  Web page          ${url.replace(/\/graphql$/, '/')}`,
      childConfig.env === 'production' ? '' : `  Playground        ${url} (in a browser)`,
      `  GraphQL endpoint  ${url}`,
      `  Subscriptions     ${url.replace(/^http/, 'ws')}`,
      `  Health            ${url.replace(/\/graphql$/, '/healthz')}`,
      edge && tls.files
        ? `  TLS               trust ${tls.files.ca} (curl --cacert …); ${edge.httpOrigin} redirects here`
        : `  TLS               ${tls.off}`,
      edge ? `  api (no TLS)      ${apiUrl}` : '',
      childConfig.observability.apiMetrics
        ? `  Metrics (api)     ${apiUrl.replace(/\/graphql$/, '/metrics')} (not through the edge)`
        : '',
      typeof workerReady.metricsUrl === 'string'
        ? `  Worker            ${workerReady.metricsUrl}/healthz, ${workerReady.metricsUrl}/metrics`
        : '',
      `  Traces            ${childConfig.observability.tracing.endpoint ?? 'off (set OTEL_EXPORTER_OTLP_ENDPOINT to export)'}`,
      dev
        ? `  Token (owner ${childConfig.devOwnerId})  ${dev.token}\n` +
          `                    in ${dev.file}; the CLI reads it there, or: export DOCPIPE_TOKEN=$(cat ${dev.file})\n` +
          `                    more owners: npx docpipe token create --owner <id>`
        : '',
      embedded
        ? `  AWS emulators     ${embedded.awsEndpoint} (S3/SQS/SNS), ${embedded.dynamodbEndpoint} (DynamoDB)`
        : '',
      'Press Ctrl-C to stop.',
      '',
    ]
      .filter((l) => l !== '')
      .join('\n'),
  );
}

/**
 * nginx in front of the api when a binary is found (EDGE_NGINX): certificates made once under
 * DATA_DIR/tls and reused, nginx's prefix under DATA_DIR/nginx. Without nginx the stack still runs
 * on plain HTTP; `off` says how to get TLS.
 */
async function startEdge(
  config: Config,
  apiUrl: string,
): Promise<{ edge?: RunningNginx; files?: TlsFiles; off: string }> {
  const bin = findNginx(config.edge.nginx);
  if (!bin) {
    return {
      off:
        config.edge.nginx === 'off'
          ? 'off (EDGE_NGINX=off)'
          : `off: install nginx (e.g. apt-get install nginx) and restart for https:// on port ${config.edge.httpsPort}`,
    };
  }
  const dataDir = resolve(config.dataDir);
  let files: TlsFiles;
  try {
    files = await ensureCertificates(join(dataDir, 'tls'));
  } catch (err) {
    return { off: `off: could not create certificates with openssl (${(err as Error).message.trim()})` };
  }
  const api = new URL(apiUrl);
  const edge = await startNginx({
    bin,
    prefixDir: join(dataDir, 'nginx'),
    tls: files,
    upstreams: [api.host],
    host: config.http.host,
    httpsPort: config.edge.httpsPort,
    httpPort: config.edge.httpPort,
    maxUploadBytes: config.limits.maxUploadBytes,
    wsKeepAliveMs: config.wsKeepAliveMs,
    ...storageOptions(config),
  });
  return { edge, files, off: '' };
}

main().catch((err) => {
  console.error('docpipe failed to start:', err);
  process.exit(1);
});
