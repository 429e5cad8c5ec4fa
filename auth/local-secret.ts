/**
 * The local signing secret and the development token, kept under DATA_DIR so that `npm start`,
 * `docpipe token create` and the api agree without any manual step. Not used in production, where
 * AUTH_SECRET (or an identity provider's JWKS) is required.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Config } from '../domain/config.js';
import { signToken } from './tokens.js';

export const SECRET_FILE = 'auth-secret';
export const DEV_TOKEN_FILE = 'dev-token';
/** The development token lives as long as a long weekend project; `npm start` renews it. */
const DEV_TOKEN_SECONDS = 30 * 86_400;

/** The HS256 secret: AUTH_SECRET, else DATA_DIR/auth-secret (made once, mode 0600) outside production. */
export function resolveSecret(config: Pick<Config, 'auth' | 'env' | 'dataDir'>): string {
  if (config.auth.secret) return config.auth.secret;
  if (config.env === 'production') {
    throw new Error('AUTH_SECRET or AUTH_JWKS_URL is required when NODE_ENV=production');
  }
  const file = join(resolve(config.dataDir), SECRET_FILE);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(resolve(config.dataDir), { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  try {
    // `wx`: if another process made it first, use theirs.
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return secret;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim();
    throw err;
  }
}

/** Signs a fresh development token for DEV_OWNER_ID and writes it to DATA_DIR/dev-token (0600). */
export async function writeDevToken(config: Config): Promise<{ token: string; file: string }> {
  const token = await signToken(
    { ...config.auth, secret: resolveSecret(config) },
    config.devOwnerId,
    DEV_TOKEN_SECONDS,
  );
  const file = join(resolve(config.dataDir), DEV_TOKEN_FILE);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // an older file keeps its mode on overwrite
  return { token, file };
}

/** The development token `npm start` wrote, if any. */
export function readDevToken(dataDir: string): string | undefined {
  try {
    return readFileSync(join(resolve(dataDir), DEV_TOKEN_FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
