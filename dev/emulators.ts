import { mkdirSync } from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';
import { startFauxqs, type FauxqsServer } from 'fauxqs';
import { patchFauxqsMultipart, streamLargeObjects } from './fauxqs-large-objects.js';
import { recordFauxqsStores, serveListParts } from './fauxqs-list-parts.js';
import { honourResponseOverrides } from './fauxqs-response-overrides.js';
import { listenOnLoopback, LOOPBACK_HOST } from './loopback-listen.js';
import { inFrontOf } from './request-front.js';

export interface EmbeddedAws {
  /** The S3/SQS/SNS emulator itself, for inspection in tests. */
  fauxqs: FauxqsServer;
  /** S3, SQS and SNS (fauxqs). */
  awsEndpoint: string;
  /** DynamoDB (dynalite). */
  dynamodbEndpoint: string;
  /** Environment variables pointing docpipe's processes at these emulators. */
  env: Record<string, string>;
  /** Every listening socket the emulators own (all on 127.0.0.1), for inspection in tests. */
  servers: readonly { name: 'fauxqs' | 'dynalite'; server: NetServer }[];
  stop(): Promise<void>;
}

export interface EmbeddedAwsOptions {
  /** Persist state here (fauxqs SQLite + S3 files, dynalite LevelDB); in memory when omitted. */
  dataDir?: string;
  awsPort?: number;
  dynamodbPort?: number;
}

/**
 * In-process AWS emulators for the embedded stack and the tests. Use port 0 for a free port.
 *
 * Both listen on 127.0.0.1 only: they have no authentication, so anyone who could reach them could
 * read every original and publish forged job events. dynalite is told so directly. fauxqs 2.4.1
 * hard-codes `host: '0.0.0.0'` in its listen call (its `host` option only shapes the queue URLs it
 * returns), so it is started through `listenOnLoopback` (dev/loopback-listen.ts), which rebinds that
 * one listen call to 127.0.0.1 and refuses to start if fauxqs ends up bound anywhere else.
 */
export async function startEmbeddedAws(opts: EmbeddedAwsOptions = {}): Promise<EmbeddedAws> {
  const host = LOOPBACK_HOST;
  let fauxqsDirs = {};
  let dynamoPath: string | undefined;
  let s3Dir: string | undefined;
  if (opts.dataDir) {
    const sqlite = join(opts.dataDir, 'fauxqs');
    const s3 = join(opts.dataDir, 's3');
    s3Dir = s3;
    // Large objects stay on disk (parts, completion, whole-object GETs): see the module.
    await patchFauxqsMultipart();
    dynamoPath = join(opts.dataDir, 'dynamodb');
    for (const dir of [sqlite, s3, dynamoPath]) mkdirSync(dir, { recursive: true });
    fauxqsDirs = { dataDir: sqlite, s3StorageDir: s3 };
  }
  // fauxqs has no S3 ListParts, which direct uploads need: see the module.
  await recordFauxqsStores();
  const { result: fauxqs, servers: fauxqsServers } = await listenOnLoopback<FauxqsServer>(
    () =>
      startFauxqs({
        port: opts.awsPort ?? 0,
        host,
        logger: false,
        ...fauxqsDirs,
      }),
    (started) => started.stop(),
  );
  for (const server of fauxqsServers) {
    serveListParts(server as Server);
    if (s3Dir) streamLargeObjects(server as Server, s3Dir);
    // Outermost, so the large-object streaming honours them too.
    honourResponseOverrides(server as Server);
  }
  const dynamo = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(dynamoPath ? { path: dynamoPath } : {}),
  });
  const dynamoRequests = drainable(dynamo);
  try {
    await listen(dynamo, opts.dynamodbPort ?? 0, host);
  } catch (err) {
    await fauxqs.stop();
    throw err;
  }
  const awsEndpoint = `http://${host}:${fauxqs.port}`;
  const dynamodbEndpoint = `http://${host}:${(dynamo.address() as AddressInfo).port}`;
  return {
    fauxqs,
    awsEndpoint,
    dynamodbEndpoint,
    env: {
      AWS_ENDPOINT_URL: awsEndpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
    servers: [
      ...fauxqsServers.map((server) => ({ name: 'fauxqs' as const, server })),
      { name: 'dynalite' as const, server: dynamo },
    ],
    async stop() {
      // Let requests dynalite is working on finish first: one still running when its LevelDB closes
      // fails inside dynalite with an unhandled "Database is closed". New ones get 503 meanwhile.
      await dynamoRequests.drain(5_000);
      // Stop accepting, then cut keep-alive connections: a request reaching the old server after its
      // database closed would otherwise never be answered.
      const closed = new Promise<void>((resolve) => dynamo.close(() => resolve()));
      dynamo.closeAllConnections();
      await Promise.all([fauxqs.stop(), closed]);
    },
  };
}

/**
 * Counts the requests `server`'s handler is working on (until it calls `res.end`, which dynalite does
 * when its database work is done, whether or not the client is still there). `drain` refuses new
 * requests with 503 and waits, at most `timeoutMs`, until none is running.
 */
function drainable(server: Server): { drain(timeoutMs: number): Promise<void> } {
  let running = 0;
  let draining = false;
  let idle: (() => void) | undefined;
  inFrontOf(server, (_req, res, next) => {
    if (draining) {
      res.writeHead(503, { connection: 'close' }).end();
      return;
    }
    running++;
    const end = res.end.bind(res);
    let ended = false;
    res.end = ((...args: Parameters<ServerResponse['end']>) => {
      if (!ended) {
        ended = true;
        if (--running === 0) idle?.();
      }
      return end(...args);
    }) as ServerResponse['end'];
    next();
  });
  return {
    async drain(timeoutMs) {
      draining = true;
      if (running === 0) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    },
  };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
