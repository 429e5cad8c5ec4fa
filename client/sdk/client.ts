import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
import {
  CreateApiKeyDocument,
  DeleteDocumentDocument,
  DocumentDownloadUrlDocument,
  DocumentByIdDocument,
  JobByIdDocument,
  ListApiKeysDocument,
  ListDocumentsDocument,
  NodesDocument,
  ReprocessDocumentDocument,
  RevokeApiKeyDocument,
  SearchDocumentsDocument,
  UploadDocumentDocument,
  type ApiKeyFieldsFragment,
  type CreateApiKeyMutation,
  type DeleteDocumentMutation,
  type DocumentFieldsFragment,
  type JobFieldsFragment,
  type JobStatus,
  type ListDocumentsQuery,
  type RevokeApiKeyMutation,
  type SearchDocumentsQuery,
  type SearchFilter,
  type UploadDocumentMutation,
} from '../generated/graphql.js';
import { DocpipeError } from './errors.js';
import { operation } from './operation.js';
import type { ClientOptions, RequestOptions } from './options.js';
import { parseReply } from './reply.js';
import { createTransport } from './transport.js';
import { sendMultipart, type UploadBody, type UploadOptions } from './upload.js';
import { blobSource, directUpload, type RandomAccessSource } from './direct-upload.js';
import { contentTypeFor } from './content-type.js';
import { watchJobWith, type WatchOptions } from './watch.js';
import { watchDocumentsWith, type DocumentEvent, type WatchDocumentsOptions } from './document-events.js';

/** A document as every SDK call returns it (the `DocumentFields` fragment). */
export type Document = DocumentFieldsFragment;
/** A processing job (the `JobFields` fragment). */
export type Job = JobFieldsFragment;
/** What `nodes` answers for one id: a document or a job, told apart by `__typename`. */
export type Node = ({ __typename: 'Document' } & Document) | ({ __typename: 'Job' } & Job);
export type { JobStatus };
/** An API key's public part (the `ApiKeyFields` fragment); the key itself is never listed. */
export type ApiKey = ApiKeyFieldsFragment;
/** `createApiKey`'s answer: the new key's record and the key itself (`dpk_…`), shown this once. */
export type CreatedApiKey = CreateApiKeyMutation['createApiKey'];
/** `revokeApiKey`'s answer; `revoked` is false when there was no such active key of yours. */
export type RevokedApiKey = RevokeApiKeyMutation['revokeApiKey'];
/** One page of `documents`, newest first. */
export type DocumentPage = ListDocumentsQuery['documents'];
/** One page of `searchDocuments`: hits with their document, score and snippets. */
export type SearchPage = SearchDocumentsQuery['searchDocuments'];
export type { SearchFilter };
/** A file given by path, opened by the Node entry point (`node.ts`). */
export type UploadInput = UploadBody | string;
export type { DocumentEvent, WatchDocumentsOptions } from './document-events.js';
export type {
  ClientOptions,
  ConnectionState,
  RequestOptions,
  RetryOptions,
  SubscriptionTransport,
} from './options.js';

export interface ListOptions extends RequestOptions {
  /** Page size, 1–100, paging forward (newest first). @default 20 */
  first?: number;
  /** `pageInfo.endCursor` of the previous page. */
  after?: string | null;
  /** Page size, 1–100, paging backward: the documents just before `before`. */
  last?: number;
  /** `pageInfo.startCursor` of the page after. */
  before?: string | null;
  /** Only documents whose current job has this status. */
  status?: JobStatus | null;
}

export interface SearchOptions extends RequestOptions {
  /** Page size, 1–50. @default 10 */
  first?: number;
  /** `pageInfo.endCursor` of the previous page. */
  after?: string | null;
  filter?: SearchFilter | null;
}

