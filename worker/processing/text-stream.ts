import { createReadStream } from 'node:fs';
import { AutoTextDecoder, type TextEncoding } from './text-decoder.js';

const MiB = 1024 * 1024;

/**
 * Reads a text file in chunks, decodes it (BOM, UTF-8, Latin-1 fallback) and hands each decoded
 * piece to `onText`, awaiting it so a slow consumer holds the reading back. Memory stays at a few
 * chunks whatever the file size. `onRead` gets the share of the file read, once per MiB. `file` is
 * a path, or the whole file when it is already in memory (one chunk).
 */
export async function streamText(
  file: string | Buffer,
  size: number,
  onText: (text: string) => void | Promise<void>,
  onRead: (fraction: number) => void,
): Promise<TextEncoding> {
  const decoder = new AutoTextDecoder();
  let read = 0;
  let reportedMiB = 0;
  const chunks =
    typeof file === 'string'
      ? (createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>)
      : [file];
  for await (const chunk of chunks) {
    read += chunk.length;
    const text = decoder.decode(chunk);
    if (text.length > 0) await onText(text);
    if (Math.floor(read / MiB) > reportedMiB) {
      reportedMiB = Math.floor(read / MiB);
      onRead(size > 0 ? read / size : 1);
    }
  }
  const rest = decoder.end();
  if (rest.length > 0) await onText(rest);
  onRead(1);
  return decoder.encoding ?? 'utf-8';
}
