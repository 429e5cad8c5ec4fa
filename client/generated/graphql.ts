/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { DocumentTypeDecoration } from '@graphql-typed-document-node/core';
/** Every part of an upload, to check and join into the document. */
export type CompleteUploadInput = {
  id: string | number;
  /** Every part, in order from 1. */
  parts: Array<CompletedPartInput>;
};

/** A part that was PUT, with the ETag storage answered. */
export type CompletedPartInput = {
  /** The ETag header of the part's PUT answer. */
  etag: string;
  partNumber: number;
};

/** A file to upload straight to storage, in parts. */
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

/** Narrows a search; every field given must hold. */
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

/** Parts of an upload to get fresh URLs for (to resume). */
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

export type DocumentByIdQueryVariables = Exact<{
  id: string | number;
}>;


export type DocumentByIdQuery = { document: { id: string, filename: string, contentType: string, detectedType: string | null, size: number, sha256: string, status: JobStatus, createdAt: string, updatedAt: string, job: { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null } | null, result: { jobId: string, kind: string, pageCount: number | null, wordCount: number | null, charCount: number | null, language: string | null, textPreview: string | null, textTruncated: boolean, title: string | null, author: string | null, authoredAt: string | null, metadata: Record<string, unknown>, textUrl: string | null, thumbnailUrl: string | null, image: { width: number, height: number, format: string } | null } | null } | null };

export type ListDocumentsQueryVariables = Exact<{
  first?: number | null | undefined;
  after?: string | null | undefined;
  last?: number | null | undefined;
  before?: string | null | undefined;
  status?: JobStatus | null | undefined;
}>;


export type ListDocumentsQuery = { documents: { edges: Array<{ cursor: string, node: { id: string, filename: string, contentType: string, detectedType: string | null, size: number, sha256: string, status: JobStatus, createdAt: string, updatedAt: string, job: { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null } | null, result: { jobId: string, kind: string, pageCount: number | null, wordCount: number | null, charCount: number | null, language: string | null, textPreview: string | null, textTruncated: boolean, title: string | null, author: string | null, authoredAt: string | null, metadata: Record<string, unknown>, textUrl: string | null, thumbnailUrl: string | null, image: { width: number, height: number, format: string } | null } | null } }>, pageInfo: { hasNextPage: boolean, hasPreviousPage: boolean, startCursor: string | null, endCursor: string | null } } };

export type NodesQueryVariables = Exact<{
  ids: Array<string | number> | string | number;
}>;


export type NodesQuery = { nodes: Array<
    | { __typename: 'Document', id: string, filename: string, contentType: string, detectedType: string | null, size: number, sha256: string, status: JobStatus, createdAt: string, updatedAt: string, job: { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null } | null, result: { jobId: string, kind: string, pageCount: number | null, wordCount: number | null, charCount: number | null, language: string | null, textPreview: string | null, textTruncated: boolean, title: string | null, author: string | null, authoredAt: string | null, metadata: Record<string, unknown>, textUrl: string | null, thumbnailUrl: string | null, image: { width: number, height: number, format: string } | null } | null }
    | { __typename: 'Job', id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null }
   | null> };

export type DocumentDownloadUrlQueryVariables = Exact<{
  id: string | number;
}>;


export type DocumentDownloadUrlQuery = { document: { id: string, filename: string, size: number, downloadUrl: string } | null };

export type UploadDocumentMutationVariables = Exact<{
  file: File | Blob | null;
}>;


export type UploadDocumentMutation = { createDocument: { document: { id: string, filename: string, contentType: string, detectedType: string | null, size: number, sha256: string, status: JobStatus, createdAt: string, updatedAt: string, job: { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null } | null, result: { jobId: string, kind: string, pageCount: number | null, wordCount: number | null, charCount: number | null, language: string | null, textPreview: string | null, textTruncated: boolean, title: string | null, author: string | null, authoredAt: string | null, metadata: Record<string, unknown>, textUrl: string | null, thumbnailUrl: string | null, image: { width: number, height: number, format: string } | null } | null } } };

export type DeleteDocumentMutationVariables = Exact<{
  id: string | number;
}>;


export type DeleteDocumentMutation = { deleteDocument: { id: string, deleted: boolean } };

export type ReprocessDocumentMutationVariables = Exact<{
  id: string | number;
}>;


