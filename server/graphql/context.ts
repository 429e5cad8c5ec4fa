import DataLoader from 'dataloader';
import type { Logger } from 'pino';
import type { JobRecord } from '../../domain/model.js';
import type { DocumentService } from '../document-service.js';
import type { DocumentStore } from '../../aws/document-store.js';

/** Per-request (or per-subscription) context. */
export interface GraphQLContext {
  ownerId: string;
  correlationId: string;
  logger: Logger;
  documents: DocumentService;
  /** Batches `Document.job` lookups of one request into BatchGetItem calls. */
  jobLoader: DataLoader<string, JobRecord | null>;
}

export function createContext(args: {
  ownerId: string;
  correlationId: string;
  logger: Logger;
  documents: DocumentService;
  store: DocumentStore;
}): GraphQLContext {
  const { store, ...rest } = args;
  return {
    ...rest,
    jobLoader: new DataLoader(async (ids) => {
      const found = await store.getJobs(ids);
      return ids.map((id) => found.get(id) ?? null);
    }),
  };
}
