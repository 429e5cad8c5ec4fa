/** The queue consumer's loop over an in-memory queue: concurrency, heartbeat, backoff, settling, drain. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  QueueConsumer,
  type MessageHandlerOptions,
  type QueueConsumerOptions,
  type QueueMessage,
} from '../../aws/queue-consumer.js';
import type { ReceivedMessage, ReceiveOptions } from '../../aws/sqs-queue.js';

class MemoryQueue {
  pending: ReceivedMessage[] = [];
  calls: string[] = [];
  failReceives = 0;
  receives = 0;
  async receive({ max, signal }: ReceiveOptions): Promise<ReceivedMessage[]> {
    this.receives++;
    if (this.failReceives > 0) {
      this.failReceives--;
      throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'QueueDoesNotExist' });
    }
    if (this.pending.length === 0) {
      // A long poll that ends when stopping (or after a moment).
      await new Promise<void>((r) => {
        const t = setTimeout(r, 20);
        signal?.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
      });
      return [];
    }
    return this.pending.splice(0, Math.min(max, 10));
  }
  async deleteBatch(receipts: readonly string[]) {
    this.calls.push(`deleteBatch ${receipts.join(' ')}`);
  }
  async setVisibility(receipt: string, seconds: number) {
    this.calls.push(`visibility ${receipt} ${seconds}`);
  }
  async moveToDlq(message: ReceivedMessage, reason: string) {
    this.calls.push(`dlq ${message.receipt} ${reason}`);
  }
}

const message = (n: number, receiveCount = 1): ReceivedMessage => ({
  id: `m${n}`,
  receipt: `r${n}`,
  body: `body ${n}`,
  receiveCount,
  attributes: {},
});

function consumer(
  queue: MemoryQueue,
  handle: MessageHandlerOptions['handle'],
  over: Partial<MessageHandlerOptions> = {},
) {
  return new QueueConsumer({
    queue,
    concurrency: 2,
    waitSeconds: 0,
    visibilitySeconds: 1,
    logger: pino({ level: 'silent' }),
    handle,
    ...over,
  });
}
const until = async (check: () => boolean) => {
  for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};

describe('QueueConsumer', () => {
  it('refuses a consumer with both kinds of handler, or neither', () => {
    const base = { queue: new MemoryQueue(), waitSeconds: 0, logger: pino({ level: 'silent' }) };
    expect(() => new QueueConsumer(base as unknown as QueueConsumerOptions)).toThrow(
      /exactly one of handle and handleBatch/,
    );
  });

  it('refuses impossible options, naming each', () => {
    expect(() =>
      consumer(new MemoryQueue(), async () => {}, { concurrency: 0, waitSeconds: 30, visibilitySeconds: 0 }),
    ).toThrow(
      /concurrency must be an integer from 1 to 64 \(got 0\); waitSeconds must be an integer from 0 to 20 \(got 30\); visibilitySeconds must be at least 1/,
    );
  });

  it('hands messages over without SDK types and never has more than `concurrency` in flight', async () => {
    const queue = new MemoryQueue();
    queue.pending = [1, 2, 3, 4, 5].map((n) => message(n, n));
    let running = 0;
    let most = 0;
    const seen: Pick<QueueMessage, 'id' | 'body' | 'receiveCount'>[] = [];
    const c = consumer(queue, async (m) => {
      running++;
      most = Math.max(most, running);
      seen.push({ id: m.id, body: m.body, receiveCount: m.receiveCount });
      await new Promise((r) => setTimeout(r, 10));
      running--;
      await m.delete();
    });
    c.start();
    await until(() => queue.calls.join(' ').split(' r').length - 1 === 5);
    await c.stop(1000);
    expect(most).toBe(2);
    expect(seen.map((s) => s.id).sort()).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(seen.find((s) => s.id === 'm3')).toEqual({ id: 'm3', body: 'body 3', receiveCount: 3 });
  });

  it('deletes share DeleteMessageBatch requests: ten at once, or what came within the delay', async () => {
    const queue = new MemoryQueue();
    queue.pending = Array.from({ length: 13 }, (_, i) => message(i + 1));
    const c = consumer(queue, async (m) => m.delete(), { concurrency: 20, deleteDelayMs: 200 });
    c.start();
    await until(() => queue.calls.length === 2);
    await c.stop(1000);
    expect(queue.calls.map((call) => call.split(' ').length - 1)).toEqual([10, 3]);
  });

  it('stop sends the deletes still waiting for company', async () => {
    const queue = new MemoryQueue();
    queue.pending = [message(1)];
    let deleted = false;
    const c = consumer(queue, async (m) => m.delete().then(() => void (deleted = true)), {
      deleteDelayMs: 1000,
    });
    c.start();
    await until(() => c.busy === 1);
    await c.stop(5_000);
    expect(queue.calls).toEqual(['deleteBatch r1']);
    expect(deleted).toBe(true);
  });

  it('receives again only once half the slots are free, in one request for them', async () => {
    const queue = new MemoryQueue();
    queue.pending = Array.from({ length: 12 }, (_, i) => message(i + 1));
    const maxes: number[] = [];
    const receive = queue.receive.bind(queue);
    queue.receive = async (o) => {
      if (queue.pending.length > 0) maxes.push(o.max);
      return receive(o);
    };
    const release: (() => void)[] = [];
    const c = consumer(queue, (m) => new Promise<void>((r) => release.push(r)).then(() => m.delete()), {
      concurrency: 8,
    });
    c.start();
    await until(() => release.length === 8);
    release.splice(0, 3).forEach((r) => r()); // 3 free: fewer than half, no receive yet
    await new Promise((r) => setTimeout(r, 50));
    expect(maxes).toEqual([8]);
    release.splice(0, 1).forEach((r) => r()); // 4 free
    await until(() => release.length === 8);
    expect(maxes).toEqual([8, 4]);
    release.splice(0).forEach((r) => r());
    await until(() => queue.calls.join(' ').split(' r').length - 1 === 12);
    await c.stop(1000);
  });

  it('settles as the handler says: delete, retry later, dead-letter', async () => {
    const queue = new MemoryQueue();
    queue.pending = [message(1), message(2), message(3)];
    const c = consumer(queue, async (m) => {
      if (m.id === 'm1') await m.delete();
      if (m.id === 'm2') await m.retryAfter(30);
      if (m.id === 'm3') await m.moveToDlq('MALFORMED_MESSAGE');
    });
    c.start();
    await until(() => queue.calls.length === 3);
    await c.stop(1000);
    expect(queue.calls.sort()).toEqual(['deleteBatch r1', 'dlq r3 MALFORMED_MESSAGE', 'visibility r2 30']);
  });

  it('extends the visibility of a message while its handler runs', async () => {
    const queue = new MemoryQueue();
    queue.pending = [message(1)];
    const c = consumer(queue, async (m) => {
      await new Promise((r) => setTimeout(r, 800)); // more than one heartbeat (every 1/3 s)
      await m.delete();
    });
    c.start();
    await until(() => queue.calls.includes('deleteBatch r1'));
    await c.stop(1000);
    expect(queue.calls.filter((call) => call === 'visibility r1 1').length).toBeGreaterThanOrEqual(1);
  });

  it('backs off while receiving fails and recovers without a restart', async () => {
    const queue = new MemoryQueue();
    queue.failReceives = 3;
    const handled: string[] = [];
    const c = consumer(queue, async (m) => {
      handled.push(m.id);
      await m.delete();
    });
    c.start();
    await until(() => queue.receives >= 2);
    expect(c.isHealthy).toBe(false);
    queue.pending = [message(1)];
    await until(() => handled.length === 1);
    expect(c.isHealthy).toBe(true);
    await c.stop(1000);
  });

  it('stop waits for in-flight work within the drain time', async () => {
    const queue = new MemoryQueue();
    queue.pending = [message(1)];
    let finished = false;
    const c = consumer(queue, async (m) => {
      await new Promise((r) => setTimeout(r, 100));
      finished = true;
      await m.delete();
    });
    c.start();
    await until(() => c.busy === 1);
    await c.stop(5_000);
    expect(finished).toBe(true);
    expect(queue.calls).toEqual(['deleteBatch r1']);
  });

  it('past the drain time it aborts handlers and releases their messages at once', async () => {
    const queue = new MemoryQueue();
    queue.pending = [message(1)];
    const c = consumer(
      queue,
      (_m, signal) => new Promise<void>((r) => signal.addEventListener('abort', () => r())),
    );
    c.start();
    await until(() => c.busy === 1);
    await c.stop(50);
    expect(queue.calls).toEqual(['visibility r1 0']);
  });

  it('batch mode hands over each received batch and deletes it in one request', async () => {
    const queue = new MemoryQueue();
    queue.pending = [1, 2, 3].map((n) => message(n));
    const batches: string[][] = [];
    const c = new QueueConsumer({
      queue,
      waitSeconds: 0,
      logger: pino({ level: 'silent' }),
      handleBatch: (messages) => void batches.push(messages.map((m) => m.body)),
    });
    c.start();
    await until(() => queue.calls.length === 1);
    await c.stop(0);
    expect(batches).toEqual([['body 1', 'body 2', 'body 3']]);
    expect(queue.calls).toEqual(['deleteBatch r1 r2 r3']);
  });

  it('batch mode leaves a batch whose handler threw to come back, and calls the receive error hook', async () => {
    const queue = new MemoryQueue();
    queue.failReceives = 1;
    const hookErrors: string[] = [];
    let attempts = 0;
    const c = new QueueConsumer({
      queue,
      waitSeconds: 0,
      logger: pino({ level: 'silent' }),
      onReceiveError: async (err) => void hookErrors.push((err as Error).name),
      handleBatch: () => {
        attempts++;
        throw new Error('cannot handle now');
      },
    });
    c.start();
    await until(() => hookErrors.length === 1);
    queue.pending = [message(1)];
    await until(() => attempts === 1);
    await c.stop(0);
    expect(hookErrors).toEqual(['QueueDoesNotExist']);
    expect(queue.calls).toEqual([]);
  });
});
