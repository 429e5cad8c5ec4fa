import type { JobRecord } from '../domain/model.js';

/**
 * The one progress throttle: turns a stream of (stage, progress) reports into at most one job write
 * per `intervalMs`. A report is held until the interval since the last write has passed, and later
 * reports replace it, so work that finishes within one interval writes no progress at all — only its
 * start and its final state. Every write is a conditional DynamoDB update plus an SNS event (a new
 * job version), so this bounds both to what a client can use (~10/s per job by default).
 *
 * Writes are serialised. The subscription contract still holds with writes dropped: every write that
 * happens is the next version, and the final state (`apply`) is always written.
 */
export class JobProgressThrottle {
  private lastWriteAt: number;
  private pending: { stage: string; progress: number } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private job: JobRecord,
    private readonly write: (job: JobRecord, patch: Partial<JobRecord>) => Promise<JobRecord>,
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {
    this.lastWriteAt = now();
  }

  /** The job as last written. */
  get current(): JobRecord {
    return this.job;
  }

  /** `progress` is 0–100 for the whole job; a report that changes nothing is ignored. */
  report(stage: string, progress: number): void {
    const rounded = Math.min(100, Math.max(0, Math.floor(progress)));
    const latest = this.pending ?? this.job;
    if (stage === latest.stage && rounded <= latest.progress) return;
    this.pending = { stage, progress: Math.max(rounded, this.job.progress) };
    if (this.timer) return;
    const wait = Math.max(0, this.lastWriteAt + this.intervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.writePending();
    }, wait);
    this.timer.unref();
  }

  /**
   * Waits for the writes already started and drops progress not yet written (what comes next
   * supersedes it); rethrows a failed write.
   */
  async settle(): Promise<JobRecord> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    await this.chain;
    if (this.failure) throw this.failure;
    return this.job;
  }

  /** Writes the next state (start, or the final status) after the writes in flight. */
  async apply(patch: Partial<JobRecord>): Promise<JobRecord> {
    await this.settle();
    this.job = await this.write(this.job, patch);
    this.lastWriteAt = this.now();
    return this.job;
  }

  private writePending(): void {
    const next = this.pending;
    this.pending = undefined;
    if (!next) return;
    this.lastWriteAt = this.now();
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        this.job = await this.write(this.job, next);
        this.lastWriteAt = this.now();
      } catch (err) {
        this.failure = err;
      }
    });
  }
}
