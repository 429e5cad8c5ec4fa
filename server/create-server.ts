/**
 * The api's composer: AWS adapters, use cases, the event listener, then the HTTP app, GraphQL over
 * HTTP (server/graphql-http.ts) and over WebSocket (server/graphql-ws.ts) on one server. Its life
 * has explicit phases — idle → starting → ready → draining → stopped — so a second `start()` is
 * refused and `stop()` is safe at any point.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApolloServer } from '@apollo/server';
import type { Logger } from 'pino';
import { resolveSecret } from '../auth/local-secret.js';
import { createTokenVerifier } from '../auth/tokens.js';
import { connectAws, type AwsAdapters } from '../aws/connect.js';
import type { JobEventListener } from '../aws/job-events.js';
import type { Config } from '../domain/config.js';
import { Lifecycle, type Phase } from '../domain/lifecycle.js';
import { createLogger } from '../domain/logger.js';
import { ApiKeyService } from './api-keys.js';
import { DirectUploadService } from './direct-upload-service.js';
import { createDocumentService } from './document-service.js';
import { sweepExpiredUploads } from './expired-upload-sweeper.js';
import { DocumentEventHub, feedEventOf } from './events/document-event-hub.js';
import { JobEventHub } from './events/job-event-hub.js';
import { SearchIndex } from './search/search-index.js';
import { SearchIndexer } from './search/search-indexer.js';
import { SearchService } from './search/search-service.js';
import type { GraphQLContext } from './graphql/context.js';
import { createErrorFormatter } from './graphql/errors.js';
import { buildDocpipeSchema } from './graphql/schema.js';
import { mountGraphQLHttp, startApollo } from './graphql-http.js';
import { mountGraphQLSse, SSE_PATH } from './graphql-sse.js';
import { attachWebSocketTransport } from './graphql-ws.js';
import type { SubscriptionFanout } from './events/subscription-fanout.js';
import { correlationIdOf, createHttpApp } from './http-app.js';
import { SubscriptionOperations } from './subscription-operations.js';
import { UsageLimiter } from './usage-limits.js';

export interface ApiServer {
  /** Bootstraps resources, starts the event listener and listens; resolves with the bound URL. */
  start(): Promise<{ url: string; port: number }>;
  /** Stops accepting, drains HTTP, closes WebSockets, removes this instance's event queue. */
  stop(): Promise<void>;
  /** Where the server is in its life. */
  readonly phase: Phase;
  readonly hub: JobEventHub;
  /** This instance's `documentEvents` subscribers, by owner. */
  readonly documentHub: DocumentEventHub;
  /** Shared execution of WebSocket subscriptions: executions and live groups (after `start()`). */
  readonly fanout: SubscriptionFanout | undefined;
  /** This instance's event listener (exists after `start()`). */
  readonly events: JobEventListener | undefined;
  /** This instance's search index and its feed (exist after `start()`). */
  readonly search: ApiSearch | undefined;
}

export interface ApiSearch {
  index: SearchIndex;
  indexer: SearchIndexer;
  /** Settles when the start-up catch-up has finished (or failed, which is logged). */
  caughtUp: Promise<void>;
}

export const GRAPHQL_PATH = '/graphql';

