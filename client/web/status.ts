import type { Job, JobStatus } from '../sdk/index.js';
import { h } from './dom.js';

const LABELS: Record<JobStatus, string> = {
  QUEUED: 'Queued',
  PROCESSING: 'Processing',
  COMPLETED: 'Completed',
  FAILED: 'Failed',
};

/** "Processing: detecting (40 %)", "Failed: CHECKSUM_MISMATCH …", "Completed". */
export function describeJob(job: Job): string {
  switch (job.status) {
    case 'PROCESSING':
      return `Processing: ${job.stage} (${job.progress} %)`;
    case 'FAILED':
      return job.error ? `Failed: ${job.error.code} — ${job.error.message}` : 'Failed';
    default:
      return LABELS[job.status];
  }
}

/** A coloured status pill; the colour is decoration, the text carries the meaning. */
export function statusBadge(status: JobStatus, progress?: number): HTMLElement {
  const text =
    status === 'PROCESSING' && progress !== undefined ? `${LABELS[status]} ${progress} %` : LABELS[status];
  return h('span', { class: `badge badge-${status.toLowerCase()}` }, text);
}
