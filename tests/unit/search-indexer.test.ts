/**
 * SearchIndexer over a real SQLite index and counting fakes of the store and S3: what a COMPLETED
 * event costs to index, with its search entry (a short text inline, a long one by key) and without.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { JobErrorCode, newJob } from '../../domain/jobs.js';
import type { SearchEntry } from '../../domain/messages.js';
import { JobStatus, type DocumentRecord, type JobRecord } from '../../domain/model.js';
import { toMatchExpression } from '../../server/search/query.js';
import { SearchIndex } from '../../server/search/search-index.js';
import { SearchIndexer } from '../../server/search/search-indexer.js';
import { InMemoryBlobs, InMemoryStore } from '../fakes/in-memory.js';

const indexes: SearchIndex[] = [];
afterEach(() => indexes.splice(0).forEach((index) => index.close()));

function setup() {
  const index = new SearchIndex(':memory:');
  indexes.push(index);
  const store = new InMemoryStore();
  const blobs = new InMemoryBlobs();
  const reads = { documents: 0, texts: 0 };
  const indexer = new SearchIndexer({
    index,
    store: {
      getDocument: (ownerId, id) => (reads.documents++, store.getDocument(ownerId, id)),
      // No catch-up here: these tests feed events only.
      scanDocuments: () => {
        throw new Error('not used');
      },
    },
    blobs: { getStream: (key) => (reads.texts++, blobs.getStream(key)) },
    logger: pino({ level: 'silent' }),
  });
  const find = (words: string) =>
    index.search('alice', toMatchExpression(words), { limit: 10, offset: 0 }).hits.map((h) => h.documentId);
  return { index, store, blobs, reads, indexer, find };
}

const completed = (documentId: string): JobRecord => ({
  ...newJob(documentId, 'alice'),
  status: JobStatus.COMPLETED,
  version: 3,
});
const entry = (over: Partial<SearchEntry> = {}): SearchEntry => ({
  filename: 'notes.txt',
  kind: 'text',
  language: 'eng',
  createdAt: '2026-12-04T00:00:00.000Z',
  updatedAt: '2026-12-04T00:00:01.000Z',
  textKey: 'derived/doc-1/t.txt',
  ...over,
});

describe('SearchIndexer.onJobEvent', () => {
  it('indexes a COMPLETED event’s search entry with its inline text: nothing read', async () => {
    const s = setup();
    s.indexer.onJobEvent(completed('doc-1'), entry({ text: 'quarterly invoice for march' }));
    await s.indexer.idle();
    expect(s.find('invoice')).toEqual(['doc-1']);
    expect(s.find('notes')).toEqual(['doc-1']); // the filename too
    expect(s.reads).toEqual({ documents: 0, texts: 0 });
  });

  it('reads only the text of an entry whose text is too long to travel inline', async () => {
    const s = setup();
    await s.blobs.putStream('derived/doc-1/t.txt', Buffer.from('a long report about zeppelins'));
    s.indexer.onJobEvent(completed('doc-1'), entry());
    await s.indexer.idle();
    expect(s.find('zeppelins')).toEqual(['doc-1']);
    expect(s.reads).toEqual({ documents: 0, texts: 1 });
  });

  it('reads the document and its text for a COMPLETED event without an entry (published by an api)', async () => {
    const s = setup();
    const job = completed('doc-1');
    const doc = {
      id: 'doc-1',
      ownerId: 'alice',
      filename: 'old.txt',
      status: JobStatus.COMPLETED,
      result: { kind: 'text', language: null, textKey: 'derived/doc-1/t.txt' },
      createdAt: job.createdAt,
      updatedAt: job.updatedAt,
    } as DocumentRecord;
    await s.store.createDocument(doc, job);
    await s.blobs.putStream('derived/doc-1/t.txt', Buffer.from('minutes of the annual meeting'));
    s.indexer.onJobEvent(job);
    await s.indexer.idle();
    expect(s.find('annual')).toEqual(['doc-1']);
    expect(s.reads).toEqual({ documents: 1, texts: 1 });
  });

  it('never lets an older entry replace a newer one (a late event of an earlier run)', async () => {
    const s = setup();
    const job = completed('doc-1');
    s.indexer.onJobEvent(job, entry({ text: 'second version', updatedAt: '2026-12-04T00:00:09.000Z' }));
    s.indexer.onJobEvent(job, entry({ text: 'first version', updatedAt: '2026-12-04T00:00:05.000Z' }));
    await s.indexer.idle();
    expect(s.find('second')).toEqual(['doc-1']);
    expect(s.find('first')).toEqual([]);
  });

  it('never brings back a deleted document: a run’s COMPLETED event arriving after the delete', async () => {
    const s = setup();
    s.indexer.onJobEvent(completed('doc-1'), entry({ text: 'draft contract' }));
    await s.indexer.idle();
    // The delete's DOCUMENT_DELETED job event, then a copy of the run that was still going.
    s.indexer.onJobEvent({
      ...completed('doc-1'),
      status: JobStatus.FAILED,
      error: { code: JobErrorCode.DOCUMENT_DELETED, message: 'deleted' },
    });
    s.indexer.onJobEvent(
      completed('doc-1'),
      entry({ text: 'draft contract', updatedAt: '2026-12-04T00:00:09.000Z' }),
    );
    await s.indexer.idle();
    expect(s.find('contract')).toEqual([]);
    expect(s.index.has('doc-1')).toBe(false);
  });
});
