/**
 * Tokens from an identity provider (OIDC): with AUTH_JWKS_URL the api verifies tokens against the
 * provider's published keys, issuer and audience, and refuses everything else — including HS256
 * tokens made with a local secret (algorithm confusion) and keys it does not publish.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_AUTH_SECRET, tokenFor } from '../support/auth.js';
import { gql } from '../support/graphql.js';
import { rawSocket } from '../support/hostile.js';
import { Disposables, startStack, type RunningApi } from '../support/stack.js';

const ISSUER = 'https://idp.test.invalid/';
const AUDIENCE = 'docpipe-oidc';
const disposables = new Disposables();
let api: RunningApi;
let providerKey: CryptoKey;
let strangerKey: CryptoKey;
let jwksRequests = 0;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  providerKey = pair.privateKey;
  strangerKey = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  // A minimal identity provider: its JWKS document on loopback.
  const idp: Server = createServer((_req, res) => {
    jwksRequests++;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((r) => idp.listen(0, '127.0.0.1', () => r()));
  disposables.add(() => new Promise<void>((r) => idp.close(() => r())));
  const jwksUrl = `http://127.0.0.1:${(idp.address() as AddressInfo).port}/.well-known/jwks.json`;
  ({ api } = await startStack(disposables, {
    worker: false,
    overrides: {
      AUTH_JWKS_URL: jwksUrl,
      AUTH_ISSUER: ISSUER,
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_OWNER_CLAIM: 'email',
    },
  }));
});
afterAll(() => disposables.disposeAll());

function idpToken(claims: Record<string, unknown>, key = providerKey, kid = 'k1') {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    email: 'olivia@example.com',
    sub: 'auth0|123',
    iss: ISSUER,
    aud: AUDIENCE,
    iat: now,
    exp: now + 600,
    ...claims,
  };
  return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
}

const WHO = '{ apiKeys { id } }';

describe('OIDC tokens (AUTH_JWKS_URL)', () => {
  it('accepts the provider’s tokens, with the owner from the configured claim', async () => {
    const token = await idpToken({});
    const res = await gql(
      api.url,
      'mutation { createApiKey(input: { name: "via-oidc" }) { apiKey { id } } }',
      {},
      { token },
    );
    expect(res.errors).toBeUndefined();
    // The same owner (the email claim) sees the key; another email does not.
    expect((await gql(api.url, WHO, {}, { token })).data!.apiKeys).toHaveLength(1);
    const other = await idpToken({ email: 'someone@example.com' });
    expect((await gql(api.url, WHO, {}, { token: other })).data!.apiKeys).toHaveLength(0);
    expect(jwksRequests).toBeGreaterThan(0);
    const socket = rawSocket(api.wsUrl);
    socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } });
    await socket.next('connection_ack');
    socket.ws.close();
  });

  it('refuses local-secret tokens, unknown keys, wrong issuer or audience, and a missing owner claim', async () => {
    const hs256 = await new SignJWT({ email: 'olivia@example.com' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(TEST_AUTH_SECRET));
    const refused = {
      'local secret (HS256)': hs256,
      'docpipe token': await tokenFor('olivia@example.com'),
      'unpublished key': await idpToken({}, strangerKey),
      'unknown kid': await idpToken({}, strangerKey, 'k2'),
      'wrong issuer': await idpToken({ iss: 'https://evil.example/' }),
      'wrong audience': await idpToken({ aud: 'other-app' }),
      'no owner claim': await idpToken({ email: undefined }),
    };
    for (const [kind, token] of Object.entries(refused)) {
      const res = await gql(api.url, WHO, {}, { token });
      expect({ kind, status: res.status, code: res.errors?.[0]?.extensions?.code }).toEqual({
        kind,
        status: 401,
        code: 'UNAUTHENTICATED',
      });
    }
  });
});
