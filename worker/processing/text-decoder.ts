export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

/** Encoding named by a byte-order mark, and the mark's length. */
export function encodingFromBom(head: Uint8Array): { encoding: TextEncoding; bomLength: number } | null {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  return null;
}

/**
 * Streaming decoder for text of unknown encoding: a BOM decides (UTF-8, UTF-16LE/BE); otherwise
 * UTF-8 until the first invalid sequence, then windows-1252 (the WHATWG reading of "Latin-1") for
 * the rest. Everything decoded before the switch was valid UTF-8, which for Latin-1 text means
 * ASCII, so both readings agree on it.
 */
export class AutoTextDecoder {
  #encoding: TextEncoding | null = null;
  #decoder: TextDecoder | null = null;
  /** Bytes of an incomplete UTF-8 sequence at the end of the previous chunk. */
  #carry: Uint8Array = new Uint8Array(0);
  #first = true;

  /** The encoding in use; null before the first chunk. */
  get encoding(): TextEncoding | null {
    return this.#encoding;
  }

  decode(chunk: Uint8Array): string {
    if (this.#first) {
      this.#first = false;
      const bom = encodingFromBom(chunk);
      if (bom) {
        this.#use(bom.encoding);
        chunk = chunk.subarray(bom.bomLength);
      } else {
        this.#encoding = 'utf-8';
      }
    }
    if (this.#decoder) return this.#decoder.decode(chunk, { stream: true });
    return this.#decodeUtf8OrSwitch(chunk);
  }

  /** Flushes what is left; an incomplete sequence at the very end becomes U+FFFD. */
  end(): string {
    if (this.#decoder) return this.#decoder.decode();
    const rest = this.#carry;
    this.#carry = new Uint8Array(0);
    return rest.length === 0 ? '' : new TextDecoder('utf-8').decode(rest);
  }

  #use(encoding: TextEncoding): void {
    this.#encoding = encoding;
    this.#decoder = new TextDecoder(encoding);
  }

  #decodeUtf8OrSwitch(chunk: Uint8Array): string {
    const bytes = this.#carry.length > 0 ? concat(this.#carry, chunk) : chunk;
    const complete = bytes.length - incompleteUtf8Tail(bytes);
    try {
      const text = strictUtf8.decode(bytes.subarray(0, complete));
      this.#carry = bytes.slice(complete);
      return text;
    } catch {
      this.#carry = new Uint8Array(0);
      this.#use('windows-1252');
      return this.#decoder!.decode(bytes, { stream: true });
    }
  }
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** Length of a UTF-8 sequence cut off at the end of `bytes` (0 when the end is complete). */
function incompleteUtf8Tail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? back : 0;
  }
  return 0;
}
