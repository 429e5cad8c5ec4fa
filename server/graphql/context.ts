import DataLoader from 'dataloader';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { Principal } from '../../auth/tokens.js';
import type { JobRecord } from '../../domain/model.js';
import type { ApiKeyService } from '../api-keys.js';
import type { DirectUploadService } from '../direct-upload-service.js';
import type { DocumentService } from '../document-service.js';
import type { SearchService } from '../search/search-service.js';

/** DynamoDB/S3 calls one GraphQL request may have in flight at once, however many fields it asks for. */
export const REQUEST_IO_CONCURRENCY = 8;

/** Per-request (or per-subscription) context. */
export interface GraphQLContext {
  /** From the verified token only: scopes every read and write. */
  ownerId: string;
  principal: Principal;
  correlationId: string;
  logger: Logger;
  documents: DocumentService;
  uploads: DirectUploadService;
  apiKeys: ApiKeyService;
  search: SearchService;
  /**
   * Where this request's client reaches the S3 emulator through the edge (nginx's
   * `X-Docpipe-Storage-Path`, e.g. `/storage`): presigned part URLs are made relative to it.
   */
  storagePath?: string;
  /** Runs a storage call under this request's concurrency bound. */
  io: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Batches `Document.job` lookups of one request into BatchGetItem calls. */
  jobLoader: DataLoader<string, JobRecord | null>;
}

export interface ContextServices {
  documents: DocumentService;
  uploads: DirectUploadService;
  apiKeys: ApiKeyService;
  search: SearchService;
}

export function createContext(
  args: {
    principal: Principal;
    correlationId: string;
    logger: Logger;
    storagePath?: string;
  } & ContextServices,
): GraphQLContext {
  const { principal, documents } = args;
  // Made on first use: a WebSocket subscription holds its context for its whole life and most never
  // touch either (jobUpdated reads nothing through them).
  let limit: ReturnType<typeof pLimit> | undefined;
  let jobLoader: DataLoader<string, JobRecord | null> | undefined;
  const limited = <T>(fn: () => Promise<T>) => (limit ??= pLimit(REQUEST_IO_CONCURRENCY))(fn);
  return {
    ...args,
    ownerId: principal.ownerId,
    io: limited,
    get jobLoader() {
      return (jobLoader ??= new DataLoader(async (ids) => {
        const found = await limited(() => documents.getJobs(principal.ownerId, ids));
        return ids.map((id) => found.get(id) ?? null);
      }));
    },
  };
}
