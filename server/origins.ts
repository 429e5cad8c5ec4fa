import type { IncomingMessage } from 'node:http';
import type { Config } from '../domain/config.js';

const LOOPBACK_HOSTS = ['localhost', '127.0.0.1', '[::1]'];

/** `host[:port]` → lower-case host name (IPv6 keeps its brackets) and port, if given. */
function splitHost(host: string): { name: string; port?: string } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.trim().toLowerCase());
  if (!m) return { name: '' };
  return m[2] ? { name: m[1]!, port: m[2] } : { name: m[1]! };
}

/**
 * Host names the api answers to: ALLOWED_HOSTS, else loopback names outside production (a foreign
 * page whose DNS name is rebound to 127.0.0.1 then cannot reach a developer's api), else any.
 */
export function isAllowedHost(config: Config, host: string | undefined): boolean {
  const allowed = config.web.allowedHosts ?? (config.env === 'production' ? undefined : LOOPBACK_HOSTS);
  if (!allowed) return true;
  const { name } = splitHost(host ?? '');
  return allowed.some((h) => h.toLowerCase() === name);
}

/** The loopback host names (for the development token, which is only ever handed out on loopback). */
export function isLoopbackHost(host: string | undefined): boolean {
  return LOOPBACK_HOSTS.includes(splitHost(host ?? '').name);
}

/**
 * True when a browser's `Origin` is the api's own origin as the browser sees it: same host name and
 * port, where the port comes from the Host header or, behind nginx (which forwards the bare host
 * name), from X-Forwarded-Port.
 */
export function isSameOrigin(origin: string, request: IncomingMessage): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const host = splitHost(request.headers.host ?? '');
  const forwardedPort = request.headers['x-forwarded-port'];
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  const port = host.port ?? (typeof forwardedPort === 'string' ? forwardedPort : defaultPort);
  return url.hostname.toLowerCase() === host.name && (url.port || defaultPort) === port;
}
