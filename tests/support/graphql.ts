import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { TEST_TOKEN } from './auth.js';

/** Who a helper call acts as: a token (default: the test owner's), or `null` for none at all. */
export interface AuthOption {
  token?: string | null;
}
const authHeader = (opts: AuthOption = {}): Record<string, string> => {
  const token = opts.token === undefined ? TEST_TOKEN : opts.token;
  return token === null ? {} : { authorization: `Bearer ${token}` };
};

export interface GraphQLResponse<T = Record<string, unknown>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown }; [k: string]: unknown }[];
}

/** A plain POST, as curl would send it. */
export async function gql<T = Record<string, any>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  opts: AuthOption = {},
): Promise<GraphQLResponse<T> & { status: number }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authHeader(opts) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, ...((await res.json()) as GraphQLResponse<T>) };
}

export const UPLOAD = /* GraphQL */ `
  mutation Upload($file: Upload!) {
    uploadDocument(file: $file) {
      id
      filename
      contentType
      size
      sha256
      status
      createdAt
      job {
        id
        status
        version
        progress
      }
    }
  }
`;

/** A GraphQL multipart request (jaydenseric spec), as `curl -F` sends it. */
export async function uploadFile(
  url: string,
  bytes: Uint8Array | string,
  filename = 'hello.txt',
  type = 'text/plain',
  opts: AuthOption = {},
): Promise<GraphQLResponse<{ uploadDocument: any }> & { status: number }> {
  const form = new FormData();
  form.append('operations', JSON.stringify({ query: UPLOAD, variables: { file: null } }));
  form.append('map', JSON.stringify({ 0: ['variables.file'] }));
  form.append('0', new Blob([bytes as BlobPart], { type }), filename);
  const res = await fetch(url, {
    method: 'POST',
    body: form,
    headers: { 'apollo-require-preflight': 'true', ...authHeader(opts) },
  });
  return { status: res.status, ...((await res.json()) as GraphQLResponse<{ uploadDocument: any }>) };
}

export function wsClient(wsUrl: string, opts: AuthOption = {}): Client {
  const { authorization } = authHeader(opts);
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...(authorization ? { connectionParams: { authorization } } : {}),
  });
}

export const JOB_FIELDS = 'id documentId status stage progress attempts version error { code message }';

/** Collects every event of a subscription until it completes (or errors). */
export function collect<T>(client: Client, query: string, variables: Record<string, unknown>) {
  const events: T[] = [];
  let resolveSubscribed!: () => void;
  const done = new Promise<{ events: T[]; errors?: unknown }>((resolve) => {
    client.subscribe<T>(
      { query, variables },
      {
        next: (value) => {
          if (value.errors) resolve({ events, errors: value.errors });
          else events.push(value.data as T);
          resolveSubscribed();
        },
        error: (errors) => resolve({ events, errors }),
        complete: () => resolve({ events }),
      },
    );
  });
  const firstEvent = new Promise<void>((r) => (resolveSubscribed = r));
  return { events, done, firstEvent };
}

export const WATCH = `subscription Watch($jobId: ID!) { jobUpdated(jobId: $jobId) { ${JOB_FIELDS} } }`;

/** Subscribes to a job and resolves with all its events once it reached a terminal state. */
export async function watchUntilDone(wsUrl: string, jobId: string, opts: AuthOption = {}): Promise<any[]> {
  const client = wsClient(wsUrl, opts);
  try {
    const { events, errors } = await collect<{ jobUpdated: any }>(client, WATCH, { jobId }).done;
    if (errors) throw new Error(`subscription failed: ${JSON.stringify(errors)}`);
    return events.map((e) => e.jobUpdated);
  } finally {
    await client.dispose();
  }
}
