/**
 * The search box: full-text search of the signed-in owner's documents, results with their
 * snippets, matches in <mark> (built from the api's highlight ranges with text nodes only, so a
 * document's text can never inject HTML).
 */
import { isDocpipeError, type DocpipeClient, type DocpipeError, type SearchPage } from '../sdk/index.js';
import { byId, h } from './dom.js';
import { statusBadge } from './status.js';

type Hit = SearchPage['edges'][number]['node'];
type Snippet = Hit['snippets'][number];

export interface SearchBox {
  /** Empties the box and its results (signing out, or in as someone else). */
  clear(): void;
}

export function createSearchBox(
  getClient: () => DocpipeClient,
  callbacks: {
    onShow(documentId: string): void;
    onUnauthenticated(error: DocpipeError, client: DocpipeClient): void;
  },
): SearchBox {
  const form = byId<HTMLFormElement>('search-form');
  const input = byId<HTMLInputElement>('search-input');
  const results = byId<HTMLOListElement>('search-results');
  const status = byId('search-status');
  let generation = 0;

  async function run(query: string) {
    const started = ++generation;
    const client = getClient();
    status.textContent = 'Searching…';
    try {
      const page = await client.search(query, { first: 20 });
      if (started !== generation) return;
      results.replaceChildren(...page.edges.map(({ node }) => item(node)));
      const n = page.edges.length;
      status.textContent =
        n === 0
          ? `Nothing found for “${query}”.`
          : `${n}${page.pageInfo.hasNextPage ? '+' : ''} found for “${query}”.`;
    } catch (err) {
      if (started !== generation) return;
      if (isDocpipeError(err, 'UNAUTHENTICATED')) return callbacks.onUnauthenticated(err, client);
      results.replaceChildren();
      status.textContent = isDocpipeError(err) ? err.message : `Search failed: ${String(err)}`;
    }
  }

  function item(hit: Hit): HTMLLIElement {
    const open = h('button', { type: 'button', class: 'link' }, hit.document.filename);
    open.addEventListener('click', () => callbacks.onShow(hit.document.id));
    const body = hit.snippets.find((s) => s.field === 'body');
    return h(
      'li',
      { class: 'search-hit', 'data-id': hit.document.id },
      h('div', { class: 'search-hit-head' }, open, statusBadge(hit.document.status)),
      body ? h('p', { class: 'snippet' }, ...marked(body)) : null,
    );
  }

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const query = input.value.trim();
    if (query) void run(query);
    else clear();
  });

  function clear() {
    generation++;
    input.value = '';
    results.replaceChildren();
    status.textContent = '';
  }

  return { clear };
}

/** The snippet's text as text nodes, with each highlighted range in a <mark>. */
function marked(snippet: Snippet): (Node | string)[] {
  const out: (Node | string)[] = [];
  let at = 0;
  for (const { start, length } of [...snippet.highlights].sort((a, b) => a.start - b.start)) {
    if (start < at) continue;
    out.push(snippet.text.slice(at, start), h('mark', {}, snippet.text.slice(start, start + length)));
    at = start + length;
  }
  out.push(snippet.text.slice(at));
  return out;
}
