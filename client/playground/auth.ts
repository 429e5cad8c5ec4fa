/**
 * Authentication for the playground. Every request needs `Authorization: Bearer <token>`:
 * - the token of the page (the development token in its meta tag, or the one pasted into the web
 *   page's sign-in form in this tab; client/common/page-token.ts) is sent by default;
 * - an `Authorization` entry in GraphiQL's headers editor overrides it, on HTTP and on the
 *   WebSocket alike (subscriptions open a socket whose `connectionParams.authorization` is that
 *   value);
 * - without a page token the headers editor starts with a template to fill in.
 */
import { createGraphiQLFetcher, type Fetcher, type FetcherOpts } from '@graphiql/toolkit';
import { getOperationAST } from 'graphql';
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';

const PLACEHOLDER = '<paste a token>';
/** What the headers editor shows when the page has no token. */
export const HEADERS_TEMPLATE = `{\n  "Authorization": "Bearer ${PLACEHOLDER}"\n}`;

/** The usable Authorization value among `headers` (any case), ignoring the unfilled template. */
export function authorizationFrom(
  headers: Record<string, unknown> | Headers | undefined,
): string | undefined {
  if (!headers) return undefined;
  const value =
    headers instanceof Headers
      ? headers.get('authorization')
      : Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  return typeof value === 'string' && value.trim() && !value.includes(PLACEHOLDER) ? value.trim() : undefined;
}

/** A fetch that sends `fallback` unless the request carries its own Authorization. */
export function withAuthorization(base: typeof fetch, fallback: string | undefined): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers);
    const own = authorizationFrom(headers);
    headers.delete('authorization'); // an unfilled template is not sent
    const authorization = own ?? fallback;
    if (authorization) headers.set('authorization', authorization);
    return base(input, { ...init, headers });
  };
}

/**
 * GraphiQL's fetcher: queries and mutations over HTTP (with uploads, through `fetchImpl`),
 * subscriptions over graphql-ws with the Authorization the request carries.
 */
export function createPlaygroundFetcher(options: {
  url: string;
  /** `Bearer …` from the page, if any. */
  pageAuthorization: string | undefined;
  fetch: typeof fetch;
}): Fetcher {
  const http = createGraphiQLFetcher({
    url: options.url,
    fetch: withAuthorization(options.fetch, options.pageAuthorization),
  });
  const sockets = socketsByAuthorization(options.url.replace(/^http/, 'ws'));
  return (params, opts?: FetcherOpts) => {
    const operation = opts?.documentAST && getOperationAST(opts.documentAST, params.operationName ?? null);
    if (operation?.operation !== 'subscription') return http(params, opts);
    const authorization = authorizationFrom(opts?.headers) ?? options.pageAuthorization;
    // The toolkit types results as graphql-js ExecutionResults; on the wire they are the
    // formatted (JSON) shape, which is what GraphiQL renders.
    return subscribe(sockets(authorization), params) as unknown as ReturnType<Fetcher>;
  };
}

/**
 * One lazy graphql-ws client for the Authorization in use; a different one (the headers editor
 * changed) replaces it, since a socket is authenticated once, when it opens.
 */
function socketsByAuthorization(wsUrl: string): (authorization: string | undefined) => Client {
  let current: { authorization: string | undefined; client: Client } | undefined;
  return (authorization) => {
    if (current && current.authorization === authorization) return current.client;
    void current?.client.dispose();
    const client = createClient({
      url: wsUrl,
      lazy: true,
      retryAttempts: 5,
      // 4403 (token refused) and 4429 (too many sockets) would only fail again.
      shouldRetry: (e) => ![4403, 4429].includes((e as { code?: number } | null)?.code ?? 0),
      ...(authorization ? { connectionParams: { authorization } } : {}),
    });
    current = { authorization, client };
    return client;
  };
}

async function* subscribe(
  client: Client,
  params: { query: string; operationName?: string | null; variables?: Record<string, unknown> | null },
): AsyncGenerator<FormattedExecutionResult> {
  try {
    yield* client.iterate({
      query: params.query,
      ...(params.operationName ? { operationName: params.operationName } : {}),
      ...(params.variables ? { variables: params.variables } : {}),
    });
  } catch (err) {
    // GraphQL errors arrive as an array: show them like any other result.
    if (Array.isArray(err)) {
      yield { errors: err };
      return;
    }
    throw socketError(err);
  }
}

function socketError(err: unknown): Error {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 4403) {
    return new Error(
      'The api refused the WebSocket (4403): no valid token. Put "Authorization": "Bearer <token>" ' +
        'in the headers editor, or sign in on the web page.',
    );
  }
  if (code === 4429) return new Error('Too many WebSockets for this owner (4429): close some tabs.');
  if (typeof code === 'number') {
    const reason = (err as { reason?: unknown }).reason;
    return new Error(`The WebSocket closed (${code}${reason ? ` ${String(reason)}` : ''})`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
