/**
 * docpipe's bearer tokens: JWTs signed with the local HS256 secret (or issued by an identity
 * provider and checked against its JWKS), and API keys for scripts. Used by the api (verify), the
 * launcher (the development token) and `docpipe token create` (sign) — one place, one set of rules.
 */
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { OWNER_ID, type AuthConfig } from '../domain/config.js';

/** Who is calling: the only source of the owner id that scopes every read and write. */
export interface Principal {
  ownerId: string;
  /** How the caller proved it: a JWT, or an API key (with its id). */
  via: 'token' | 'apiKey';
  apiKeyId?: string;
}

/** Why a credential was refused; the message is safe to show to the caller. */
export class AuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthError';
  }
}

/** API keys look like `dpk_<keyId>_<secret>`; only the SHA-256 of the secret is stored. */
export const API_KEY_PREFIX = 'dpk_';
const API_KEY = /^dpk_([0-9a-f]{32})_([A-Za-z0-9_-]{43})$/;

export function parseApiKey(key: string): { keyId: string; secret: string } | null {
  const m = API_KEY.exec(key);
  return m ? { keyId: m[1]!, secret: m[2]! } : null;
}

/** Algorithms accepted from identity providers; `none` and HMAC with a public key never are. */
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];

/** Looks up an API key by id: its owner, secret hash and whether it was revoked. */
export type ApiKeyLookup = (keyId: string, secret: string) => Promise<Principal | null>;

export interface TokenVerifier {
  /** The principal for an `Authorization` value (`Bearer …`), or an AuthError. */
  verify(authorization: string | undefined): Promise<Principal>;
}

export function createTokenVerifier(
  auth: AuthConfig & { secret?: string },
  lookupApiKey: ApiKeyLookup,
): TokenVerifier {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (auth.jwksUrl) {
    key = createRemoteJWKSet(new URL(auth.jwksUrl));
    algorithms = ASYMMETRIC;
  } else if (auth.secret) {
    key = new TextEncoder().encode(auth.secret);
    algorithms = ['HS256'];
  } else {
    throw new Error('createTokenVerifier needs a secret or a JWKS URL');
  }

  return {
    async verify(authorization) {
      const token = bearer(authorization);
      if (token.startsWith(API_KEY_PREFIX)) {
        const parsed = parseApiKey(token);
        const principal = parsed ? await lookupApiKey(parsed.keyId, parsed.secret) : null;
        if (!principal) throw new AuthError('Unknown or revoked API key');
        return principal;
      }
      try {
        const { payload } = await jwtVerify(token, key as Uint8Array, {
          issuer: auth.issuer,
          audience: auth.audience,
          algorithms,
          requiredClaims: ['exp'],
        });
        const owner = payload[auth.ownerClaim];
        if (typeof owner !== 'string' || !OWNER_ID.test(owner)) {
          throw new AuthError(`The token's "${auth.ownerClaim}" claim is not a valid owner id`);
        }
        return { ownerId: owner, via: 'token' };
      } catch (err) {
        if (err instanceof AuthError) throw err;
        throw new AuthError(describeJoseError(err));
      }
    },
  };
}

function bearer(authorization: string | undefined): string {
  if (!authorization) throw new AuthError('Missing credentials: send Authorization: Bearer <token>');
  const m = /^Bearer ([\x21-\x7e]{1,4096})$/i.exec(authorization.trim());
  if (!m) throw new AuthError('Malformed Authorization header: expected "Bearer <token>"');
  return m[1]!;
}

function describeJoseError(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'The token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed)
    return `The token's "${err.claim}" claim is not accepted`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed)
    return 'The token is signed with an algorithm that is not accepted';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'The token signature is not valid';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return 'The token was signed by an unknown key';
  return 'The token is not valid';
}

/** Parses `30d`, `12h`, `15m`, `3600s` or plain seconds. */
export function parseTtl(ttl: string): number {
  const m = /^(\d{1,6})([smhd]?)$/.exec(ttl.trim());
  if (!m) throw new Error(`"${ttl}" is not a duration such as 30d, 12h, 15m or 3600`);
  const n = Number(m[1]);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as '' | 's' | 'm' | 'h' | 'd'];
  if (n <= 0) throw new Error('The duration must be positive');
  return n * unit;
}

/** A token for `ownerId`, signed with the local secret; what `docpipe token create` prints. */
export async function signToken(
  auth: { secret: string; issuer: string; audience: string; ownerClaim: string },
  ownerId: string,
  ttlSeconds: number,
): Promise<string> {
  if (!OWNER_ID.test(ownerId))
    throw new Error(`"${ownerId}" is not a valid owner id (1-128 of A-Z a-z 0-9 _.@:|-)`);
  const now = Math.floor(Date.now() / 1000);
  const claims = auth.ownerClaim === 'sub' ? {} : { [auth.ownerClaim]: ownerId };
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(ownerId)
    .setIssuer(auth.issuer)
    .setAudience(auth.audience)
    .setIssuedAt(now)
    .setExpirationTime(now + ttlSeconds)
    .sign(new TextEncoder().encode(auth.secret));
}
