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
 * - `begin` with `hold` does not even write the start: it is written (then announced) one interval
 *   later if the run goes on, or else becomes part of the final write. For a run that knows the job is fresh (a
 *   new upload's first delivery): a run done within one interval then costs one job write.
 * - `report` holds progress until the interval since the last write has passed; later reports
 *   replace it.
 * - `apply` writes a final state after the writes in flight, dropping what was never written.
 *
 * So work that finishes within one interval costs one or two job writes and one event: subscribers
 * see it go from QUEUED straight to its final state. The subscription contract holds with writes dropped:
 * every write is the next version, and the final state is always written and announced.
 */
export class JobProgressThrottle {
  private lastWriteAt: number;
  private pending: { stage: string; progress: number } | undefined;
  /** The start was written (or is held) but not yet announced. */
  private unannounced: ((started: JobRecord) => Promise<void>) | undefined;
  /**
   * The start, held (`begin` with `hold`) and not yet written: the next write carries it. It stays
   * here while that write is in flight (`startWriting`), so `current` never loses it.
   */
  private heldStart: Partial<JobRecord> | undefined;
  private startWriting = false;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  /** `apply` or `writeHeldStart` was called: the run is ending, and reports are ignored. */
  private ending = false;

  constructor(
    private job: JobRecord,
    private readonly writes: ThrottledJobWrites,
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {
    this.lastWriteAt = now();
  }

  /**
   * The job as this run holds it: the version last written, with the start applied while it is
   * held. Every next state is written from this one (as its successor: version + 1).
   */
  get current(): JobRecord {
    return this.heldStart ? { ...this.job, ...this.heldStart } : this.job;
  }

  /** Throws what a write in the background failed with (a lost race), if one did. */
  throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  /** The start is held and not written: this run has not yet claimed the job. */
  get holding(): boolean {
    return this.heldStart !== undefined;
  }

  /**
   * Writes the run's start now; its event and `onRunning` follow one interval later if the run is
   * still going (at once when the interval is 0).
   *
   * With `hold` (and an interval) the start is not written now: one interval later, if the run is
   * still going, it is written (with the progress held meanwhile), then `onRunning` and the event
   * follow; a run that ends sooner writes its start as part of its final state (`apply`).
   */
  async begin(
    patch: Partial<JobRecord>,
    onRunning: (started: JobRecord) => Promise<void>,
    opts: { hold?: boolean } = {},
  ): Promise<void> {
    await this.settle();
    this.unannounced = onRunning;
    if (opts.hold && this.intervalMs > 0) {
      this.heldStart = patch;
      this.lastWriteAt = this.now();
      this.schedule();
      return;
    }
    const announceNow = this.intervalMs <= 0;
    this.job = await this.writes.write(this.job, patch, announceNow);
    this.lastWriteAt = this.now();
    if (announceNow) {
      this.unannounced = undefined;
      await onRunning(this.job);
    } else {
      this.schedule();
    }
  }

  /** `progress` is 0–100 for the whole job; a report that changes nothing is ignored. */
  report(stage: string, progress: number): void {
    if (this.ending) return;
    const rounded = Math.min(100, Math.max(0, Math.floor(progress)));
    const latest = this.pending ?? this.job;
    if (stage === latest.stage && rounded <= latest.progress) return;
    this.pending = { stage, progress: Math.max(rounded, this.job.progress) };
    this.schedule();
  }

  /**
   * Waits for the writes already started and drops what was not yet written (what comes next
   * supersedes it; a held start stays in `current`, for the next write to carry); rethrows a
   * failed write.
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

  /**
   * Writes a start still held, without its event: a run that ends in a retry must still count as an
   * attempt (and hold the job), as one that wrote its start at once does.
   */
  async writeHeldStart(): Promise<void> {
    this.ending = true;
    await this.settle();
    if (!this.heldStart) return;
    this.job = await this.writes.write(this.job, this.heldStart, false);
    this.heldStart = undefined;
    this.lastWriteAt = this.now();
  }

  /** Writes the next state (the final status) after the writes in flight, with its event. */
  async apply(patch: Partial<JobRecord>): Promise<JobRecord> {
    this.ending = true;
    await this.settle();
    this.job = await this.writes.write(this.current, patch, true);
    this.heldStart = undefined;
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
    const start = this.startWriting ? undefined : this.heldStart;
    const next = this.pending;
    const onRunning = this.unannounced;
    if (start) this.startWriting = true;
    this.pending = undefined;
    this.unannounced = undefined;
    if (!start && !next && !onRunning) return;
    this.lastWriteAt = this.now();
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        // A held start is written now, with the progress held since: the run's claim on the job.
        if (start) {
          this.job = await this.writes.write(this.job, { ...start, ...next }, false);
          this.heldStart = undefined;
        }
        if (onRunning) await onRunning(this.job);
        if (next && !start) {
          // A progress write carries the news of the start itself.
          this.job = await this.writes.write(this.job, next, true);
          this.lastWriteAt = this.now();
        } else if (onRunning) {
          await this.writes.announce(this.job);
        }
      } catch (err) {
        this.failure = err;
      } finally {
        this.startWriting = false;
      }
    });
  }
}
