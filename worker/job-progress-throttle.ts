import type { JobRecord } from '../domain/model.js';

/**
 * Turns a stream of (stage, progress) reports into at most one job write per `intervalMs`:
 * a new stage is written at once, progress within a stage only when the interval has passed.
 * Writes are serialised; `flush()` waits for them. Every write is a DynamoDB update and an SNS
 * event, so this bounds both to what a client can use (~10/s per job by default).
 */
export class JobProgressThrottle {
  private lastWriteAt = 0;
  private pending: { stage: string; progress: number } | undefined;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private job: JobRecord,
    private readonly write: (job: JobRecord, patch: Partial<JobRecord>) => Promise<JobRecord>,
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {}

  get current(): JobRecord {
    return this.job;
  }

  /** `progress` is 0–100 for the whole job; values below the current one are ignored. */
  report(stage: string, progress: number): void {
    const rounded = Math.min(100, Math.max(0, Math.floor(progress)));
    const stageChanged = stage !== (this.pending?.stage ?? this.job.stage);
    if (!stageChanged && rounded <= (this.pending?.progress ?? this.job.progress)) return;
    this.pending = { stage, progress: rounded };
    if (stageChanged || this.now() - this.lastWriteAt >= this.intervalMs) this.schedule();
  }

  /** Writes whatever is pending and waits for every write; rethrows a failed write. */
  async flush(): Promise<JobRecord> {
    if (this.pending) this.schedule();
    await this.chain;
    if (this.failure) throw this.failure;
    return this.job;
  }

  /** Runs `patch` after the queued progress writes (e.g. the final status). */
  async apply(patch: Partial<JobRecord>): Promise<JobRecord> {
    await this.flush();
    this.job = await this.write(this.job, patch);
    this.lastWriteAt = this.now();
    return this.job;
  }

  private schedule(): void {
    const next = this.pending;
    this.pending = undefined;
    if (!next) return;
    this.lastWriteAt = this.now();
    this.chain = this.chain.then(async () => {
      if (this.failure) return;
      try {
        this.job = await this.write(this.job, next);
      } catch (err) {
        this.failure = err;
      }
    });
  }
}
