/**
 * GraphQL multipart requests (https://github.com/jaydenseric/graphql-multipart-request-spec) with
 * byte-level progress. Two transports behind one function:
 * - browsers: XMLHttpRequest, the only browser API that reports upload progress;
 * - Node: fetch with a streamed body we encode ourselves, counting bytes as fetch pulls them, so
 *   memory stays bounded whatever the file size.
 */
import { contentTypeFor, DEFAULT_CONTENT_TYPE } from './content-type.js';
import { DocpipeError, toDocpipeError } from './errors.js';

/** Anything the SDK can upload. Node code may also pass a file path (see `createClient` in `node.ts`). */
export type UploadBody =
  Blob | ArrayBuffer | ArrayBufferView | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>;

/** Bytes of the request body sent so far. `total` is undefined for streams of unknown size. */
export interface UploadProgress {
  loaded: number;
  total: number | undefined;
  /** Set on a direct upload that continues an interrupted one: `loaded` starts at what was stored. */
  resumed?: boolean;
}

export interface UploadOptions {
  /** Name stored with the document. @default the File's name, else `"upload"` */
  filename?: string;
  /** The MIME type claimed for the file (the api detects the real one). @default from the Blob or the name */
  contentType?: string;
  /** Size in bytes of a stream source, so progress can report a total. */
  size?: number;
  /** Called as request-body bytes leave the client (the multipart envelope adds a few hundred bytes). */
  onProgress?: (progress: UploadProgress) => void;
  /** Cancels the upload; the call then rejects with code `ABORTED`. */
  signal?: AbortSignal;
}

/** What a transport needs; built by the client. */
export interface MultipartRequest {
  url: string;
  headers: Record<string, string>;
  /** The `operations` field: `{ query, variables }` with the file variable set to null. */
  operations: { query: string; documentId?: string; variables: Record<string, unknown> };
  /** Object path of the file variable, e.g. `variables.file`. */
  fileVariablePath: string;
  body: UploadBody;
  options: UploadOptions;
  fetch: typeof fetch | undefined;
}

/** A raw HTTP reply; the client turns it into data or a DocpipeError. */
export interface HttpReply {
  status: number;
  statusText: string;
  contentType: string;
  /** The `Retry-After` header (429/503 replies), if any. */
  retryAfter: string | null;
  text: string;
}

/** Sends a GraphQL multipart request with the best transport for this runtime. */
export async function sendMultipart(req: MultipartRequest): Promise<HttpReply> {
  if (req.options.signal?.aborted) throw new DocpipeError('ABORTED', 'The upload was aborted');
  const headers = {
    ...req.headers,
    // Apollo's CSRF prevention blocks multipart requests without this header.
    'apollo-require-preflight': 'true',
  };
  const filename = req.options.filename ?? (isFile(req.body) ? req.body.name : 'upload');
  const contentType =
    req.options.contentType ||
    (req.body instanceof Blob && req.body.type ? req.body.type : contentTypeFor(filename));
  const meta = { ...req, headers, filename, contentType };
  try {
    // A caller-supplied fetch wins: it is how tests and unusual runtimes take control of transport.
    if (typeof XMLHttpRequest !== 'undefined' && req.fetch === undefined) return await viaXhr(meta);
    return await viaFetch(meta);
  } catch (err) {
    throw toDocpipeError(err, req.url);
  }
}

interface ResolvedRequest extends MultipartRequest {
  filename: string;
  contentType: string;
}

function isFile(body: UploadBody): body is File {
  return typeof File !== 'undefined' && body instanceof File;
}

async function toBlob(body: UploadBody, contentType: string): Promise<Blob> {
  if (body instanceof Blob) return body;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    return new Blob([body as BlobPart], { type: contentType });
  }
  // XMLHttpRequest cannot send a stream: collect it (browsers only; Node streams instead).
  const chunks: BlobPart[] = [];
  for await (const chunk of iterate(body)) chunks.push(chunk as BlobPart);
  return new Blob(chunks, { type: contentType });
}

