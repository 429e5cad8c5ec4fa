import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';

/** What the index keeps of a document besides its text. */
export interface IndexedDocument {
  id: string;
  ownerId: string;
  filename: string;
  kind: string | null;
  language: string | null;
  status: string;
  createdAt: string;
  /** The document's updatedAt when indexed: an older version never replaces a newer one. */
  updatedAt: string;
}

export interface SearchFilter {
  status?: string;
  kind?: string;
  language?: string;
  createdAfter?: string;
  createdBefore?: string;
}

/** A span of a snippet to highlight: UTF-16 offsets into `text`, as JavaScript strings index. */
export interface TextRange {
  start: number;
  length: number;
}

export interface Snippet {
  field: 'body' | 'filename';
  text: string;
  highlights: TextRange[];
}

export interface IndexHit {
  documentId: string;
  /** BM25 relevance, higher is better (FTS5's bm25() negated). */
  score: number;
  snippets: Snippet[];
}

// Markers FTS5's snippet()/highlight() put around matches; removed from indexed text beforehand.
const OPEN = '\u0001';
const CLOSE = '\u0002';
const SNIPPET_TOKENS = 24;
/**
 * How long a deleted document's id is remembered: far longer than an event can be late (an event
 * queue keeps messages for minutes) or a catch-up can lag (CATCH_UP_MARGIN_MS).
 */
export const DELETED_MEMORY_MS = 24 * 60 * 60_000;

/**
 * One api instance's full-text index of its owners' completed documents: SQLite FTS5 through
 * node:sqlite, a read model derived from DynamoDB and S3 (see SearchIndexer), so it can be thrown
 * away and rebuilt. Diacritics are folded (`unicode61 remove_diacritics 2`), ranking is BM25 with
 * the filename weighted above the body, newest first on ties. Every query is scoped to one owner.
 */
export class SearchIndex {
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();

