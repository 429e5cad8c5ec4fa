import 'reflect-metadata';
import { createPubSub } from '@graphql-yoga/subscription';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { ApiKeyResolver } from './api-key.resolver.js';
import { DocumentResultResolver } from './document-result.resolver.js';
import { DocumentResolver } from './document.resolver.js';
import { DocumentEventsResolver } from './document-events.resolver.js';
import { NodeResolver } from './node.resolver.js';
import { JobResolver } from './job.resolver.js';
import { SearchResolver } from './search.resolver.js';
import { UploadResolver } from './upload.resolver.js';

/**
 * Builds the executable schema from the resolver classes. Subscriptions bring their own
 * `subscribe` (fed by SNS via the JobEventHub); the pubSub only satisfies type-graphql.
 */
export function buildDocpipeSchema(): Promise<GraphQLSchema> {
  return buildSchema({
    resolvers: [
      DocumentResolver,
      DocumentResultResolver,
      JobResolver,
      ApiKeyResolver,
      SearchResolver,
      DocumentEventsResolver,
      NodeResolver,
      UploadResolver,
    ],
    pubSub: createPubSub(),
    validate: false,
  });
}
