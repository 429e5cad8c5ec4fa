import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { createAwsClients, type AwsClients } from '../../aws/clients.js';
import { loadConfig, type Config } from '../../domain/config.js';
import { startEmbeddedAws, type EmbeddedAws } from '../../dev/emulators.js';
import { createApiServer, type ApiServer } from '../../server/create-server.js';
import { createWorker, type Worker, type WorkerOptions } from '../../worker/create-worker.js';
import { TEST_AUTH_SECRET } from './auth.js';

export interface RunningApi {
  server: ApiServer;
  url: string;
  wsUrl: string;
  /** Subscriptions over Server-Sent Events (graphql-sse). */
  sseUrl: string;
  origin: string;
}

/** Things to stop at the end of a test file, last started first stopped. */
export class Disposables {
  private readonly items: (() => Promise<void> | void)[] = [];
  add(fn: () => Promise<void> | void): void {
    this.items.push(fn);
  }
  async disposeAll(): Promise<void> {
    while (this.items.length > 0) await this.items.pop()!();
  }
}

export function tempDir(prefix = 'docpipe-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** What a test needs of the emulators it runs against: the environment pointing docpipe at them. */
export interface TestEmulators {
  env: Record<string, string>;
}

/**
 * The emulators for a test file. With AWS_ENDPOINT_URL set (`npm run test:external`), the ones
 * already running outside the project, reached only through the AWS_ENDPOINT_URL* variables as on
 * Compose or real AWS, shared by every test file (each file's resources get names of their own,
 * see testEnv). Otherwise embedded ones on free ports, in memory.
 */
export async function startEmulators(disposables: Disposables): Promise<TestEmulators> {
  if (process.env['AWS_ENDPOINT_URL']) {
    const env = Object.entries(process.env).filter(
      ([name, value]) => value && /^AWS_(ENDPOINT_URL\w*|ACCESS_KEY_ID|SECRET_ACCESS_KEY)$/.test(name),
    );
    return { env: Object.fromEntries(env) as Record<string, string> };
  }
  return startEmbeddedEmulators(disposables);
}

/**
 * Embedded emulators on free ports, persisted when `dataDir` is given, for tests about them (their
 * persistence, the calls reaching them).
 */
export async function startEmbeddedEmulators(
  disposables: Disposables,
  dataDir?: string,
): Promise<EmbeddedAws> {
  const aws = await startEmbeddedAws(dataDir ? { dataDir } : {});
  disposables.add(() => aws.stop());
  return aws;
}

/** One per test file (each runs in its own module graph): fixed resource names stay unique per file. */
const FILE_ID = randomBytes(3).toString('hex');

/** Environment for a test's processes: free port, unique resource names, quiet logs, short long-polls. */
export function testEnv(
  aws: TestEmulators,
  overrides: Record<string, string> = {},
  names?: string,
): Record<string, string> {
  const prefix = names ? `${names}-${FILE_ID}` : `t${randomBytes(4).toString('hex')}`;
  return {
    ...aws.env,
    NODE_ENV: 'test',
    PORT: '0',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    DOCPIPE_BUCKET: `${prefix}-docs`,
    DOCPIPE_TABLE: `${prefix}-table`,
    DOCPIPE_JOBS_QUEUE: `${prefix}-jobs`,
    DOCPIPE_JOBS_DLQ: `${prefix}-jobs-dlq`,
    DOCPIPE_EVENTS_TOPIC: `${prefix}-events`,
    SQS_WAIT_SECONDS: '2',
    AUTH_SECRET: TEST_AUTH_SECRET,
    // Each api its own index in memory (DATA_DIR is the repo's .data here); tests that need a file set one.
    SEARCH_INDEX_PATH: ':memory:',
    ...overrides,
  };
}

export function testConfig(
  aws: TestEmulators,
  overrides: Record<string, string> = {},
  names?: string,
): Config {
  return loadConfig(testEnv(aws, overrides, names));
}

const logger = (config: Config) => pino({ level: config.logLevel });

export async function startApi(config: Config, disposables: Disposables): Promise<RunningApi> {
  const server = createApiServer(config, { logger: logger(config) });
  const { url } = await server.start();
  disposables.add(() => server.stop());
  return {
    server,
    url,
    wsUrl: url.replace(/^http/, 'ws'),
    sseUrl: `${url}/stream`,
    origin: url.replace(/\/graphql$/, ''),
  };
}

export async function startWorker(
  config: Config,
  disposables: Disposables,
  opts: Omit<WorkerOptions, 'logger'> = {},
): Promise<Worker> {
  const worker = createWorker(config, { logger: logger(config), ...opts });
  await worker.start();
  disposables.add(() => worker.stop());
  return worker;
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/**
 * The usual test stack: emulators, one api, one worker (unless `worker: false`), and SDK clients
 * for inspecting what is stored. Everything is stopped by `disposables`.
 */
export async function startStack(
  disposables: Disposables,
  opts: { overrides?: Record<string, string>; worker?: boolean } = {},
): Promise<{ config: Config; api: RunningApi; aws: AwsClients }> {
  const emulators = await startEmulators(disposables);
  const config = testConfig(emulators, opts.overrides);
  const api = await startApi(config, disposables);
  if (opts.worker !== false) await startWorker(config, disposables);
  const aws = createAwsClients(config.aws);
  disposables.add(() => aws.destroy());
  return { config, api, aws };
}
