/**
 * Self-hosted GraphiQL for docpipe: bundled at build time (no CDN), queries over HTTP, subscriptions
 * over graphql-ws on the same /graphql endpoint, file uploads via the Upload panel, and the token
 * of the page or the headers editor on both (./auth.ts).
 * `?query=…&variables=…` in the URL opens that operation in a new tab (shareable links).
 */
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { GraphiQL } from 'graphiql';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { pageToken } from '../common/page-token.js';
import { createPlaygroundFetcher, HEADERS_TEMPLATE } from './auth.js';
import { EXAMPLE_TABS } from './examples.js';
import { uploadingFetch, uploadPlugin } from './upload.js';

const url = new URL('/graphql', window.location.href).href;
const token = pageToken();
const fetcher = createPlaygroundFetcher({
  url,
  pageAuthorization: token ? `Bearer ${token.token}` : undefined,
  fetch: uploadingFetch(),
});

const params = new URLSearchParams(window.location.search);
const linked = params.get('query');
const linkedVariables = params.get('variables') ?? undefined;
const examples = linked ? [{ query: linked, variables: linkedVariables }, ...EXAMPLE_TABS] : EXAMPLE_TABS;
// No token on the page: every tab starts with the Authorization template in the headers editor.
const tabs = token ? examples : examples.map((tab) => ({ ...tab, headers: HEADERS_TEMPLATE }));

const container = document.getElementById('graphiql');
if (!container) throw new Error('#graphiql is missing from the page');
createRoot(container).render(
  createElement(GraphiQL, {
    fetcher,
    plugins: [uploadPlugin],
    defaultTabs: tabs,
    ...(token ? {} : { defaultHeaders: HEADERS_TEMPLATE }),
    ...(linked
      ? { initialQuery: linked, ...(linkedVariables ? { initialVariables: linkedVariables } : {}) }
      : {}),
    defaultEditorToolsVisibility: token ? true : 'headers',
  }),
);