/** Wires the api from a config object. Nothing happens until `start()`. */
export function createApiServer(config: Config, opts: { logger?: Logger } = {}): ApiServer {
  const logger = opts.logger ?? createLogger('api', config.logLevel, config.logFormat);
  const hub = new JobEventHub();
  const documentHub = new DocumentEventHub();
  let aws: AwsAdapters | undefined;
  let listener: JobEventListener | undefined;
  let apollo: ApolloServer<GraphQLContext> | undefined;
  let fanout: SubscriptionFanout | undefined;
  let searchIndex: SearchIndex | undefined;
  let search: ApiSearch | undefined;
  let sweeper: NodeJS.Timeout | undefined;

  async function boot(): Promise<{ url: string; port: number }> {
    // First, so that a production api without a secret refuses before touching AWS.
    const authConfig = config.auth.jwksUrl ? config.auth : { ...config.auth, secret: resolveSecret(config) };
    const adapters = await connectAws(config, logger, { service: 'api' });
    aws = adapters;
    // This instance's search index: fed by the same job events, caught up from DynamoDB on start.
    const index = new SearchIndex(config.search.indexPath);
    const indexer = new SearchIndexer({ index, store: adapters.store, blobs: adapters.blobs, logger });
    searchIndex = index;
    search = { index, indexer, caughtUp: Promise.resolve() };
    const documents = createDocumentService({
      adapters,
      hub,
      config,
      logger,
      onDeleted: (id) => index.markDeleted(id),
      documentHub,
    });
    const events = adapters.eventListener({
      waitSeconds: config.sqsWaitSeconds,
      staleAfterSeconds: config.events.staleQueueSeconds,
      logger,
      // Each event goes to every sink; one that fails does not keep it from the others.
      onEvent: (event) =>
        eachLogged(logger, 'an event sink failed', [
          () => event.kind === 'job.updated' && hub.dispatch(event.job),
          () => event.kind === 'job.updated' && indexer.onJobEvent(event.job, event.search),
          () => event.kind === 'document.deleted' && index.markDeleted(event.documentId),
          () => documentHub.dispatch(feedEventOf(event)),
        ]),
    });
    listener = events;
    await events.start();
    // In the background: the api serves (and indexes new events) while a large table is scanned.
    search.caughtUp = indexer.catchUp().then(
      () => undefined,
      (err: unknown) => logger.error({ err }, 'search index catch-up failed; restart to retry'),
    );

    const apiKeys = new ApiKeyService(adapters.apiKeys);
    const verifier = createTokenVerifier(authConfig, apiKeys.lookup);
    const limiter = new UsageLimiter(
      config.usage,
      config.usage.store === 'dynamodb' ? adapters.requestCounter : undefined,
    );
    const uploads = new DirectUploadService({
      uploads: adapters.uploads,
      blobs: adapters.blobs,
      store: adapters.store,
      documents,
      maxUploadBytes: config.limits.maxUploadBytes,
      partBytes: config.limits.uploadPartBytes,
      expirySeconds: config.limits.uploadExpirySeconds,
      idempotencyWindowSeconds: config.idempotencyWindowSeconds,
      logger,
    });
    sweeper = setInterval(() => {
      sweepExpiredUploads({ ...adapters, logger }).catch((err: unknown) =>
        logger.warn({ err }, 'expired-upload sweep failed'),
      );
    }, config.worker.sweepIntervalSeconds * 1000);
    const services = {
      documents,
      uploads,
      apiKeys,
      search: new SearchService({ index, store: adapters.store }),
    };
    const formatError = createErrorFormatter({ hideSuggestions: config.env === 'production' });
    const schema = await buildDocpipeSchema();
    const app = createHttpApp({
      config,
      logger,
      readiness: async () => ({
        ...(await adapters.readiness()),
        events: events.isHealthy ? 'ok' : 'receive-failing',
      }),
    });
    const httpServer: Server = createServer(app);
    const operations = new SubscriptionOperations({ schema, config, services, logger, formatError });
    const ws = attachWebSocketTransport({
      httpServer,
      path: GRAPHQL_PATH,
      config,
      verifier,
      limiter,
      operations,
      logger,
      correlationIdOf,
    });
    fanout = ws.fanout;
    // Before /graphql, whose middleware would take /graphql/stream as well.
    const sse = mountGraphQLSse(app, { path: SSE_PATH, config, verifier, limiter, operations, logger });
    apollo = await startApollo({
      schema,
      httpServer,
      config,
      logger,
      formatError,
      onDrain: async () => {
        sse.dispose();
        await ws.dispose();
      },
    });
    mountGraphQLHttp(app, { path: GRAPHQL_PATH, apollo, config, logger, verifier, limiter, services });

    await new Promise<void>((resolve, reject) => {
      httpServer.once('error', reject);
      httpServer.listen(config.http.port, config.http.host, () => resolve());
    });
    const { port } = httpServer.address() as AddressInfo;
    const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
    const url = `http://${host}:${port}${GRAPHQL_PATH}`;
    logger.info({ url, instanceId: events.instanceId }, 'api listening');
    return { url, port };
  }

  async function release() {
    clearInterval(sweeper);
    await apollo?.stop(); // drains HTTP; ends event streams and closes WebSockets (1001)
    await listener?.stop();
    search?.indexer.stop();
    await search?.caughtUp;
    await search?.indexer.idle();
    search?.indexer.markStopped();
    searchIndex?.close();
    searchIndex = undefined;
    aws?.destroy();
    apollo = undefined;
    listener = undefined;
    aws = undefined;
  }

  const lifecycle = new Lifecycle('api', { boot, release });

  return {
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
    hub,
    documentHub,
    get phase() {
      return lifecycle.phase;
    },
    get search() {
      return search;
    },
    get events() {
      return listener;
    },
    get fanout() {
      return fanout;
    },
  };
}

/** Runs each function, logging (not throwing) what one throws. */
function eachLogged(logger: Logger, message: string, fns: (() => unknown)[]): void {
  for (const fn of fns) {
    try {
      fn();
    } catch (err) {
      logger.error({ err }, message);
    }
  }
}