export interface DocpipeClient {
  /** The GraphQL endpoint this client talks to. */
  readonly url: string;
  /**
   * Runs any typed operation (a generated `…Document`) and returns its `data`.
   * @throws {@link DocpipeError} with the first error's `extensions.code`.
   */
  request<TResult, TVariables>(
    document: DocumentTypeDecoration<TResult, TVariables> & { toString(): string },
    variables: TVariables,
    options?: RequestOptions,
  ): Promise<TResult>;
  /** A document by id, or `null` when it does not exist (or is not yours). */
  document(id: string, options?: RequestOptions): Promise<Document | null>;
  /** A page of your documents, newest first. Pass `pageInfo.endCursor` as `after` for the next one. */
  documents(options?: ListOptions): Promise<DocumentPage>;
  /**
   * Full-text search of your documents: words (all must appear), `"exact phrases"`, `prefix*`,
   * `-excluded`; accents and case ignored; most relevant first. Each hit has snippets of plain text
   * with `highlights` ranges (UTF-16 offsets) to render as you like.
   * @throws {@link DocpipeError} `BAD_USER_INPUT` for an empty or over-long query, or a bad cursor.
   */
  search(query: string, options?: SearchOptions): Promise<SearchPage>;
  /** A job by id, or `null`. */
  job(id: string, options?: RequestOptions): Promise<Job | null>;
  /**
   * Documents and jobs by id in one request (at most 100), in the order given: each is a
   * `{ __typename: 'Document', ... }` or `{ __typename: 'Job', ... }`, or `null` where none is yours.
   */
  nodes(ids: readonly string[], options?: RequestOptions): Promise<(Node | null)[]>;
  /**
   * A presigned URL for the original bytes (valid 15 minutes) plus the stored name and size.
   * @throws {@link DocpipeError} `NOT_FOUND` when the document does not exist.
   */
  downloadInfo(
    id: string,
    options?: RequestOptions,
  ): Promise<{ url: string; filename: string; size: number }>;
  /**
   * Uploads a file; processing starts at once (watch `document.job.id`). Accepts a `File`/`Blob`,
   * bytes (`Buffer`, `Uint8Array`, `ArrayBuffer`), a stream (web `ReadableStream` or Node `Readable`),
   * or in Node a file path. Sends a GraphQL multipart request with the CSRF preflight header.
   * @throws {@link DocpipeError} e.g. `PAYLOAD_TOO_LARGE`, `BAD_USER_INPUT`, `NETWORK_ERROR`.
   */
  uploadDocument(file: UploadInput, options?: UploadOptions): Promise<Document>;
  /** Deletes a document and its bytes. `deleted` is false when there was nothing to delete. */
  deleteDocument(id: string, options?: RequestOptions): Promise<DeleteDocumentMutation['deleteDocument']>;
  /**
   * Processes a document again with a new job.
   * @throws {@link DocpipeError} `NOT_FOUND`, or `BAD_USER_INPUT` while a job is still running.
   */
  reprocessDocument(id: string, options?: RequestOptions): Promise<Document>;
  /**
   * Live job state: yields the current state first, then every newer version, and ends after
   * COMPLETED or FAILED. Survives dropped connections: it reconnects with backoff, resubscribes and
   * resumes from the current state, never yielding a version twice or going backwards.
   *
   * @example
   * ```ts
   * for await (const job of client.watchJob(doc.job!.id)) console.log(job.stage, job.progress);
   * ```
   * @throws {@link DocpipeError} `NOT_FOUND`, `ABORTED`, `NETWORK_ERROR` once retries run out,
   * `UNAUTHENTICATED` when the api refuses the socket's token (close code 4403; not retried), or
   * `RATE_LIMITED` for too many sockets or subscriptions of this owner.
   */
  watchJob(jobId: string, options?: WatchOptions): AsyncIterableIterator<Job>;
  /**
   * Every change to your documents, made through any api instance: CREATED, UPDATED (queued,
   * started, progress), COMPLETED, FAILED, DELETED, each with the document as it now is. Runs until
   * you stop it (`break`, or `signal`). Keep the last event's `cursor` and pass it as `after` to
   * resume without missing a change.
   */
  watchDocuments(options?: WatchDocumentsOptions): AsyncIterableIterator<DocumentEvent>;
  /** Your API keys, newest first, revoked ones included (with `revokedAt`). */
  apiKeys(options?: RequestOptions): Promise<ApiKey[]>;
  /**
   * Creates an API key for scripts and CI. The returned `key` (`dpk_…`) is shown only this once;
   * use it as the `token` option or `DOCPIPE_TOKEN`.
   * @throws {@link DocpipeError} `BAD_USER_INPUT` for an empty or over-long name, or too many keys.
   */
  createApiKey(name: string, options?: RequestOptions): Promise<CreatedApiKey>;
  /** Revokes an API key at once; requests with it are then `UNAUTHENTICATED`. */
  revokeApiKey(id: string, options?: RequestOptions): Promise<RevokedApiKey>;
  /** Closes the subscription socket. Call it when done so a Node process can exit. */
  close(): Promise<void>;
}

/**
 * Creates a docpipe client. Works in browsers and Node ≥ 22; in Node, import it from
 * `client/sdk/node.js` to also upload from file paths.
 *
 * @example
 * ```ts
 * const client = createClient({ url: 'http://127.0.0.1:4000/graphql', token });
 * const doc = await client.uploadDocument(file, { onProgress: (p) => console.log(p.loaded, p.total) });
 * for await (const job of client.watchJob(doc.job!.id)) console.log(job.status, job.progress);
 * await client.close();
 * ```
 */
