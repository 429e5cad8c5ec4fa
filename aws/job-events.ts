import { randomBytes } from 'node:crypto';
import { PublishCommand, SubscribeCommand, UnsubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import { JobEvent, parseJsonSafe } from '../domain/messages.js';
import type { AwsClients } from './clients.js';

/** Publishes job changes to the SNS topic every api instance listens to. */
export class JobEventPublisher {
  constructor(
    private readonly aws: AwsClients,
    private readonly topicArn: string,
  ) {}

  async publish(event: JobEvent): Promise<void> {
    await this.aws.sns.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Message: JSON.stringify(event),
        MessageAttributes: { correlationId: { DataType: 'String', StringValue: event.correlationId } },
      }),
    );
  }
}

export interface JobEventListenerOptions {
  aws: AwsClients;
  topicArn: string;
  /** Prefix of the per-instance queue name; the instance id is appended. */
  queuePrefix: string;
  waitSeconds: number;
  logger: Logger;
  onEvent: (event: JobEvent) => void;
}

/**
 * One api instance's view of the job-events topic: its own SQS queue subscribed to the topic with
 * raw delivery, long-polled and handed to `onEvent`. `stop()` removes the subscription and queue.
 */
export class JobEventListener {
  readonly instanceId = randomBytes(6).toString('hex');
  private queueUrl: string | undefined;
  private subscriptionArn: string | undefined;
  private readonly abort = new AbortController();
  private loop: Promise<void> | undefined;
  private healthy = false;

  constructor(private readonly opts: JobEventListenerOptions) {}

  /** True while the last receive succeeded; feeds /readyz. */
  get isHealthy(): boolean {
    return this.healthy;
  }

  async start(): Promise<void> {
    const { aws, topicArn } = this.opts;
    const queueName = `${this.opts.queuePrefix}-${this.instanceId}`.slice(0, 80);
    const created = await aws.sqs.send(
      new CreateQueueCommand({
        QueueName: queueName,
        // Short retention: events are only useful live; subscribers resync from DynamoDB.
        Attributes: { MessageRetentionPeriod: '300', ReceiveMessageWaitTimeSeconds: '0' },
        tags: { 'docpipe:role': 'api-events' },
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
        Attributes: { RawMessageDelivery: 'true' },
        ReturnSubscriptionArn: true,
      }),
    );
    this.subscriptionArn = sub.SubscriptionArn;
    this.healthy = true;
    this.loop = this.poll();
  }

  private async poll(): Promise<void> {
    const { aws, logger } = this.opts;
    let backoffMs = 100;
    while (!this.abort.signal.aborted) {
      try {
        const res = await aws.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: this.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: this.opts.waitSeconds,
          }),
          { abortSignal: this.abort.signal },
        );
        this.healthy = true;
        backoffMs = 100;
        const messages = res.Messages ?? [];
        for (const m of messages) {
          const parsed = JobEvent.safeParse(parseJsonSafe(m.Body));
          if (parsed.success) this.opts.onEvent(parsed.data);
          else logger.warn({ messageId: m.MessageId }, 'dropping malformed job event');
        }
        if (messages.length > 0) {
          await aws.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: this.queueUrl,
              Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
            }),
          );
        }
      } catch (err) {
        if (this.abort.signal.aborted) break;
        this.healthy = false;
        logger.warn({ err, backoffMs }, 'job event receive failed; backing off');
        await sleep(backoffMs);
        backoffMs = Math.min(backoffMs * 2, 5_000);
      }
    }
  }

  async stop(): Promise<void> {
    this.abort.abort();
    await this.loop;
    const { aws, logger } = this.opts;
    try {
      if (this.subscriptionArn) {
        await aws.sns.send(new UnsubscribeCommand({ SubscriptionArn: this.subscriptionArn }));
      }
      if (this.queueUrl) await aws.sqs.send(new DeleteQueueCommand({ QueueUrl: this.queueUrl }));
    } catch (err) {
      logger.warn({ err }, 'could not remove the event queue; it will expire unused');
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
