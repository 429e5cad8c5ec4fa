/**
 * Serves the browser apps built by `npm run build:web` (client/vite.config.ts → dist/www):
 * - `GET /`: the web page;
 * - `GET /graphql` asking for HTML (a browser): the GraphiQL playground, except in production;
 *   every other request to /graphql (JSON GETs, POSTs, WebSocket upgrades) still reaches Apollo;
 * - `GET /assets/*`: hashed bundles, cached for a year, sent pre-compressed (br/gzip) when the
 *   client accepts it, since the playground alone is ~7 MB uncompressed.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Express, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from '../domain/config.js';
import { isLoopbackHost } from './origins.js';

export interface WebAssetsOptions {
  /** The Vite output folder. @default dist/www of the project */
  dir?: string;
  logger?: Logger;
  /**
   * Development only: the token the pages use without a sign-in step. It is put into the page (a
   * `<meta name="docpipe-dev-token">`) only for requests that come from this machine to a loopback
   * host name, directly or through a local nginx.
   */
  devToken?: () => string | undefined;
}

/** The meta tag the web page and the playground read the development token from. */
export const DEV_TOKEN_META = 'docpipe-dev-token';
const LOOPBACK_ADDRESS = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Pages must be revalidated so a rebuild (new asset hashes) is picked up at once. */
const REVALIDATE = 'no-cache';

/** Where the bundles are, whether the api runs from sources (tsx) or compiled into dist/. */
export function defaultWebAssetsDir(): string {
  const fromSources = fileURLToPath(new URL('../dist/www', import.meta.url));
  const fromBuild = fileURLToPath(new URL('../www', import.meta.url));
  return existsSync(fromSources) || !existsSync(fromBuild) ? fromSources : fromBuild;
}

/** True when the GraphiQL playground is served: everywhere but production. */
export function playgroundEnabled(config: Config): boolean {
  return config.env !== 'production';
}

/** Adds the web page, the playground and their assets to `app`. Call before the /graphql middleware. */
export function mountWebAssets(app: Express, config: Config, options: WebAssetsOptions = {}): void {
  const dir = options.dir ?? defaultWebAssetsDir();
  if (!existsSync(join(dir, 'web/index.html'))) {
    options.logger?.warn({ dir }, 'web assets not built: run `npm run build:web` (npm start does it)');
  }

  app.use('/assets', (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    sendBuilt(req, res, join(dir, 'assets'), req.path.replace(/^\/+/, ''), IMMUTABLE, next);
  });
  const send =
    (file: string): RequestHandler =>
    (req, res, next) => {
      const token = options.devToken && isLocalRequest(req) ? options.devToken() : undefined;
      if (token) pageWithToken(res, dir, file, token, next);
      else page(req, res, dir, file, next);
    };
  app.get(['/', '/index.html'], send('web/index.html'));
  if (playgroundEnabled(config)) {
    app.get('/graphql', (req, res, next) => {
      // Browsers navigating here ask for HTML; GraphQL GETs (curl, clients) prefer JSON or accept */*.
      if (
        req.accepts(['application/json', 'application/graphql-response+json', 'text/html']) !== 'text/html'
      ) {
        return next();
      }
      send('playground/index.html')(req, res, next);
    });
  }
}

/** From this machine to a loopback host name, and (behind nginx) forwarded for a loopback client. */
function isLocalRequest(req: Request): boolean {
  const forwarded = req.headers['x-forwarded-for'];
  const client = typeof forwarded === 'string' ? forwarded.split(',').pop()!.trim() : undefined;
  return (
    LOOPBACK_ADDRESS.test(req.socket.remoteAddress ?? '') &&
    (client === undefined || LOOPBACK_ADDRESS.test(client)) &&
    isLoopbackHost(req.headers.host)
  );
}

/** The page with the development token in a meta tag; never cached, never compressed ahead. */
function pageWithToken(
  res: Response,
  dir: string,
  file: string,
  token: string,
  next: Parameters<RequestHandler>[2],
) {
  readFile(join(dir, file), 'utf8').then(
    (html) => {
      const meta = `<meta name="${DEV_TOKEN_META}" content="${token.replace(/[^\w.-]/g, '')}">`;
      res
        .status(200)
        .type('html')
        .setHeader('Cache-Control', 'no-store')
        .send(html.replace(/<head>/i, `<head>\n    ${meta}`));
    },
    (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') return next(err);
      res
        .status(503)
        .type('text/plain')
        .send(
          'The web assets are not built yet. Run `npm run build:web` (npm start does it), then reload.\n',
        );
    },
  );
}

function page(
  req: Request,
  res: Response,
  dir: string,
  file: string,
  next: Parameters<RequestHandler>[2],
): void {
  if (!existsSync(join(dir, file))) {
    res
      .status(503)
      .type('text/plain')
      .send('The web assets are not built yet. Run `npm run build:web` (npm start does it), then reload.\n');
    return;
  }
  sendBuilt(req, res, dir, file, REVALIDATE, next);
}

/** Sends `root/file`, or its .br/.gz sibling when the client accepts that encoding. */
function sendBuilt(
  req: Request,
  res: Response,
  root: string,
  file: string,
  cacheControl: string,
  next: Parameters<RequestHandler>[2],
): void {
  res.vary('Accept-Encoding');
  let sent = file;
  for (const [encoding, suffix] of [
    ['br', '.br'],
    ['gzip', '.gz'],
  ] as const) {
    if (req.acceptsEncodings(encoding) === encoding && existsSync(join(root, file + suffix))) {
      res.setHeader('Content-Encoding', encoding);
      sent = file + suffix;
      break;
    }
  }
  // The type of the original, not of the .br/.gz file (send() keeps a Content-Type already set).
  res.type(file.slice(file.lastIndexOf('.')));
  // `root` makes send() reject `..` and absolute paths; dotfiles (.build-hash) stay private.
  res.sendFile(sent, { root, dotfiles: 'deny', headers: { 'Cache-Control': cacheControl } }, (err) => {
    // Sent, or cut off after the headers went out (the client went away): nothing left to answer.
    if (!err || res.headersSent) return;
    res.removeHeader('Content-Encoding');
    res.removeHeader('Content-Type');
    const status = (err as { status?: number }).status;
    if (status === 404 || status === 403) {
      if (!res.headersSent) res.status(404).type('text/plain').send('Not found\n');
      return;
    }
    next(err);
  });
}
