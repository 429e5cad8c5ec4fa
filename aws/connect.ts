/**
 * The composition root of the AWS adapters: one place that turns configuration into clients,
 * resources and stores, used by the api, the worker, the DLQ command and the launcher. Nothing
 * outside aws/ builds an adapter or sees an SDK type.
 */
import type { Logger } from 'pino';
import type { Config } from '../domain/config.js';
import { ApiKeyStore } from './api-key-store.js';
import { BlobStore } from './blob-store.js';
import { ensureResources, resolveResources, type Resources } from './bootstrap.js';
import { createAwsClients } from './clients.js';
import { DocumentStore } from './document-store.js';
import { JobEventListener, JobEventPublisher, type JobEventListenerOptions } from './job-events.js';
import { JobQueue } from './job-queue.js';
import { JobWriter } from './job-writer.js';
import { checkAwsReadiness } from './readiness.js';
import { RequestCounter } from './request-counter.js';
import { UploadStore } from './upload-store.js';
import { eventQueuePrefix } from './table-definition.js';

export interface AwsAdapters {
  resources: Resources;
  store: DocumentStore;
  blobs: BlobStore;
  /** Direct (presigned multipart) uploads in progress. */
  uploads: UploadStore;
  /** The jobs queue (sending, receiving, moving to the DLQ) and its dead-letter queue. */
  queue: JobQueue;
  /** Job changes: conditional write of the next version, then the SNS event. */
  jobs: JobWriter;
  /** The events topic (document created/deleted; job changes go through `jobs`). */
  events: JobEventPublisher;
  apiKeys: ApiKeyStore;
  requestCounter: RequestCounter;
  /** This api instance's listener on the job-events topic (not started). */
  eventListener(
    opts: Omit<JobEventListenerOptions, 'aws' | 'topicArn' | 'queuePrefix' | 'publisher'>,
  ): JobEventListener;
  readiness(): Promise<{ dynamodb: string; s3: string; sqs: string }>;
  /** Closes the clients' sockets. */
  destroy(): void;
}

/**
 * Connects to AWS (or an emulator) as configured. `bootstrap` (default: DOCPIPE_BOOTSTRAP) creates
 * missing resources; otherwise they must exist. `service` names the caller in the AWS calls' user
 * agent (`app/docpipe-<service>`).
 */
export async function connectAws(
  config: Config,
  logger: Logger,
  opts: { bootstrap?: boolean; service?: string } = {},
): Promise<AwsAdapters> {
  const aws = createAwsClients(config.aws, opts.service ? { appId: `docpipe-${opts.service}` } : {});
  try {
    const resources =
      (opts.bootstrap ?? config.bootstrap)
        ? await ensureResources(aws, config.resources, {
            visibilityTimeoutSeconds: config.worker.visibilityTimeoutSeconds,
          })
        : await resolveResources(aws, config.resources);
    const store = new DocumentStore(aws, resources.table);
    const events = new JobEventPublisher(aws, resources.eventsTopicArn);
    return {
      resources,
      store,
      blobs: new BlobStore(aws, resources.bucket, config.aws.endpoints.s3),
      uploads: new UploadStore(aws, resources.table),
      queue: new JobQueue(aws, resources.jobsQueueUrl, resources.jobsDlqUrl),
      jobs: new JobWriter(store, events, logger),
      events,
      apiKeys: new ApiKeyStore(aws, resources.table),
      requestCounter: new RequestCounter(aws, resources.table),
      eventListener: (listenerOpts) =>
        new JobEventListener({
          aws,
          topicArn: resources.eventsTopicArn,
          publisher: events,
          queuePrefix: eventQueuePrefix(resources.eventsTopicName),
          ...listenerOpts,
        }),
      readiness: () => checkAwsReadiness(aws, resources),
      destroy: () => aws.destroy(),
    };
  } catch (err) {
    aws.destroy();
    throw err;
  }
}
