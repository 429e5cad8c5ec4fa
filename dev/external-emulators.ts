/**
 * The emulators `npm run test:external` runs docpipe against, each a process of its own, reached only
 * through AWS_ENDPOINT_URL-style variables (as Compose and real AWS are): fauxqs for S3/SQS/SNS
 * (dev/fauxqs-main.ts) and AWS's DynamoDB Local on Java (the jar from `amplify-dynamodb-simulator`,
 * started by dev/DynamoDbLocalOnLoopback.java). Both in memory, on free 127.0.0.1 ports.
 *
 * Neither outlives its parent: fauxqs stops when its IPC channel closes, DynamoDB Local when its
 * standard input does, even if the parent is killed with SIGKILL.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { launch } from './processes.js';
import { projectRoot } from './project-root.js';

export interface ExternalEmulators {
  /** AWS_ENDPOINT_URL (fauxqs), AWS_ENDPOINT_URL_DYNAMODB (DynamoDB Local) and test credentials. */
  env: Record<string, string>;
  pids: { fauxqs: number; dynamodbLocal: number };
  /** Stops both and waits until they are gone. */
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 60_000;

export async function startExternalEmulators(): Promise<ExternalEmulators> {
  const fauxqs = launch('dev/fauxqs-main.ts', { env: {} });
  // DynamoDB Local refuses `-port 0`: a port free a moment ago will do for a test run.
  const dynamo = startDynamoDbLocal(await freeLoopbackPort());
  const stop = async () => {
    await Promise.all([fauxqs.stop(5_000), dynamo.stop()]);
  };
  try {
    const [{ url }, dynamodbEndpoint] = await withTimeout(Promise.all([fauxqs.ready, dynamo.ready]));
    return {
      env: {
        AWS_ENDPOINT_URL: url!,
        AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
      },
      pids: { fauxqs: fauxqs.pid, dynamodbLocal: dynamo.pid },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

function startDynamoDbLocal(port: number) {
  const dir = join(
    dirname(createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json')),
    'emulator',
  );
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(dir, 'DynamoDBLocal_lib')}`,
      '-cp',
      `${join(dir, 'DynamoDBLocal.jar')}:${join(dir, 'DynamoDBLocal_lib', '*')}`,
      join(projectRoot, 'dev', 'DynamoDbLocalOnLoopback.java'),
      '-inMemory',
      '-disableTelemetry',
      '-port',
      String(port),
    ],
    { cwd: dir, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  // 'close' also follows a failed spawn ('error'), which 'exit' does not always.
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const ready = new Promise<string>((resolve, reject) => {
    // Its banner goes to stdout too; the one JSON line is the launcher's.
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('{"port":')) resolve(`http://127.0.0.1:${JSON.parse(line).port}`);
    });
    child.once('error', reject);
    child.once('close', (code, signal) =>
      reject(new Error(`DynamoDB Local exited (${signal ?? `code ${code}`}) before it was ready`)),
    );
  });
  ready.catch(() => undefined);
  return {
    pid: child.pid!,
    ready,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function freeLoopbackPort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

async function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`emulators not ready after ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
