/**
 * `npm start`: the whole stack on one machine. Embedded AWS emulators persisted under DATA_DIR
 * (unless AWS_ENDPOINT_URL points elsewhere), then the api and one worker as child processes.
 * Ctrl-C / SIGTERM stops the children first, then the emulators, and exits 0.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureResources } from '../aws/bootstrap.js';
import { createAwsClients } from '../aws/clients.js';
import { loadConfig, loadConfigOrExit } from '../domain/config.js';
import { startEmbeddedAws, type EmbeddedAws } from './emulators.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

async function main() {
  const config = loadConfigOrExit(process.env);
  const children: ChildProcess[] = [];
  let embedded: EmbeddedAws | undefined;
  let stopping = false;

  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\ndocpipe: stopping…');
    await Promise.all(children.map(stopChild));
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
  // Create resources once here so the children do not race each other doing it.
  const childConfig = loadConfig(env);
  const aws = createAwsClients(childConfig.aws);
  await ensureResources(aws, childConfig.resources, {
    visibilityTimeoutSeconds: childConfig.worker.visibilityTimeoutSeconds,
  });
  aws.destroy();

  const onExit = (name: string) => (code: number | null, signal: string | null) => {
    if (stopping) return;
    console.error(`docpipe: ${name} exited unexpectedly (${signal ?? `code ${code}`}); stopping`);
    void shutdown(1);
  };
  const api = startChild('server/main.ts', env, children, onExit('api'));
  const worker = startChild('worker/main.ts', env, children, onExit('worker'));
  const [apiReady] = await Promise.all([ready(api), ready(worker)]);

  console.log(
    [
      '',
      'docpipe is running',
      `  Web page          ${apiReady.url.replace(/\/graphql$/, '/')}`,
      childConfig.env === 'production' ? '' : `  Playground        ${apiReady.url} (in a browser)`,
      `  GraphQL endpoint  ${apiReady.url}`,
      `  Subscriptions     ${apiReady.url.replace(/^http/, 'ws')}`,
      `  Health            ${apiReady.url.replace(/\/graphql$/, '/healthz')}`,
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

function startChild(
  entry: string,
  env: Record<string, string | undefined>,
  children: ChildProcess[],
  onExit: (code: number | null, signal: string | null) => void,
): ChildProcess {
  const child = fork(resolve(root, entry), [], { env, execArgv: ['--import', 'tsx'], stdio: 'inherit' });
  children.push(child);
  child.on('exit', onExit);
  return child;
}

function ready(child: ChildProcess): Promise<{ url: string }> {
  return new Promise((resolveReady, reject) => {
    child.on('message', (m: { type?: string; url?: string }) => {
      if (m?.type === 'ready') resolveReady({ url: m.url ?? '' });
    });
    child.once('exit', (code) => reject(new Error(`child exited with code ${code} before it was ready`)));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.once('exit', () => {
      clearTimeout(kill);
      resolveStop();
    });
    child.kill('SIGTERM');
  });
}

main().catch((err) => {
  console.error('docpipe failed to start:', err);
  process.exit(1);
});
