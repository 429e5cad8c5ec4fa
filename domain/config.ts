import { availableParallelism } from 'node:os';
import { z } from 'zod';
import { DEFAULT_PROCESSING_LIMITS, type ProcessingLimits } from './processing-limits.js';
import { MIN_PART_BYTES } from './uploads.js';

const bool = z
  .enum(['true', 'false', '1', '0'], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1');
const port = z.coerce.number({ message: 'must be a port number' }).int().min(0).max(65535);
const positiveInt = z.coerce.number({ message: 'must be a positive integer' }).int().positive();
const url = z.url({ message: 'must be a URL such as http://127.0.0.1:4566' });
/** Owner ids become part of DynamoDB keys (`OWNER#<id>`), so `#` and spaces are never allowed. */
export const OWNER_ID = /^[A-Za-z0-9_.@:|-]{1,128}$/;
const ownerId = z.string().regex(OWNER_ID, 'must be 1-128 letters, digits or "_.@:|-"');
const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const resourceName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{3,63}$/, 'must be 3-63 letters, digits, ".", "-" or "_"');

/**
 * Room for the multipart envelope (operations, map, part headers) around an upload's file: nginx's
 * `client_max_body_size` and the api's declared-length check are MAX_UPLOAD_BYTES plus this.
 */
export const MULTIPART_ALLOWANCE_BYTES = 1024 * 1024;