function viaXhr(req: ResolvedRequest): Promise<HttpReply> {
  return toBlob(req.body, req.contentType).then(
    (blob) =>
      new Promise<HttpReply>((resolve, reject) => {
        const form = new FormData();
        form.append('operations', JSON.stringify(req.operations));
        form.append('map', JSON.stringify({ 0: [req.fileVariablePath] }));
        // The browser escapes quotes and line breaks itself; other controls are ours to escape.
        form.append('0', blob, escapeControls(req.filename));
        const xhr = new XMLHttpRequest();
        xhr.open('POST', req.url);
        for (const [name, value] of Object.entries(req.headers)) xhr.setRequestHeader(name, value);
        const { onProgress, signal } = req.options;
        if (onProgress) {
          xhr.upload.onprogress = (e) =>
            onProgress({ loaded: e.loaded, total: e.lengthComputable ? e.total : undefined });
        }
        const onAbort = () => xhr.abort();
        signal?.addEventListener('abort', onAbort, { once: true });
        const done = () => signal?.removeEventListener('abort', onAbort);
        xhr.onload = () => {
          done();
          resolve({
            status: xhr.status,
            statusText: xhr.statusText,
            contentType: xhr.getResponseHeader('content-type') ?? '',
            retryAfter: xhr.getResponseHeader('retry-after'),
            text: xhr.responseText,
          });
        };
        xhr.onerror = () => {
          done();
          reject(new DocpipeError('NETWORK_ERROR', `Cannot reach ${req.url}`));
        };
        xhr.onabort = () => {
          done();
          reject(new DocpipeError('ABORTED', 'The upload was aborted'));
        };
        xhr.send(form);
      }),
  );
}

async function viaFetch(req: ResolvedRequest): Promise<HttpReply> {
  const fetchImpl = req.fetch ?? globalThis.fetch;
  const boundary = `----docpipe${randomHex(16)}`;
  const enc = new TextEncoder();
  const head = enc.encode(
    field(boundary, 'operations', JSON.stringify(req.operations)) +
      field(boundary, 'map', JSON.stringify({ 0: [req.fileVariablePath] })) +
      `--${boundary}\r\nContent-Disposition: form-data; name="0"; filename="${quoteFilename(req.filename)}"\r\n` +
      `Content-Type: ${req.contentType || DEFAULT_CONTENT_TYPE}\r\n\r\n`,
  );
  const tail = enc.encode(`\r\n--${boundary}--\r\n`);
  const fileSize = sizeOf(req.body) ?? req.options.size;
  const total = fileSize === undefined ? undefined : head.byteLength + fileSize + tail.byteLength;

  const { onProgress } = req.options;
  let loaded = 0;
  const parts = (async function* () {
    yield head;
    for await (const chunk of iterate(req.body)) yield chunk;
    yield tail;
  })();
  // highWaterMark 0: chunks are pulled only when fetch wants to write, so `loaded` tracks the socket.
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await parts.next();
        if (next.done) {
          controller.close();
          return;
        }
        controller.enqueue(next.value);
        loaded += next.value.byteLength;
        onProgress?.({ loaded, total });
      },
      async cancel() {
        await parts.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
  const init: RequestInit & { duplex: 'half' } = {
    method: 'POST',
    headers: { ...req.headers, 'content-type': `multipart/form-data; boundary=${boundary}` },
    body: stream,
    duplex: 'half', // required by fetch for a streamed request body
    ...(req.options.signal ? { signal: req.options.signal } : {}),
  };
  const res = await fetchImpl(req.url, init);
  return {
    status: res.status,
    statusText: res.statusText,
    contentType: res.headers.get('content-type') ?? '',
    retryAfter: res.headers.get('retry-after'),
    text: await res.text(),
  };
}

function field(boundary: string, name: string, value: string): string {
  return `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
}

/**
 * The HTML form encoding of a filename: quotes and line breaks percent-encoded, UTF-8 kept; and
 * other control characters too, which multipart parsers (busboy) reject in a part header.
 */
function quoteFilename(name: string): string {
  return escapeControls(name).replace(/"/g, '%22');
}

/** C0 controls and DEL as `%XX` (e.g. ESC → `%1B`). */
function escapeControls(name: string): string {
  return name.replace(
    /[\u0000-\u001f\u007f]/g,
    (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

function sizeOf(body: UploadBody): number | undefined {
  if (body instanceof Blob) return body.size;
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) return body.byteLength;
  return undefined;
}

/** Yields Uint8Array chunks from any supported body. */
async function* iterate(body: UploadBody): AsyncGenerator<Uint8Array> {
  if (body instanceof Blob) {
    yield* iterate(body.stream());
  } else if (body instanceof ArrayBuffer) {
    yield new Uint8Array(body);
  } else if (ArrayBuffer.isView(body)) {
    yield new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  } else if (isReadableStream(body)) {
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return;
        yield value;
      }
    } finally {
      reader.releaseLock();
    }
  } else {
    for await (const chunk of body) {
      // Node streams in object or string mode are a caller error; fail with a clear message.
      if (!(chunk instanceof Uint8Array)) {
        throw new DocpipeError('BAD_USER_INPUT', 'Upload streams must yield bytes (Uint8Array/Buffer)');
      }
      yield chunk;
    }
  }
}

function isReadableStream(body: unknown): body is ReadableStream<Uint8Array> {
  return typeof (body as ReadableStream | null)?.getReader === 'function';
}

function randomHex(bytes: number): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join('');
}
