/**
 * Node entry point of the SDK: everything from `index.ts`, plus uploads from file paths.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { createClient as createBaseClient, type ClientOptions, type DocpipeClient } from './client.js';
import { contentTypeFor } from './content-type.js';
import type { SavedUpload, UploadStateStore } from './direct-upload.js';
import { DocpipeError } from './errors.js';
import type { OpenedFile } from './options.js';

export * from './index.js';

/**
 * Opens a file for upload: a stream (read as it is sent, so memory stays bounded), its size (for
 * progress totals), its base name and a MIME type guessed from the extension.
 * @throws {@link DocpipeError} `BAD_USER_INPUT` when the path is missing or not a regular file.
 */
export async function openFile(path: string): Promise<OpenedFile & { body: AsyncIterable<Uint8Array> }> {
  let size: number;
  let mtimeMs: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new DocpipeError('BAD_USER_INPUT', `${path} is not a file`);
    size = info.size;
    mtimeMs = info.mtimeMs;
  } catch (err) {
    if (err instanceof DocpipeError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code);
    throw new DocpipeError('BAD_USER_INPUT', `Cannot read ${path}: ${reason}`, { cause: err });
  }
  const filename = basename(path);
  // Opened only when the upload starts reading, so a request that fails early leaks no descriptor.
  const body = (async function* () {
    yield* createReadStream(path) as AsyncIterable<Uint8Array>;
  })();
  const contentType = contentTypeFor(filename);
  return {
    body,
    filename,
    contentType,
    size,
    random: {
      size,
      filename,
      contentType,
      // The same file again (path, size, modification time) resumes its direct upload.
      identity: `${resolve(path)}:${size}:${mtimeMs}`,
      async read(start, end) {
        const handle = await open(path, 'r');
        try {
          const buffer = Buffer.allocUnsafe(end - start);
          const { bytesRead } = await handle.read(buffer, 0, end - start, start);
          if (bytesRead !== end - start)
            throw new DocpipeError('BAD_USER_INPUT', `${path} changed while uploading`);
          return buffer;
        } finally {
          await handle.close();
        }
      },
      async sha256() {
        const hash = createHash('sha256');
        for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
        return hash.digest('hex');
      },
    },
  };
}

/**
 * Direct-upload state in small JSON files, one per file being uploaded (named by a hash of its
 * identity), under `dir` (default `DOCPIPE_UPLOAD_STATE_DIR`, else `~/.docpipe/uploads`). Written
 * to a temporary file and renamed, so a process killed mid-write leaves the previous state whole.
 */
export function fileUploadState(
  dir = process.env['DOCPIPE_UPLOAD_STATE_DIR'] || join(homedir(), '.docpipe', 'uploads'),
): (identity: string) => UploadStateStore {
  return (identity) => {
    const file = join(dir, `${createHash('sha256').update(identity).digest('hex').slice(0, 32)}.json`);
    return {
      async load() {
        try {
          return JSON.parse(await readFile(file, 'utf8')) as SavedUpload;
        } catch {
          return null; // none, or unreadable: start afresh
        }
      },
      async save(state) {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
        await writeFile(temp, JSON.stringify(state), { mode: 0o600 });
        await rename(temp, file);
      },
      async clear() {
        await rm(file, { force: true });
      },
    };
  };
}

/**
 * Creates a docpipe client for Node: like the browser one, and `uploadDocument` also accepts a
 * file path. Without a `token` option (or with `token: undefined`) it sends `DOCPIPE_TOKEN` from
 * the environment, if set; `token: ''` sends no credentials at all. Subscriptions use Node's built-in WebSocket unless `webSocketImpl` is given.
 *
 * @example
 * ```ts
 * // DOCPIPE_TOKEN=$(cat .data/dev-token) node my-script.js
 * const client = createClient({ url: 'http://127.0.0.1:4000/graphql' });
 * const doc = await client.uploadDocument('./report.pdf', { onProgress: console.log });
 * ```
 */
export function createClient(options: ClientOptions): DocpipeClient {
  const token = options.token ?? process.env['DOCPIPE_TOKEN'];
  return createBaseClient({
    openPath: openFile,
    uploadState: fileUploadState(),
    ...options,
    ...(token ? { token } : {}),
  });
}