export type ReprocessDocumentMutation = { restartProcessing: { document: { id: string, filename: string, contentType: string, detectedType: string | null, size: number, sha256: string, status: JobStatus, createdAt: string, updatedAt: string, job: { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null } | null, result: { jobId: string, kind: string, pageCount: number | null, wordCount: number | null, charCount: number | null, language: string | null, textPreview: string | null, textTruncated: boolean, title: string | null, author: string | null, authoredAt: string | null, metadata: Record<string, unknown>, textUrl: string | null, thumbnailUrl: string | null, image: { width: number, height: number, format: string } | null } | null } } };

export type DocumentEventsSubscriptionVariables = Exact<{
  after?: string | null | undefined;
}>;


export type DocumentEventsSubscription = { documentEvents: { kind: DocumentChange, documentId: string, at: string, cursor: string, document: { id: string, filename: string, contentType: string, detectedType: string | null, size: number, status: JobStatus, createdAt: string, updatedAt: string, result: { kind: string, pageCount: number | null, wordCount: number | null, language: string | null, title: string | null } | null } | null, job: { id: string, status: JobStatus, stage: string, progress: number, version: number } | null } };

export type JobFieldsFragment = { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null };

export type DocumentFieldsFragment = { id: string, filename: string, contentType: string, detectedType: string | null, size: number, sha256: string, status: JobStatus, createdAt: string, updatedAt: string, job: { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null } | null, result: { jobId: string, kind: string, pageCount: number | null, wordCount: number | null, charCount: number | null, language: string | null, textPreview: string | null, textTruncated: boolean, title: string | null, author: string | null, authoredAt: string | null, metadata: Record<string, unknown>, textUrl: string | null, thumbnailUrl: string | null, image: { width: number, height: number, format: string } | null } | null };

export type JobByIdQueryVariables = Exact<{
  id: string | number;
}>;


export type JobByIdQuery = { job: { id: string, documentId: string, status: JobStatus, stage: string, progress: number, attempts: number, version: number, createdAt: string, startedAt: string | null, finishedAt: string | null, updatedAt: string, error: { code: string, message: string } | null } | null };

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

export type UploadByIdQueryVariables = Exact<{
  id: string | number;
}>;


export type UploadByIdQuery = { upload: { id: string, size: number, partSize: number, partCount: number, expiresAt: string, uploadedParts: Array<{ partNumber: number, etag: string, size: number }> } | null };

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
}`, {"hash":"sha256:3c8b0573031c2124d972e35b5e5352d3396c0529045dd80c3a46808eaa62014b"}) as unknown as TypedDocumentString<ListApiKeysQuery, ListApiKeysQueryVariables>;
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
}`, {"hash":"sha256:7a45f416467ebd74211f331afda194f815da2f3a0d9625a1d53f7c674314dd5e"}) as unknown as TypedDocumentString<CreateApiKeyMutation, CreateApiKeyMutationVariables>;
export const RevokeApiKeyDocument = new TypedDocumentString(`
    mutation RevokeApiKey($id: ID!) {
  revokeApiKey(input: {id: $id}) {
    id
    revoked
  }
}
    `, {"hash":"sha256:39bf628ec685fdb6df48c9905c2c4b5258f57b3e0ce5820b851f9aaa85d25581"}) as unknown as TypedDocumentString<RevokeApiKeyMutation, RevokeApiKeyMutationVariables>;
export const DocumentByIdDocument = new TypedDocumentString(`
    query DocumentById($id: ID!) {
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
}`, {"hash":"sha256:03453f367c36816b921f417ec9ddcaa98f998e34255cd3e90585646da7cc5b16"}) as unknown as TypedDocumentString<DocumentByIdQuery, DocumentByIdQueryVariables>;
export const ListDocumentsDocument = new TypedDocumentString(`
    query ListDocuments($first: Int, $after: String, $last: Int, $before: String, $status: JobStatus) {
  documents(
    first: $first
    after: $after
    last: $last
    before: $before
    status: $status
  ) {
    edges {
      cursor
      node {
        ...DocumentFields
      }
    }
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
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
}`, {"hash":"sha256:4b6833a9358f892eecf4ed1a4de1123845e560e2b71c5c4fd2d2e8b91d9c7ab2"}) as unknown as TypedDocumentString<ListDocumentsQuery, ListDocumentsQueryVariables>;
export const NodesDocument = new TypedDocumentString(`
    query Nodes($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename
    ... on Document {
      ...DocumentFields
    }
    ... on Job {
      ...JobFields
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
}`, {"hash":"sha256:76641197e53f859cf616121125180f618b2e405414079dfe1a19698fa705927b"}) as unknown as TypedDocumentString<NodesQuery, NodesQueryVariables>;
export const DocumentDownloadUrlDocument = new TypedDocumentString(`
    query DocumentDownloadUrl($id: ID!) {
  document(id: $id) {
    id
    filename
    size
    downloadUrl
  }
}
    `, {"hash":"sha256:3b1c2ac41f2a5f60f1722944bc74a46f758d0708f8aba34be1c0c11dc647bdf5"}) as unknown as TypedDocumentString<DocumentDownloadUrlQuery, DocumentDownloadUrlQueryVariables>;
