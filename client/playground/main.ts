/**
 * Self-hosted GraphiQL for docpipe: bundled at build time (no CDN), queries over HTTP, subscriptions
 * over graphql-ws on the same /graphql endpoint, file uploads via the Upload panel.
 * `?query=…&variables=…` in the URL opens that operation in a new tab (shareable links).
 */
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createClient } from 'graphql-ws';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { EXAMPLE_TABS } from './examples.js';
import { uploadingFetch, uploadPlugin } from './upload.js';

const url = new URL('/graphql', window.location.href).href;
const wsClient = createClient({
  url: url.replace(/^http/, 'ws'),
  lazy: true,
  retryAttempts: 5,
});
const fetcher = createGraphiQLFetcher({ url, wsClient, fetch: uploadingFetch() });

const params = new URLSearchParams(window.location.search);
const linked = params.get('query');
const linkedVariables = params.get('variables') ?? undefined;
const tabs = linked ? [{ query: linked, variables: linkedVariables }, ...EXAMPLE_TABS] : EXAMPLE_TABS;

const container = document.getElementById('graphiql');
if (!container) throw new Error('#graphiql is missing from the page');
createRoot(container).render(
  createElement(GraphiQL, {
    fetcher,
    plugins: [uploadPlugin],
    defaultTabs: tabs,
    ...(linked
      ? { initialQuery: linked, ...(linkedVariables ? { initialVariables: linkedVariables } : {}) }
      : {}),
    defaultEditorToolsVisibility: true,
  }),
);
