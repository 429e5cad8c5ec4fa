import { isTerminal, type JobRecord } from '../../domain/model.js';
import { metrics } from '../../telemetry/metrics.js';

/**
 * In-process fan-out of job changes to this instance's subscribers, fed by its JobEventListener.
 * Registration is eager (on `subscribe`, not on first `next`) so that no change can slip between
 * registering and reading the current state from DynamoDB.
 */
export class JobEventHub {
  private readonly watchers = new Map<string, Set<JobUpdates>>();

  /**
   * Registers for one job's changes on behalf of `ownerId`. Defence in depth: an event is delivered
   * only when its job belongs to that owner, whatever reaches this instance's queue.
   */
  subscribe(jobId: string, ownerId: string): JobUpdates {
    const set = this.watchers.get(jobId) ?? new Set();
    this.watchers.set(jobId, set);
    const updates = new JobUpdates(ownerId, () => {
      if (set.delete(updates)) metrics.liveSubscriptions.dec();
      if (set.size === 0 && this.watchers.get(jobId) === set) this.watchers.delete(jobId);
    });
    set.add(updates);
    metrics.liveSubscriptions.inc();
    return updates;
  }

  dispatch(job: JobRecord): void {
    let delivered = 0;
    for (const w of this.watchers.get(job.id) ?? []) {
      if (w.ownerId !== job.ownerId) continue;
      w.push(job);
      delivered++;
    }
    if (delivered > 0) metrics.eventsDelivered.inc(delivered);
  }

  /** Number of live watchers; exposed for tests and metrics. */
  get size(): number {
    let n = 0;
    for (const set of this.watchers.values()) n += set.size;
    return n;
  }
}

/**
 * The changes of one job, in version order, for one subscriber: duplicates and stale versions are
 * dropped; iteration ends after a terminal state or when the consumer returns.
 *
 * Hand-written rather than an async generator: a generator suspended in `await` cannot be
 * returned early, so an idle subscription would keep its registration until the next event.
 */
export class JobUpdates implements AsyncIterableIterator<JobRecord> {
  private readonly queue: JobRecord[] = [];
  private waiting: ((r: IteratorResult<JobRecord>) => void) | undefined;
  private lastVersion = -1;
  private finished = false;

  constructor(
    readonly ownerId: string,
    private readonly unregister: () => void,
  ) {}

  /** Puts the current state first; anything already buffered that is not newer is dropped. */
  seed(current: JobRecord): void {
    this.queue.unshift(current);
  }

  push(job: JobRecord): void {
    if (this.finished) return;
    this.queue.push(job);
    this.flush();
  }

  next(): Promise<IteratorResult<JobRecord>> {
    return new Promise((resolve) => {
      this.waiting = resolve;
      this.flush();
    });
  }

  return(): Promise<IteratorResult<JobRecord>> {
    this.close();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  close(): void {
    if (this.finished && !this.waiting) return;
    this.finished = true;
    this.queue.length = 0;
    this.unregister();
    this.deliver({ value: undefined, done: true });
  }

  private flush(): void {
    if (!this.waiting) return;
    while (this.queue.length > 0) {
      const job = this.queue.shift()!;
      if (job.version <= this.lastVersion) continue;
      this.lastVersion = job.version;
      if (isTerminal(job.status)) {
        // Deliver the final state, then end.
        this.finished = true;
        this.queue.length = 0;
        this.unregister();
      }
      this.deliver({ value: job, done: false });
      return;
    }
    if (this.finished) this.deliver({ value: undefined, done: true });
  }

  private deliver(result: IteratorResult<JobRecord>): void {
    const resolve = this.waiting;
    this.waiting = undefined;
    resolve?.(result);
  }
}