  /** `path`: a file (made with its folder when missing) or `:memory:`. */
  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = new DatabaseSync(path);
    this.db.exec(`
      PRAGMA busy_timeout = 5000;
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS docs (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        owner_id TEXT NOT NULL,
        filename TEXT NOT NULL,
        kind TEXT,
        language TEXT,
        status TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS docs_owner ON docs (owner_id, created_at);
      CREATE VIRTUAL TABLE IF NOT EXISTS docs_text USING fts5 (
        filename, body, tokenize = 'unicode61 remove_diacritics 2'
      );
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS deleted (id TEXT PRIMARY KEY, deleted_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS deleted_at ON deleted (deleted_at);
    `);
  }

  /**
   * Adds or replaces a document and its text. Returns false (and changes nothing) when the index
   * already holds a newer version of it, or the document was deleted (see `markDeleted`).
   */
  upsert(doc: IndexedDocument, text: string): boolean {
    if (this.prepare('SELECT 1 FROM deleted WHERE id = ?').get(doc.id)) return false;
    const existing = this.prepare('SELECT rowid, updated_at FROM docs WHERE id = ?').get(doc.id) as
      { rowid: number; updated_at: string } | undefined;
    if (existing && existing.updated_at > doc.updatedAt) return false;
    this.db.exec('BEGIN');
    try {
      if (existing) {
        this.prepare('DELETE FROM docs_text WHERE rowid = ?').run(existing.rowid);
        this.prepare('DELETE FROM docs WHERE rowid = ?').run(existing.rowid);
      }
      const { lastInsertRowid } = this.prepare(
        `INSERT INTO docs (id, owner_id, filename, kind, language, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        doc.id,
        doc.ownerId,
        doc.filename,
        doc.kind,
        doc.language,
        doc.status,
        doc.createdAt,
        doc.updatedAt,
      );
      this.prepare('INSERT INTO docs_text (rowid, filename, body) VALUES (?, ?, ?)').run(
        lastInsertRowid,
        clean(doc.filename),
        clean(text),
      );
      this.db.exec('COMMIT');
      return true;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /** The status shown by `filter.status` while a document is reprocessed (text stays until replaced). */
  setStatus(id: string, status: string, updatedAt: string): void {
    this.prepare('UPDATE docs SET status = ? WHERE id = ? AND updated_at <= ?').run(status, id, updatedAt);
  }

  /**
   * Removes a deleted document and remembers it for DELETED_MEMORY_MS, so that what arrives late
   * (a run's COMPLETED event, a catch-up's page read before the delete) cannot bring it back.
   * Document ids are never reused; the memory is bounded only to keep the table small.
   */
  markDeleted(id: string, now = Date.now()): void {
    this.prepare('INSERT OR REPLACE INTO deleted (id, deleted_at) VALUES (?, ?)').run(id, now);
    this.prepare('DELETE FROM deleted WHERE deleted_at < ?').run(now - DELETED_MEMORY_MS);
    this.remove(id);
  }

  /** Removes a document's entry (it may come back with its next upsert). */
  remove(id: string): void {
    const row = this.prepare('SELECT rowid FROM docs WHERE id = ?').get(id) as { rowid: number } | undefined;
    if (!row) return;
    this.db.exec('BEGIN');
    try {
      this.prepare('DELETE FROM docs_text WHERE rowid = ?').run(row.rowid);
      this.prepare('DELETE FROM docs WHERE rowid = ?').run(row.rowid);
      this.db.exec('COMMIT');
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  has(id: string): boolean {
    return this.prepare('SELECT 1 FROM docs WHERE id = ?').get(id) !== undefined;
  }

  get size(): number {
    return (this.prepare('SELECT count(*) AS n FROM docs').get() as { n: number }).n;
  }

  /**
   * One page of `ownerId`'s documents matching `match` (an FTS5 expression from toMatchExpression),
   * best first; `limit + 1` rows are read so the caller knows whether another page exists.
   */
  search(
    ownerId: string,
    match: string,
    opts: { filter?: SearchFilter; limit: number; offset: number },
  ): { hits: IndexHit[]; hasMore: boolean } {
    const where = ['docs_text MATCH ?', 'd.owner_id = ?'];
    const params: (string | number)[] = [match, ownerId];
    const f = opts.filter ?? {};
    const conditions: [string, string | undefined][] = [
      ['d.status = ?', f.status],
      ['d.kind = ?', f.kind],
      ['d.language = ?', f.language],
      ['d.created_at > ?', f.createdAfter],
      ['d.created_at < ?', f.createdBefore],
    ];
    for (const [condition, value] of conditions) {
      if (value === undefined) continue;
      where.push(condition);
      params.push(value);
    }
    params.push(opts.limit + 1, opts.offset);
    const rows = this.prepare(
      `SELECT d.id AS id,
              bm25(docs_text, 4.0, 1.0) AS rank,
              snippet(docs_text, 1, '${OPEN}', '${CLOSE}', '…', ${SNIPPET_TOKENS}) AS body,
              highlight(docs_text, 0, '${OPEN}', '${CLOSE}') AS filename
         FROM docs_text JOIN docs d ON d.rowid = docs_text.rowid
        WHERE ${where.join(' AND ')}
        ORDER BY rank, d.created_at DESC, d.id
        LIMIT ? OFFSET ?`,
    ).all(...params) as { id: string; rank: number; body: string; filename: string }[];
    const hits = rows.slice(0, opts.limit).map((r) => {
      const snippets: Snippet[] = [];
      const body = parseMarked(r.body);
      if (body.highlights.length > 0) snippets.push({ field: 'body', ...body });
      const filename = parseMarked(r.filename);
      if (filename.highlights.length > 0) snippets.push({ field: 'filename', ...filename });
      if (snippets.length === 0 && body.text) snippets.push({ field: 'body', ...body });
      return { documentId: r.id, score: -r.rank, snippets };
    });
    return { hits, hasMore: rows.length > opts.limit };
  }

  /** A value kept with the index (e.g. its high-water mark). */
  getMeta(key: string): string | undefined {
    return (this.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)
      ?.value;
  }

  setMeta(key: string, value: string): void {
    this.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ).run(key, value);
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }

  private prepare(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}

/** Text without the highlight markers (so they can only come from FTS5). */
function clean(text: string): string {
  return text.replaceAll(OPEN, ' ').replaceAll(CLOSE, ' ');
}

/** FTS5's marked-up fragment → plain text and the ranges that were marked. */
export function parseMarked(marked: string): { text: string; highlights: TextRange[] } {
  let text = '';
  const highlights: TextRange[] = [];
  let start = -1;
  for (const ch of marked) {
    if (ch === OPEN) start = text.length;
    else if (ch === CLOSE) {
      if (start >= 0 && text.length > start) highlights.push({ start, length: text.length - start });
      start = -1;
    } else text += ch;
  }
  return { text, highlights };
}
