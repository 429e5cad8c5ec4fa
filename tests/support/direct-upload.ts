import { gql, type AuthOption } from './graphql.js';

export const CREATE_UPLOAD = /* GraphQL */ `
  mutation Create($input: CreateUploadInput!) {
    createUpload(input: $input) {
      upload {
        id
        partSize
        partCount
        expiresAt
        parts {
          partNumber
          url
        }
      }
    }
  }
`;
export const UPLOAD_PARTS = /* GraphQL */ `
  mutation Parts($input: UploadPartsInput!) {
    uploadParts(input: $input) {
      partNumber
      url
    }
  }
`;
export const COMPLETE_UPLOAD = /* GraphQL */ `
  mutation Complete($input: CompleteUploadInput!) {
    completeUpload(input: $input) {
      document {
        id
        filename
        size
        sha256
        status
        job {
          id
          status
        }
      }
    }
  }
`;
export const ABORT_UPLOAD = /* GraphQL */ `
  mutation Abort($input: AbortUploadInput!) {
    abortUpload(input: $input) {
      id
      aborted
    }
  }
`;
export const GET_UPLOAD = /* GraphQL */ `
  query Upload($id: ID!) {
    upload(id: $id) {
      id
      size
      partCount
      uploadedParts {
        partNumber
        etag
        size
      }
    }
  }
`;

export interface CreatedUpload {
  id: string;
  partSize: number;
  partCount: number;
  expiresAt: string;
  parts: { partNumber: number; url: string }[];
}

export async function createUpload(
  url: string,
  input: Record<string, unknown>,
  opts: AuthOption = {},
): Promise<CreatedUpload> {
  const res = await gql<{ createUpload: { upload: CreatedUpload } }>(url, CREATE_UPLOAD, { input }, opts);
  if (!res.data) throw new Error(`createUpload failed: ${JSON.stringify(res.errors)}`);
  return res.data.createUpload.upload;
}

/** PUTs one part to its presigned URL (resolved against the GraphQL endpoint); returns its ETag. */
export async function putPart(apiUrl: string, partUrl: string, bytes: Uint8Array): Promise<string> {
  const res = await fetch(new URL(partUrl, apiUrl), { method: 'PUT', body: bytes as BodyInit });
  if (!res.ok) throw new Error(`part PUT answered ${res.status}: ${await res.text()}`);
  return res.headers.get('etag')!;
}
