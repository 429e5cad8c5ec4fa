/**
 * The one consumer of SQS queues, in the shape of bbc/sqs-consumer: validated options, a long-poll
 * loop with backoff while the queue is unreachable, and a graceful stop. Two ways to handle messages:
 *
 * - `handle` (the worker): one message at a time, at most `concurrency` in flight, a visibility
 *   heartbeat while each is handled; the handler settles its message (delete, retry later, DLQ), and
 *   one nobody settles comes back after its visibility timeout. Stopping drains, then aborts and
 *   releases what is left. To spend few requests per message, it receives only once half the slots
 *   (up to 10) are free, unless nothing is in flight, and deletes share DeleteMessageBatch requests:
 *   a delete waits up to `deleteDelayMs` for others.
 * - `handleBatch` (the api's event listener): each received batch at once; when the handler returns
 *   the whole batch is deleted in one request, and if it throws the batch comes back.
 *
 * Handlers see `QueueMessage`s, never SDK types.
 */
import type { Logger } from 'pino';
import type { ReceivedMessage, SqsQueue } from './sqs-queue.js';

export interface QueueMessage {
  id: string;
  body: string;
  /** 1 on the first delivery. */
  receiveCount: number;
  /** String message attributes (correlationId, traceparent, …). */
  attributes: Record<string, string>;
  /** When SQS accepted it (ms since the epoch), if it said. */
  sentAt?: number;
  /** Done with it: it will not come back. */
  delete(): Promise<void>;
  /** Comes back after `seconds` (0: at once, for another consumer). */
  retryAfter(seconds: number): Promise<void>;
  /** To the dead-letter queue at once, with a reason. */
  moveToDlq(reason: string): Promise<void>;
}

/** What the consumer needs of a queue; `moveToDlq` only where the queue has a DLQ. */
export type ConsumableQueue = Pick<SqsQueue, 'receive' | 'deleteBatch' | 'setVisibility'> & {
  moveToDlq?(message: ReceivedMessage, reason: string): Promise<void>;
};

interface CommonOptions {
  queue: ConsumableQueue;
  /** Long-poll wait, 0–20 s. */
  waitSeconds: number;
  logger: Logger;
  /** Called after a failed receive, once the backoff has passed (e.g. to recreate a vanished queue). */
  onReceiveError?: (err: unknown) => Promise<void>;
}

export interface MessageHandlerOptions extends CommonOptions {
  /** Messages handled at once, 1–64. */
  concurrency: number;
  /** While a message is handled its visibility is reset to this every third of it (seconds, ≥ 1). */
  visibilitySeconds: number;
  /** Handles one message; `signal` aborts when a stop's drain time is over. */
  handle: (message: QueueMessage, signal: AbortSignal) => Promise<void>;
  /** How long a delete may wait for others to share its request (ms, 0–1000). @default 20 */
  deleteDelayMs?: number;
  handleBatch?: never;
}

export interface BatchHandlerOptions extends CommonOptions {
  /** Handles a received batch; returning deletes it, throwing lets it come back. */
  handleBatch: (messages: QueueMessage[]) => Promise<void> | void;
  handle?: never;
}

export type QueueConsumerOptions = MessageHandlerOptions | BatchHandlerOptions;

const MIN_BACKOFF_MS = 100;
const DEFAULT_DELETE_DELAY_MS = 20;
const MAX_BACKOFF_MS = 5_000;

/** Refuses options that cannot work, naming each. */
export function validateConsumerOptions(o: QueueConsumerOptions): void {
  const problems: string[] = [];
  if (!o.handle === !o.handleBatch) problems.push('give exactly one of handle and handleBatch');
  if (o.handle && (!Number.isInteger(o.concurrency) || o.concurrency < 1 || o.concurrency > 64)) {
    problems.push(`concurrency must be an integer from 1 to 64 (got ${o.concurrency})`);
  }
  if (!Number.isInteger(o.waitSeconds) || o.waitSeconds < 0 || o.waitSeconds > 20) {
    problems.push(`waitSeconds must be an integer from 0 to 20 (got ${o.waitSeconds})`);
  }
  if (o.handle && (!Number.isFinite(o.visibilitySeconds) || o.visibilitySeconds < 1)) {
    problems.push(`visibilitySeconds must be at least 1 (got ${o.visibilitySeconds})`);
  }
  const delay = o.handle ? o.deleteDelayMs : undefined;
  if (delay !== undefined && (!Number.isFinite(delay) || delay < 0 || delay > 1000)) {
    problems.push(`deleteDelayMs must be from 0 to 1000 (got ${delay})`);
  }
  if (problems.length > 0) throw new Error(`Invalid queue consumer options: ${problems.join('; ')}`);
}

export class QueueConsumer {
  private readonly receiving = new AbortController();
  private readonly inFlight = new Map<Promise<void>, AbortController>();
  private readonly deletes: DeleteBatcher;
  private loop: Promise<void> | undefined;
  private failing = false;

  constructor(private readonly o: QueueConsumerOptions) {
    validateConsumerOptions(o);
    this.deletes = new DeleteBatcher(o.queue, (o.handle && o.deleteDelayMs) ?? DEFAULT_DELETE_DELAY_MS);
  }

