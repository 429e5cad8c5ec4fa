import { fileTypeFromBuffer } from 'file-type';

/** Bytes of the file's start that detection looks at (file-type's own recommendation). */
export const DETECTION_BYTES = 4100;

/**
 * MIME type from the bytes, never from the client's claim: magic numbers first (file-type), then
 * a text sniff (valid UTF-8 without NULs, or a UTF-16 BOM), else application/octet-stream.
 */
export async function detectType(head: Uint8Array): Promise<string> {
  const magic = await fileTypeFromBuffer(head);
  if (magic) return magic.mime;
  if (head.length === 0) return 'application/octet-stream';
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff)) return 'text/plain';
  if (head.includes(0)) return 'application/octet-stream';
  return looksLikeUtf8(head) ? 'text/plain' : 'application/octet-stream';
}

function looksLikeUtf8(bytes: Uint8Array): boolean {
  // A multi-byte sequence may be cut at the end of the sample; ignore up to 3 trailing bytes.
  for (let cut = 0; cut <= Math.min(3, bytes.length - 1); cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, bytes.length - cut));
      return true;
    } catch {
      // try a shorter sample
    }
  }
  return false;
}
