/**
 * Collects extracted text up to `maxBytes` (UTF-8) and counts words and characters over all of
 * it, including what is cut, so the counts describe the document and not the stored excerpt.
 */
export class TextCollector {
  readonly #maxBytes: number;
  readonly #parts: string[] = [];
  #bytes = 0;
  #truncated = false;
  #words = 0;
  #chars = 0;
  /** The last, possibly unfinished word of the previous chunk, counted with the next one. */
  #carry = '';

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  add(text: string): void {
    if (text.length === 0) return;
    this.#chars += codePoints(text);
    this.#countWords(text);
    if (this.#truncated) return;
    const bytes = Buffer.byteLength(text);
    if (this.#bytes + bytes <= this.#maxBytes) {
      this.#parts.push(text);
      this.#bytes += bytes;
      return;
    }
    this.#parts.push(utf8Prefix(text, this.#maxBytes - this.#bytes));
    this.#bytes = this.#maxBytes;
    this.#truncated = true;
  }

  finish(): { text: string; truncated: boolean; wordCount: number; charCount: number } {
    this.#words += countWords(this.#carry);
    this.#carry = '';
    return {
      text: this.#parts.join(''),
      truncated: this.#truncated,
      wordCount: this.#words,
      charCount: this.#chars,
    };
  }

  #countWords(text: string): void {
    const joined = this.#carry + text;
    // Hold back the tail after the last whitespace: the next piece may continue that word (HTML
    // text arrives in small pieces). A long run without spaces (CJK) is split where it ends.
    const tailStart = lastWhitespace(joined, CARRY_WINDOW) + 1;
    const cut = tailStart > 0 ? tailStart : joined.length < CARRY_WINDOW ? 0 : joined.length;
    this.#words += countWords(joined.slice(0, cut));
    this.#carry = joined.slice(cut);
  }
}

const CARRY_WINDOW = 256;
const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });

/** Word-like segments by Unicode word boundaries (UAX #29), which also splits CJK text. */
function countWords(text: string): number {
  let words = 0;
  for (const segment of segmenter.segment(text)) if (segment.isWordLike) words++;
  return words;
}

function codePoints(text: string): number {
  let lowSurrogates = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xdc00 && unit <= 0xdfff) lowSurrogates++;
  }
  return text.length - lowSurrogates;
}

/** Index of the last whitespace among the last `window` characters, or -1. */
function lastWhitespace(text: string, window: number): number {
  for (let i = text.length - 1; i >= Math.max(0, text.length - window); i--) {
    if (/\s/.test(text[i]!)) return i;
  }
  return -1;
}

/** The longest prefix of `text` that fits in `maxBytes` of UTF-8 without splitting a character. */
function utf8Prefix(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text);
  let end = Math.min(maxBytes, bytes.length);
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--; // step back off continuation bytes
  return bytes.subarray(0, end).toString('utf8');
}
