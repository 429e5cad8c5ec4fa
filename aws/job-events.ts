import { randomBytes } from 'node:crypto';
import {
  ListSubscriptionsCommand,
  PublishBatchCommand,
  PublishCommand,
  type PublishBatchRequestEntry,
  SubscribeCommand,
  UnsubscribeCommand,
  type Subscription,
} from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  ListQueueTagsCommand,
  ListQueuesCommand,
  TagQueueCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { BusEvent, parseJsonSafe } from '../domain/messages.js';
import { isErrorNamed } from './bootstrap.js';
import { BusyBatcher, type BatchOutcome } from './busy-batcher.js';
import type { AwsClients } from './clients.js';
import { QueueConsumer, type QueueMessage } from './queue-consumer.js';
import { SqsQueue } from './sqs-queue.js';
import { EVENT_QUEUE_RETENTION_SECONDS } from './table-definition.js';
import { SpanKind, injectTraceContext, withSpanSync } from '../telemetry/tracing.js';

type Publication = Pick<PublishBatchRequestEntry, 'Message' | 'MessageAttributes'> & { Message: string };

/** An event as a listener hands it on: what SQS delivers of it, or what the publisher echoes. */
type EventMessage = Pick<QueueMessage, 'id' | 'body' | 'attributes'>;

/**
 * The message attribute that names the process which published an event (its publisher's
 * `origin`). An api's queue subscription filters out the api's own events, which it delivers to
 * its own subscribers without the round trip.
 */
export const ORIGIN_ATTRIBUTE = 'docpipe.origin';

/** SNS's limits for one PublishBatch: 10 messages, 256 KiB in all (attributes count too). */
const BATCH_ITEMS = 10;
const BATCH_BYTES = 256 * 1024 - 8 * 1024;

/**
 * Publishes job changes to the SNS topic every api instance listens to. An event goes out at once;
 * events published while earlier ones are in flight go out together in one PublishBatch
 * (BusyBatcher): under load, a fraction of a call per event, at no cost in latency.
 *
 * Every event carries this publisher's `origin` (ORIGIN_ATTRIBUTE). In an api, the process's
 * JobEventListener takes its events straight from here (`deliverLocally`), and its queue's
 * subscription leaves them out, so an api never receives back what it published itself.
 */
export class JobEventPublisher {
  /** Names this process's events; an api's listener uses it as its instance id. */
  readonly origin = randomBytes(6).toString('hex');
  readonly #batcher: BusyBatcher<Publication>;
  #local: ((message: EventMessage) => void) | undefined;

  constructor(
    private readonly aws: AwsClients,
    private readonly topicArn: string,
  ) {
    this.#batcher = new BusyBatcher({
      maxItems: BATCH_ITEMS,
      maxBytes: BATCH_BYTES,
      sizeOf: (p) => Buffer.byteLength(p.Message) + 512,
      send: (items) => this.#send(items),
    });
  }

  /**
   * Hands each event published from now on to `deliver` as well, in a microtask, before it goes to
   * SNS (undefined: no longer). `deliver` sees it as a listener sees a received one: the same JSON
   * and attributes.
   */
  deliverLocally(deliver: ((message: EventMessage) => void) | undefined): void {
    if (deliver && this.#local && this.#local !== deliver) {
      throw new Error('this publisher already delivers its events to a listener of this process');
    }
    this.#local = deliver;
  }

  publish(event: BusEvent): Promise<void> {
    // With tracing on, the trace context rides along (traceparent) to every api's delivery. Taken
    // here, in the publisher's context, not when the batch goes out.
    const attributes = {
      ...injectTraceContext({ correlationId: event.correlationId }),
      [ORIGIN_ATTRIBUTE]: this.origin,
    };
    const message = JSON.stringify(event);
    const local = this.#local;
    if (local) queueMicrotask(() => local({ id: 'local', body: message, attributes }));
    return this.#batcher.add({
      Message: message,
      MessageAttributes: Object.fromEntries(
        Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
      ),
    });
  }

  async #send(items: Publication[]): Promise<BatchOutcome[]> {
    if (items.length === 1) {
      await this.aws.sns.send(new PublishCommand({ TopicArn: this.topicArn, ...items[0]! }));
      return [undefined];
    }
    const res = await this.aws.sns.send(
      new PublishBatchCommand({
        TopicArn: this.topicArn,
        PublishBatchRequestEntries: items.map((item, i) => ({ Id: String(i), ...item })),
      }),
    );
    const failed = new Map((res.Failed ?? []).map((f) => [f.Id, f]));
    return items.map((_, i) => {
      const f = failed.get(String(i));
      return f && new Error(`SNS refused an event of the batch: ${f.Code ?? ''} ${f.Message ?? ''}`.trim());
    });
  }
}

