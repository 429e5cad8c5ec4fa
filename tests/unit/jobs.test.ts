/** The job lifecycle (domain/jobs.ts) on its own: every transition, the version rule, document first. */
import { describe, expect, it } from 'vitest';
import {
  advance,
  failJob,
  IllegalTransitionError,
  JOB_TRANSITIONS,
  JobErrorCode,
  newJob,
  transitions,
  type JobLifecyclePorts,
} from '../../domain/jobs.js';
import { JobStatus, type JobRecord } from '../../domain/model.js';
import { ProcessingErrorCode } from '../../worker/processing/error-codes.js';

const STATUSES = Object.values(JobStatus);
const at = (status: JobRecord['status'], overrides: Partial<JobRecord> = {}): JobRecord => ({
  ...newJob('d1', 'owner'),
  status,
  ...overrides,
});

describe('job lifecycle', () => {
  it('allows exactly the drawn transitions and refuses every other one', () => {
    const allowed = new Set([
      'QUEUED>PROCESSING',
      'QUEUED>FAILED',
      'PROCESSING>PROCESSING',
      'PROCESSING>COMPLETED',
      'PROCESSING>FAILED',
    ]);
    for (const from of STATUSES) {
      for (const to of STATUSES) {
        const change = () => advance(at(from), { status: to });
        if (allowed.has(`${from}>${to}`)) expect(change().status).toBe(to);
        else expect(change).toThrow(IllegalTransitionError);
      }
    }
    expect(Object.values(JOB_TRANSITIONS).flat()).toHaveLength(allowed.size);
  });

  it('advances the version by one, never lowers progress, keeps identity and stamps updatedAt', () => {
    const job = at('PROCESSING', { version: 7, progress: 60 });
    const now = new Date('2026-12-03T10:00:00.000Z');
    const next = advance(job, { progress: 40, stage: 'extracting', id: 'other', ownerId: 'mallory' }, now);
    expect(next).toMatchObject({
      version: 8,
      progress: 60,
      stage: 'extracting',
      id: job.id,
      ownerId: 'owner',
    });
    expect(next.updatedAt).toBe(now.toISOString());
    expect(advance(next, { progress: 80 }).progress).toBe(80);
  });

  it('new jobs are QUEUED at version 1 with nothing done', () => {
    expect(newJob('d1', 'o1')).toMatchObject({
      documentId: 'd1',
      ownerId: 'o1',
      status: 'QUEUED',
      version: 1,
      progress: 0,
      attempts: 0,
      error: null,
    });
  });

  it('start counts the attempt and clears an earlier error; complete and fail end at done', () => {
    const retried = at('PROCESSING', { attempts: 2, error: { code: 'X', message: 'y' } });
    expect(advance(retried, transitions.start(retried, 'w1'))).toMatchObject({
      status: 'PROCESSING',
      attempts: 3,
      error: null,
      workerId: 'w1',
      stage: 'downloading',
    });
    expect(advance(at('PROCESSING'), transitions.complete())).toMatchObject({
      status: 'COMPLETED',
      stage: 'done',
      progress: 100,
    });
    const error = { code: JobErrorCode.ENQUEUE_FAILED, message: 'Could not queue the job' };
    expect(advance(at('QUEUED'), transitions.fail(error))).toMatchObject({
      status: 'FAILED',
      stage: 'done',
      error,
    });
    expect(() => advance(at('COMPLETED'), transitions.start(at('COMPLETED'), 'w1'))).toThrow(
      /COMPLETED to PROCESSING/,
    );
  });

  it('has one catalogue of failure codes, the analysis codes included', () => {
    for (const code of Object.values(ProcessingErrorCode))
      expect(Object.values(JobErrorCode)).toContain(code);
    expect(new Set(Object.values(JobErrorCode)).size).toBe(Object.keys(JobErrorCode).length);
  });
});

/** In-memory ports that record the order of writes. */
function fakePorts(opts: { documentExists?: boolean; jobWinsRace?: JobRecord } = {}) {
  const writes: string[] = [];
  const docStatus: string[] = [];
  const ports: JobLifecyclePorts = {
    store: {
      async updateDocumentStatus(_id, _owner, patch) {
        writes.push(`document:${patch.status}`);
        docStatus.push(patch.status);
        return opts.documentExists ?? true;
      },
      async getJob() {
        return opts.jobWinsRace ?? null;
      },
    },
    jobs: {
      async advance(job, patch) {
        if (opts.jobWinsRace) return null;
        const next = advance(job, patch);
        writes.push(`job:${next.status}`);
        return next;
      },
    },
  };
  return { ports, writes, docStatus };
}

describe('failJob (document first)', () => {
  const error = { code: JobErrorCode.RETRIES_EXHAUSTED, message: 'failed 5 times' };

  it('writes the document FAILED before the job', async () => {
    const { ports, writes } = fakePorts();
    const failed = await failJob(ports, at('PROCESSING'), error, 'c1');
    expect(failed).toMatchObject({ status: 'FAILED', error });
    expect(writes).toEqual(['document:FAILED', 'job:FAILED']);
  });

  it('does nothing more when the document is gone', async () => {
    const { ports, writes } = fakePorts({ documentExists: false });
    expect(await failJob(ports, at('QUEUED'), error, 'c1')).toBeNull();
    expect(writes).toEqual(['document:FAILED']);
  });

  it('puts the document back in line when another writer completed the job first', async () => {
    const { ports, docStatus } = fakePorts({ jobWinsRace: at('COMPLETED', { version: 9 }) });
    expect(await failJob(ports, at('PROCESSING'), error, 'c1')).toBeNull();
    expect(docStatus).toEqual(['FAILED', 'COMPLETED']);
  });
});
