/**
 * S3's response header overrides for embedded S3: a GET Object whose (presigned) URL carries
 * `response-content-type`, `response-content-disposition`, … is answered with those headers, as
 * S3 answers it. fauxqs 2.4.1 ignores them and answers with what was stored; docpipe's presigned
 * URLs rely on them (an original served as its own extracted text says `text/plain`, a download says
 * `attachment`). Sits in front of the server's request handlers (dev/request-front.ts); answers of
 * other requests are left alone.
 */
import type { OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { inFrontOf } from './request-front.js';

/** The query parameter and the header it sets (S3's GetObject API). */
const OVERRIDES: readonly (readonly [string, string])[] = [
  ['response-content-type', 'content-type'],
  ['response-content-disposition', 'content-disposition'],
  ['response-content-language', 'content-language'],
  ['response-content-encoding', 'content-encoding'],
  ['response-cache-control', 'cache-control'],
  ['response-expires', 'expires'],
];

export function honourResponseOverrides(server: Server): void {
  inFrontOf(server, (req, res, next) => {
    const query = req.method === 'GET' ? new URL(req.url ?? '/', 'http://emulator').searchParams : undefined;
    const headers = OVERRIDES.flatMap(([param, header]) => {
      const value = query?.get(param);
      return value == null ? [] : [[header, value] as const];
    });
    if (headers.length > 0) overrideOnSuccess(res, headers);
    next();
  });
}

/**
 * Sets `headers` on a 2xx answer, over what the handler set or passes to `writeHead` as an object
 * (fauxqs's Fastify and the large-object streamer both do; a raw header array would win over them).
 */
function overrideOnSuccess(res: ServerResponse, headers: readonly (readonly [string, string])[]): void {
  const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
  res.writeHead = ((status: number, ...rest: unknown[]) => {
    if (status >= 200 && status < 300) {
      const given = rest.at(-1);
      if (given && typeof given === 'object' && !Array.isArray(given)) {
        const passed = given as OutgoingHttpHeaders;
        for (const [name] of headers) {
          for (const key of Object.keys(passed)) if (key.toLowerCase() === name) delete passed[key];
        }
      }
      for (const [name, value] of headers) res.setHeader(name, value);
    }
    return writeHead(status, ...rest);
  }) as ServerResponse['writeHead'];
}
