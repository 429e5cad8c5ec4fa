import { afterEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../domain/errors.js';
import { toMatchExpression } from '../../server/search/query.js';
import { DELETED_MEMORY_MS, SearchIndex, type IndexedDocument } from '../../server/search/search-index.js';

const doc = (id: string, over: Partial<IndexedDocument> = {}): IndexedDocument => ({
  id,
  ownerId: 'alice',
  filename: `${id}.txt`,
  kind: 'text',
  language: 'eng',
  status: 'COMPLETED',
  createdAt: `2026-12-0${id.length}T00:00:00.000Z`,
  updatedAt: '2026-12-04T00:00:00.000Z',
  ...over,
});

describe('toMatchExpression (search box → FTS5)', () => {
  it('quotes every term: words, phrases, prefixes, exclusions', () => {
    expect(toMatchExpression('invoice  march')).toBe('"invoice" AND "march"');
    expect(toMatchExpression('"net total" due')).toBe('"net total" AND "due"');
    expect(toMatchExpression('inv* -draft -"do not pay"')).toBe('"inv"* NOT "draft" NOT "do not pay"');
    // FTS5 syntax typed by a user is only ever words to look for.
    expect(toMatchExpression('a OR b NEAR(c) filename:x')).toBe(
      '"a" AND "or" AND "b" AND "near c" AND "filename x"',
    );
    expect(toMatchExpression('e-mail "unclosed phrase')).toBe('"e mail" AND "unclosed phrase"');
  });

  it.each([
    ['', 'Type something'],
    ['   ', 'Type something'],
    ['-draft', 'at least one word that is not excluded'],
    ['*** ---', 'letters or digits'],
    ['x'.repeat(501), 'at most 500 characters'],
    [Array.from({ length: 33 }, (_, i) => `w${i}`).join(' '), 'at most 32'],
  ])('refuses %j with BAD_USER_INPUT', (query, message) => {
    let thrown: unknown;
    try {
      toMatchExpression(query);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(DomainError);
    expect((thrown as DomainError).code).toBe('BAD_USER_INPUT');
    expect((thrown as Error).message).toContain(message);
  });
});

describe('SearchIndex (SQLite FTS5)', () => {
  let index: SearchIndex;
  afterEach(() => index.close());
  const ids = (query: string, owner = 'alice', filter = {}) =>
    index
      .search(owner, toMatchExpression(query), { limit: 10, offset: 0, filter })
      .hits.map((h) => h.documentId);

  it('finds words, phrases, prefixes; excludes; folds diacritics; only the owner’s documents', () => {
    index = new SearchIndex(':memory:');
    index.upsert(doc('a'), 'The café opened in Zürich with a net total of 12 francs.');
    index.upsert(doc('bb'), 'Net profit and total revenue, a draft.');
    index.upsert(doc('ccc', { ownerId: 'bob' }), 'The cafe in Zurich, net total.');
    expect(ids('cafe zurich')).toEqual(['a']);
    expect(ids('CAFÉ')).toEqual(['a']);
    expect(ids('"net total"')).toEqual(['a']);
    expect(ids('net total').sort()).toEqual(['a', 'bb']);
    expect(ids('net -draft')).toEqual(['a']);
    expect(ids('fra*')).toEqual(['a']);
    expect(ids('cafe', 'bob')).toEqual(['ccc']);
    expect(ids('nothing-like-this')).toEqual([]);
  });

  it('ranks by relevance, newest first on ties; pages with hasMore', () => {
    index = new SearchIndex(':memory:');
    index.upsert(doc('a'), 'apple');
    index.upsert(doc('bb'), 'apple');
    index.upsert(doc('ccc'), 'apple apple apple pie');
    index.upsert(doc('dddd'), 'banana'); // so that "apple" is not in every document (BM25's IDF)
    const first = index.search('alice', toMatchExpression('apple'), { limit: 2, offset: 0 });
    expect(first.hits.map((h) => h.documentId)).toEqual(['ccc', 'bb']);
    expect(first.hits[0]!.score).toBeGreaterThan(first.hits[1]!.score);
    expect(first.hasMore).toBe(true);
    const second = index.search('alice', toMatchExpression('apple'), { limit: 2, offset: 2 });
    expect(second.hits.map((h) => h.documentId)).toEqual(['a']);
    expect(second.hasMore).toBe(false);
  });

  it('gives snippets as plain text with highlight ranges, and markers in the text cannot forge one', () => {
    index = new SearchIndex(':memory:');
    index.upsert(
      doc('a', { filename: 'Quarterly report.txt' }),
      'Intro. The quarterly numbers \u0001grew\u0002.',
    );
    const [hit] = index.search('alice', toMatchExpression('quarterly'), { limit: 1, offset: 0 }).hits;
    const body = hit!.snippets.find((s) => s.field === 'body')!;
    expect(body.text).not.toMatch(/[\u0001\u0002]/);
    expect(body.highlights).toHaveLength(1);
    const { start, length } = body.highlights[0]!;
    expect(body.text.slice(start, start + length)).toBe('quarterly');
    const name = hit!.snippets.find((s) => s.field === 'filename')!;
    expect(
      name.text.slice(name.highlights[0]!.start, name.highlights[0]!.start + name.highlights[0]!.length),
    ).toBe('Quarterly');
  });

  it('replaces on reprocess, never with an older version; removes; filters', () => {
    index = new SearchIndex(':memory:');
    index.upsert(doc('a', { updatedAt: '2026-12-04T00:00:01.000Z' }), 'old words');
    expect(index.upsert(doc('a', { updatedAt: '2026-12-04T00:00:00.000Z' }), 'stale words')).toBe(false);
    expect(
      index.upsert(doc('a', { updatedAt: '2026-12-04T00:00:02.000Z', kind: 'markdown' }), 'new words'),
    ).toBe(true);
    expect(ids('old')).toEqual([]);
    expect(ids('new')).toEqual(['a']);
    expect(index.size).toBe(1);
    expect(ids('words', 'alice', { kind: 'markdown' })).toEqual(['a']);
    expect(ids('words', 'alice', { kind: 'text' })).toEqual([]);
    index.setStatus('a', 'PROCESSING', '2026-12-04T00:00:03.000Z');
    expect(ids('words', 'alice', { status: 'COMPLETED' })).toEqual([]);
    expect(
      ids('words', 'alice', { createdAfter: '2026-01-01T00:00:00Z', createdBefore: '2027-01-01T00:00:00Z' }),
    ).toEqual(['a']);
    index.remove('a');
    expect(ids('words')).toEqual([]);
    expect(index.size).toBe(0);
  });

  it('refuses a deleted document’s late upsert for a day, and then forgets the id', () => {
    index = new SearchIndex(':memory:');
    index.upsert(doc('a'), 'kept words');
    index.upsert(doc('b'), 'deleted words');
    const deletedAt = Date.parse('2026-12-04T00:00:00.000Z');
    index.markDeleted('b', deletedAt);
    expect(ids('words')).toEqual(['a']);
    // A run's COMPLETED event that arrives after the delete, even one with a newer version.
    expect(index.upsert(doc('b', { updatedAt: '2026-12-04T00:00:05.000Z' }), 'deleted words')).toBe(false);
    expect(ids('words')).toEqual(['a']);
    // A later deletion prunes ids remembered for longer than DELETED_MEMORY_MS.
    index.markDeleted('c', deletedAt + DELETED_MEMORY_MS + 1);
    expect(index.upsert(doc('b', { updatedAt: '2026-12-04T00:00:06.000Z' }), 'deleted words')).toBe(true);
    expect(index.upsert(doc('c'), 'other words')).toBe(false);
  });

  it('keeps its meta values (the high-water mark) across reopening a file', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'docpipe-index-'));
    try {
      index = new SearchIndex(join(dir, 'sub', 'index.sqlite'));
      index.upsert(doc('a'), 'persisted');
      index.setMeta('hwm', '2026-12-04T00:00:00.000Z');
      index.close();
      index = new SearchIndex(join(dir, 'sub', 'index.sqlite'));
      expect(index.getMeta('hwm')).toBe('2026-12-04T00:00:00.000Z');
      expect(ids('persisted')).toEqual(['a']);
    } finally {
      index.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
