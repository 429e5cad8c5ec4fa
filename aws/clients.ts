import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsConfig } from '../domain/config.js';
import { metrics } from '../telemetry/metrics.js';
import { SpanKind, withSpan } from '../telemetry/tracing.js';

export interface AwsClients {
  s3: S3Client;
  /**
   * S3 for presigning upload URLs only: with the SDK's default checksums a presigned UploadPart
   * carries the CRC32 of an empty body (`x-amz-checksum-crc32=AAAAAA==`), which real S3 then checks
   * against the part's bytes and refuses.
   */
  s3Presigner: S3Client;
  sqs: SQSClient;
  sns: SNSClient;
  dynamodb: DynamoDBClient;
  ddb: DynamoDBDocumentClient;
  destroy(): void;
}

/** One set of SDK clients per process. Endpoint overrides are the only emulator-specific part. */
/**
 * `appId` goes into every request's user agent (`app/<appId>`): CloudTrail and the emulators can
 * tell the api's calls from the worker's.
 */
export function createAwsClients(config: AwsConfig, opts: { appId?: string } = {}): AwsClients {
  // No AWS call may hang forever (one on a connection to an endpoint that went away would): bounded
  // connect and socket-inactivity timeouts; SQS adds the 20 s long-poll maximum.
  const handler = (extraMs = 0) => ({
    connectionTimeout: 3_000,
    requestTimeout: config.requestTimeoutMs + extraMs,
  });
  const base = {
    region: config.region,
    ...(opts.appId ? { userAgentAppId: opts.appId } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
  };
  // Resolve each command's middleware stack once, not on every call. The stacks are complete
  // before the first call (`observe` below is the only addition). DynamoDB cannot: the document
  // client refuses it.
  const cached = { ...base, cacheMiddleware: true };
  const s3Endpoint = config.endpoints.s3 ? { endpoint: config.endpoints.s3, forcePathStyle: true } : {};
  // No CRC32 of every body sent and received (the SDK's default since 2025) unless the operation
  // requires one: TLS already guards the bytes in transit, and docpipe checks an original's SHA-256
  // itself. Measured: ~3 % of the worker's CPU per small document (docs/performance.md).
  const noChecksums = {
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  } as const;
  const s3 = new S3Client({ ...cached, ...noChecksums, requestHandler: handler(), ...s3Endpoint });
  const s3Presigner = new S3Client({ ...base, ...s3Endpoint, ...noChecksums });
  const sqs = new SQSClient({
    ...cached,
    requestHandler: handler(20_000),
    ...(config.endpoints.sqs ? { endpoint: config.endpoints.sqs } : {}),
  });
  const sns = new SNSClient({
    ...cached,
    requestHandler: handler(),
    ...(config.endpoints.sns ? { endpoint: config.endpoints.sns } : {}),
  });
  const dynamodb = new DynamoDBClient({
    ...base,
    requestHandler: handler(),
    ...(config.endpoints.dynamodb ? { endpoint: config.endpoints.dynamodb } : {}),
  });
  // Before the document client is made from it: the document client shares this middleware stack.
  observe('s3', s3);
  observe('sqs', sqs);
  observe('sns', sns);
  observe('dynamodb', dynamodb);
  const ddb = DynamoDBDocumentClient.from(dynamodb, {
    marshallOptions: { removeUndefinedValues: true },
  });
  return {
    s3,
    s3Presigner,
    sqs,
    sns,
    dynamodb,
    ddb,
    destroy() {
      s3.destroy();
      s3Presigner.destroy();
      sqs.destroy();
      sns.destroy();
      ddb.destroy();
      dynamodb.destroy();
    },
  };
}

type Observable = S3Client | SQSClient | SNSClient | DynamoDBClient;

/**
 * Times every call of a client (the whole call as its caller waits for it, retries included) into
 * `docpipe_aws_request_duration_seconds{service, operation, outcome}`, and, inside a trace, makes it
 * a client span `<service>.<Operation>`. Added once per client, at the start of the stack.
 */
function observe(service: string, client: Observable): void {
  (client.middlewareStack as Pick<DynamoDBClient['middlewareStack'], 'add'>).add(
    (next, context) => async (args) => {
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const attributes = { 'rpc.system': 'aws-api', 'rpc.service': service, 'rpc.method': operation };
      const start = performance.now();
      let outcome = 'error';
      try {
        const result = await withSpan(
          `${service}.${operation}`,
          { kind: SpanKind.CLIENT, attributes, onlyInTrace: true },
          () => next(args),
        );
        outcome = 'ok';
        return result;
      } finally {
        metrics.awsDuration.observe({ service, operation, outcome }, (performance.now() - start) / 1000);
      }
    },
    { step: 'initialize', priority: 'high', name: 'docpipeObserve' },
  );
}