  /** False while receiving fails (AWS unreachable); for readiness and metrics. */
  get isHealthy(): boolean {
    return !this.failing;
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
    await this.deletes.flush();
  }

  private async run(): Promise<void> {
    const { queue, logger } = this.o;
    const concurrency = this.o.handle ? this.o.concurrency : 1;
    // Receive once this many slots are free (or nothing is in flight): fuller batches, fewer requests.
    const refill = Math.max(1, Math.min(10, Math.floor(concurrency / 2)));
    let backoffMs = MIN_BACKOFF_MS;
    while (!this.receiving.signal.aborted) {
      const free = concurrency - this.inFlight.size;
      if (this.inFlight.size > 0 && free < refill) {
        await Promise.race(this.inFlight.keys());
        continue;
      }
      let messages: ReceivedMessage[];
      try {
        messages = await queue.receive({
          max: this.o.handleBatch ? 10 : free,
          waitSeconds: this.o.waitSeconds,
          signal: this.receiving.signal,
        });
        backoffMs = MIN_BACKOFF_MS;
        this.failing = false;
      } catch (err) {
        if (this.receiving.signal.aborted) break;
        // Emulator or AWS unreachable: back off and keep trying; no restart needed.
        this.failing = true;
        logger.warn({ err, backoffMs }, 'receive failed; backing off');
        await new Promise((r) => setTimeout(r, backoffMs));
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
        await this.o
          .onReceiveError?.(err)
          .catch((e: unknown) => logger.warn({ err: e }, 'receive error hook failed'));
        continue;
      }
      if (this.o.handleBatch) {
        if (messages.length > 0) await this.handleBatch(this.o.handleBatch, messages);
        continue;
      }
      for (const message of messages) {
        const abort = new AbortController();
        const done: Promise<void> = this.handleOne(this.o, message, abort.signal).finally(() =>
          this.inFlight.delete(done),
        );
        this.inFlight.set(done, abort);
      }
    }
  }

  private async handleBatch(
    handler: BatchHandlerOptions['handleBatch'],
    messages: ReceivedMessage[],
  ): Promise<void> {
    const { queue, logger } = this.o;
    const unsettled = (): Promise<void> => {
      throw new Error('messages of a batch are settled together when the batch handler returns');
    };
    try {
      await handler(
        messages.map((m) => ({
          id: m.id,
          body: m.body,
          receiveCount: m.receiveCount,
          attributes: m.attributes,
          ...(m.sentAt !== undefined ? { sentAt: m.sentAt } : {}),
          delete: unsettled,
          retryAfter: unsettled,
          moveToDlq: unsettled,
        })),
      );
    } catch (err) {
      logger.error({ err, messages: messages.length }, 'batch handler failed; the batch comes back later');
      return;
    }
    await queue
      .deleteBatch(messages.map((m) => m.receipt))
      .catch((err: unknown) => logger.warn({ err }, 'batch delete failed; the batch comes back later'));
  }

  private async handleOne(o: MessageHandlerOptions, message: ReceivedMessage, signal: AbortSignal) {
    const { queue, logger, visibilitySeconds } = o;
    const { receipt } = message;
    let settled = false;
    const settle = (fn: () => Promise<void>) => async () => {
      settled = true;
      await fn();
    };
    const toDlq = queue.moveToDlq?.bind(queue);
    const wrapped: QueueMessage = {
      id: message.id,
      body: message.body,
      receiveCount: message.receiveCount,
      attributes: message.attributes,
      ...(message.sentAt !== undefined ? { sentAt: message.sentAt } : {}),
      delete: settle(() => this.deletes.delete(receipt)),
      retryAfter: (seconds) => settle(() => queue.setVisibility(receipt, seconds))(),
      moveToDlq: (reason) =>
        settle(async () => {
          if (!toDlq) throw new Error('this queue has no dead-letter queue');
          await toDlq(message, reason);
        })(),
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
      await o.handle(wrapped, signal);
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

/**
 * Gathers deletes into DeleteMessageBatch requests: a batch goes when it has 10 receipts or when its
 * first has waited `delayMs`. Each delete resolves when its request succeeded; if the request fails,
 * every delete in it rejects (those messages come back and are recognised as done).
 */
class DeleteBatcher {
  private pending: { receipt: string; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly sending = new Set<Promise<void>>();

  constructor(
    private readonly queue: Pick<SqsQueue, 'deleteBatch'>,
    private readonly delayMs: number,
  ) {}

  delete(receipt: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.pending.push({ receipt, resolve, reject });
      if (this.pending.length >= 10) this.send();
      else this.timer ??= setTimeout(() => this.send(), this.delayMs);
    });
  }

  /** Sends what is waiting and waits for every request in flight. */
  async flush(): Promise<void> {
    this.send();
    await Promise.allSettled([...this.sending]);
  }

  private send(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending.splice(0, 10);
    if (batch.length === 0) return;
    const request = this.queue.deleteBatch(batch.map((d) => d.receipt)).then(
      () => batch.forEach((d) => d.resolve()),
      (err: unknown) => batch.forEach((d) => d.reject(err)),
    );
    this.sending.add(request);
    void request.finally(() => this.sending.delete(request));
    if (this.pending.length > 0) this.timer = setTimeout(() => this.send(), this.delayMs);
  }
}
