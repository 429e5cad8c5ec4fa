import type { DocumentStore } from '../../aws/document-store.js';
import { badInput } from '../../domain/errors.js';
import { JobStatus, type DocumentRecord } from '../../domain/model.js';
import { toMatchExpression } from './query.js';
import type { SearchFilter, SearchIndex, Snippet } from './search-index.js';

export const MAX_SEARCH_PAGE = 50;
const MAX_OFFSET = 10_000;
const CURSOR_PREFIX = 'search:';

export interface SearchHit {
  cursor: string;
  document: DocumentRecord;
  score: number;
  snippets: Snippet[];
}

export interface SearchArgs {
  first: number;
  after?: string;
  filter?: SearchFilter;
}

/**
 * The search use case: the query checked and translated, one page read from this instance's
 * index, then the documents themselves read from DynamoDB — the truth. A hit whose document is
 * gone (deleted through another replica) is dropped and leaves the index.
 */
export class SearchService {
  constructor(private readonly deps: { index: SearchIndex; store: Pick<DocumentStore, 'getDocuments'> }) {}

  async search(
    ownerId: string,
    query: string,
    args: SearchArgs,
  ): Promise<{ hits: SearchHit[]; hasMore: boolean }> {
    const match = toMatchExpression(query);
    if (!Number.isInteger(args.first) || args.first < 1 || args.first > MAX_SEARCH_PAGE)
      throw badInput(`first must be between 1 and ${MAX_SEARCH_PAGE}`, { argument: 'first' });
    const offset = args.after === undefined ? 0 : decodeCursor(args.after);
    const filter = checkFilter(args.filter ?? {});
    const page = this.deps.index.search(ownerId, match, { filter, limit: args.first, offset });
    const docs = await this.deps.store.getDocuments(
      ownerId,
      page.hits.map((h) => h.documentId),
    );
    const hits: SearchHit[] = [];
    page.hits.forEach((hit, i) => {
      const document = docs.get(hit.documentId);
      if (!document) {
        this.deps.index.remove(hit.documentId);
        return;
      }
      hits.push({ cursor: encodeCursor(offset + i + 1), document, score: hit.score, snippets: hit.snippets });
    });
    return { hits, hasMore: page.hasMore };
  }
}

function encodeCursor(offset: number): string {
  return Buffer.from(`${CURSOR_PREFIX}${offset}`).toString('base64url');
}

function decodeCursor(cursor: string): number {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const offset = text.startsWith(CURSOR_PREFIX) ? Number(text.slice(CURSOR_PREFIX.length)) : NaN;
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET)
    throw badInput('after is not a cursor from a previous search page', { argument: 'after' });
  return offset;
}

function checkFilter(filter: SearchFilter): SearchFilter {
  if (filter.status !== undefined && !Object.values(JobStatus).includes(filter.status as JobStatus))
    throw badInput('filter.status is not a job status', { argument: 'filter.status' });
  for (const key of ['kind', 'language'] as const) {
    const value = filter[key];
    if (value !== undefined && (value.length === 0 || value.length > 32))
      throw badInput(`filter.${key} must be 1–32 characters`, { argument: `filter.${key}` });
  }
  for (const key of ['createdAfter', 'createdBefore'] as const) {
    const value = filter[key];
    if (value !== undefined && Number.isNaN(Date.parse(value)))
      throw badInput(`filter.${key} is not a date`, { argument: `filter.${key}` });
  }
  // Stored dates are ISO 8601 UTC, compared as text: bring the bounds to the same form.
  return {
    ...filter,
    ...(filter.createdAfter && { createdAfter: new Date(filter.createdAfter).toISOString() }),
    ...(filter.createdBefore && { createdBefore: new Date(filter.createdBefore).toISOString() }),
  };
}
