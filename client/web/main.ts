/**
 * The docpipe web page: upload with per-file progress, live processing progress, full-text search,
 * a paginated list of documents with their results, download and delete. Talks to the api it is served by, through
 * the SDK (XMLHttpRequest for upload progress, graphql-ws for live updates), with the token from
 * the page (development) or the sign-in form (client/common/page-token.ts).
 */
import { forgetToken, pageToken, storeToken, type PageToken } from '../common/page-token.js';
import {
  createClient,
  isDocpipeError,
  localStorageUploadState,
  type ConnectionState,
  type DocpipeClient,
  type DocpipeError,
} from '../sdk/index.js';
import { announce, byId } from './dom.js';
import { createDocumentsTable } from './documents.js';
import { renderResult } from './result.js';
import { createSearchBox } from './search.js';
import { createUploader } from './uploads.js';

const CONNECTION_TEXT: Record<ConnectionState, string> = {
  connecting: 'Live updates: connecting…',
  reconnecting: 'Live updates: reconnecting…',
  connected: 'Live updates: on',
  closed: 'Live updates: idle',
};

const url = new URL('/graphql', window.location.href).href;
const connection = byId('connection');
const app = byId('app');
const signInSection = byId('sign-in');
const signInForm = byId<HTMLFormElement>('sign-in-form');
const tokenInput = byId<HTMLInputElement>('token-input');
const signInError = byId('sign-in-error');
const authState = byId('auth-state');
const signOutButton = byId<HTMLButtonElement>('sign-out');

/** The signed-in client and where its token came from; null while the sign-in form shows. */
let session: { client: DocpipeClient; token: PageToken } | null = null;

function currentClient(): DocpipeClient {
  if (!session) throw new Error('Not signed in');
  return session.client;
}

function signIn(token: PageToken) {
  void session?.client.close();
  const client = createClient({
    url,
    token: token.token,
    // Large files go straight to storage; choosing the same file again after a reload resumes.
    uploadState: localStorageUploadState(),
    onConnectionChange: (state) => {
      if (session?.client !== client) return;
      connection.textContent = CONNECTION_TEXT[state];
      connection.dataset['state'] = state;
    },
  });
  session = { client, token };
  signInSection.hidden = true;
  signInError.hidden = true;
  app.hidden = false;
  authState.textContent =
    token.source === 'development' ? 'Signed in with the development token' : 'Signed in';
  authState.hidden = false;
  signOutButton.hidden = false;
  table.clear();
  searchBox.clear();
  void table.reload();
  followDocuments(client);
}

/** The live list: uploads, completions and deletions from anywhere reload the page of documents. */
let feed: AbortController | undefined;
let reloadTimer: ReturnType<typeof setTimeout> | undefined;
function followDocuments(client: DocpipeClient) {
  feed?.abort();
  const controller = new AbortController();
  feed = controller;
  void (async () => {
    try {
      for await (const event of client.watchDocuments({ signal: controller.signal })) {
        if (session?.client !== client) return;
        if (event.kind === 'DELETED' && shownId === event.documentId) hideDetails();
        // Progress of the rows on screen arrives through their own job watches.
        if (event.kind === 'UPDATED') continue;
        clearTimeout(reloadTimer);
        reloadTimer = setTimeout(() => session?.client === client && void table.reload(), 250);
      }
    } catch (err) {
      if (isDocpipeError(err, 'UNAUTHENTICATED')) onUnauthenticated(err, client);
      // Otherwise stopped (signed out) or the socket gave up: the Refresh button still works.
    }
  })();
}

/** Shows the sign-in form (with `message` when a token was just refused). */
function showSignIn(message?: string) {
  feed?.abort();
  void session?.client.close();
  session = null;
  table.clear();
  searchBox.clear();
  uploader.clear();
  hideDetails();
  app.hidden = true;
  authState.hidden = true;
  signOutButton.hidden = true;
  connection.textContent = CONNECTION_TEXT.closed;
  connection.dataset['state'] = 'closed';
  signInSection.hidden = false;
  signInError.textContent = message ?? '';
  signInError.hidden = !message;
  tokenInput.focus();
}

/** A request answered 401 (or the socket 4403): that token is no good, ask for another. */
function onUnauthenticated(error: DocpipeError, client: DocpipeClient) {
  if (session?.client !== client) return; // a late answer for a session already gone
  const what = session.token.source === 'development' ? 'The development token' : 'That token';
  if (session.token.source === 'pasted') forgetToken();
  showSignIn(`${what} was refused (${error.message}). Paste a token or an API key to sign in.`);
}

signInForm.addEventListener('submit', (e) => {
  e.preventDefault();
  const token = tokenInput.value.trim();
  if (!token) return;
  tokenInput.value = '';
  storeToken(token);
  signIn({ token, source: 'pasted' });
});

signOutButton.addEventListener('click', () => {
  forgetToken();
  showSignIn();
  announce('Signed out');
});

const details = byId('details');
const detailsBody = byId('details-body');
const detailsHeading = byId('details-heading');
let shownId: string | null = null;

async function showDocument(id: string) {
  const client = currentClient();
  try {
    const doc = await client.document(id);
    if (!doc) {
      announce('That document no longer exists.');
      return;
    }
    shownId = id;
    detailsHeading.textContent = `Result: ${doc.filename}`;
    detailsBody.replaceChildren(renderResult(doc));
    details.hidden = false;
    detailsHeading.focus();
  } catch (err) {
    if (isDocpipeError(err, 'UNAUTHENTICATED')) return onUnauthenticated(err, client);
    announce(`Could not load the document: ${isDocpipeError(err) ? err.message : String(err)}`);
  }
}

function hideDetails() {
  details.hidden = true;
  shownId = null;
}
byId('close-details').addEventListener('click', hideDetails);

const table = createDocumentsTable(currentClient, {
  onShow: (id) => void showDocument(id),
  onDeleted: (id) => {
    if (shownId === id) hideDetails();
  },
  onUnauthenticated,
});

const searchBox = createSearchBox(currentClient, {
  onShow: (id) => void showDocument(id),
  onUnauthenticated,
});

const uploader = createUploader(currentClient, byId('uploads'), {
  // An upload may finish after signing out: then there is no list to refresh.
  onUploaded: () => session && void table.reload(),
  onFinished: () => session && void table.reload(),
  onShow: (id) => void showDocument(id),
  onUnauthenticated,
});

const input = byId<HTMLInputElement>('file-input');
input.addEventListener('change', () => {
  if (input.files?.length) uploader.add(Array.from(input.files));
  input.value = ''; // choosing the same file again must fire `change` again
});

const dropzone = byId('dropzone');
dropzone.addEventListener('dragover', (e) => {
  e.preventDefault(); // allows the drop
  dropzone.classList.add('dragging');
});
dropzone.addEventListener('dragleave', () => dropzone.classList.remove('dragging'));
dropzone.addEventListener('drop', (e) => {
  e.preventDefault();
  dropzone.classList.remove('dragging');
  const files = Array.from(e.dataTransfer?.files ?? []);
  if (files.length && session) uploader.add(files);
});
// A file dropped next to the zone must not make the browser navigate away from the page.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());

const initial = pageToken();
if (initial) signIn(initial);
else showSignIn();
