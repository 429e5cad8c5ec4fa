import { createClient as createSseClient } from 'graphql-sse';
import { createClient } from 'graphql-ws';
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

/** What `collect` needs of a client: graphql-ws and graphql-sse clients both subscribe this way. */
export interface Subscriber {
  subscribe(
    request: { query: string; variables: Record<string, unknown> },
    sink: { next(value: any): void; error(error: unknown): void; complete(): void },
  ): () => void;
}

export function wsClient(wsUrl: string, opts: AuthOption = {}) {
  const { authorization } = authHeader(opts);
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    ...(authorization ? { connectionParams: { authorization } } : {}),
  });
}

/** A graphql-sse client (distinct connections mode) for `/graphql/stream`, without retries. */
export function sseClient(sseUrl: string, opts: AuthOption = {}) {
  return createSseClient({ url: sseUrl, headers: authHeader(opts), retryAttempts: 0 });
}

export const JOB_FIELDS = 'id documentId status stage progress attempts version error { code message }';

/** Collects every event of a subscription until it completes (or errors). */
export function collect<T>(client: Subscriber, query: string, variables: Record<string, unknown>) {
  const events: T[] = [];
  let resolveSubscribed!: () => void;
  const done = new Promise<{ events: T[]; errors?: unknown }>((resolve) => {
    client.subscribe(
      { query, variables },
      {
        next: (value: GraphQLResponse<T>) => {
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
