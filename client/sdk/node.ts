/**
 * Node entry point of the SDK: everything from `index.ts`, plus uploads from file paths.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { createClient as createBaseClient, type ClientOptions, type DocpipeClient } from './client.js';
import { contentTypeFor } from './content-type.js';
import { DocpipeError } from './errors.js';

export * from './index.js';

/**
 * Opens a file for upload: a stream (read as it is sent, so memory stays bounded), its size (for
 * progress totals), its base name and a MIME type guessed from the extension.
 * @throws {@link DocpipeError} `BAD_USER_INPUT` when the path is missing or not a regular file.
 */
export async function openFile(
  path: string,
): Promise<{ body: AsyncIterable<Uint8Array>; filename: string; contentType: string; size: number }> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw new DocpipeError('BAD_USER_INPUT', `${path} is not a file`);
    size = info.size;
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
  return { body, filename, contentType: contentTypeFor(filename), size };
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
  return createBaseClient({ openPath: openFile, ...options, ...(token ? { token } : {}) });
}
