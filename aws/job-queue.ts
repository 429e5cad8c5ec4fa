import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import type { JobMessage } from '../domain/messages.js';
import type { AwsClients } from './clients.js';

/** The SQS jobs queue: the api sends, workers compete to receive. */
export class JobQueue {
  constructor(
    private readonly aws: AwsClients,
    readonly queueUrl: string,
    readonly dlqUrl: string,
  ) {}

  async send(message: JobMessage): Promise<void> {
    await this.aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(message),
        MessageAttributes: { correlationId: { DataType: 'String', StringValue: message.correlationId } },
      }),
    );
  }

  async receive(max: number, waitSeconds: number, signal?: AbortSignal): Promise<Message[]> {
    const res = await this.aws.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: Math.min(10, Math.max(1, max)),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['ApproximateReceiveCount'],
        MessageAttributeNames: ['All'],
      }),
      signal ? { abortSignal: signal } : {},
    );
    return res.Messages ?? [];
  }

  /**
   * Moves a message that can never be processed (poison) to the DLQ at once, with the reason, instead
   * of letting it burn through every retry.
   */
  async moveToDlq(message: Message, reason: string): Promise<void> {
    await this.aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.dlqUrl,
        MessageBody: message.Body ?? '',
        MessageAttributes: {
          ...message.MessageAttributes,
          poisonReason: { DataType: 'String', StringValue: reason },
          sourceMessageId: { DataType: 'String', StringValue: message.MessageId ?? 'unknown' },
        },
      }),
    );
    await this.delete(message.ReceiptHandle!);
  }

  async delete(receiptHandle: string): Promise<void> {
    await this.aws.sqs.send(
      new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle }),
    );
  }

  async setVisibility(receiptHandle: string, seconds: number): Promise<void> {
    await this.aws.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.queueUrl,
        ReceiptHandle: receiptHandle,
        VisibilityTimeout: seconds,
      }),
    );
  }
}
