import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { HeadBucketCommand } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import express from 'express';
import { graphqlUploadExpress } from 'graphql-upload-ts';
import type { Logger } from 'pino';
import { ensureResources, resolveResources, type Resources } from '../aws/bootstrap.js';
import { createAwsClients, type AwsClients } from '../aws/clients.js';
import { DocumentStore } from '../aws/document-store.js';
import { JobEventListener } from '../aws/job-events.js';
import type { Config } from '../domain/config.js';
import { ApiKeyStore } from '../aws/api-key-store.js';
import { RequestCounter } from '../aws/request-counter.js';
import { readDevToken, resolveSecret } from '../auth/local-secret.js';
import { createTokenVerifier } from '../auth/tokens.js';
import { newId } from '../domain/ids.js';
import { createDocumentService } from './document-service.js';
import { JobEventHub } from './events/job-event-hub.js';
import { ApiKeyService } from './api-keys.js';
import { createContext, type GraphQLContext } from './graphql/context.js';
import { createErrorFormatter, httpStatusPlugin } from './graphql/errors.js';
import { guardRules, QUERY_LIMITS } from './graphql/guard.js';
import { buildDocpipeSchema } from './graphql/schema.js';
import { attachWebSocketTransport, logUnexpected } from './graphql-ws.js';
import {
  allowedHosts,
  authenticate,
  principalOf,
  rateLimit,
  requestErrorHandler,
  securityHeaders,
  uploadGate,
} from './http-guards.js';
import { UsageLimiter } from './usage-limits.js';
import { mountWebAssets } from './web-assets.js';
import { createLogger } from '../domain/logger.js';

export interface ApiServer {
  /** Bootstraps resources, starts the event listener and listens; resolves with the bound URL. */
  start(): Promise<{ url: string; port: number }>;
  /** Stops accepting, drains HTTP, closes WebSockets, removes this instance's event queue. */
  stop(): Promise<void>;
  readonly hub: JobEventHub;
  /** This instance's event listener (exists after `start()`). */
  readonly events: JobEventListener | undefined;
}

