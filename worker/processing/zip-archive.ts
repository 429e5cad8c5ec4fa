import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { ProcessingError } from '../../domain/errors.js';
import { ProcessingErrorCode } from './error-codes.js';

/**
 * Random-access reader over a zip file on disk (yauzl reads the central directory, then only the
 * entries asked for, so the archive is never held in memory). Inflation is metered: the sum of
 * the declared sizes is checked before anything is inflated, and every inflated byte counts
 * against the same limit. yauzl itself rejects entries that inflate past their declared size.
 */
export class ZipArchive {
  readonly #zip: ZipFile;
  readonly #entries: Map<string, Entry>;
  readonly #maxInflatedBytes: number;
  #inflated = 0;

  private constructor(zip: ZipFile, entries: Map<string, Entry>, maxInflatedBytes: number) {
    this.#zip = zip;
    this.#entries = entries;
    this.#maxInflatedBytes = maxInflatedBytes;
  }

  /** Opens the archive and reads its directory; fails if the declared contents exceed the limit. */
  static async open(path: string, maxInflatedBytes: number): Promise<ZipArchive> {
    let zip: ZipFile;
    try {
      zip = await yauzl.openPromise(path, { autoClose: false });
    } catch (err) {
      throw corrupt(`the zip archive cannot be read (${message(err)})`);
    }
    const entries = new Map<string, Entry>();
    let declared = 0;
    try {
      for await (const entry of zip.eachEntry()) {
        entries.set(entry.fileName, entry);
        declared += entry.uncompressedSize;
        if (declared > maxInflatedBytes) {
          throw new ProcessingError(
            ProcessingErrorCode.DECOMPRESSED_TOO_LARGE,
            `The archive declares more than ${maxInflatedBytes} bytes of uncompressed content ` +
              `(${entries.size} entries read so far); refusing to inflate it`,
          );
        }
      }
    } catch (err) {
      zip.close();
      if (err instanceof ProcessingError) throw err;
      throw corrupt(`the zip directory is damaged (${message(err)})`);
    }
    return new ZipArchive(zip, entries, maxInflatedBytes);
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  uncompressedSize(name: string): number {
    return this.#entries.get(name)?.uncompressedSize ?? 0;
  }

  /** Inflated chunks of one entry, counted against the archive's limit. */
  async *read(name: string): AsyncGenerator<Buffer> {
    const entry = this.#entries.get(name);
    if (!entry) throw corrupt(`the archive has no ${name}`);
    if (!entry.canDecodeFileData()) {
      throw corrupt(`${name} is encrypted or uses an unsupported compression method`);
    }
    try {
      const stream = await this.#zip.openReadStreamPromise(entry);
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        this.#inflated += chunk.length;
        if (this.#inflated > this.#maxInflatedBytes) {
          stream.destroy();
          throw new ProcessingError(
            ProcessingErrorCode.DECOMPRESSED_TOO_LARGE,
            `Inflating the archive exceeded ${this.#maxInflatedBytes} bytes`,
          );
        }
        yield chunk;
      }
    } catch (err) {
      if (err instanceof ProcessingError) throw err;
      // yauzl's size validation: the entry lied about its size, the classic zip-bomb trick.
      if (message(err).startsWith('too many bytes in the stream')) {
        throw new ProcessingError(
          ProcessingErrorCode.DECOMPRESSED_TOO_LARGE,
          `${name} inflates to more than its declared ${entry.uncompressedSize} bytes`,
        );
      }
      throw corrupt(`${name} cannot be inflated (${message(err)})`);
    }
  }

  close(): void {
    this.#zip.close();
  }
}

/** Whether `path` is a readable zip with an entry called `name` (false for anything unreadable). */
export async function hasZipEntry(path: string, name: string): Promise<boolean> {
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(path, { autoClose: false });
  } catch {
    return false;
  }
  try {
    for await (const entry of zip.eachEntry()) if (entry.fileName === name) return true;
    return false;
  } catch {
    return false;
  } finally {
    zip.close();
  }
}

function corrupt(what: string): ProcessingError {
  return new ProcessingError(ProcessingErrorCode.CORRUPT_FILE, `Broken archive: ${what}`);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
