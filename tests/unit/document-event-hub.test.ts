/** DocumentEventHub's ordering rule: after a document's DELETED, no later job event of it. */
import { describe, expect, it } from 'vitest';
import { newJob } from '../../domain/jobs.js';
import { JobStatus } from '../../domain/model.js';
import {
  DELETION_MEMORY_MS,
  DocumentEventHub,
  type DocumentFeed,
  type DocumentFeedEvent,
} from '../../server/events/document-event-hub.js';

const at = '2026-12-05T00:00:00.000Z';
const deleted = (documentId: string): DocumentFeedEvent => ({
  kind: 'DELETED',
  ownerId: 'alice',
  documentId,
  at,
});
const completed = (documentId: string): DocumentFeedEvent => ({
  kind: 'COMPLETED',
  ownerId: 'alice',
  documentId,
  at,
  job: { ...newJob(documentId, 'alice'), status: JobStatus.COMPLETED },
});

/** What a feed has buffered, without waiting. */
async function drain(feed: DocumentFeed): Promise<string[]> {
  const seen: string[] = [];
  feed.close(); // a closed feed still hands out what it holds, then ends
  for await (const e of feed) seen.push(`${e.kind} ${e.documentId}`);
  return seen;
}

describe('DocumentEventHub', () => {
  it('drops a job event that arrives after its document’s DELETED (a worker’s, by the slower path)', async () => {
    const hub = new DocumentEventHub();
    const feed = hub.subscribe('alice');
    const now = 1_000_000;
    hub.dispatch(deleted('doc-1'), now);
    hub.dispatch(completed('doc-1'), now + 50);
    hub.dispatch(completed('doc-2'), now + 60);
    expect(await drain(feed)).toEqual(['DELETED doc-1', 'COMPLETED doc-2']);
  });

  it('forgets a deletion after DELETION_MEMORY_MS, once another deletion comes', async () => {
    const hub = new DocumentEventHub();
    const feed = hub.subscribe('alice');
    hub.dispatch(deleted('doc-1'), 0);
    hub.dispatch(deleted('doc-2'), DELETION_MEMORY_MS + 1);
    hub.dispatch(completed('doc-1'), DELETION_MEMORY_MS + 2);
    hub.dispatch(completed('doc-2'), DELETION_MEMORY_MS + 3);
    expect(await drain(feed)).toEqual(['DELETED doc-1', 'DELETED doc-2', 'COMPLETED doc-1']);
  });
});
