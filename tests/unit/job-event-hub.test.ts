import { describe, expect, it } from 'vitest';
import { JobEventHub } from '../../server/events/job-event-hub.js';
import type { JobRecord } from '../../domain/model.js';

const job = (version: number, status: JobRecord['status'] = 'PROCESSING'): JobRecord => ({
  id: 'j1',
  documentId: 'd1',
  ownerId: 'o',
  status,
  stage: 's',
  progress: version,
  attempts: 1,
  version,
  error: null,
  createdAt: '',
  updatedAt: '',
  startedAt: null,
  finishedAt: null,
});

async function drain(it: AsyncIterator<JobRecord>, max = 20) {
  const out: number[] = [];
  for (let i = 0; i < max; i++) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value.version);
  }
  return out;
}

describe('JobEventHub / JobUpdates', () => {
  it('yields the seed, then only newer versions, and ends after a terminal state', async () => {
    const hub = new JobEventHub();
    const updates = hub.subscribe('j1', 'o');
    hub.dispatch(job(2)); // arrived before the DynamoDB read returned: older than the seed
    hub.dispatch(job(4));
    updates.seed(job(3));
    hub.dispatch(job(4)); // duplicate delivery
    hub.dispatch(job(6));
    hub.dispatch(job(5)); // stale, out of order
    hub.dispatch(job(7, 'COMPLETED'));
    hub.dispatch(job(8)); // after the end: ignored
    expect(await drain(updates)).toEqual([3, 4, 6, 7]);
    expect(hub.size).toBe(0);
  });

  it('return() ends a waiting consumer at once and unregisters', async () => {
    const hub = new JobEventHub();
    const updates = hub.subscribe('j1', 'o');
    updates.seed(job(1, 'QUEUED'));
    expect((await updates.next()).value?.version).toBe(1);
    const pending = updates.next();
    await updates.return();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(hub.size).toBe(0);
  });

  it('only delivers events of the subscribed job', async () => {
    const hub = new JobEventHub();
    const updates = hub.subscribe('j1', 'o');
    updates.seed(job(1));
    hub.dispatch({ ...job(5, 'COMPLETED'), id: 'other' });
    hub.dispatch(job(2, 'FAILED'));
    expect(await drain(updates)).toEqual([1, 2]);
  });

  it("never delivers another owner's event for the same job id", async () => {
    const hub = new JobEventHub();
    const updates = hub.subscribe('j1', 'o');
    updates.seed(job(1));
    hub.dispatch({ ...job(2), ownerId: 'other-owner' }); // forged or misrouted
    hub.dispatch({ ...job(3, 'COMPLETED'), ownerId: 'other-owner' });
    hub.dispatch(job(4, 'COMPLETED'));
    expect(await drain(updates)).toEqual([1, 4]);
  });
});
