import type { JobRecord } from '../domain/model.js';

/** How the throttle writes: the next version (with or without its event), or a late event. */
export interface ThrottledJobWrites {
  /** Writes the next version of the job; throws when the run lost the job. */
  write(job: JobRecord, patch: Partial<JobRecord>, announce: boolean): Promise<JobRecord>;
  /** Publishes the event of a version that was written without one. */
  announce(job: JobRecord): Promise<void>;
}

/**
 * The one progress throttle: turns a run's start and its stream of (stage, progress) reports into
 * at most one job write per `intervalMs`. Every write is a conditional DynamoDB write plus an SNS
 * event (a new job version), so this bounds both to what a client can use (~10/s per job).
 *
 * - `begin` writes the start at once (it is the run's claim on the job) but announces it — its event
 *   and the `onRunning` hook (the document's PROCESSING status) — only if the job is still running
 *   one interval later.
 * - `report` holds progress until the interval since the last write has passed; later reports
 *   replace it.
 * - `apply` writes a final state after the writes in flight, dropping what was never written.
 *
 * So work that finishes within one interval costs two job writes and one event: subscribers see it
 * go from QUEUED straight to its final state. The subscription contract holds with writes dropped:
 * every write is the next version, and the final state is always written and announced.
 */
export class JobProgressThrottle {
  private lastWriteAt: number;
  private pending: { stage: string; progress: number } | undefined;
  /** The start was written but not yet announced. */
  private unannounced: ((started: JobRecord) => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private job: JobRecord,
    private readonly writes: ThrottledJobWrites,
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {
    this.lastWriteAt = now();
  }

  /** The job as last written. */
  get current(): JobRecord {
    return this.job;
  }

  /**
   * Writes the run's start now; its event and `onRunning` follow one interval later if the run is
   * still going (at once when the interval is 0).
   */
  async begin(
    patch: Partial<JobRecord>,
    onRunning: (started: JobRecord) => Promise<void>,
  ): Promise<JobRecord> {
    await this.settle();
    const announceNow = this.intervalMs <= 0;
    this.job = await this.writes.write(this.job, patch, announceNow);
    this.lastWriteAt = this.now();
    if (announceNow) {
      await onRunning(this.job);
    } else {
      this.unannounced = onRunning;
      this.schedule();
    }
    return this.job;
  }

  /** `progress` is 0–100 for the whole job; a report that changes nothing is ignored. */
  report(stage: string, progress: number): void {
    const rounded = Math.min(100, Math.max(0, Math.floor(progress)));
    const latest = this.pending ?? this.job;
    if (stage === latest.stage && rounded <= latest.progress) return;
    this.pending = { stage, progress: Math.max(rounded, this.job.progress) };
    this.schedule();
  }

  /**
   * Waits for the writes already started and drops what was not yet written (what comes next
   * supersedes it); rethrows a failed write.
   */
  async settle(): Promise<JobRecord> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    this.unannounced = undefined;
    await this.chain;
    if (this.failure) throw this.failure;
    return this.job;
  }

  /** Writes the next state (the final status) after the writes in flight, with its event. */
  async apply(patch: Partial<JobRecord>): Promise<JobRecord> {
    await this.settle();
    this.job = await this.writes.write(this.job, patch, true);
    this.lastWriteAt = this.now();
    return this.job;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastWriteAt + this.intervalMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
    this.timer.unref();
  }

  private flush(): void {
    const next = this.pending;
    const onRunning = this.unannounced;
    this.pending = undefined;
    this.unannounced = undefined;
    if (!next && !onRunning) return;
    this.lastWriteAt = this.now();
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        if (onRunning) {
          await onRunning(this.job);
          // A progress write below carries the news itself; otherwise announce the start.
          if (!next) await this.writes.announce(this.job);
        }
        if (next) {
          this.job = await this.writes.write(this.job, next, true);
          this.lastWriteAt = this.now();
        }
      } catch (err) {
        this.failure = err;
      }
    });
  }
}
