/**
 * The paginated documents table. Rows whose job is still running follow it live; a finished job
 * refreshes its row from `document(id)`.
 */
import { formatBytes, formatTime } from '../common/format.js';
import {
  isDocpipeError,
  isTerminalStatus,
  type DocpipeClient,
  type DocpipeError,
  type Document,
  type JobStatus,
} from '../sdk/index.js';
import { announce, byId, h } from './dom.js';
import { statusBadge } from './status.js';

const PAGE_SIZE = 10;

export interface DocumentsTable {
  reload(): Promise<void>;
  /** Empties the table and goes back to page 1 (after signing out or in as someone else). */
  clear(): void;
}

export interface DocumentsCallbacks {
  onShow(documentId: string): void;
  onDeleted(documentId: string): void;
  /** The api refused `client`'s token (401, or a 4403 close of the subscription socket). */
  onUnauthenticated(error: DocpipeError, client: DocpipeClient): void;
}

export function createDocumentsTable(
  getClient: () => DocpipeClient,
  callbacks: DocumentsCallbacks,
): DocumentsTable {
  const body = byId<HTMLTableElement>('documents').tBodies[0]!;
  const empty = byId('empty');
  const error = byId('list-error');
  const prev = byId<HTMLButtonElement>('prev');
  const next = byId<HTMLButtonElement>('next');
  const pageLabel = byId('page-label');
  const filter = byId<HTMLSelectElement>('status-filter');
  /** Cursors of the pages before the current one (null = first page). */
  const cursors: (string | null)[] = [null];
  let nextCursor: string | null = null;
  /** Stops the live watches of the rows on screen when the page changes. */
  let pageWatches = new AbortController();

  /** True when `err` was a refused token: the sign-in form takes over, no error shown here. */
  function refused(err: unknown, client: DocpipeClient): boolean {
    if (!isDocpipeError(err, 'UNAUTHENTICATED')) return false;
    callbacks.onUnauthenticated(err, client);
    return true;
  }

  /** Bumped by `clear()`: a reload that started before it must not fill the table afterwards. */
  let generation = 0;

  function clear() {
    generation++;
    pageWatches.abort();
    pageWatches = new AbortController();
    cursors.splice(1);
    nextCursor = null;
    body.replaceChildren();
    empty.hidden = true;
    error.hidden = true;
    next.disabled = true;
    prev.disabled = true;
    pageLabel.textContent = 'Page 1';
  }

  async function reload() {
    pageWatches.abort();
    pageWatches = new AbortController();
    const after = cursors.at(-1) ?? null;
    const client = getClient();
    const started = generation;
    try {
      const page = await client.documents({
        first: PAGE_SIZE,
        after,
        status: (filter.value || null) as JobStatus | null,
      });
      if (started !== generation) return;
      error.hidden = true;
      body.replaceChildren(...page.edges.map(({ node }) => row(node)));
      empty.hidden = page.edges.length > 0;
      nextCursor = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
      next.disabled = nextCursor === null;
      prev.disabled = cursors.length === 1;
      pageLabel.textContent = `Page ${cursors.length}`;
      for (const { node } of page.edges) {
        if (node.job && !isTerminalStatus(node.job.status)) void follow(client, node, pageWatches.signal);
      }
    } catch (err) {
      if (started !== generation || refused(err, client)) return;
      error.textContent = `Could not load documents: ${isDocpipeError(err) ? err.message : String(err)}`;
      error.hidden = false;
    }
  }

  async function follow(client: DocpipeClient, doc: Document, signal: AbortSignal) {
    try {
      let last = doc;
      for await (const job of client.watchJob(doc.job!.id, { signal })) {
        last = { ...doc, status: job.status, job };
        // The final state is shown with the document it produced (type, result), read below: a
        // row never reads "completed" with the fields of before.
        if (!isTerminalStatus(job.status)) replaceRow(last);
      }
      replaceRow((await client.document(doc.id)) ?? last);
    } catch (err) {
      // Aborted (page changed) or the socket gave up: the Refresh button reloads the truth.
      refused(err, client);
    }
  }

  function replaceRow(doc: Document) {
    const current = body.querySelector(`tr[data-id="${CSS.escape(doc.id)}"]`);
    current?.replaceWith(row(doc));
  }

  function row(doc: Document): HTMLTableRowElement {
    const show = h('button', { type: 'button', class: 'link' }, doc.filename);
    show.addEventListener('click', () => callbacks.onShow(doc.id));
    const download = h('button', { type: 'button', class: 'button small' }, 'Download');
    download.setAttribute('aria-label', `Download ${doc.filename}`);
    download.addEventListener('click', () => void downloadDocument(doc));
    const remove = h('button', { type: 'button', class: 'button small danger' }, 'Delete');
    remove.setAttribute('aria-label', `Delete ${doc.filename}`);
    remove.addEventListener('click', () => void deleteDocument(doc));
    return h(
      'tr',
      { 'data-id': doc.id, 'data-status': doc.status },
      h('td', { 'data-label': 'Name' }, show),
      h('td', { 'data-label': 'Status' }, statusBadge(doc.status, doc.job?.progress)),
      h('td', { 'data-label': 'Type' }, doc.detectedType ?? '—'),
      h('td', { 'data-label': 'Size', class: 'num' }, formatBytes(doc.size)),
      h('td', { 'data-label': 'Uploaded' }, formatTime(doc.createdAt)),
      h('td', { class: 'actions' }, download, remove),
    );
  }

  async function downloadDocument(doc: Document) {
    const client = getClient();
    try {
      const info = await client.downloadInfo(doc.id);
      // S3 answers the presigned URL with Content-Disposition: attachment, so it downloads. A new tab
      // keeps this page in place where a store ignores that (the embedded emulator shows the file).
      const link = h('a', {
        href: info.url,
        download: info.filename,
        target: '_blank',
        rel: 'noopener',
        hidden: true,
      });
      document.body.append(link);
      link.click();
      link.remove();
    } catch (err) {
      if (refused(err, client)) return;
      announce(`Download failed: ${isDocpipeError(err) ? err.message : String(err)}`);
    }
  }

  async function deleteDocument(doc: Document) {
    if (!window.confirm(`Delete ${doc.filename}? This removes the file and its results.`)) return;
    const client = getClient();
    try {
      await client.deleteDocument(doc.id);
      announce(`Deleted ${doc.filename}`);
      callbacks.onDeleted(doc.id);
      await reload();
    } catch (err) {
      if (refused(err, client)) return;
      announce(`Delete failed: ${isDocpipeError(err) ? err.message : String(err)}`);
    }
  }

  next.addEventListener('click', () => {
    if (nextCursor === null) return;
    cursors.push(nextCursor);
    void reload();
  });
  prev.addEventListener('click', () => {
    if (cursors.length > 1) cursors.pop();
    void reload();
  });
  filter.addEventListener('change', () => {
    cursors.splice(1);
    void reload();
  });
  byId('refresh').addEventListener('click', () => void reload());

  return { reload, clear };
}