/** Every environment variable docpipe reads, with its default. `.env.example` mirrors this list. */
const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(4000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `auto`: readable lines on a terminal, JSON otherwise; `json` or `pretty` to choose. */
  LOG_FORMAT: z.enum(['auto', 'json', 'pretty']).default('auto'),
  DATA_DIR: z.string().min(1).default('.data'),

  AWS_REGION: z.string().min(1).default('us-east-1'),
  /** Unset on real AWS. Per-service overrides follow the AWS SDK's own variable names. */
  AWS_ENDPOINT_URL: url.optional(),
  AWS_ENDPOINT_URL_S3: url.optional(),
  AWS_ENDPOINT_URL_SQS: url.optional(),
  AWS_ENDPOINT_URL_SNS: url.optional(),
  AWS_ENDPOINT_URL_DYNAMODB: url.optional(),
  /** Socket inactivity timeout for AWS calls, so none hangs on a dead connection (SQS adds its long-poll wait). */
  AWS_REQUEST_TIMEOUT_MS: positiveInt.max(600_000).default(30_000),
  /** Read here only so emulator setups work without them; real AWS uses the SDK's default chain. */
  AWS_ACCESS_KEY_ID: z.string().optional(),
  AWS_SECRET_ACCESS_KEY: z.string().optional(),

  DOCPIPE_BUCKET: resourceName.default('docpipe-documents'),
  DOCPIPE_TABLE: resourceName.default('docpipe'),
  DOCPIPE_JOBS_QUEUE: resourceName.default('docpipe-jobs'),
  DOCPIPE_JOBS_DLQ: resourceName.default('docpipe-jobs-dlq'),
  DOCPIPE_EVENTS_TOPIC: resourceName.default('docpipe-job-events'),
  DOCPIPE_MAX_RECEIVE_COUNT: positiveInt.default(5),
  /** Create missing AWS resources at start-up. Switch off where infrastructure-as-code owns them. */
  DOCPIPE_BOOTSTRAP: bool.default(true),

  MAX_UPLOAD_BYTES: positiveInt.default(100 * 1024 * 1024),
  /**
   * Part size of direct (presigned multipart) uploads; larger when a file would need more than
   * 10 000 parts. The embedded S3 emulator takes request bodies of at most 11 MiB.
   */
  UPLOAD_PART_BYTES: positiveInt
    .min(MIN_PART_BYTES)
    .max(5 * 1024 ** 3)
    .default(8 * 1024 * 1024),
  /**
   * A direct upload not completed within this time (at most a day: the bucket's lifecycle rule
   * aborts incomplete uploads after two) is refused, aborted and forgotten.
   */
  UPLOAD_EXPIRY_SECONDS: positiveInt.max(24 * 3600).default(24 * 3600),
  /**
   * Jobs a worker has in flight (downloads, uploads, AWS calls: mostly waiting). The CPU-heavy
   * analysis runs in at most WORKER_ANALYSIS_THREADS threads at once, whatever this is. 32: with
   * small documents at 2.5 AWS calls each, 16 left the worker waiting on round trips with CPU to
   * spare (docs/performance.md: 2 workers draining 1.26× of one at 16, 1.45–1.55× at 32).
   */
  WORKER_CONCURRENCY: positiveInt.max(64).default(32),
  /**
   * Scheduling niceness of the worker process (0–19, set by worker/main.ts at start): on a machine
   * it shares with the api (npm start, one compose host), processing yields the CPU to requests.
   * At 10, uploads with a busy worker ran at the rate they have without one; the worker catches up
   * when requests stop (docs/performance.md). Where the worker has its own CPUs it changes nothing.
   */
  WORKER_NICE: z.coerce.number().int().min(0).max(19).default(10),
  /** Analyses at once (one thread each); 0 means one per CPU core. */
  WORKER_ANALYSIS_THREADS: z.coerce.number().int().min(0).max(64).default(0),
  /** Seconds a received job stays invisible to other workers. */
  JOB_VISIBILITY_TIMEOUT: positiveInt.max(43_200).default(60),
  /** On SIGTERM a worker waits this long for in-flight jobs, then releases them to other workers. */
  WORKER_DRAIN_SECONDS: z.coerce.number().int().min(0).max(3600).default(20),
  /** A failed attempt is retried after RETRY_BASE_SECONDS × 2^(attempt − 1), capped at 15 minutes. */
  RETRY_BASE_SECONDS: z.coerce.number().int().min(0).max(900).default(5),
  /**
   * An unfinished job without any change for this long gets its message sent again (a lost message,
   * a crash between the DynamoDB write and the SQS send). Above the 15-minute retry delay cap.
   */
  STUCK_JOB_SECONDS: positiveInt.default(1200),
  /** How often each worker looks for stuck jobs. */
  SWEEP_INTERVAL_SECONDS: positiveInt.default(60),
  /**
   * At most one progress write (a job version and its event) per job per this many milliseconds;
   * work that finishes sooner writes only its start and its end. 0: write changes as they come.
   */
  WORKER_PROGRESS_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(100),
  /** Fault-injection aid for tests and demos: pause between processing stages. Keep 0. */
  DEBUG_STAGE_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /** An api instance's event queue without a heartbeat for this long belongs to a dead instance. */
  EVENT_QUEUE_STALE_SECONDS: z.coerce.number().int().min(1).default(600),
  /** How long an upload idempotency key maps to its document. */
  IDEMPOTENCY_WINDOW_SECONDS: positiveInt.default(24 * 3600),
  /** Long-poll wait for SQS receives (0–20 s). */
  SQS_WAIT_SECONDS: z.coerce.number().int().min(0).max(20).default(20),
  /** Ports of the embedded emulators `npm start` runs when AWS_ENDPOINT_URL is unset (0 = any free port). */
  EMBEDDED_AWS_PORT: port.default(4566),
  EMBEDDED_DYNAMODB_PORT: port.default(4567),
  /** Limits against hostile files (each ends the job FAILED with its own code; see docs/processing). */
  PROCESSING_MAX_PAGES: positiveInt.default(DEFAULT_PROCESSING_LIMITS.maxPages),
  PROCESSING_MAX_DECOMPRESSED_BYTES: positiveInt.default(DEFAULT_PROCESSING_LIMITS.maxDecompressedBytes),
  PROCESSING_MAX_IMAGE_PIXELS: positiveInt.default(DEFAULT_PROCESSING_LIMITS.maxImagePixels),
  PROCESSING_TIMEOUT_MS: positiveInt.default(DEFAULT_PROCESSING_LIMITS.timeoutMs),
  PROCESSING_MAX_TEXT_BYTES: positiveInt.default(DEFAULT_PROCESSING_LIMITS.maxTextBytes),
  PROCESSING_MAX_MEMORY_MB: positiveInt.min(32).default(DEFAULT_PROCESSING_LIMITS.maxMemoryMb),
  PROCESSING_MAX_PDF_BYTES: positiveInt.default(DEFAULT_PROCESSING_LIMITS.maxPdfBytes),
  /** OCR of images and scanned PDF pages: tesseract language codes joined with `+`, or `off`. */
  OCR_LANGUAGES: z
    .string()
    .regex(/^(off|[a-z_]{3,8}(\+[a-z_]{3,8})*)$/, 'must be `off` or codes like eng or eng+deu')
    .default(DEFAULT_PROCESSING_LIMITS.ocrLanguages),
  /** `auto` (native tesseract when installed with every OCR language, else tesseract.js), `tesseract`, `tesseract.js`. */
  OCR_ENGINE: z.enum(['auto', 'tesseract', 'tesseract.js']).default(DEFAULT_PROCESSING_LIMITS.ocrEngine),
  /** Time one page's OCR may take; a page over it gets no text. */
  OCR_PAGE_TIMEOUT_MS: positiveInt.default(DEFAULT_PROCESSING_LIMITS.ocrPageTimeoutMs),
  /** Owner of the development token `npm start` writes to DATA_DIR/dev-token. */
  DEV_OWNER_ID: ownerId.default('dev'),

  /**
   * HS256 secret (≥ 32 characters) that signs and verifies tokens. Unset outside production: a
   * secret is made once in DATA_DIR/auth-secret. Production needs it or AUTH_JWKS_URL.
   */
  AUTH_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** An identity provider's JWKS URL (OIDC): tokens are then verified with its keys, not the secret. */
  AUTH_JWKS_URL: url.optional(),
  AUTH_ISSUER: z.string().min(1).default('docpipe'),
  AUTH_AUDIENCE: z.string().min(1).default('docpipe-api'),
  /** The token claim holding the owner id. */
  AUTH_OWNER_CLAIM: z.string().min(1).default('sub'),

  /** Per-owner request budget: RATE_LIMIT_REQUESTS per RATE_LIMIT_WINDOW_SECONDS (HTTP and WebSocket). */
  RATE_LIMIT_REQUESTS: positiveInt.default(1200),
  RATE_LIMIT_WINDOW_SECONDS: positiveInt.default(60),
  /** Where the request budget is counted: this process, or the DynamoDB table (shared by every api replica). */
  RATE_LIMIT_STORE: z.enum(['memory', 'dynamodb']).default('memory'),
  /** Uploads one owner may have in flight at once. */
  MAX_CONCURRENT_UPLOADS: positiveInt.default(4),
  /** Browser origins allowed to open WebSockets besides the api's own (comma-separated). */
  ALLOWED_ORIGINS: list.default([]),
  /** Host names the api answers to (comma-separated; empty = any). Guards against DNS rebinding. */
  ALLOWED_HOSTS: list.optional(),
  WS_MAX_MESSAGE_BYTES: positiveInt.default(64 * 1024),
  WS_MAX_SOCKETS_PER_OWNER: positiveInt.default(20),
  WS_MAX_SUBSCRIPTIONS_PER_SOCKET: positiveInt.default(50),
  /** Lifetime of presigned download URLs. */
  DOWNLOAD_URL_SECONDS: positiveInt.max(3600).default(300),
  /**
   * Keepalive of subscriptions: graphql-ws pings and /graphql/stream comment lines; must stay well
   * below the proxy's read timeout (nginx: 60 s).
   */
  WS_KEEPALIVE_MS: positiveInt.default(12_000),
  /** The nginx edge `npm start` puts in front of the api: `auto` (if nginx is installed), `off`, or a path. */
  EDGE_NGINX: z.string().min(1).default('auto'),
  EDGE_HTTPS_PORT: port.default(8443),
  EDGE_HTTP_PORT: port.default(8080),

  /**
   * The api instance's full-text search index (SQLite): a file, made with its folder, kept across
   * restarts so a restart catches up instead of rebuilding; `:memory:` for none on disk.
   * Default: DATA_DIR/search-index.sqlite. One per api instance (replicas must not share one file
   * over a network filesystem).
   */
  SEARCH_INDEX_PATH: z.string().min(1).optional(),

  /**
   * Run only the trusted documents (the SDK's operations, registered at build time by codegen):
   * any other query text is refused with TRUSTED_DOCUMENT_REQUIRED. Off by default (the playground
   * and hand-written queries need it off).
   */
  TRUSTED_DOCUMENTS_ONLY: bool.default(false),
  /** Serve Prometheus metrics on the api's `/metrics`. Default: on outside production, off in it. */
  METRICS_ENABLED: bool.optional(),
  /** When set, `/metrics` (api and worker) answers only to `Authorization: Bearer <token>`. */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The worker's health and metrics server (`/healthz`, `/metrics`). Unset: none; 0: any free port. */
  WORKER_METRICS_PORT: port.optional(),
  /**
   * Traces: `otlp` exports spans over OTLP/HTTP (JSON), `off` never does. Unset: on exactly when an
   * OTEL_EXPORTER_OTLP_*ENDPOINT is set. The OTEL_* variables below are OpenTelemetry's own.
   */
  TRACING: z.enum(['off', 'otlp']).optional(),
  OTEL_SDK_DISABLED: bool.default(false),
  /** Collector base URL; traces go to `<it>/v1/traces`. With TRACING=otlp alone: http://localhost:4318. */
  OTEL_EXPORTER_OTLP_ENDPOINT: url.optional(),
  /** Full URL for traces (overrides the base URL). */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: url.optional(),
  /** Default: docpipe-api or docpipe-worker. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Milliseconds between span exports. */
  OTEL_BSP_SCHEDULE_DELAY: z.coerce.number().int().min(1).max(60_000).default(5000),
});

