/**
 * HTTP statuses and content types on /graphql per GraphQL over HTTP, for clients that accept
 * `application/graphql-response+json` and for legacy `application/json` clients (the table in
 * docs/clients.md), with real HTTP requests; error codes stay the api's, without stack traces.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, TEST_TOKEN } from './support/auth.js';
import { expectClean } from './support/hostile.js';
import { Disposables, startStack, type RunningApi } from './support/stack.js';

const disposables = new Disposables();
let api: RunningApi;

beforeAll(async () => {
  ({ api } = await startStack(disposables, { worker: false }));
});
afterAll(() => disposables.disposeAll());

const GRAPHQL_RESPONSE = 'application/graphql-response+json';
const JSON_TYPE = 'application/json';

interface Case {
  what: string;
  /** The request body (a string is sent as is). */
  body: Record<string, unknown> | string;
  token?: string | null;
  /** Status for graphql-response+json, then for application/json. */
  status: [number, number];
  /** extensions.code of the first error; undefined: no errors. */
  code?: string;
}

const CASES: Case[] = [
  { what: 'a valid query', body: { query: '{ __typename }' }, status: [200, 200] },
  { what: 'a syntax error', body: { query: '{' }, status: [400, 200], code: 'BAD_USER_INPUT' },
  { what: 'a validation error', body: { query: '{ nope }' }, status: [400, 200], code: 'BAD_USER_INPUT' },
  {
    what: 'a document over the query limits',
    body: { query: `{ ${Array.from({ length: 16 }, (_, i) => `a${i}: apiKeys { id }`).join(' ')} }` },
    status: [400, 200],
    code: 'QUERY_TOO_COMPLEX',
  },
  {
    what: 'variables that do not coerce',
    body: {
      query: 'query($first: Int) { documents(first: $first) { edges { cursor } } }',
      variables: { first: 'many' },
    },
    status: [400, 200],
    code: 'BAD_USER_INPUT',
  },
  {
    what: 'an operation name the document lacks',
    body: { query: 'query A { __typename }', operationName: 'B' },
    status: [400, 200],
    code: 'BAD_USER_INPUT',
  },
  {
    what: 'a field error (data null)',
    body: { query: 'mutation { reprocessDocument(id: "01900000-0000-7000-8000-000000000000") { id } }' },
    status: [200, 200],
    code: 'NOT_FOUND',
  },
  {
    what: 'a field error in a bad argument (data null)',
    body: { query: '{ searchDocuments(query: "") { edges { cursor } } }' },
    status: [200, 200],
    code: 'BAD_USER_INPUT',
  },
  { what: 'a body that is not JSON', body: '{"query": ', status: [400, 400], code: 'BAD_USER_INPUT' },
  { what: 'no query', body: {}, status: [400, 400], code: 'BAD_USER_INPUT' },
  {
    what: 'no token',
    body: { query: '{ __typename }' },
    token: null,
    status: [401, 401],
    code: 'UNAUTHENTICATED',
  },
];

describe.each([
  [GRAPHQL_RESPONSE, 0],
  [JSON_TYPE, 1],
] as const)('Accept: %s', (accept, column) => {
  it.each(CASES)('$what', async ({ body, token, status, code }) => {
    const res = await fetch(api.url, {
      method: 'POST',
      headers: {
        accept,
        'content-type': 'application/json',
        ...(token === null ? {} : { authorization: bearer(token ?? TEST_TOKEN) }),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({
      status: status[column],
      type: `${accept}; charset=utf-8`,
    });
    const json = JSON.parse(text) as { errors?: { extensions: { code: string } }[] };
    expect(json.errors?.[0]?.extensions.code).toBe(code);
    expectClean(json);
  });
});

describe('Accept negotiation', () => {
  it.each([
    [undefined, JSON_TYPE, 200],
    ['*/*', JSON_TYPE, 200],
    [`${GRAPHQL_RESPONSE}, ${JSON_TYPE};q=0.9`, GRAPHQL_RESPONSE, 400],
    [`${JSON_TYPE}, ${GRAPHQL_RESPONSE};q=0.5`, JSON_TYPE, 200],
  ])('Accept %s answers a validation error as %s with %i', async (accept, type, status) => {
    const res = await fetch(api.url, {
      method: 'POST',
      headers: {
        ...(accept ? { accept } : {}),
        'content-type': 'application/json',
        authorization: bearer(TEST_TOKEN),
      },
      body: JSON.stringify({ query: '{ nope }' }),
    });
    expect({ status: res.status, type: res.headers.get('content-type') }).toEqual({
      status,
      type: `${type}; charset=utf-8`,
    });
  });
});
