import type { JobMessage } from '../domain/messages.js';
import { injectTraceContext } from '../telemetry/tracing.js';
import type { AwsClients } from './clients.js';
import { SqsQueue, type ReceivedMessage } from './sqs-queue.js';

/** The SQS jobs queue: the api sends, workers compete to receive; poison goes to its DLQ. */
export class JobQueue extends SqsQueue {
  readonly deadLetters: SqsQueue;

  constructor(aws: AwsClients, queueUrl: string, dlqUrl: string) {
    super(aws, queueUrl);
    this.deadLetters = new SqsQueue(aws, dlqUrl);
  }

  async send(message: JobMessage): Promise<void> {
    // The trace continues in the worker (traceparent attribute) when tracing is on.
    await this.sendRaw(JSON.stringify(message), injectTraceContext({ correlationId: message.correlationId }));
  }

  /**
   * Moves a message that can never be processed (poison) to the DLQ at once, with the reason, instead
   * of letting it burn through every retry.
   */
  async moveToDlq(message: ReceivedMessage, reason: string): Promise<void> {
    await this.deadLetters.sendRaw(message.body, {
      ...message.attributes,
      poisonReason: reason,
      sourceMessageId: message.id,
    });
    await this.delete(message.receipt);
  }
}
