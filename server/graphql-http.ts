/**
 * GraphQL over HTTP: Apollo with the query limits, error masking and HTTP statuses, mounted on
 * /graphql behind authentication, the request budget and the upload gate.
 */
import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type Express } from 'express';
import type { GraphQLSchema } from 'graphql';
import { graphqlUploadExpress } from 'graphql-upload-ts';
import type { Logger } from 'pino';
import type { TokenVerifier } from '../auth/tokens.js';
import type { Config } from '../domain/config.js';
import { createContext, type ContextServices, type GraphQLContext } from './graphql/context.js';
import { logUnexpected, type createErrorFormatter } from './graphql/errors.js';
import { httpStatusPlugin } from './graphql/http-status.js';
import { guardRules, QUERY_LIMITS } from './graphql/guard.js';
import { authenticate, principalOf, rateLimit, requestErrorHandler, uploadGate } from './http-guards.js';
import { TrustedDocuments, trustedDocumentsGate } from './trusted-documents.js';
import type { UsageLimiter } from './usage-limits.js';

export async function startApollo(args: {
  schema: GraphQLSchema;
  httpServer: Server;
  config: Config;
  logger: Logger;
  formatError: ReturnType<typeof createErrorFormatter>;
  /** Runs when Apollo drains, after HTTP stopped accepting (closes the WebSockets and event streams). */
  onDrain: () => Promise<void>;
}): Promise<ApolloServer<GraphQLContext>> {
  const { logger } = args;
  const production = args.config.env === 'production';
  const apollo = new ApolloServer<GraphQLContext>({
    schema: args.schema,
    formatError: args.formatError,
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
      ApolloServerPluginDrainHttpServer({ httpServer: args.httpServer }),
      httpStatusPlugin,
      {
        async serverWillStart() {
          return { drainServer: args.onDrain };
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
  return apollo;
}

/** Mounts GraphQL on `path`: authentication → budget → upload gate → parsers → trusted documents → Apollo. */
export function mountGraphQLHttp(
  app: Express,
  args: {
    path: string;
    apollo: ApolloServer<GraphQLContext>;
    config: Config;
    logger: Logger;
    verifier: TokenVerifier;
    limiter: UsageLimiter;
    services: ContextServices;
  },
): void {
  const { config, logger } = args;
  app.use(
    args.path,
    authenticate(args.verifier, logger),
    rateLimit(args.limiter),
    uploadGate(args.limiter, config.limits.maxUploadBytes),
    // One byte over the limit lets UploadMeter, not the parser, report PAYLOAD_TOO_LARGE.
    graphqlUploadExpress({ maxFileSize: config.limits.maxUploadBytes + 1, maxFiles: 1 }),
    express.json({ limit: '1mb' }),
    trustedDocumentsGate(new TrustedDocuments(config.trustedDocumentsOnly)),
    expressMiddleware(args.apollo, {
      context: async ({ req, res }) => {
        const correlationId = String(res.locals['correlationId']);
        const storagePath = storagePathOf(req.headers[STORAGE_PATH_HEADER]);
        return createContext({
          principal: principalOf(res),
          correlationId,
          ...(storagePath && { storagePath }),
          logger: logger.child({ correlationId }),
          ...args.services,
        });
      },
    }),
  );
  app.use(requestErrorHandler(logger));
}

/** Set by the edge (nginx) on every request it proxies: where it forwards to the S3 emulator. */
export const STORAGE_PATH_HEADER = 'x-docpipe-storage-path';

/**
 * The edge's storage path, if it is a plain absolute path. A client talking to the api directly
 * could send the header too; it only changes the URLs it gets itself.
 */
function storagePathOf(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && /^\/[\w-]+(\/[\w-]+)*$/.test(value) ? value : undefined;
}
