/**
 * Where the CLI's token comes from: `--token`, else `DOCPIPE_TOKEN`, else — only for an api on this
 * machine (a loopback `--url`) — the development token `npm start` writes to
 * `${DATA_DIR:-.data}/dev-token` in the current directory. The development token is never sent to
 * another host: it would hand that host a working credential for the local api.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

export type TokenSource = 'option' | 'env' | 'dev-token' | 'none';

export interface ResolvedToken {
  token: string | undefined;
  source: TokenSource;
  /** The development token file: read (`dev-token`), or not used because the URL is not loopback. */
  file: string;
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for `http(s)://127.0.0.1|localhost|[::1][:port]/…`. */
export function isLoopbackUrl(url: string): boolean {
  try {
    return LOOPBACK_HOSTS.has(new URL(url).hostname.toLowerCase());
  } catch {
    return false;
  }
}

/** `${DATA_DIR:-.data}/dev-token`, relative to `cwd` (as `npm start` run from there writes it). */
export function devTokenFile(env: Record<string, string | undefined>, cwd: string): string {
  return resolve(cwd, env['DATA_DIR'] || '.data', 'dev-token');
}

export function resolveToken(input: {
  /** `--token` or DOCPIPE_TOKEN as commander parsed it, and which of the two it was. */
  given: string | undefined;
  givenFrom: 'option' | 'env';
  url: string;
  env: Record<string, string | undefined>;
  cwd: string;
}): ResolvedToken {
  const file = devTokenFile(input.env, input.cwd);
  const given = input.given?.trim();
  if (given) return { token: given, source: input.givenFrom, file };
  if (isLoopbackUrl(input.url)) {
    const token = readToken(file);
    if (token) return { token, source: 'dev-token', file };
  }
  return { token: undefined, source: 'none', file };
}

function readToken(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined; // absent (npm start not run here) or unreadable: as if there were none
  }
}

const MAKE_ONE = '`npx docpipe token create --owner <id>` makes one';

/** One line saying why the api wanted a token and how to get one. */
export function tokenHint(resolved: ResolvedToken, url: string, cwd: string): string {
  const file = shortPath(resolved.file, cwd);
  switch (resolved.source) {
    case 'option':
    case 'env': {
      const from = resolved.source === 'option' ? '--token' : 'DOCPIPE_TOKEN';
      return `The token from ${from} was refused (expired, revoked or made for another api); ${MAKE_ONE}.`;
    }
    case 'dev-token':
      return `The development token in ${file} was refused: restart \`npm start\` (it renews it) or set DOCPIPE_TOKEN; ${MAKE_ONE}.`;
    case 'none':
      return isLoopbackUrl(url)
        ? `No token: run \`npm start\` (it writes ${file}) or set DOCPIPE_TOKEN; ${MAKE_ONE}.`
        : `No token: set DOCPIPE_TOKEN or pass --token (${file} is only used for loopback URLs); ${MAKE_ONE}.`;
  }
}

/** `.data/dev-token` for a file under `cwd`, the absolute path otherwise. */
function shortPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}