/** Names of every variable in the schema (compose files and docs are checked against it). */
export const CONFIG_ENV_NAMES: readonly string[] = Object.keys(EnvSchema.shape);

/** One variable of the schema, for code that writes environments (infra/, compose checks). */
export type ConfigEnvName = keyof typeof EnvSchema.shape;

export interface AwsConfig {
  region: string;
  endpoints: { s3?: string; sqs?: string; sns?: string; dynamodb?: string };
  /** Socket inactivity timeout for every AWS call (ms). */
  requestTimeoutMs: number;
  /** Static credentials; undefined means the AWS SDK's default provider chain. */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface ResourceNames {
  bucket: string;
  table: string;
  jobsQueue: string;
  jobsDlq: string;
  eventsTopic: string;
  maxReceiveCount: number;
}

export interface AuthConfig {
  /** HS256 secret; undefined means "the local secret under DATA_DIR" (outside production). */
  secret?: string;
  jwksUrl?: string;
  issuer: string;
  audience: string;
  ownerClaim: string;
}

/** Abuse limits applied per owner at the api's edge (server/limits). */
export interface UsageLimits {
  requests: number;
  windowSeconds: number;
  concurrentUploads: number;
  store: 'memory' | 'dynamodb';
  wsMaxMessageBytes: number;
  wsMaxSocketsPerOwner: number;
  wsMaxSubscriptionsPerSocket: number;
}

/** Where spans go; `endpoint` undefined means tracing is off (no SDK loaded). */
export interface TracingConfig {
  /** The OTLP/HTTP traces URL (…/v1/traces). */
  endpoint?: string;
  serviceName?: string;
  batchDelayMs: number;
}

export interface ObservabilityConfig {
  /** Serve `/metrics` on the api's port. */
  apiMetrics: boolean;
  metricsToken?: string;
  /** The worker's `/healthz` + `/metrics` port; undefined: no server, 0: any free port. */
  workerMetricsPort?: number;
  tracing: TracingConfig;
}

export interface Config {
  env: 'development' | 'production' | 'test';
  http: { host: string; port: number };
  logLevel: string;
  logFormat: 'auto' | 'json' | 'pretty';
  dataDir: string;
  aws: AwsConfig;
  resources: ResourceNames;
  bootstrap: boolean;
  limits: {
    maxUploadBytes: number;
    downloadUrlSeconds: number;
    /** Direct uploads: preferred part size and lifetime. */
    uploadPartBytes: number;
    uploadExpirySeconds: number;
  };
  /** Only the trusted documents run (server/trusted-documents.ts). */
  trustedDocumentsOnly: boolean;
  usage: UsageLimits;
  /** Browser origins allowed besides the api's own; host names served (undefined = any). */
  web: { allowedOrigins: string[]; allowedHosts?: string[] };
  worker: {
    concurrency: number;
    /** Analyses at once, one thread each. */
    analysisThreads: number;
    visibilityTimeoutSeconds: number;
    drainSeconds: number;
    /** Niceness the worker process gives itself (see WORKER_NICE). */
    nice: number;
    retryBaseSeconds: number;
    stageDelayMs: number;
    progressIntervalMs: number;
    stuckJobSeconds: number;
    sweepIntervalSeconds: number;
  };
  events: { staleQueueSeconds: number };
  processing: ProcessingLimits;
  idempotencyWindowSeconds: number;
  sqsWaitSeconds: number;
  devOwnerId: string;
  auth: AuthConfig;
  embedded: { awsPort: number; dynamodbPort: number };
  wsKeepAliveMs: number;
  edge: { nginx: string; httpsPort: number; httpPort: number };
  observability: ObservabilityConfig;
  search: { indexPath: string };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses the environment once; throws a ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Empty strings count as unset, as in most dotenv tooling.
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = String(issue.path[0] ?? '(environment)');
        const got = present[name];
        return `${name} ${issue.message}${got === undefined ? '' : ` (got "${got}")`}`;
      }),
    );
  }
  const e = parsed.data;
  const endpoint = (specific: string | undefined) => specific ?? e.AWS_ENDPOINT_URL;
  const endpoints = stripUndefined({
    s3: endpoint(e.AWS_ENDPOINT_URL_S3),
    sqs: endpoint(e.AWS_ENDPOINT_URL_SQS),
    sns: endpoint(e.AWS_ENDPOINT_URL_SNS),
    dynamodb: endpoint(e.AWS_ENDPOINT_URL_DYNAMODB),
  });
  const usesEmulator = Object.keys(endpoints).length > 0;
  const credentials =
    e.AWS_ACCESS_KEY_ID && e.AWS_SECRET_ACCESS_KEY
      ? { accessKeyId: e.AWS_ACCESS_KEY_ID, secretAccessKey: e.AWS_SECRET_ACCESS_KEY }
      : usesEmulator
        ? { accessKeyId: 'test', secretAccessKey: 'test' }
        : undefined;
  return {
    env: e.NODE_ENV,
    http: { host: e.HOST, port: e.PORT },
    logLevel: e.LOG_LEVEL,
    logFormat: e.LOG_FORMAT,
    dataDir: e.DATA_DIR,
    aws: {
      region: e.AWS_REGION,
      endpoints,
      requestTimeoutMs: e.AWS_REQUEST_TIMEOUT_MS,
      ...(credentials ? { credentials } : {}),
    },
    resources: {
      bucket: e.DOCPIPE_BUCKET,
      table: e.DOCPIPE_TABLE,
      jobsQueue: e.DOCPIPE_JOBS_QUEUE,
      jobsDlq: e.DOCPIPE_JOBS_DLQ,
      eventsTopic: e.DOCPIPE_EVENTS_TOPIC,
      maxReceiveCount: e.DOCPIPE_MAX_RECEIVE_COUNT,
    },
    bootstrap: e.DOCPIPE_BOOTSTRAP,
    limits: {
      maxUploadBytes: e.MAX_UPLOAD_BYTES,
      downloadUrlSeconds: e.DOWNLOAD_URL_SECONDS,
      uploadPartBytes: e.UPLOAD_PART_BYTES,
      uploadExpirySeconds: e.UPLOAD_EXPIRY_SECONDS,
    },
    trustedDocumentsOnly: e.TRUSTED_DOCUMENTS_ONLY,
    usage: {
      requests: e.RATE_LIMIT_REQUESTS,
      windowSeconds: e.RATE_LIMIT_WINDOW_SECONDS,
      concurrentUploads: e.MAX_CONCURRENT_UPLOADS,
      store: e.RATE_LIMIT_STORE,
      wsMaxMessageBytes: e.WS_MAX_MESSAGE_BYTES,
      wsMaxSocketsPerOwner: e.WS_MAX_SOCKETS_PER_OWNER,
      wsMaxSubscriptionsPerSocket: e.WS_MAX_SUBSCRIPTIONS_PER_SOCKET,
    },
    web: {
      allowedOrigins: e.ALLOWED_ORIGINS,
      ...(e.ALLOWED_HOSTS && e.ALLOWED_HOSTS.length > 0 ? { allowedHosts: e.ALLOWED_HOSTS } : {}),
    },
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      analysisThreads: e.WORKER_ANALYSIS_THREADS || availableParallelism(),
      visibilityTimeoutSeconds: e.JOB_VISIBILITY_TIMEOUT,
      drainSeconds: e.WORKER_DRAIN_SECONDS,
      nice: e.WORKER_NICE,
      retryBaseSeconds: e.RETRY_BASE_SECONDS,
      stageDelayMs: e.DEBUG_STAGE_DELAY_MS,
      progressIntervalMs: e.WORKER_PROGRESS_INTERVAL_MS,
      stuckJobSeconds: e.STUCK_JOB_SECONDS,
      sweepIntervalSeconds: e.SWEEP_INTERVAL_SECONDS,
    },
    events: { staleQueueSeconds: e.EVENT_QUEUE_STALE_SECONDS },
    processing: {
      maxPages: e.PROCESSING_MAX_PAGES,
      maxDecompressedBytes: e.PROCESSING_MAX_DECOMPRESSED_BYTES,
      maxImagePixels: e.PROCESSING_MAX_IMAGE_PIXELS,
      timeoutMs: e.PROCESSING_TIMEOUT_MS,
      maxTextBytes: e.PROCESSING_MAX_TEXT_BYTES,
      maxMemoryMb: e.PROCESSING_MAX_MEMORY_MB,
      maxPdfBytes: e.PROCESSING_MAX_PDF_BYTES,
      ocrLanguages: e.OCR_LANGUAGES === 'off' ? '' : e.OCR_LANGUAGES,
      ocrEngine: e.OCR_ENGINE,
      ocrPageTimeoutMs: e.OCR_PAGE_TIMEOUT_MS,
    },
    idempotencyWindowSeconds: e.IDEMPOTENCY_WINDOW_SECONDS,
    sqsWaitSeconds: e.SQS_WAIT_SECONDS,
    devOwnerId: e.DEV_OWNER_ID,
    auth: {
      ...(e.AUTH_SECRET ? { secret: e.AUTH_SECRET } : {}),
      ...(e.AUTH_JWKS_URL ? { jwksUrl: e.AUTH_JWKS_URL } : {}),
      issuer: e.AUTH_ISSUER,
      audience: e.AUTH_AUDIENCE,
      ownerClaim: e.AUTH_OWNER_CLAIM,
    },
    embedded: { awsPort: e.EMBEDDED_AWS_PORT, dynamodbPort: e.EMBEDDED_DYNAMODB_PORT },
    wsKeepAliveMs: e.WS_KEEPALIVE_MS,
    edge: { nginx: e.EDGE_NGINX, httpsPort: e.EDGE_HTTPS_PORT, httpPort: e.EDGE_HTTP_PORT },
    observability: {
      apiMetrics: e.METRICS_ENABLED ?? e.NODE_ENV !== 'production',
      ...(e.METRICS_TOKEN ? { metricsToken: e.METRICS_TOKEN } : {}),
      ...(e.WORKER_METRICS_PORT !== undefined ? { workerMetricsPort: e.WORKER_METRICS_PORT } : {}),
      tracing: tracingConfig(e),
    },
    search: { indexPath: e.SEARCH_INDEX_PATH ?? `${e.DATA_DIR.replace(/\/+$/, '')}/search-index.sqlite` },
  };
}

function tracingConfig(e: z.infer<typeof EnvSchema>): TracingConfig {
  const base = {
    batchDelayMs: e.OTEL_BSP_SCHEDULE_DELAY,
    ...(e.OTEL_SERVICE_NAME ? { serviceName: e.OTEL_SERVICE_NAME } : {}),
  };
  if (e.OTEL_SDK_DISABLED || e.TRACING === 'off') return base;
  const endpoint =
    e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ??
    (e.OTEL_EXPORTER_OTLP_ENDPOINT
      ? `${e.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, '')}/v1/traces`
      : undefined) ??
    (e.TRACING === 'otlp' ? 'http://localhost:4318/v1/traces' : undefined);
  return endpoint ? { ...base, endpoint } : base;
}

function stripUndefined<T extends Record<string, string | undefined>>(o: T): { [K in keyof T]?: string } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: string;
  };
}

/** For process entry points: prints the problems and exits 1 instead of throwing. */
export function loadConfigOrExit(env: Record<string, string | undefined>): Config {
  try {
    return loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
