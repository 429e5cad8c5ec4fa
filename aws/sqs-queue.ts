import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type { AwsClients } from './clients.js';

/** A received SQS message without SDK types: what consumers outside aws/ get to see. */
export interface ReceivedMessage {
  id: string;
  body: string;
  /** 1 on the first delivery. */
  receiveCount: number;
  /** Needed to delete it or change its visibility. */
  receipt: string;
  /** String message attributes (correlationId, traceparent, poisonReason, …). */
  attributes: Record<string, string>;
  /** When SQS accepted the message (ms since the epoch; SentTimestamp), if it said. */
  sentAt?: number;
}

export interface ReceiveOptions {
  max: number;
  /** Long-poll wait, 0–20 s. */
  waitSeconds: number;
  /** Overrides the queue's visibility timeout for these messages. */
  visibilitySeconds?: number;
  signal?: AbortSignal;
}

/** One SQS queue: receive, send, delete (one or a batch), change visibility. */
export class SqsQueue {
  constructor(
    protected readonly aws: AwsClients,
    private readonly url: string | (() => string),
  ) {}

  get queueUrl(): string {
    return typeof this.url === 'string' ? this.url : this.url();
  }

  async receive(o: ReceiveOptions): Promise<ReceivedMessage[]> {
    const res = await this.aws.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: Math.min(10, Math.max(1, o.max)),
        WaitTimeSeconds: o.waitSeconds,
        ...(o.visibilitySeconds !== undefined ? { VisibilityTimeout: o.visibilitySeconds } : {}),
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
        MessageAttributeNames: ['All'],
      }),
      o.signal ? { abortSignal: o.signal } : {},
    );
    return (res.Messages ?? []).map(toReceived);
  }

  async sendRaw(body: string, attributes: Record<string, string> = {}): Promise<void> {
    await this.aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: body,
        MessageAttributes: Object.fromEntries(
          Object.entries(attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
        ),
      }),
    );
  }

  async delete(receipt: string): Promise<void> {
    await this.aws.sqs.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receipt }));
  }

  /** Deletes up to any number of messages, ten per request; throws if any entry failed. */
  async deleteBatch(receipts: readonly string[]): Promise<void> {
    for (let i = 0; i < receipts.length; i += 10) {
      const chunk = receipts.slice(i, i + 10);
      const res = await this.aws.sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: chunk.map((receipt, n) => ({ Id: String(n), ReceiptHandle: receipt })),
        }),
      );
      if (res.Failed?.length) {
        throw new Error(`SQS refused to delete ${res.Failed.length} message(s): ${res.Failed[0]!.Code}`);
      }
    }
  }

  async setVisibility(receipt: string, seconds: number): Promise<void> {
    await this.aws.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receipt,
        VisibilityTimeout: seconds,
      }),
    );
  }

  /** Approximate message counts: waiting to be received, and received but not yet deleted. */
  async depth(): Promise<{ visible: number; inFlight: number }> {
    const res = await this.aws.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(res.Attributes?.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(res.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0),
    };
  }
}

function toReceived(m: Message): ReceivedMessage {
  const attributes: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.MessageAttributes ?? {})) {
    if (v.StringValue !== undefined) attributes[k] = v.StringValue;
  }
  return {
    id: m.MessageId ?? 'unknown',
    body: m.Body ?? '',
    receiveCount: Number(m.Attributes?.ApproximateReceiveCount ?? '1'),
    receipt: m.ReceiptHandle!,
    attributes,
    ...(m.Attributes?.SentTimestamp ? { sentAt: Number(m.Attributes.SentTimestamp) } : {}),
  };
}
