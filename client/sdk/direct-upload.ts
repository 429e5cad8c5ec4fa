/**
 * Direct uploads: large files go to storage in parts, in parallel, over presigned URLs the api hands
 * out (`createUpload`), and are then verified and turned into a document by the api
 * (`completeUpload`). Resumable: the upload's id and every finished part's ETag are saved to an
 * `UploadStateStore` (a file in Node, localStorage in browsers) after each part, so a new process or
 * a reloaded page asks the api what storage already holds and sends only the rest.
 */
import {
  CompleteUploadDocument,
  CreateUploadDocument,
  DocumentByIdDocument,
  UploadByIdDocument,
  UploadPartsDocument,
  type DocumentFieldsFragment,
} from '../generated/graphql.js';
import { DocpipeError, toDocpipeError } from './errors.js';
import type { Transport } from './transport.js';
import type { UploadProgress } from './upload.js';

/** A file the SDK can read any byte range of (a Blob, or a file on disk in Node). */
export interface RandomAccessSource {
  size: number;
  filename: string;
  contentType: string;
  read(start: number, end: number): Promise<Uint8Array>;
  /** Hex SHA-256 of the whole file, when cheap enough to compute (Node: one streamed read). */
  sha256?: () => Promise<string>;
}

/** What survives between processes (or page loads) to resume an upload. */
export interface SavedUpload {
  id: string;
  size: number;
  partSize: number;
  /** ETags of the parts known to be stored, by part number. */
  etags: Record<number, string>;
}

/** Where the state of one file's upload is kept; see `fileUploadState` (Node) and the web page's. */
export interface UploadStateStore {
  load(): Promise<SavedUpload | null>;
  save(state: SavedUpload): Promise<void>;
  clear(): Promise<void>;
}

export interface DirectUploadOptions {
  /** Parts in flight at once. @default 4 */
  concurrency?: number;
  onProgress?: (progress: UploadProgress) => void;
  /** Stops sending; the saved state stays, so a later call resumes. Rejects with `ABORTED`. */
  signal?: AbortSignal;
  state?: UploadStateStore;
}

/** Part URLs asked for at once (the api's limit). */
const URL_BATCH = 1000;
/** Attempts per part before the upload fails (network errors, 5xx, an expired URL). */
const PART_ATTEMPTS = 4;

/** Uploads `source` directly to storage and returns the document the api made of it. */
export async function directUpload(
  transport: Transport,
  apiUrl: string,
  fetchImpl: typeof fetch,
  source: RandomAccessSource,
  opts: DirectUploadOptions = {},
): Promise<DocumentFieldsFragment> {
  const signal = opts.signal;
  const requestOptions = signal ? { signal } : {};
  const previous = await resume(transport, source, opts.state, signal);
  if (previous && 'document' in previous) return previous.document;
  const { upload, urls } = previous ?? (await start(transport, source, signal));
  const saved: SavedUpload = {
    id: upload.id,
    size: source.size,
    partSize: upload.partSize,
    etags: upload.etags,
  };
  await opts.state?.save(saved);

  const partCount = Math.max(1, Math.ceil(source.size / upload.partSize));
  const partBytes = (n: number) => Math.min(upload.partSize, source.size - (n - 1) * upload.partSize);
  let loaded = Object.keys(saved.etags).reduce((sum, n) => sum + partBytes(Number(n)), 0);
  const resumed = loaded > 0;
  const report = () => opts.onProgress?.({ loaded, total: source.size, ...(resumed && { resumed }) });
  report();

  const todo = Array.from({ length: partCount }, (_, i) => i + 1).filter((n) => !saved.etags[n]);
  const fresh = async (numbers: number[]) => {
    for (let i = 0; i < numbers.length; i += URL_BATCH) {
      const batch = numbers.slice(i, i + URL_BATCH);
      const { uploadParts } = await transport.request(
        UploadPartsDocument,
        { input: { id: upload.id, partNumbers: batch } },
        requestOptions,
      );
      for (const p of uploadParts) urls.set(p.partNumber, p.url);
    }
  };
  await fresh(todo.filter((n) => !urls.has(n)));
  // Saves are serialised: each writes the state as it is then, never an older one over a newer one.
  let saving = Promise.resolve();

  const sendPart = async (n: number) => {
    const start = (n - 1) * upload.partSize;
    const bytes = await source.read(start, start + partBytes(n));
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new DocpipeError('ABORTED', 'The upload was aborted');
      try {
        const res = await fetchImpl(new URL(urls.get(n)!, apiUrl), {
          method: 'PUT',
          body: bytes as BodyInit,
          ...(signal ? { signal } : {}),
        });
        const etag = res.headers.get('etag');
        await res.body?.cancel(); // S3 answers a part with headers only (or an error document)
        if (res.ok && etag) {
          saved.etags[n] = etag;
          loaded += bytes.byteLength;
          report();
          saving = saving.then(() => opts.state?.save(saved));
          return;
        }
        // An expired URL (403), or storage having a bad moment: a fresh URL, then again.
        if (attempt >= PART_ATTEMPTS) {
          throw new DocpipeError('BAD_RESPONSE', `Storage answered part ${n} with HTTP ${res.status}`);
        }
        await fresh([n]);
      } catch (err) {
        const e = toDocpipeError(err, apiUrl);
        if (e.code !== 'NETWORK_ERROR' || attempt >= PART_ATTEMPTS) throw e;
      }
      await new Promise((r) => setTimeout(r, 250 * 2 ** attempt));
    }
  };
  try {
    await pool(todo, opts.concurrency ?? 4, sendPart, signal);
  } finally {
    // Settled before returning either way, so no save lands after the caller moved on; a failed
    // save only matters when the parts all went through (then it is thrown below).
    await saving.catch(() => undefined);
  }
  await saving;

  const parts = Array.from({ length: partCount }, (_, i) => ({
    partNumber: i + 1,
    etag: saved.etags[i + 1]!,
  }));
  try {
    const { completeUpload } = await transport.request(
      CompleteUploadDocument,
      { input: { id: upload.id, parts } },
      requestOptions,
    );
    await opts.state?.clear();
    return completeUpload.document;
  } catch (err) {
    // Refused for good (checksum, expiry): nothing to resume. A network error may be retried.
    const e = toDocpipeError(err, apiUrl);
    if (e.code === 'NOT_FOUND' || e.errors[0]?.extensions?.['reason'] === 'CHECKSUM_MISMATCH') {
      await opts.state?.clear();
    }
    throw e;
  }
}