export interface JobEventListenerOptions {
  aws: AwsClients;
  topicArn: string;
  /** This process's publisher: its events come straight from it, and the queue leaves them out. */
  publisher: JobEventPublisher;
  /** Prefix of the per-instance queue names; the instance id is appended. */
  queuePrefix: string;
  waitSeconds: number;
  /** A sibling queue whose heartbeat tag is older than this belongs to a dead instance. */
  staleAfterSeconds: number;
  logger: Logger;
  onEvent: (event: BusEvent) => void;
}

const HEARTBEAT_TAG = 'docpipe:heartbeat';

/**
 * One api instance's view of the job-events topic: its own SQS queue subscribed to the topic with
 * raw delivery, consumed in batches by the shared QueueConsumer and handed to `onEvent`.
 *
 * - The instance's own events (published through `publisher`) reach `onEvent` straight from the
 *   publisher. The subscription's filter policy keeps them out of the queue, and should an
 *   emulator ignore the policy (or real AWS not yet apply it: up to 15 minutes), the listener drops
 *   them on receipt, so an api never handles its own event twice. Events without an origin (from an
 *   older process) pass the policy.
 * - The queue carries a heartbeat tag, refreshed periodically; queues of instances that died
 *   without `stop()` (stale heartbeat) are unsubscribed and deleted by the survivors.
 * - If the queue disappears (emulator restarted without persistence, or a sibling judged this
 *   instance dead), it is created and subscribed again.
 * - `stop()` removes the subscription and the queue.
 */
export class JobEventListener {
  readonly instanceId: string;
  private queueUrl: string | undefined;
  private subscriptionArn: string | undefined;
  private consumer: QueueConsumer | undefined;
  private housekeeping: NodeJS.Timeout | undefined;

  constructor(private readonly opts: JobEventListenerOptions) {
    this.instanceId = opts.publisher.origin;
  }

  get queueName(): string {
    return `${this.opts.queuePrefix}-${this.instanceId}`.slice(0, 80);
  }

  /** True while the last receive succeeded; feeds /readyz. */
  get isHealthy(): boolean {
    return this.consumer?.isHealthy ?? false;
  }

  async start(): Promise<void> {
    await this.subscribe();
    const { logger } = this.opts;
    this.consumer = new QueueConsumer({
      queue: new SqsQueue(this.opts.aws, () => this.queueUrl!),
      waitSeconds: this.opts.waitSeconds,
      logger,
      handleBatch: (messages) =>
        this.deliver(messages.filter((m) => m.attributes[ORIGIN_ATTRIBUTE] !== this.instanceId)),
      onReceiveError: async (err) => {
        // The queue vanished (emulator restarted without persistence, or a sibling judged this
        // instance dead): make it again.
        if (
          isErrorNamed(err, 'QueueDoesNotExist') ||
          isErrorNamed(err, 'AWS.SimpleQueueService.NonExistentQueue')
        ) {
          await this.subscribe();
        }
      },
    });
    this.consumer.start();
    this.opts.publisher.deliverLocally((m) => this.deliver([m]));
    void this.removeStaleQueues();
    // Heartbeat well inside the stale window; clean up siblings at the same pace.
    const everyMs = Math.max(1_000, (this.opts.staleAfterSeconds * 1000) / 3);
    this.housekeeping = setInterval(() => {
      void this.beat().then(() => this.removeStaleQueues());
    }, everyMs);
    this.housekeeping.unref();
  }

