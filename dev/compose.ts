/**
 * Reads docker-compose.yml the way Compose would for what docpipe needs from it: a service's
 * environment, with `${NAME:-default}` interpolation. Used to render nginx/compose.nginx.conf from
 * the api's own settings (upload limit, ping interval) and by the compose tests.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { projectRoot } from './project-root.js';

const root = projectRoot;
export const COMPOSE_FILE = join(root, 'docker-compose.yml');

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export interface ComposeService {
  image?: string;
  build?: string | { context?: string; target?: string; dockerfile?: string };
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | { published?: number | string; target?: number | string })[];
  volumes?: (string | { source?: string; target?: string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string[] | string; disable?: boolean; [k: string]: unknown };
  deploy?: { replicas?: number };
  profiles?: string[];
  [k: string]: unknown;
}

/** Parses a compose file (YAML merge keys resolved, as Compose does for `<<: *anchor`). */
export function parseCompose(text: string): ComposeFile {
  return parse(text, { merge: true }) as ComposeFile;
}

export function readCompose(file = COMPOSE_FILE): ComposeFile {
  return parseCompose(readFileSync(file, 'utf8'));
}

/**
 * A service's environment as strings, interpolated against `vars` (none by default, so defaults
 * apply and the result does not depend on the shell that runs it).
 */
export function serviceEnv(
  compose: ComposeFile,
  service: string,
  vars: Record<string, string | undefined> = {},
): Record<string, string> {
  const spec = compose.services[service];
  if (!spec) throw new Error(`docker-compose.yml has no service "${service}"`);
  const raw = spec.environment ?? {};
  const pairs: [string, string][] = Array.isArray(raw)
    ? raw.map((entry) => {
        const at = entry.indexOf('=');
        return at < 0 ? [entry, ''] : [entry.slice(0, at), entry.slice(at + 1)];
      })
    : Object.entries(raw).map(([k, v]) => [k, v === null ? '' : String(v)]);
  return Object.fromEntries(pairs.map(([k, v]) => [k, interpolate(v, vars)]));
}

/** Compose's `${NAME}`, `${NAME:-default}`, `${NAME-default}` and `$$` (literal `$`). */
export function interpolate(value: string, vars: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{(\w+)(?:(:?-)([^}]*))?\}/g,
    (match, name: string | undefined, op: string | undefined, fallback: string | undefined) => {
      if (match === '$$') return '$';
      const v = vars[name!];
      if (op === ':-') return v === undefined || v === '' ? (fallback ?? '') : v;
      if (op === '-') return v === undefined ? (fallback ?? '') : v;
      return v ?? '';
    },
  );
}
