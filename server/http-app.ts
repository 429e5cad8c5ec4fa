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
import { collectProcessMetrics, renderMetrics, scrapeAllowed } from '../telemetry/metrics.js';
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
  if (config.observability.apiMetrics) mountMetrics(app, config.observability.metricsToken);
  // Real S3 (no endpoint override): presigned URLs are virtual-hosted on the bucket's own origin.
  const storageOrigin = config.aws.endpoints.s3
    ? undefined
    : `https://${config.resources.bucket}.s3.${config.aws.region}.amazonaws.com`;
  app.use(allowedHosts(config), securityHeaders(storageOrigin));
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

/**
 * Prometheus metrics of this process, for scrapers inside the network: like `/healthz` it comes
 * before the host check (scrapes address replicas by IP). The public edge answers `/metrics` with
 * 404 (nginx; see docs/edge.md); with METRICS_TOKEN set a scrape needs it as a bearer token.
 * Only the exact path: express routes ignore case and a trailing slash, the edge's rule does not.
 */
function mountMetrics(app: Express, token: string | undefined): void {
  collectProcessMetrics();
  app.get('/metrics', async (req, res, next) => {
    if (req.path !== '/metrics') return next();
    if (!scrapeAllowed(req, token)) {
      res.status(401).setHeader('WWW-Authenticate', 'Bearer').end();
      return;
    }
    const { contentType, body } = await renderMetrics();
    res.setHeader('Content-Type', contentType).setHeader('Cache-Control', 'no-store').send(body);
  });
}
