/* eslint-disable */
import * as types from './graphql.js';



/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "fragment ApiKeyFields on ApiKey {\n  id\n  name\n  createdAt\n  revokedAt\n}\n\nquery ListApiKeys {\n  apiKeys {\n    ...ApiKeyFields\n  }\n}\n\nmutation CreateApiKey($name: String!) {\n  createApiKey(input: {name: $name}) {\n    apiKey {\n      ...ApiKeyFields\n    }\n    key\n  }\n}\n\nmutation RevokeApiKey($id: ID!) {\n  revokeApiKey(id: $id) {\n    id\n    revoked\n  }\n}": typeof types.ApiKeyFieldsFragmentDoc,
    "query GetDocument($id: ID!) {\n  document(id: $id) {\n    ...DocumentFields\n  }\n}\n\nquery ListDocuments($first: Int, $after: String, $status: JobStatus) {\n  documents(first: $first, after: $after, status: $status) {\n    edges {\n      cursor\n      node {\n        ...DocumentFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery DocumentDownloadUrl($id: ID!) {\n  document(id: $id) {\n    id\n    filename\n    size\n    downloadUrl\n  }\n}\n\nmutation UploadDocument($file: Upload!) {\n  uploadDocument(file: $file) {\n    ...DocumentFields\n  }\n}\n\nmutation DeleteDocument($id: ID!) {\n  deleteDocument(id: $id) {\n    id\n    deleted\n  }\n}\n\nmutation ReprocessDocument($id: ID!) {\n  reprocessDocument(id: $id) {\n    ...DocumentFields\n  }\n}": typeof types.GetDocumentDocument,
    "fragment JobFields on Job {\n  id\n  documentId\n  status\n  stage\n  progress\n  attempts\n  version\n  error {\n    code\n    message\n  }\n  createdAt\n  startedAt\n  finishedAt\n  updatedAt\n}\n\nfragment DocumentFields on Document {\n  id\n  filename\n  contentType\n  detectedType\n  size\n  sha256\n  status\n  createdAt\n  updatedAt\n  job {\n    ...JobFields\n  }\n  result {\n    jobId\n    kind\n    pageCount\n    wordCount\n    charCount\n    language\n    textPreview\n    textTruncated\n    title\n    author\n    authoredAt\n    image {\n      width\n      height\n      format\n    }\n    metadata\n    textUrl\n    thumbnailUrl\n  }\n}": typeof types.JobFieldsFragmentDoc,
    "query GetJob($id: ID!) {\n  job(id: $id) {\n    ...JobFields\n  }\n}\n\nsubscription JobUpdated($jobId: ID!) {\n  jobUpdated(jobId: $jobId) {\n    ...JobFields\n  }\n}": typeof types.GetJobDocument,
    "fragment SearchDocumentFields on Document {\n  id\n  filename\n  contentType\n  detectedType\n  size\n  status\n  createdAt\n  updatedAt\n  result {\n    kind\n    pageCount\n    wordCount\n    language\n    title\n  }\n}\n\nquery SearchDocuments($query: String!, $first: Int, $after: String, $filter: SearchFilter) {\n  searchDocuments(query: $query, first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        score\n        document {\n          ...SearchDocumentFields\n        }\n        snippets {\n          field\n          text\n          highlights {\n            start\n            length\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.SearchDocumentFieldsFragmentDoc,
};
const documents: Documents = {
    "fragment ApiKeyFields on ApiKey {\n  id\n  name\n  createdAt\n  revokedAt\n}\n\nquery ListApiKeys {\n  apiKeys {\n    ...ApiKeyFields\n  }\n}\n\nmutation CreateApiKey($name: String!) {\n  createApiKey(input: {name: $name}) {\n    apiKey {\n      ...ApiKeyFields\n    }\n    key\n  }\n}\n\nmutation RevokeApiKey($id: ID!) {\n  revokeApiKey(id: $id) {\n    id\n    revoked\n  }\n}": types.ApiKeyFieldsFragmentDoc,
    "query GetDocument($id: ID!) {\n  document(id: $id) {\n    ...DocumentFields\n  }\n}\n\nquery ListDocuments($first: Int, $after: String, $status: JobStatus) {\n  documents(first: $first, after: $after, status: $status) {\n    edges {\n      cursor\n      node {\n        ...DocumentFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery DocumentDownloadUrl($id: ID!) {\n  document(id: $id) {\n    id\n    filename\n    size\n    downloadUrl\n  }\n}\n\nmutation UploadDocument($file: Upload!) {\n  uploadDocument(file: $file) {\n    ...DocumentFields\n  }\n}\n\nmutation DeleteDocument($id: ID!) {\n  deleteDocument(id: $id) {\n    id\n    deleted\n  }\n}\n\nmutation ReprocessDocument($id: ID!) {\n  reprocessDocument(id: $id) {\n    ...DocumentFields\n  }\n}": types.GetDocumentDocument,
    "fragment JobFields on Job {\n  id\n  documentId\n  status\n  stage\n  progress\n  attempts\n  version\n  error {\n    code\n    message\n  }\n  createdAt\n  startedAt\n  finishedAt\n  updatedAt\n}\n\nfragment DocumentFields on Document {\n  id\n  filename\n  contentType\n  detectedType\n  size\n  sha256\n  status\n  createdAt\n  updatedAt\n  job {\n    ...JobFields\n  }\n  result {\n    jobId\n    kind\n    pageCount\n    wordCount\n    charCount\n    language\n    textPreview\n    textTruncated\n    title\n    author\n    authoredAt\n    image {\n      width\n      height\n      format\n    }\n    metadata\n    textUrl\n    thumbnailUrl\n  }\n}": types.JobFieldsFragmentDoc,
    "query GetJob($id: ID!) {\n  job(id: $id) {\n    ...JobFields\n  }\n}\n\nsubscription JobUpdated($jobId: ID!) {\n  jobUpdated(jobId: $jobId) {\n    ...JobFields\n  }\n}": types.GetJobDocument,
    "fragment SearchDocumentFields on Document {\n  id\n  filename\n  contentType\n  detectedType\n  size\n  status\n  createdAt\n  updatedAt\n  result {\n    kind\n    pageCount\n    wordCount\n    language\n    title\n  }\n}\n\nquery SearchDocuments($query: String!, $first: Int, $after: String, $filter: SearchFilter) {\n  searchDocuments(query: $query, first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        score\n        document {\n          ...SearchDocumentFields\n        }\n        snippets {\n          field\n          text\n          highlights {\n            start\n            length\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.SearchDocumentFieldsFragmentDoc,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment ApiKeyFields on ApiKey {\n  id\n  name\n  createdAt\n  revokedAt\n}\n\nquery ListApiKeys {\n  apiKeys {\n    ...ApiKeyFields\n  }\n}\n\nmutation CreateApiKey($name: String!) {\n  createApiKey(input: {name: $name}) {\n    apiKey {\n      ...ApiKeyFields\n    }\n    key\n  }\n}\n\nmutation RevokeApiKey($id: ID!) {\n  revokeApiKey(id: $id) {\n    id\n    revoked\n  }\n}"): typeof import('./graphql.js').ApiKeyFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query GetDocument($id: ID!) {\n  document(id: $id) {\n    ...DocumentFields\n  }\n}\n\nquery ListDocuments($first: Int, $after: String, $status: JobStatus) {\n  documents(first: $first, after: $after, status: $status) {\n    edges {\n      cursor\n      node {\n        ...DocumentFields\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}\n\nquery DocumentDownloadUrl($id: ID!) {\n  document(id: $id) {\n    id\n    filename\n    size\n    downloadUrl\n  }\n}\n\nmutation UploadDocument($file: Upload!) {\n  uploadDocument(file: $file) {\n    ...DocumentFields\n  }\n}\n\nmutation DeleteDocument($id: ID!) {\n  deleteDocument(id: $id) {\n    id\n    deleted\n  }\n}\n\nmutation ReprocessDocument($id: ID!) {\n  reprocessDocument(id: $id) {\n    ...DocumentFields\n  }\n}"): typeof import('./graphql.js').GetDocumentDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment JobFields on Job {\n  id\n  documentId\n  status\n  stage\n  progress\n  attempts\n  version\n  error {\n    code\n    message\n  }\n  createdAt\n  startedAt\n  finishedAt\n  updatedAt\n}\n\nfragment DocumentFields on Document {\n  id\n  filename\n  contentType\n  detectedType\n  size\n  sha256\n  status\n  createdAt\n  updatedAt\n  job {\n    ...JobFields\n  }\n  result {\n    jobId\n    kind\n    pageCount\n    wordCount\n    charCount\n    language\n    textPreview\n    textTruncated\n    title\n    author\n    authoredAt\n    image {\n      width\n      height\n      format\n    }\n    metadata\n    textUrl\n    thumbnailUrl\n  }\n}"): typeof import('./graphql.js').JobFieldsFragmentDoc;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query GetJob($id: ID!) {\n  job(id: $id) {\n    ...JobFields\n  }\n}\n\nsubscription JobUpdated($jobId: ID!) {\n  jobUpdated(jobId: $jobId) {\n    ...JobFields\n  }\n}"): typeof import('./graphql.js').GetJobDocument;
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment SearchDocumentFields on Document {\n  id\n  filename\n  contentType\n  detectedType\n  size\n  status\n  createdAt\n  updatedAt\n  result {\n    kind\n    pageCount\n    wordCount\n    language\n    title\n  }\n}\n\nquery SearchDocuments($query: String!, $first: Int, $after: String, $filter: SearchFilter) {\n  searchDocuments(query: $query, first: $first, after: $after, filter: $filter) {\n    edges {\n      cursor\n      node {\n        score\n        document {\n          ...SearchDocumentFields\n        }\n        snippets {\n          field\n          text\n          highlights {\n            start\n            length\n          }\n        }\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): typeof import('./graphql.js').SearchDocumentFieldsFragmentDoc;


export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}
