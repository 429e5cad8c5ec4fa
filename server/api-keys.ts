import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { ApiKeyStore } from '../aws/api-key-store.js';
import type { ApiKeyRecord } from '../domain/model.js';
import { API_KEY_PREFIX, type Principal } from '../auth/tokens.js';
import { badInput } from '../domain/errors.js';
import { newId } from '../domain/ids.js';

/** Keys one owner may hold; revoked ones count too (they stay listed). */
export const MAX_API_KEYS = 50;
const NAME = /^[^\p{Cc}\p{Cf}]{1,100}$/u;

const hash = (secret: string) => createHash('sha256').update(secret).digest();

/**
 * API keys for scripts: `dpk_<id>_<secret>`, shown once at creation. Only the SHA-256 of the secret
 * is stored (the secret is 256 random bits, so a plain hash is enough; no password stretching needed).
 */
export class ApiKeyService {
  constructor(private readonly store: ApiKeyStore) {}

  async create(ownerId: string, name: string): Promise<{ apiKey: ApiKeyRecord; key: string }> {
    const trimmed = name.trim();
    if (!NAME.test(trimmed)) {
      throw badInput('name must be 1-100 characters without control characters', { argument: 'name' });
    }
    if ((await this.store.list(ownerId, MAX_API_KEYS)).length >= MAX_API_KEYS) {
      throw badInput(`At most ${MAX_API_KEYS} API keys per owner`, { argument: 'name' });
    }
    const id = newId().replace(/-/g, '');
    const secret = randomBytes(32).toString('base64url');
    const apiKey: ApiKeyRecord = {
      id,
      ownerId,
      name: trimmed,
      createdAt: new Date().toISOString(),
      revokedAt: null,
    };
    await this.store.create(apiKey, hash(secret).toString('hex'));
    return { apiKey, key: `${API_KEY_PREFIX}${id}_${secret}` };
  }

  list(ownerId: string): Promise<ApiKeyRecord[]> {
    return this.store.list(ownerId, MAX_API_KEYS);
  }

  revoke(ownerId: string, id: string): Promise<boolean> {
    if (!/^[0-9a-f]{32}$/.test(id)) return Promise.resolve(false);
    return this.store.revoke(ownerId, id, new Date().toISOString());
  }

  /** The principal of a presented key, or null when unknown, revoked or wrong. */
  readonly lookup = async (keyId: string, secret: string): Promise<Principal | null> => {
    const found = await this.store.find(keyId);
    if (!found || found.revokedAt) return null;
    const expected = Buffer.from(found.secretHash, 'hex');
    const given = hash(secret);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    return { ownerId: found.ownerId, via: 'apiKey', apiKeyId: found.id };
  };
}
