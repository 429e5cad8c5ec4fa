/**
 * A competing consumer of one SQS queue, in the shape of bbc/sqs-consumer: validated options, a
 * long-poll loop with backoff while the queue is unreachable, at most `concurrency` messages in
 * flight, a visibility heartbeat while each is handled, and a graceful stop that drains, then aborts
 * and releases what is left. Handlers see a `QueueMessage` (no SDK type) and settle it themselves;
 * a message nobody settles comes back after its visibility timeout.
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { Logger } from 'pino';
import type { JobQueue } from './job-queue.js';

export interface QueueMessage {
  id: string;
  body: string;
  /** 1 on the first delivery. */
  receiveCount: number;
  /** Done with it: it will not come back. */
  delete(): Promise<void>;
  /** Comes back after `seconds` (0: at once, for another consumer). */
  retryAfter(seconds: number): Promise<void>;
  /** To the dead-letter queue at once, with a reason. */
  moveToDlq(reason: string): Promise<void>;
}

export interface QueueConsumerOptions {
  queue: Pick<JobQueue, 'receive' | 'delete' | 'setVisibility' | 'moveToDlq'>;
  /** Messages handled at once, 1–64. */
  concurrency: number;
  /** Long-poll wait, 0–20 s. */
  waitSeconds: number;
  /** While a message is handled its visibility is reset to this every third of it (seconds, ≥ 1). */
  visibilitySeconds: number;
  /** Handles one message; `signal` aborts when a stop's drain time is over. */
  handle: (message: QueueMessage, signal: AbortSignal) => Promise<void>;
  logger: Logger;
}

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

/** Refuses options that cannot work, naming each. */
export function validateConsumerOptions(o: QueueConsumerOptions): void {
  const problems: string[] = [];
  if (!Number.isInteger(o.concurrency) || o.concurrency < 1 || o.concurrency > 64) {
    problems.push(`concurrency must be an integer from 1 to 64 (got ${o.concurrency})`);
  }
  if (!Number.isInteger(o.waitSeconds) || o.waitSeconds < 0 || o.waitSeconds > 20) {
    problems.push(`waitSeconds must be an integer from 0 to 20 (got ${o.waitSeconds})`);
  }
  if (!Number.isFinite(o.visibilitySeconds) || o.visibilitySeconds < 1) {
    problems.push(`visibilitySeconds must be at least 1 (got ${o.visibilitySeconds})`);
  }
  if (problems.length > 0) throw new Error(`Invalid queue consumer options: ${problems.join('; ')}`);
}

export class QueueConsumer {
  private readonly receiving = new AbortController();
  private readonly inFlight = new Map<Promise<void>, AbortController>();
  private loop: Promise<void> | undefined;
  private healthy = false;

  constructor(private readonly o: QueueConsumerOptions) {
    validateConsumerOptions(o);
  }

  /** False while receiving fails (AWS unreachable); for readiness and metrics. */
  get isHealthy(): boolean {
    return this.healthy;
  }

  /** Messages being handled now. */
  get busy(): number {
    return this.inFlight.size;
  }

  start(): void {
    this.loop ??= this.run();
  }

  /** Stops receiving, lets in-flight handlers finish for `drainMs`, then aborts and releases them. */
  async stop(drainMs: number): Promise<void> {
    this.receiving.abort();
    const timer = setTimeout(() => {
      for (const abort of this.inFlight.values()) abort.abort();
    }, drainMs);
    await this.loop;
    await Promise.allSettled([...this.inFlight.keys()]);
    clearTimeout(timer);
  }

  private async run(): Promise<void> {
    const { queue, logger } = this.o;
    let backoffMs = MIN_BACKOFF_MS;
    while (!this.receiving.signal.aborted) {
      const free = this.o.concurrency - this.inFlight.size;
      if (free <= 0) {
        await Promise.race(this.inFlight.keys());
        continue;
      }
      let messages: Message[];
      try {
        messages = await queue.receive(free, this.o.waitSeconds, this.receiving.signal);
        backoffMs = MIN_BACKOFF_MS;
        this.healthy = true;
      } catch (err) {
        if (this.receiving.signal.aborted) break;
        // Emulator or AWS unreachable: back off and keep trying; no restart needed.
        this.healthy = false;
        logger.warn({ err, backoffMs }, 'receive failed; backing off');
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        continue;
      }
      for (const message of messages) {
        const abort = new AbortController();
        const done: Promise<void> = this.handleOne(message, abort.signal).finally(() =>
          this.inFlight.delete(done),
        );
        this.inFlight.set(done, abort);
      }
    }
  }

  private async handleOne(message: Message, signal: AbortSignal): Promise<void> {
    const { queue, logger, visibilitySeconds } = this.o;
    const receipt = message.ReceiptHandle!;
    let settled = false;
    const settle = (fn: () => Promise<void>) => async () => {
      settled = true;
      await fn();
    };
    const wrapped: QueueMessage = {
      id: message.MessageId ?? 'unknown',
      body: message.Body ?? '',
      receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? '1'),
      delete: settle(() => queue.delete(receipt)),
      retryAfter: (seconds) => settle(() => queue.setVisibility(receipt, seconds))(),
      moveToDlq: (reason) => settle(() => queue.moveToDlq(message, reason))(),
    };
    const heartbeat = setInterval(
      () => {
        if (settled) return;
        queue
          .setVisibility(receipt, visibilitySeconds)
          .catch((err) => logger.warn({ err }, 'heartbeat failed'));
      },
      Math.max(200, (visibilitySeconds * 1000) / 3),
    );
    try {
      await this.o.handle(wrapped, signal);
    } catch (err) {
      logger.error({ err, messageId: wrapped.id }, 'message handler failed; the message comes back later');
    } finally {
      clearInterval(heartbeat);
    }
    if (signal.aborted && !settled) {
      // Stopped before it was done: hand it to another consumer now, not after the visibility timeout.
      await queue.setVisibility(receipt, 0).catch(() => undefined);
    }
  }
}
