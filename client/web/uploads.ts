/**
 * Upload queue: one list item per file with a progress bar that shows the upload bytes first, then
 * the job's live progress from the `jobUpdated` subscription.
 */
import { formatBytes } from '../common/format.js';
import { isDocpipeError, type DocpipeClient, type DocpipeError, type Document } from '../sdk/index.js';
import { announce, h } from './dom.js';
import { describeJob } from './status.js';

/** Files sent at once; the rest wait their turn. */
const CONCURRENCY = 3;

export interface UploadCallbacks {
  /** A document was created (refresh the list). */
  onUploaded(doc: Document): void;
  /** Its job reached COMPLETED or FAILED. */
  onFinished(doc: Document): void;
  /** The user asked to see a finished document. */
  onShow(documentId: string): void;
  /** The api refused `client`'s token. */
  onUnauthenticated(error: DocpipeError, client: DocpipeClient): void;
}

export function createUploader(
  getClient: () => DocpipeClient,
  list: HTMLElement,
  callbacks: UploadCallbacks,
) {
  const waiting: (() => Promise<void>)[] = [];
  let running = 0;

  const pump = () => {
    while (running < CONCURRENCY && waiting.length > 0) {
      const task = waiting.shift()!;
      running++;
      void task().finally(() => {
        running--;
        pump();
      });
    }
  };

  return {
    /** Queues files for upload. */
    add(files: Iterable<File>) {
      for (const file of files) {
        const item = uploadItem(file);
        list.prepend(item.root);
        waiting.push(() => uploadOne(getClient(), file, item, callbacks));
      }
      pump();
    },
    /** Forgets the list (after signing out); queued files are dropped. */
    clear() {
      waiting.length = 0;
      list.replaceChildren();
    },
  };
}

interface UploadItem {
  root: HTMLLIElement;
  set(
    state: 'waiting' | 'uploading' | 'processing' | 'completed' | 'failed',
    percent: number,
    text: string,
  ): void;
  addAction(button: HTMLButtonElement): void;
}

function uploadItem(file: File): UploadItem {
  const id = `upload-${Math.random().toString(36).slice(2)}`;
  const bar = h('progress', {
    max: 100,
    value: 0,
    'aria-labelledby': `${id}-name`,
    'aria-describedby': `${id}-text`,
  });
  const text = h('span', { class: 'upload-text', id: `${id}-text` }, 'Waiting…');
  const actions = h('span', { class: 'upload-actions' });
  const root = h(
    'li',
    { class: 'upload', 'data-state': 'waiting' },
    h('span', { class: 'upload-name', id: `${id}-name` }, file.name),
    h('span', { class: 'upload-size' }, formatBytes(file.size)),
    bar,
    text,
    actions,
  );
  return {
    root,
    set(state, percent, message) {
      root.dataset['state'] = state;
      bar.value = percent;
      bar.setAttribute('aria-valuetext', message);
      text.textContent = message;
    },
    addAction(button) {
      actions.append(button);
    },
  };
}

async function uploadOne(client: DocpipeClient, file: File, item: UploadItem, callbacks: UploadCallbacks) {
  try {
    item.set('uploading', 0, 'Uploading 0 %');
    const doc = await client.uploadDocument(file, {
      onProgress: ({ loaded, total, resumed }) => {
        const percent = total ? Math.floor((loaded / total) * 100) : 0;
        item.set('uploading', percent, `${resumed ? 'Resumed, uploading' : 'Uploading'} ${percent} %`);
      },
    });
    item.set('processing', 0, 'Uploaded, queued for processing');
    callbacks.onUploaded(doc);
    if (!doc.job) return;
    for await (const job of client.watchJob(doc.job.id)) {
      const state =
        job.status === 'COMPLETED' ? 'completed' : job.status === 'FAILED' ? 'failed' : 'processing';
      item.set(state, job.progress, describeJob(job));
    }
    const finished = (await client.document(doc.id)) ?? doc;
    callbacks.onFinished(finished);
    announce(`${file.name}: ${finished.job ? describeJob(finished.job) : finished.status}`);
    const show = h(
      'button',
      { type: 'button', class: 'button small', 'aria-label': `Show result of ${file.name}` },
      'Show result',
    );
    show.addEventListener('click', () => callbacks.onShow(doc.id));
    item.addAction(show);
  } catch (err) {
    const message = isDocpipeError(err) ? `${err.message} (${err.code})` : String(err);
    item.set('failed', 0, `Upload failed: ${message}`);
    announce(`${file.name}: upload failed`);
    if (isDocpipeError(err, 'UNAUTHENTICATED')) callbacks.onUnauthenticated(err, client);
  }
}
