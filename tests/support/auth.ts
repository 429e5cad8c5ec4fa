import { signToken } from '../../auth/tokens.js';

/** The secret every test stack is configured with (testEnv sets AUTH_SECRET to it). */
export const TEST_AUTH_SECRET = 'docpipe-test-secret-0123456789abcdefghij';
export const TEST_AUTH = {
  secret: TEST_AUTH_SECRET,
  issuer: 'docpipe',
  audience: 'docpipe-api',
  ownerClaim: 'sub',
};

/** A valid token for `ownerId` on any test stack. */
export function tokenFor(ownerId: string, ttlSeconds = 3600): Promise<string> {
  return signToken(TEST_AUTH, ownerId, ttlSeconds);
}

/** The owner test helpers act as unless told otherwise. */
export const TEST_OWNER = 'test-owner';
export const TEST_TOKEN = await tokenFor(TEST_OWNER, 24 * 3600);
export const bearer = (token: string) => `Bearer ${token}`;