export const UploadDocumentDocument = new TypedDocumentString(`
    mutation UploadDocument($file: Upload!) {
  createDocument(input: {file: $file}) {
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
}`, {"hash":"sha256:63d71982e617ef8463fd22a75c1ddf57046a07923f2375a409dfee39ac4e118c"}) as unknown as TypedDocumentString<UploadDocumentMutation, UploadDocumentMutationVariables>;
export const DeleteDocumentDocument = new TypedDocumentString(`
    mutation DeleteDocument($id: ID!) {
  deleteDocument(input: {id: $id}) {
    id
    deleted
  }
}
    `, {"hash":"sha256:217c9132d328840009adb8016724b8db36056f4777d9d759e2bef4d3954e745f"}) as unknown as TypedDocumentString<DeleteDocumentMutation, DeleteDocumentMutationVariables>;
export const ReprocessDocumentDocument = new TypedDocumentString(`
    mutation ReprocessDocument($id: ID!) {
  restartProcessing(input: {id: $id}) {
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
}`, {"hash":"sha256:fa106ed0c55c6a1a3a34f982d4d7d93fd595b315bf042f0c6d8fe23d432dd72a"}) as unknown as TypedDocumentString<ReprocessDocumentMutation, ReprocessDocumentMutationVariables>;
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
}`, {"hash":"sha256:7b51a89ffe62926f7434467783bbe7b5fee0e51c059a8e636d8167d24f6a75bb"}) as unknown as TypedDocumentString<DocumentEventsSubscription, DocumentEventsSubscriptionVariables>;
export const JobByIdDocument = new TypedDocumentString(`
    query JobById($id: ID!) {
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
}`, {"hash":"sha256:7a1ee416069ad36bb6809458b7e074b5ae6642abf55a7dc9f728c21c4feb9fd0"}) as unknown as TypedDocumentString<JobByIdQuery, JobByIdQueryVariables>;
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
}`, {"hash":"sha256:4cda5ccdedfb033a02f16a848d31fb94a1eb87271e4f8ee61d825400808c813c"}) as unknown as TypedDocumentString<JobUpdatedSubscription, JobUpdatedSubscriptionVariables>;
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
}`, {"hash":"sha256:cdecab81b8b5e421301e3d19e00731f345e9ba9fbf3d57504bc0fd3610ba3c69"}) as unknown as TypedDocumentString<SearchDocumentsQuery, SearchDocumentsQueryVariables>;
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
}`, {"hash":"sha256:d7273c39870b21ecc0700b1fe5f53ed6264ff6ec29b28df2b6db9537bec8aed3"}) as unknown as TypedDocumentString<CreateUploadMutation, CreateUploadMutationVariables>;
export const UploadPartsDocument = new TypedDocumentString(`
    mutation UploadParts($input: UploadPartsInput!) {
  uploadParts(input: $input) {
    partNumber
    url
  }
}
    `, {"hash":"sha256:56458696c45030ba7ab8848a596d7de102f4375c9686751b8e5d13bc584b91e4"}) as unknown as TypedDocumentString<UploadPartsMutation, UploadPartsMutationVariables>;
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
}`, {"hash":"sha256:7e85ac010c5583a2fa7019343524eb8f2554e5c5ccc62778f70ace5307ec5689"}) as unknown as TypedDocumentString<CompleteUploadMutation, CompleteUploadMutationVariables>;
export const UploadByIdDocument = new TypedDocumentString(`
    query UploadById($id: ID!) {
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
}`, {"hash":"sha256:ee6910f24c3394c9ae24b0acc28004f0310c798562b93cef35a5ab8807e20870"}) as unknown as TypedDocumentString<UploadByIdQuery, UploadByIdQueryVariables>;