/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
export type CompleteUploadInput = {
  id: string | number;
  /** Every part, in order from 1. */
  parts: Array<CompletedPartInput>;
};

export type CompletedPartInput = {
  /** The ETag header of the part's PUT answer. */
  etag: string;
  partNumber: number;
};

export type CreateUploadInput = {
  /** MIME type claimed (the worker detects the real one). */
  contentType?: string | null | undefined;
  /** Name stored with the document; metadata only. */
  filename: string;
  /** Creating again with the same key (within 24 h by default) returns the same pending upload. */
  idempotencyKey?: string | null | undefined;
  /** Hex SHA-256 of the file: completeUpload refuses other bytes (CHECKSUM_MISMATCH). */
  sha256?: string | null | undefined;
  /** Exact size in bytes (at most the upload limit). */
  size: number;
};

/** CREATED (uploaded), UPDATED (its job queued, started or progressed), COMPLETED, FAILED, DELETED. */
export type DocumentChange =
  | 'COMPLETED'
  | 'CREATED'
  | 'DELETED'
  | 'FAILED'
  | 'UPDATED';

/** Lifecycle of a processing job. */
export type JobStatus =
  | 'COMPLETED'
  | 'FAILED'
  | 'PROCESSING'
  | 'QUEUED';

export type SearchFilter = {
  /** Uploaded after this time. */
  createdAfter?: string | null | undefined;
  /** Uploaded before this time. */
  createdBefore?: string | null | undefined;
  /** pdf, docx, html, text, markdown, csv, json, image… */
  kind?: string | null | undefined;
  /** ISO 639-3 code, e.g. eng, fra, deu. */
  language?: string | null | undefined;
  /** Status of the document now. */
  status?: JobStatus | null | undefined;
};

export type UploadPartsInput = {
  id: string | number;
  /** 1-1000 part numbers. */
  partNumbers: Array<number>;
};

export type ApiKeyFieldsFragment = { id: string, name: string, createdAt: string, revokedAt: string | null };

export type ListApiKeysQueryVariables = Exact<{ [key: string]: never; }>;


export type ListApiKeysQuery = { apiKeys: Array<{ id: string, name: string, createdAt: string, revokedAt: string | null }> };

export type CreateApiKeyMutationVariables = Exact<{
  name: string;
}>;


export type CreateApiKeyMutation = { createApiKey: { key: string, apiKey: { id: string, name: string, createdAt: string, revokedAt: string | null } } };

export type RevokeApiKeyMutationVariables = Exact<{
  id: string | number;
}>;


export type RevokeApiKeyMutation = { revokeApiKey: { id: string, revoked: boolean } };

export type GetDocumentQueryVariables = Exact<{
  id: string | number;
}>;


export type GetDocumentQuery = { document: { id: string, filename: string, contentType: string, detectedType: string | null, size: number, sha256: string, status: JobStatus, createdAt: string, updatedAt: string, job: { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null } | null, result: { jobId: string, kind: string, pageCount: number | null, wordCount: number | null, charCount: number | null, language: string | null, textPreview: string | null, textTruncated: boolean, title: string | null, author: string | null, authoredAt: string | null, metadata: Record<string, unknown>, textUrl: string | null, thumbnailUrl: string | null, image: { width: number, height: number, format: string } | null } | null } | null };

export type ListDocumentsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  status?: JobStatus | null | undefined;
}>;