interface Started {
  upload: { id: string; partSize: number; etags: Record<number, string> };
  urls: Map<number, string>;
}

/**
 * The saved upload if the api still has it, with the ETags of the parts storage holds; or the
 * document it already became (completed by a run that died before clearing its state, or whose
 * answer was lost: the upload id is the document's).
 */
async function resume(
  transport: Transport,
  source: RandomAccessSource,
  state: UploadStateStore | undefined,
  signal: AbortSignal | undefined,
): Promise<Started | { document: DocumentFieldsFragment } | null> {
  const saved = await state?.load();
  if (!saved || saved.size !== source.size) return null;
  const requestOptions = signal ? { signal } : {};
  const { upload } = await transport.request(UploadByIdDocument, { id: saved.id }, requestOptions);
  if (!upload) {
    await state?.clear(); // completed, expired or aborted meanwhile
    const { document } = await transport.request(DocumentByIdDocument, { id: saved.id }, requestOptions);
    return document ? { document } : null;
  }
  // Storage's word, not the saved one: a part whose PUT finished after the last save counts too.
  const etags: Record<number, string> = {};
  for (const p of upload.uploadedParts) {
    const expected = Math.min(upload.partSize, upload.size - (p.partNumber - 1) * upload.partSize);
    if (p.size === expected) etags[p.partNumber] = p.etag;
  }
  return { upload: { id: upload.id, partSize: upload.partSize, etags }, urls: new Map() };
}

async function start(
  transport: Transport,
  source: RandomAccessSource,
  signal: AbortSignal | undefined,
): Promise<Started> {
  const sha256 = await source.sha256?.();
  const { createUpload } = await transport.request(
    CreateUploadDocument,
    {
      input: {
        filename: source.filename,
        size: source.size,
        contentType: source.contentType,
        ...(sha256 ? { sha256 } : {}),
      },
    },
    signal ? { signal } : {},
  );
  const { upload } = createUpload;
  return {
    upload: { id: upload.id, partSize: upload.partSize, etags: {} },
    urls: new Map(upload.parts.map((p) => [p.partNumber, p.url])),
  };
}

/** Runs `fn` over `items`, at most `limit` at once; the first failure stops the rest. */
async function pool<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
  signal: AbortSignal | undefined,
): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      if (signal?.aborted) throw new DocpipeError('ABORTED', 'The upload was aborted');
      try {
        await fn(items[next++] as T);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** A Blob (or File) as a random-access source. */
export function blobSource(blob: Blob, filename: string, contentType: string): RandomAccessSource {
  return {
    size: blob.size,
    filename,
    contentType,
    read: async (start, end) => new Uint8Array(await blob.slice(start, end).arrayBuffer()),
  };
}

/** Direct-upload state in the browser's localStorage (`docpipe.upload.<identity>`), for resuming after a reload. */
export function localStorageUploadState(
  storage: Storage = localStorage,
): (identity: string) => UploadStateStore {
  return (identity) => {
    const key = `docpipe.upload.${identity}`;
    return {
      load: async () => {
        const text = storage.getItem(key);
        return text ? (JSON.parse(text) as SavedUpload) : null;
      },
      save: async (state) => storage.setItem(key, JSON.stringify(state)),
      clear: async () => storage.removeItem(key),
    };
  };
}