export function createClient(options: ClientOptions): DocpipeClient {
  const url = options.url;
  const transport = createTransport(options);
  const { request } = transport;
  async function uploadDocument(file: UploadInput, opts: UploadOptions = {}): Promise<Document> {
    let body: UploadBody;
    let uploadOptions = opts;
    let random: (RandomAccessSource & { identity?: string }) | undefined;
    if (typeof file === 'string') {
      if (!options.openPath) {
        throw new DocpipeError(
          'BAD_USER_INPUT',
          'Uploading from a path needs Node: create the client with client/sdk/node.js',
        );
      }
      const opened = await options.openPath(file);
      body = opened.body;
      // The caller's name and type win over the path's, on the direct path as on the streamed one.
      random = opened.random && {
        ...opened.random,
        ...stripUndefined({ filename: opts.filename, contentType: opts.contentType }),
      };
      uploadOptions = {
        filename: opened.filename,
        contentType: opened.contentType,
        size: opened.size,
        ...stripUndefined(opts),
      };
    } else {
      body = file;
      if (file instanceof Blob) random = fileSource(file, opts);
    }
    if (random && random.size >= (options.directUploadThreshold ?? DEFAULT_DIRECT_UPLOAD_THRESHOLD)) {
      const { identity } = random;
      return directUpload(transport, url, options.fetch ?? globalThis.fetch, random, {
        ...(options.uploadConcurrency ? { concurrency: options.uploadConcurrency } : {}),
        ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(identity && options.uploadState ? { state: options.uploadState(identity) } : {}),
      });
    }
    const reply = await sendMultipart({
      url,
      headers: transport.headers,
      operations: { ...operation(UploadDocumentDocument), variables: { file: null } },
      fileVariablePath: 'variables.file',
      body,
      options: uploadOptions,
      fetch: options.fetch,
    });
    return parseReply<UploadDocumentMutation>(reply).createDocument.document;
  }

  return {
    url,
    request,
    async document(id, opts) {
      return (await request(DocumentByIdDocument, { id }, opts)).document;
    },
    async documents(opts = {}) {
      const { signal, ...vars } = opts;
      return (await request(ListDocumentsDocument, vars, signal ? { signal } : {})).documents;
    },
    async search(query, opts = {}) {
      const { signal, ...vars } = opts;
      return (await request(SearchDocumentsDocument, { query, ...vars }, signal ? { signal } : {}))
        .searchDocuments;
    },
    async job(id, opts) {
      return (await request(JobByIdDocument, { id }, opts)).job;
    },
    async nodes(ids, opts) {
      return (await request(NodesDocument, { ids: [...ids] }, opts)).nodes as (Node | null)[];
    },
    async downloadInfo(id, opts) {
      const { document } = await request(DocumentDownloadUrlDocument, { id }, opts);
      if (!document) throw new DocpipeError('NOT_FOUND', `Document ${id} not found`);
      return { url: document.downloadUrl, filename: document.filename, size: document.size };
    },
    uploadDocument,
    async deleteDocument(id, opts) {
      return (await request(DeleteDocumentDocument, { id }, opts)).deleteDocument;
    },
    async reprocessDocument(id, opts) {
      return (await request(ReprocessDocumentDocument, { id }, opts)).restartProcessing.document;
    },
    watchJob(jobId, opts) {
      return watchJobWith(transport.subscriptions, jobId, opts);
    },
    watchDocuments(opts) {
      return watchDocumentsWith(transport.subscriptions, opts);
    },
    async apiKeys(opts) {
      return (await request(ListApiKeysDocument, {}, opts)).apiKeys;
    },
    async createApiKey(name, opts) {
      return (await request(CreateApiKeyDocument, { name }, opts)).createApiKey;
    },
    async revokeApiKey(id, opts) {
      return (await request(RevokeApiKeyDocument, { id }, opts)).revokeApiKey;
    },
    close: () => transport.close(),
  };
}

/** Files from this size on go directly to storage (ClientOptions.directUploadThreshold). */
export const DEFAULT_DIRECT_UPLOAD_THRESHOLD = 64 * 1024 * 1024;

/** A Blob or File to upload directly; a File's name, size and date identify it for resuming. */
function fileSource(blob: Blob, opts: UploadOptions): RandomAccessSource & { identity?: string } {
  const name = opts.filename ?? (typeof File !== 'undefined' && blob instanceof File ? blob.name : 'upload');
  const source = blobSource(blob, name, opts.contentType || blob.type || contentTypeFor(name));
  return typeof File !== 'undefined' && blob instanceof File
    ? { ...source, identity: `${blob.name}:${blob.size}:${blob.lastModified}` }
    : source;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
