/**
 * The docpipe web page: upload with per-file progress, live processing progress, a paginated list
 * of documents with their results, download and delete. Talks to the api it is served by, through
 * the SDK (XMLHttpRequest for upload progress, graphql-ws for live updates).
 */
import { createClient, type ConnectionState } from '../sdk/index.js';
import { announce, byId } from './dom.js';
import { createDocumentsTable } from './documents.js';
import { renderResult } from './result.js';
import { createUploader } from './uploads.js';

const CONNECTION_TEXT: Record<ConnectionState, string> = {
  connecting: 'Live updates: connecting…',
  reconnecting: 'Live updates: reconnecting…',
  connected: 'Live updates: on',
  closed: 'Live updates: idle',
};

const connection = byId('connection');
const client = createClient({
  url: new URL('/graphql', window.location.href).href,
  onConnectionChange: (state) => {
    connection.textContent = CONNECTION_TEXT[state];
    connection.dataset['state'] = state;
  },
});

const details = byId('details');
const detailsBody = byId('details-body');
const detailsHeading = byId('details-heading');
let shownId: string | null = null;

async function showDocument(id: string) {
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
}

function hideDetails() {
  details.hidden = true;
  shownId = null;
}
byId('close-details').addEventListener('click', hideDetails);

const table = createDocumentsTable(client, {
  onShow: (id) => void showDocument(id),
  onDeleted: (id) => {
    if (shownId === id) hideDetails();
  },
});

const uploader = createUploader(client, byId('uploads'), {
  onUploaded: () => void table.reload(),
  onFinished: () => void table.reload(),
  onShow: (id) => void showDocument(id),
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
  if (files.length) uploader.add(files);
});
// A file dropped next to the zone must not make the browser navigate away from the page.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());

void table.reload();