  private async subscribe(): Promise<void> {
    const { aws, topicArn } = this.opts;
    const created = await aws.sqs.send(
      new CreateQueueCommand({
        QueueName: this.queueName,
        // Short retention: events are only useful live; subscribers resync from DynamoDB.
        Attributes: {
          MessageRetentionPeriod: String(EVENT_QUEUE_RETENTION_SECONDS),
          ReceiveMessageWaitTimeSeconds: '0',
        },
        tags: { 'docpipe:role': 'api-events', [HEARTBEAT_TAG]: String(Date.now()) },
      }),
    );
    this.queueUrl = created.QueueUrl!;
    const attrs = await aws.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: this.queueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queueArn = attrs.Attributes!.QueueArn!;
    // On real AWS the topic may only deliver to a queue whose policy allows it.
    await aws.sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: this.queueUrl,
        Attributes: {
          Policy: JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'sns.amazonaws.com' },
                Action: 'sqs:SendMessage',
                Resource: queueArn,
                Condition: { ArnEquals: { 'aws:SourceArn': topicArn } },
              },
            ],
          }),
        },
      }),
    );
    const sub = await aws.sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: queueArn,
        Attributes: {
          RawMessageDelivery: 'true',
          // This instance's own events come from its publisher. An event without an origin (from a
          // process older than the attribute) still arrives: `exists: false` matches it, since every
          // event carries at least its correlationId attribute.
          FilterPolicy: JSON.stringify({
            [ORIGIN_ATTRIBUTE]: [{ 'anything-but': [this.instanceId] }, { exists: false }],
          }),
        },
        ReturnSubscriptionArn: true,
      }),
    );
    this.subscriptionArn = sub.SubscriptionArn;
  }

  private async beat(): Promise<void> {
    try {
      await this.opts.aws.sqs.send(
        new TagQueueCommand({ QueueUrl: this.queueUrl, Tags: { [HEARTBEAT_TAG]: String(Date.now()) } }),
      );
    } catch (err) {
      this.opts.logger.warn({ err }, 'event queue heartbeat failed');
    }
  }

  /** Deletes sibling queues (and their subscriptions) whose heartbeat is older than the stale window. */
  async removeStaleQueues(): Promise<string[]> {
    const { aws, logger, topicArn } = this.opts;
    const removed: string[] = [];
    try {
      const listed = await aws.sqs.send(
        new ListQueuesCommand({ QueueNamePrefix: `${this.opts.queuePrefix}-` }),
      );
      const cutoff = Date.now() - this.opts.staleAfterSeconds * 1000;
      for (const url of listed.QueueUrls ?? []) {
        if (url === this.queueUrl) continue;
        const tags = await aws.sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
        const beat = Number(tags.Tags?.[HEARTBEAT_TAG] ?? 0);
        if (beat > cutoff) continue;
        const arn = (
          await aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))
        ).Attributes?.QueueArn;
        for (const sub of await this.subscriptionsOf(topicArn)) {
          if (sub.Endpoint === arn && sub.SubscriptionArn) {
            await aws.sns.send(new UnsubscribeCommand({ SubscriptionArn: sub.SubscriptionArn }));
          }
        }
        await aws.sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
        removed.push(url);
        logger.info({ queueUrl: url }, 'removed the event queue of a dead api instance');
      }
    } catch (err) {
      logger.warn({ err }, 'stale event queue cleanup failed; will retry');
    }
    return removed;
  }

  private async subscriptionsOf(topicArn: string): Promise<Subscription[]> {
    const subs: Subscription[] = [];
    let token: string | undefined;
    do {
      const page = await this.opts.aws.sns.send(new ListSubscriptionsCommand({ NextToken: token }));
      subs.push(...(page.Subscriptions ?? []).filter((s) => s.TopicArn === topicArn));
      token = page.NextToken;
    } while (token);
    return subs;
  }

  /** Hands each event on; one whose handler throws is logged, never redelivered or in the way of the rest. */
  private deliver(messages: EventMessage[]): void {
    for (const m of messages) {
      try {
        this.deliverOne(m);
      } catch (err) {
        this.opts.logger.error({ err, messageId: m.id }, 'handling a job event failed');
      }
    }
  }

  private deliverOne(m: EventMessage): void {
    const parsed = BusEvent.safeParse(parseJsonSafe(m.body));
    if (parsed.success) {
      const event = parsed.data;
      withSpanSync(
        event.kind === 'job.updated' ? 'job event deliver' : 'document event deliver',
        {
          kind: SpanKind.CONSUMER,
          carrier: m.attributes,
          onlyInTrace: true, // events of untraced work do not start traces of their own
          attributes:
            event.kind === 'job.updated'
              ? { 'docpipe.job.status': event.job.status, 'docpipe.job.version': event.job.version }
              : { 'docpipe.document.id': event.documentId },
        },
        () => this.opts.onEvent(event),
      );
    } else this.opts.logger.warn({ messageId: m.id }, 'dropping malformed job event');
  }

  async stop(): Promise<void> {
    clearInterval(this.housekeeping);
    this.opts.publisher.deliverLocally(undefined);
    await this.consumer?.stop(0);
    const { aws, logger } = this.opts;
    try {
      if (this.subscriptionArn) {
        await aws.sns.send(new UnsubscribeCommand({ SubscriptionArn: this.subscriptionArn }));
      }
      if (this.queueUrl) await aws.sqs.send(new DeleteQueueCommand({ QueueUrl: this.queueUrl }));
    } catch (err) {
      logger.warn({ err }, 'could not remove the event queue; a sibling will remove it once stale');
    }
  }
}