export const GRAPHQL_PATH = '/graphql';
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Wires the api from a config object. Nothing happens until `start()`. */
export function createApiServer(config: Config, opts: { logger?: Logger } = {}): ApiServer {
  const logger = opts.logger ?? createLogger('api', config.logLevel);
  const hub = new JobEventHub();
  let aws: AwsClients | undefined;
  let listener: JobEventListener | undefined;
  let httpServer: Server | undefined;
  let apollo: ApolloServer<GraphQLContext> | undefined;

  async function start() {
    // First, so that a production api without a secret refuses before touching AWS.
    const authConfig = config.auth.jwksUrl ? config.auth : { ...config.auth, secret: resolveSecret(config) };
    aws = createAwsClients(config.aws);
    const resources: Resources = config.bootstrap
      ? await ensureResources(aws, config.resources, {
          visibilityTimeoutSeconds: config.worker.visibilityTimeoutSeconds,
        })
      : await resolveResources(aws, config.resources);
    const store = new DocumentStore(aws, resources.table);
    const documents = createDocumentService({ aws, resources, store, hub, config, logger });
    listener = new JobEventListener({
      aws,
      topicArn: resources.eventsTopicArn,
      queuePrefix: `${resources.eventsTopicName}-api`,
      waitSeconds: config.sqsWaitSeconds,
      staleAfterSeconds: config.events.staleQueueSeconds,
      logger,
      onEvent: (event) => hub.dispatch(event.job),
    });
    await listener.start();

    const apiKeys = new ApiKeyService(new ApiKeyStore(aws, resources.table));
    const verifier = createTokenVerifier(authConfig, apiKeys.lookup);
    const limiter = new UsageLimiter(
      config.usage,
      config.usage.store === 'dynamodb' ? new RequestCounter(aws, resources.table) : undefined,
    );
    const services = { documents, apiKeys };
    const production = config.env === 'production';
    const formatError = createErrorFormatter({ hideSuggestions: production });

    const schema = await buildDocpipeSchema();
    const app = express();
    app.disable('x-powered-by');
    app.use((req, res, next) => {
      const given = req.header('x-request-id');
      const id = given && REQUEST_ID.test(given) ? given : newId();
      res.locals['correlationId'] = id;
      res.setHeader('X-Request-Id', id);
      next();
    });
    app.get('/healthz', (_req, res) => {
      res.json({ status: 'ok' });
    });
    app.use(allowedHosts(config), securityHeaders());
    const awsClients = aws;
    const eventListener = listener;
    app.get('/readyz', async (_req, res) => {
      const checks = await readiness(awsClients, resources, eventListener);
      const ready = Object.values(checks).every((c) => c === 'ok');
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks });
    });
    // Web page at /, playground at GET /graphql (HTML); the development token only on loopback.
    mountWebAssets(app, config, {
      logger,
      ...(config.env === 'development' ? { devToken: () => readDevToken(config.dataDir) } : {}),
    });

    httpServer = createServer(app);
    // One correlation id per WebSocket connection: the upgrade request's X-Request-Id, or a new one.
    const correlationIdOf = (request: IncomingMessage): string => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId();
    };
    const ws = attachWebSocketTransport({
      httpServer,
      path: GRAPHQL_PATH,
      schema,
      config,
      verifier,
      limiter,
      services,
      logger,
      formatError,
      correlationIdOf,
    });

    apollo = new ApolloServer<GraphQLContext>({
      schema,
      formatError,
      includeStacktraceInErrorResponses: false,
      introspection: !production,
      hideSchemaDetailsFromClientErrors: production,
      csrfPrevention: true,
      allowBatchedHttpRequests: false,
      parseOptions: { maxTokens: QUERY_LIMITS.maxTokens },
      validationRules: guardRules({ introspection: !production }),
      // main.ts owns SIGINT/SIGTERM. Apollo's own handlers would race it and re-raise the signal.
      stopOnTerminationSignals: false,
      plugins: [
        // The playground is ours (served offline, off in production); Apollo's loads from a CDN.
        ApolloServerPluginLandingPageDisabled(),
        ApolloServerPluginDrainHttpServer({ httpServer }),
        httpStatusPlugin,
        {
          async serverWillStart() {
            return {
              async drainServer() {
                await ws.dispose();
              },
            };
          },
        },
        {
          async requestDidStart() {
            return {
              async didEncounterErrors({ errors, contextValue }) {
                logUnexpected(logger, errors, contextValue.correlationId);
              },
            };
          },
        },
      ],
    });
    await apollo.start();

    app.use(
      GRAPHQL_PATH,
      authenticate(verifier, logger),
      rateLimit(limiter),
      uploadGate(limiter, config.limits.maxUploadBytes),
      // One byte over the limit lets UploadMeter, not the parser, report PAYLOAD_TOO_LARGE.
      graphqlUploadExpress({ maxFileSize: config.limits.maxUploadBytes + 1, maxFiles: 1 }),
      express.json({ limit: '1mb' }),
      expressMiddleware(apollo, {
        context: async ({ res }) => {
          const correlationId = String(res.locals['correlationId']);
          return createContext({
            principal: principalOf(res),
            correlationId,
            logger: logger.child({ correlationId }),
            ...services,
          });
        },
      }),
    );
    app.use(requestErrorHandler(logger));

    const server = httpServer;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.http.port, config.http.host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const host = config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host;
    const url = `http://${host}:${port}${GRAPHQL_PATH}`;
    logger.info({ url, instanceId: listener.instanceId }, 'api listening');
    return { url, port };
  }

  async function stop() {
    await apollo?.stop(); // drains HTTP, then disposes the WebSocket server (close code 1001)
    await listener?.stop();
    aws?.destroy();
  }

  return {
    start,
    stop,
    hub,
    get events() {
      return listener;
    },
  };
}

async function readiness(aws: AwsClients, resources: Resources, listener: JobEventListener) {
  const check = async (fn: () => Promise<unknown>): Promise<string> => {
    try {
      await Promise.race([
        fn(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 2_000).unref()),
      ]);
      return 'ok';
    } catch (err) {
      return err instanceof Error ? err.name || 'error' : 'error';
    }
  };
  const [dynamodb, s3, sqs] = await Promise.all([
    check(() => aws.dynamodb.send(new DescribeTableCommand({ TableName: resources.table }))),
    check(() => aws.s3.send(new HeadBucketCommand({ Bucket: resources.bucket }))),
    check(() =>
      aws.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: resources.jobsQueueUrl, AttributeNames: ['QueueArn'] }),
      ),
    ),
  ]);
  return { dynamodb, s3, sqs, events: listener.isHealthy ? 'ok' : 'receive-failing' };
}
