/**
 * The express app in front of GraphQL: correlation ids, health and readiness, the host check and
 * security headers, the web page and playground. GraphQL is mounted on it afterwards
 * (server/graphql-http.ts); the WebSocket transport shares its HTTP server (server/graphql-ws.ts).
 */
import type { IncomingMessage } from 'node:http';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { readDevToken } from '../auth/local-secret.js';
import type { Config } from '../domain/config.js';
import { newId } from '../domain/ids.js';
import { allowedHosts, securityHeaders } from './http-guards.js';
import { mountWebAssets } from './web-assets.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The caller's X-Request-Id when it is sane, else a new id: the correlation id of everything it causes. */
export function correlationIdOf(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : newId();
}

export function createHttpApp(args: {
  config: Config;
  logger: Logger;
  /** Named checks, each `ok` or what failed; `/readyz` answers 503 unless all are `ok`. */
  readiness: () => Promise<Record<string, string>>;
}): Express {
  const { config, logger } = args;
  const app = express();
  app.disable('x-powered-by');
  app.use((req, res, next) => {
    const id = correlationIdOf(req);
    res.locals['correlationId'] = id;
    res.setHeader('X-Request-Id', id);
    next();
  });
  // Before the host check: load balancers probe by address.
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(allowedHosts(config), securityHeaders());
  app.get('/readyz', async (_req, res) => {
    const checks = await args.readiness();
    const ready = Object.values(checks).every((c) => c === 'ok');
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks });
  });
  // Web page at /, playground at GET /graphql (HTML); the development token only on loopback.
  mountWebAssets(app, config, {
    logger,
    ...(config.env === 'development' ? { devToken: () => readDevToken(config.dataDir) } : {}),
  });
  return app;
}
