/**
 * Hostile suite, authentication: every kind of bad credential is refused on HTTP (401
 * UNAUTHENTICATED) and on WebSockets (closed 4403), while a legitimate client keeps being served.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../aws/clients.js';
import type { Config } from '../../domain/config.js';
import { TEST_AUTH, TEST_AUTH_SECRET, tokenFor } from '../support/auth.js';
import { gql } from '../support/graphql.js';
import { bystander, expectClean, rawSocket, storedCounts } from '../support/hostile.js';
import { Disposables, startStack, type RunningApi } from '../support/stack.js';

const disposables = new Disposables();
let api: RunningApi;
let aws: AwsClients;
let config: Config;
let stopBystander: ReturnType<typeof bystander>;

beforeAll(async () => {
  ({ api, aws, config } = await startStack(disposables, { worker: false }));
  stopBystander = bystander(api.url, await tokenFor('bystander'));
});
afterAll(() => disposables.disposeAll());

const now = () => Math.floor(Date.now() / 1000);
const secret = new TextEncoder().encode(TEST_AUTH_SECRET);
const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const claims = () => ({
  sub: 'mallory',
  iss: TEST_AUTH.issuer,
  aud: TEST_AUTH.audience,
  iat: now(),
  exp: now() + 600,
});

/** Tokens that must all be refused, each for its own reason. */
async function badTokens(): Promise<Record<string, string>> {
  const sign = (payload: Record<string, unknown>, key = secret) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'HS256' }).sign(key);
  return {
    forged: await sign(claims(), new TextEncoder().encode('not-the-secret-not-the-secret-not-the-secret')),
    expired: await sign({ ...claims(), iat: now() - 7200, exp: now() - 3600 }),
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`,
    'wrong audience': await sign({ ...claims(), aud: 'someone-else' }),
    'wrong issuer': await sign({ ...claims(), iss: 'https://evil.example' }),
    'no expiry': await new SignJWT({ sub: 'mallory' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(TEST_AUTH.issuer)
      .setAudience(TEST_AUTH.audience)
      .sign(secret),
    'owner id with a key separator': await sign({ ...claims(), sub: 'a#DOC' }),
    'tampered payload': (await tokenFor('alice')).replace(
      /\.[^.]+\./,
      `.${b64({ ...claims(), sub: 'bob' })}.`,
    ),
    'unknown API key': `dpk_${'0'.repeat(32)}_${'A'.repeat(43)}`,
    'malformed API key': 'dpk_nope',
    garbage: 'not a token at all',
  };
}

const LIST = '{ documents(first: 5) { edges { node { id } } } }';

describe('authentication (hostile)', () => {
  it('answers 401 UNAUTHENTICATED without credentials or with a malformed header', async () => {
    const none = await gql(api.url, LIST, {}, { token: null });
    expect(none.status).toBe(401);
    expect(none.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    for (const authorization of ['Basic dXNlcjpwYXNz', 'Bearer', 'Bearer a b', 'Token abc']) {
      const res = await fetch(api.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body: JSON.stringify({ query: LIST }),
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      const body = (await res.json()) as any;
      expect(body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
      expectClean(body);
    }
  });

  it('refuses forged, expired, alg:none, wrong-audience/issuer and other bad tokens on HTTP', async () => {
    for (const [kind, token] of Object.entries(await badTokens())) {
      const res = await gql(api.url, LIST, {}, { token });
      expect({ kind, status: res.status, code: res.errors?.[0]?.extensions?.code }).toEqual({
        kind,
        status: 401,
        code: 'UNAUTHENTICATED',
      });
      expectClean(res);
    }
  });

  it('refuses a mutation with a bad token before reading the body, and writes nothing', async () => {
    const before = await storedCounts(aws, config);
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({
        query: 'mutation($f: Upload!) { uploadDocument(file: $f) { id } }',
        variables: { f: null },
      }),
    );
    form.append('map', JSON.stringify({ 0: ['variables.f'] }));
    form.append('0', new Blob(['sneaky']), 'x.txt');
    const res = await fetch(api.url, {
      method: 'POST',
      body: form,
      headers: { 'apollo-require-preflight': '1', authorization: `Bearer ${(await badTokens())['expired']}` },
    });
    expect(res.status).toBe(401);
    expect(await storedCounts(aws, config)).toEqual(before);
  });

  it('closes WebSockets without a valid token with 4403 Forbidden', async () => {
    const params: Record<string, unknown>[] = [
      {},
      { authorization: 'Basic abc' },
      { authorization: 42 },
      ...Object.values(await badTokens()).map((t) => ({ authorization: `Bearer ${t}` })),
    ];
    for (const payload of params) {
      const socket = rawSocket(api.wsUrl);
      socket.send({ type: 'connection_init', payload });
      expect((await socket.closed).code).toBe(4403);
      expect(socket.messages.find((m) => m.type === 'connection_ack')).toBeUndefined();
    }
    // A subscribe before (or instead of) a valid init is refused too.
    const early = rawSocket(api.wsUrl);
    early.send({
      id: '1',
      type: 'subscribe',
      payload: { query: 'subscription { jobUpdated(jobId: "x") { id } }' },
    });
    expect((await early.closed).code).toBe(4401);
  });

  it('closes a socket that never sends connection_init', async () => {
    const socket = rawSocket(api.wsUrl);
    expect((await socket.closed).code).toBe(4408);
  });

  it('API keys: shown once, work as bearer tokens, listed by hash only, refused once revoked', async () => {
    const owner = await tokenFor('key-owner');
    const created = await gql(
      api.url,
      'mutation { createApiKey(input: { name: "ci" }) { key apiKey { id name revokedAt } } }',
      {},
      { token: owner },
    );
    const { key, apiKey } = created.data!.createApiKey;
    expect(key).toMatch(/^dpk_[0-9a-f]{32}_[\w-]{43}$/);
    expect(apiKey).toMatchObject({ name: 'ci', revokedAt: null });
    // Stored as a hash: the secret part is nowhere in the table.
    const { items } = await storedCounts(aws, config);
    expect(JSON.stringify(items)).not.toContain(/^dpk_[0-9a-f]{32}_(.+)$/.exec(key)![1]);

    const asKey = await gql(api.url, '{ apiKeys { id name } }', {}, { token: key });
    expect(asKey.data!.apiKeys).toEqual([{ id: apiKey.id, name: 'ci' }]);
    // A wrong secret for a real key id is refused.
    const wrongSecret = `dpk_${apiKey.id}_${'B'.repeat(43)}`;
    expect((await gql(api.url, LIST, {}, { token: wrongSecret })).status).toBe(401);

    const revoked = await gql(
      api.url,
      `mutation { revokeApiKey(id: "${apiKey.id}") { id revoked } }`,
      {},
      { token: owner },
    );
    expect(revoked.data!.revokeApiKey).toEqual({ id: apiKey.id, revoked: true });
    const after = await gql(api.url, LIST, {}, { token: key });
    expect(after.status).toBe(401);
    expect(after.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const socket = rawSocket(api.wsUrl);
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${key}` } });
    expect((await socket.closed).code).toBe(4403);
    const again = await gql(
      api.url,
      `mutation { revokeApiKey(id: "${apiKey.id}") { revoked } }`,
      {},
      { token: owner },
    );
    expect(again.data!.revokeApiKey.revoked).toBe(false);
  });

  it('refuses bad API key names with BAD_USER_INPUT', async () => {
    const owner = await tokenFor('key-names');
    for (const name of ['', ' ', 'x'.repeat(101), 'evil\u202Ename', 'bell\u0007']) {
      const res = await gql(
        api.url,
        'mutation($n: String!) { createApiKey(input: { name: $n }) { key } }',
        { n: name },
        { token: owner },
      );
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect((await gql(api.url, '{ apiKeys { id } }', {}, { token: owner })).data!.apiKeys).toEqual([]);
  });

  it('kept serving a legitimate client throughout', async () => {
    const { ok, failures } = await stopBystander();
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(0);
  });
});