export type ListDocumentsQuery = { documents: { edges: Array<{ cursor: string, node: { id: string, filename: string, contentType: string, detectedType: string | null, size: number, sha256: string, status: JobStatus, createdAt: string, updatedAt: string, job: { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null } | null, result: { jobId: string, kind: string, pageCount: number | null, wordCount: number | null, charCount: number | null, language: string | null, textPreview: string | null, textTruncated: boolean, title: string | null, author: string | null, authoredAt: string | null, metadata: Record<string, unknown>, textUrl: string | null, thumbnailUrl: string | null, image: { width: number, height: number, format: string } | null } | null } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type DocumentDownloadUrlQueryVariables = Exact<{
  id: string | number;
}>;


export type DocumentDownloadUrlQuery = { document: { id: string, filename: string, size: number, downloadUrl: string } | null };

export type UploadDocumentMutationVariables = Exact<{
  file: File | Blob | null;
}>;


export type UploadDocumentMutation = { uploadDocument: { id: string, filename: string, contentType: string, detectedType: string | null, size: number, sha256: string, status: JobStatus, createdAt: string, updatedAt: string, job: { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null } | null, result: { jobId: string, kind: string, pageCount: number | null, wordCount: number | null, charCount: number | null, language: string | null, textPreview: string | null, textTruncated: boolean, title: string | null, author: string | null, authoredAt: string | null, metadata: Record<string, unknown>, textUrl: string | null, thumbnailUrl: string | null, image: { width: number, height: number, format: string } | null } | null } };

export type DeleteDocumentMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteDocumentMutation = { deleteDocument: { id: string, deleted: boolean } };

export type ReprocessDocumentMutationVariables = Exact<{
  id: string | number;
}>;


export type ReprocessDocumentMutation = { reprocessDocument: { id: string, filename: string, contentType: string, detectedType: string | null, size: number, sha256: string, status: JobStatus, createdAt: string, updatedAt: string, job: { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null } | null, result: { jobId: string, kind: string, pageCount: number | null, wordCount: number | null, charCount: number | null, language: string | null, textPreview: string | null, textTruncated: boolean, title: string | null, author: string | null, authoredAt: string | null, metadata: Record<string, unknown>, textUrl: string | null, thumbnailUrl: string | null, image: { width: number, height: number, format: string } | null } | null } };

export type DocumentEventsSubscriptionVariables = Exact<{
  after?: string | null | undefined;
}>;


export type DocumentEventsSubscription = { documentEvents: { kind: DocumentChange, documentId: string, at: string, cursor: string, document: { id: string, filename: string, contentType: string, detectedType: string | null, size: number, status: JobStatus, createdAt: string, updatedAt: string, result: { kind: string, pageCount: number | null, wordCount: number | null, language: string | null, title: string | null } | null } | null, job: { id: string, status: JobStatus, stage: string, progress: number, version: number } | null } };

export type JobFieldsFragment = { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null };

export type DocumentFieldsFragment = { id: string, filename: string, contentType: string, detectedType: string | null, size: number, sha256: string, status: JobStatus, createdAt: string, updatedAt: string, job: { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null } | null, result: { jobId: string, kind: string, pageCount: number | null, wordCount: number | null, charCount: number | null, language: string | null, textPreview: string | null, textTruncated: boolean, title: string | null, author: string | null, authoredAt: string | null, metadata: Record<string, unknown>, textUrl: string | null, thumbnailUrl: string | null, image: { width: number, height: number, format: string } | null } | null };

export type GetJobQueryVariables = Exact<{
  id: string | number;
}>;


export type GetJobQuery = { job: { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null } | null };

export type JobUpdatedSubscriptionVariables = Exact<{
  jobId: string | number;
}>;


export type JobUpdatedSubscription = { jobUpdated: { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null } };

export type SearchDocumentFieldsFragment = { id: string, filename: string, contentType: string, detectedType: string | null, size: number, status: JobStatus, createdAt: string, updatedAt: string, result: { kind: string, pageCount: number | null, wordCount: number | null, language: string | null, title: string | null } | null };

export type SearchDocumentsQueryVariables = Exact<{
  query: string;
  first?: number | null | undefined;
  after?: string | null | undefined;
  filter?: SearchFilter | null | undefined;
}>;


export type SearchDocumentsQuery = { searchDocuments: { edges: Array<{ cursor: string, node: { score: number, document: { id: string, filename: string, contentType: string, detectedType: string | null, size: number, status: JobStatus, createdAt: string, updatedAt: string, result: { kind: string, pageCount: number | null, wordCount: number | null, language: string | null, title: string | null } | null }, snippets: Array<{ field: string, text: string, highlights: Array<{ start: number, length: number }> }> } }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CreateUploadMutationVariables = Exact<{
  input: CreateUploadInput;
}>;


export type CreateUploadMutation = { createUpload: { upload: { id: string, size: number, partSize: number, partCount: number, expiresAt: string, parts: Array<{ partNumber: number, url: string }> } } };

export type UploadPartsMutationVariables = Exact<{
  input: UploadPartsInput;
}>;


export type UploadPartsMutation = { uploadParts: Array<{ partNumber: number, url: string }> };

export type CompleteUploadMutationVariables = Exact<{
  input: CompleteUploadInput;
}>;


export type CompleteUploadMutation = { completeUpload: { document: { id: string, filename: string, contentType: string, detectedType: string | null, size: number, sha256: string, status: JobStatus, createdAt: string, updatedAt: string, job: { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null } | null, result: { jobId: string, kind: string, pageCount: number | null, wordCount: number | null, charCount: number | null, language: string | null, textPreview: string | null, textTruncated: boolean, title: string | null, author: string | null, authoredAt: string | null, metadata: Record<string, unknown>, textUrl: string | null, thumbnailUrl: string | null, image: { width: number, height: number, format: string } | null } | null } } };

export type GetUploadQueryVariables = Exact<{
  id: string | number;
}>;


export type GetUploadQuery = { upload: { id: string, size: number, partSize: number, partCount: number, expiresAt: string, uploadedParts: Array<{ partNumber: number, etag: string, size: number }> } | null };

export type DirectUploadFieldsFragment = { id: string, size: number, partSize: number, partCount: number, expiresAt: string };

export class TypedDocumentString<TResult, TVariables>
  extends String
  implements DocumentTypeDecoration<TResult, TVariables>
{
  __apiType?: NonNullable<DocumentTypeDecoration<TResult, TVariables>['__apiType']>;
  private value: string;
  public __meta__?: Record<string, any> | undefined;

  constructor(value: string, __meta__?: Record<string, any> | undefined) {
    super(value);
    this.value = value;
    this.__meta__ = __meta__;
  }

  override toString(): string & DocumentTypeDecoration<TResult, TVariables> {
    return this.value;
  }
}
export const ApiKeyFieldsFragmentDoc = new TypedDocumentString(`
    fragment ApiKeyFields on ApiKey {
  id
  name
  createdAt
  revokedAt
}
    `, {"fragmentName":"ApiKeyFields"}) as unknown as TypedDocumentString<ApiKeyFieldsFragment, unknown>;
export const JobFieldsFragmentDoc = new TypedDocumentString(`
    fragment JobFields on Job {
  id
  documentId
  status
  stage
  progress
  attempts
  version
  error {
    code
    message
  }
  createdAt
  startedAt
  finishedAt
  updatedAt
}
    `, {"fragmentName":"JobFields"}) as unknown as TypedDocumentString<JobFieldsFragment, unknown>;
export const DocumentFieldsFragmentDoc = new TypedDocumentString(`
    fragment DocumentFields on Document {
  id
  filename
  contentType
  detectedType
  size
  sha256
  status
  createdAt
  updatedAt
  job {
    ...JobFields
  }
  result {
    jobId
    kind
    pageCount
    wordCount
    charCount
    language
    textPreview
    textTruncated
    title
    author
    authoredAt
    image {
      width
      height
      format
    }
    metadata
    textUrl
    thumbnailUrl
  }
}
    fragment JobFields on Job {
  id
  documentId
  status
  stage
  progress
  attempts
  version
  error {
    code
    message
  }
  createdAt
  startedAt
  finishedAt
  updatedAt
}`, {"fragmentName":"DocumentFields"}) as unknown as TypedDocumentString<DocumentFieldsFragment, unknown>;
export const SearchDocumentFieldsFragmentDoc = new TypedDocumentString(`
    fragment SearchDocumentFields on Document {
  id
  filename
  contentType
  detectedType
  size
  status
  createdAt
  updatedAt
  result {
    kind
    pageCount
    wordCount
    language
    title
  }
}
    `, {"fragmentName":"SearchDocumentFields"}) as unknown as TypedDocumentString<SearchDocumentFieldsFragment, unknown>;
export const DirectUploadFieldsFragmentDoc = new TypedDocumentString(`
    fragment DirectUploadFields on DirectUpload {
  id
  size
  partSize
  partCount
  expiresAt
}
    `, {"fragmentName":"DirectUploadFields"}) as unknown as TypedDocumentString<DirectUploadFieldsFragment, unknown>;
export const ListApiKeysDocument = new TypedDocumentString(`
    query ListApiKeys {
  apiKeys {
    ...ApiKeyFields
  }
}
    fragment ApiKeyFields on ApiKey {
  id
  name
  createdAt
  revokedAt
}`) as unknown as TypedDocumentString<ListApiKeysQuery, ListApiKeysQueryVariables>;
export const CreateApiKeyDocument = new TypedDocumentString(`
    mutation CreateApiKey($name: String!) {
  createApiKey(input: {name: $name}) {
    apiKey {
      ...ApiKeyFields
    }
    key
  }
}
    fragment ApiKeyFields on ApiKey {
  id
  name
  createdAt
  revokedAt
}`) as unknown as TypedDocumentString<CreateApiKeyMutation, CreateApiKeyMutationVariables>;
export const RevokeApiKeyDocument = new TypedDocumentString(`
    mutation RevokeApiKey($id: ID!) {
  revokeApiKey(id: $id) {
    id
    revoked
  }
}
    `) as unknown as TypedDocumentString<RevokeApiKeyMutation, RevokeApiKeyMutationVariables>;
export const GetDocumentDocument = new TypedDocumentString(`
    query GetDocument($id: ID!) {
  document(id: $id) {
    ...DocumentFields
  }
}
    fragment JobFields on Job {
  id
  documentId
  status
  stage
  progress
  attempts
  version
  error {
    code
    message
  }
  createdAt
  startedAt
  finishedAt
  updatedAt
}
fragment DocumentFields on Document {
  id
  filename
  contentType
  detectedType
  size
  sha256
  status
  createdAt
  updatedAt
  job {
    ...JobFields
  }
  result {
    jobId
    kind
    pageCount
    wordCount
    charCount
    language
    textPreview
    textTruncated
    title
    author
    authoredAt
    image {
      width
      height
      format
    }
    metadata
    textUrl
    thumbnailUrl
  }
}`) as unknown as TypedDocumentString<GetDocumentQuery, GetDocumentQueryVariables>;
export const ListDocumentsDocument = new TypedDocumentString(`
    query ListDocuments($first: Int, $after: String, $status: JobStatus) {
  documents(first: $first, after: $after, status: $status) {
    edges {
      cursor
      node {
        ...DocumentFields
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment JobFields on Job {
  id
  documentId
  status
  stage
  progress
  attempts
  version
  error {
    code
    message
  }
  createdAt
  startedAt
  finishedAt
  updatedAt
}
fragment DocumentFields on Document {
  id
  filename
  contentType
  detectedType
  size
  sha256
  status
  createdAt
  updatedAt
  job {
    ...JobFields
  }
  result {
    jobId
    kind
    pageCount
    wordCount
    charCount
    language
    textPreview
    textTruncated
    title
    author
    authoredAt
    image {
      width
      height
      format
    }
    metadata
    textUrl
    thumbnailUrl
  }
}`) as unknown as TypedDocumentString<ListDocumentsQuery, ListDocumentsQueryVariables>;
export const DocumentDownloadUrlDocument = new TypedDocumentString(`
    query DocumentDownloadUrl($id: ID!) {
  document(id: $id) {
    id
    filename
    size
    downloadUrl
  }
}
    `) as unknown as TypedDocumentString<DocumentDownloadUrlQuery, DocumentDownloadUrlQueryVariables>;
export const UploadDocumentDocument = new TypedDocumentString(`
    mutation UploadDocument($file: Upload!) {
  uploadDocument(file: $file) {
    ...DocumentFields
  }
}
    fragment JobFields on Job {
  id
  documentId
  status
  stage
  progress
  attempts
  version
  error {
    code
    message
  }
  createdAt
  startedAt
  finishedAt
  updatedAt
}
fragment DocumentFields on Document {
  id
  filename
  contentType
  detectedType
  size
  sha256
  status
  createdAt
  updatedAt
  job {
    ...JobFields
  }
  result {
    jobId
    kind
    pageCount
    wordCount
    charCount
    language
    textPreview
    textTruncated
    title
    author
    authoredAt
    image {
      width
      height
      format
    }
    metadata
    textUrl
    thumbnailUrl
  }
}`) as unknown as TypedDocumentString<UploadDocumentMutation, UploadDocumentMutationVariables>;
export const DeleteDocumentDocument = new TypedDocumentString(`
    mutation DeleteDocument($id: ID!) {
  deleteDocument(id: $id) {
    id
    deleted
  }
}
    `) as unknown as TypedDocumentString<DeleteDocumentMutation, DeleteDocumentMutationVariables>;
export const ReprocessDocumentDocument = new TypedDocumentString(`
    mutation ReprocessDocument($id: ID!) {
  reprocessDocument(id: $id) {
    ...DocumentFields
  }
}
    fragment JobFields on Job {
  id
  documentId
  status
  stage
  progress
  attempts
  version
  error {
    code
    message
  }
  createdAt
  startedAt
  finishedAt
  updatedAt
}
fragment DocumentFields on Document {
  id
  filename
  contentType
  detectedType
  size
  sha256
  status
  createdAt
  updatedAt
  job {
    ...JobFields
  }
  result {
    jobId
    kind
    pageCount
    wordCount
    charCount
    language
    textPreview
    textTruncated
    title
    author
    authoredAt
    image {
      width
      height
      format
    }
    metadata
    textUrl
    thumbnailUrl
  }
}`) as unknown as TypedDocumentString<ReprocessDocumentMutation, ReprocessDocumentMutationVariables>;
export const DocumentEventsDocument = new TypedDocumentString(`
    subscription DocumentEvents($after: String) {
  documentEvents(after: $after) {
    kind
    documentId
    at
    cursor
    document {
      ...SearchDocumentFields
    }
    job {
      id
      status
      stage
      progress
      version
    }
  }
}
    fragment SearchDocumentFields on Document {
  id
  filename
  contentType
  detectedType
  size
  status
  createdAt
  updatedAt
  result {
    kind
    pageCount
    wordCount
    language
    title
  }
}`) as unknown as TypedDocumentString<DocumentEventsSubscription, DocumentEventsSubscriptionVariables>;
export const GetJobDocument = new TypedDocumentString(`
    query GetJob($id: ID!) {
  job(id: $id) {
    ...JobFields
  }
}
    fragment JobFields on Job {
  id
  documentId
  status
  stage
  progress
  attempts
  version
  error {
    code
    message
  }
  createdAt
  startedAt
  finishedAt
  updatedAt
}`) as unknown as TypedDocumentString<GetJobQuery, GetJobQueryVariables>;
export const JobUpdatedDocument = new TypedDocumentString(`
    subscription JobUpdated($jobId: ID!) {
  jobUpdated(jobId: $jobId) {
    ...JobFields
  }
}
    fragment JobFields on Job {
  id
  documentId
  status
  stage
  progress
  attempts
  version
  error {
    code
    message
  }
  createdAt
  startedAt
  finishedAt
  updatedAt
}`) as unknown as TypedDocumentString<JobUpdatedSubscription, JobUpdatedSubscriptionVariables>;
export const SearchDocumentsDocument = new TypedDocumentString(`
    query SearchDocuments($query: String!, $first: Int, $after: String, $filter: SearchFilter) {
  searchDocuments(query: $query, first: $first, after: $after, filter: $filter) {
    edges {
      cursor
      node {
        score
        document {
          ...SearchDocumentFields
        }
        snippets {
          field
          text
          highlights {
            start
            length
          }
        }
      }
    }
    pageInfo {
      hasNextPage
      endCursor
    }
  }
}
    fragment SearchDocumentFields on Document {
  id
  filename
  contentType
  detectedType
  size
  status
  createdAt
  updatedAt
  result {
    kind
    pageCount
    wordCount
    language
    title
  }
}`) as unknown as TypedDocumentString<SearchDocumentsQuery, SearchDocumentsQueryVariables>;
export const CreateUploadDocument = new TypedDocumentString(`
    mutation CreateUpload($input: CreateUploadInput!) {
  createUpload(input: $input) {
    upload {
      ...DirectUploadFields
      parts {
        partNumber
        url
      }
    }
  }
}
    fragment DirectUploadFields on DirectUpload {
  id
  size
  partSize
  partCount
  expiresAt
}`) as unknown as TypedDocumentString<CreateUploadMutation, CreateUploadMutationVariables>;
export const UploadPartsDocument = new TypedDocumentString(`
    mutation UploadParts($input: UploadPartsInput!) {
  uploadParts(input: $input) {
    partNumber
    url
  }
}
    `) as unknown as TypedDocumentString<UploadPartsMutation, UploadPartsMutationVariables>;
export const CompleteUploadDocument = new TypedDocumentString(`
    mutation CompleteUpload($input: CompleteUploadInput!) {
  completeUpload(input: $input) {
    document {
      ...DocumentFields
    }
  }
}
    fragment JobFields on Job {
  id
  documentId
  status
  stage
  progress
  attempts
  version
  error {
    code
    message
  }
  createdAt
  startedAt
  finishedAt
  updatedAt
}
fragment DocumentFields on Document {
  id
  filename
  contentType
  detectedType
  size
  sha256
  status
  createdAt
  updatedAt
  job {
    ...JobFields
  }
  result {
    jobId
    kind
    pageCount
    wordCount
    charCount
    language
    textPreview
    textTruncated
    title
    author
    authoredAt
    image {
      width
      height
      format
    }
    metadata
    textUrl
    thumbnailUrl
  }
}`) as unknown as TypedDocumentString<CompleteUploadMutation, CompleteUploadMutationVariables>;
export const GetUploadDocument = new TypedDocumentString(`
    query GetUpload($id: ID!) {
  upload(id: $id) {
    ...DirectUploadFields
    uploadedParts {
      partNumber
      etag
      size
    }
  }
}
    fragment DirectUploadFields on DirectUpload {
  id
  size
  partSize
  partCount
  expiresAt
}`) as unknown as TypedDocumentString<GetUploadQuery, GetUploadQueryVariables>;