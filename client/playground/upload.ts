/**
 * File upload for GraphiQL, which has none built in: a plugin panel to pick a file, and a fetch
 * wrapper that turns a request whose operation declares an `Upload` variable into a GraphQL
 * multipart request carrying that file.
 */
import { createElement, useState, type ChangeEvent } from 'react';
import type { GraphiQLProps } from 'graphiql';

type GraphiQLPlugin = NonNullable<GraphiQLProps['plugins']>[number];

let chosen: File | null = null;

/** Names of the operation's variables of type Upload / Upload!. */
export function uploadVariables(query: string): string[] {
  return [...query.matchAll(/\$(\w+)\s*:\s*Upload\b/g)].map((m) => m[1] ?? '').filter(Boolean);
}

/** A fetch for createGraphiQLFetcher: multipart when a file is chosen and the operation wants one. */
export function uploadingFetch(base: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    if (!chosen || typeof init?.body !== 'string') return base(input, init);
    const payload = JSON.parse(init.body) as { query?: string; variables?: Record<string, unknown> };
    const names = uploadVariables(payload.query ?? '');
    if (names.length === 0) return base(input, init);
    const form = new FormData();
    form.append(
      'operations',
      JSON.stringify({ ...payload, variables: { ...payload.variables, ...nulls(names) } }),
    );
    form.append(
      'map',
      JSON.stringify(Object.fromEntries(names.map((n, i) => [String(i), [`variables.${n}`]]))),
    );
    names.forEach((_, i) => form.append(String(i), chosen as File, (chosen as File).name));
    const headers = new Headers(init.headers);
    headers.delete('content-type'); // the browser sets multipart/form-data with its boundary
    headers.set('apollo-require-preflight', 'true'); // Apollo's CSRF prevention
    return base(input, { ...init, headers, body: form });
  };
}

function nulls(names: string[]): Record<string, null> {
  return Object.fromEntries(names.map((n) => [n, null]));
}

function UploadPanel() {
  const [file, setFile] = useState<File | null>(chosen);
  const onChange = (e: ChangeEvent<HTMLInputElement>) => {
    chosen = e.target.files?.[0] ?? null;
    setFile(chosen);
  };
  return createElement(
    'div',
    { className: 'docpipe-upload-panel', style: { padding: '0 4px', lineHeight: 1.5 } },
    createElement('div', { className: 'graphiql-doc-explorer-title' }, 'Upload'),
    createElement(
      'p',
      null,
      'Pick a file, then run an operation with an ',
      createElement('code', null, 'Upload'),
      ' variable (see the "Upload" tab). It is sent as a GraphQL multipart request.',
    ),
    createElement(
      'label',
      { style: { display: 'block', margin: '12px 0' } },
      'File ',
      createElement('input', { type: 'file', onChange, 'data-testid': 'playground-file' }),
    ),
    createElement(
      'p',
      { role: 'status' },
      file ? `Selected: ${file.name} (${file.size} bytes)` : 'No file selected.',
    ),
  );
}

function UploadIcon() {
  // A paperclip, drawn inline so nothing is fetched.
  return createElement(
    'svg',
    {
      viewBox: '0 0 24 24',
      width: 20,
      height: 20,
      fill: 'none',
      stroke: 'currentColor',
      strokeWidth: 1.8,
      'aria-hidden': true,
    },
    createElement('path', {
      d: 'M21 11.5l-8.5 8.5a5 5 0 0 1-7-7L14 4.5a3.5 3.5 0 0 1 5 5L10.5 18a2 2 0 0 1-3-3L15 7.5',
      strokeLinecap: 'round',
      strokeLinejoin: 'round',
    }),
  );
}

export const uploadPlugin: GraphiQLPlugin = { title: 'Upload', icon: UploadIcon, content: UploadPanel };
