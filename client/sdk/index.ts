/**
 * The docpipe SDK, for browsers and Node. Node code that uploads from file paths imports
 * `./node.js` instead, which re-exports all of this.
 */
export { createClient } from './client.js';
export type {
  ApiKey,
  ClientOptions,
  CreatedApiKey,
  DocumentEvent,
  ConnectionState,
  DocpipeClient,
  Document,
  DocumentPage,
  Job,
  JobStatus,
  Node,
  ListOptions,
  RequestOptions,
  RetryOptions,
  RevokedApiKey,
  SearchFilter,
  SearchOptions,
  SearchPage,
  SubscriptionTransport,
  UploadInput,
  WatchDocumentsOptions,
} from './client.js';
export { contentTypeFor } from './content-type.js';
export { DocpipeError, isDocpipeError, SERVER_ERROR_CODES } from './errors.js';
export type { ClientErrorCode, DocpipeErrorCode, GraphQLErrorEntry, ServerErrorCode } from './errors.js';
export type { UploadBody, UploadOptions, UploadProgress } from './upload.js';
export { DEFAULT_DIRECT_UPLOAD_THRESHOLD } from './client.js';
export { localStorageUploadState } from './direct-upload.js';
export type { RandomAccessSource, SavedUpload, UploadStateStore } from './direct-upload.js';
export { isTerminalStatus } from './watch.js';
export type { WatchOptions } from './watch.js';
