import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { fileTypeFromBuffer, fileTypeFromFile } from 'file-type';
import type { DocumentKind } from './analysis.js';
import { encodingFromBom } from './text-decoder.js';
import { hasZipEntry } from './zip-archive.js';

/** Bytes of the file's start that magic-byte detection needs (file-type's own recommendation). */
export const DETECTION_BYTES = 4100;

/** Bytes `detectFile` reads for text sniffing: enough lines to judge CSV, JSON or Markdown. */
const SNIFF_BYTES = 64 * 1024;

export const MimeType = {
  PDF: 'application/pdf',
  DOCX: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  ZIP: 'application/zip',
  HTML: 'text/html',
  MARKDOWN: 'text/markdown',
  CSV: 'text/csv',
  JSON: 'application/json',
  TEXT: 'text/plain',
  OCTET_STREAM: 'application/octet-stream',
} as const;

/** Raster formats the bundled libvips (sharp) decodes. */
const IMAGE_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/webp',
  'image/gif',
  'image/tiff',
  'image/avif',
]);

const KIND_BY_TYPE: Record<string, DocumentKind> = {
  [MimeType.PDF]: 'pdf',
  [MimeType.DOCX]: 'docx',
  // Same WordprocessingML package: templates and macro-enabled documents (macros are never run).
  'application/vnd.openxmlformats-officedocument.wordprocessingml.template': 'docx',
  'application/vnd.ms-word.document.macroenabled.12': 'docx',
  [MimeType.HTML]: 'html',
  [MimeType.MARKDOWN]: 'markdown',
  [MimeType.CSV]: 'csv',
  [MimeType.JSON]: 'json',
  [MimeType.TEXT]: 'text',
};

/** The processor a detected MIME type goes to. */
function kindOf(mime: string): DocumentKind {
  if (IMAGE_TYPES.has(mime)) return 'image';
  return KIND_BY_TYPE[mime] ?? 'unknown';
}

/**
 * MIME type from the first bytes, never from the client's claim: magic numbers first (file-type),
 * then a text sniff (HTML, JSON, CSV, Markdown or plain text, in UTF-8, UTF-16 with a BOM or
 * Latin-1), else application/octet-stream. `filename` only chooses between text sub-kinds; `whole`
 * says `head` is the entire file (by default: when it is shorter than DETECTION_BYTES).
 */
export async function detectType(
  head: Uint8Array,
  filename?: string,
  whole = head.length < DETECTION_BYTES,
): Promise<string> {
  const magic = await fileTypeFromBuffer(head);
  if (magic) return magic.mime;
  return sniffText(head, whole, filename) ?? MimeType.OCTET_STREAM;
}

export interface DetectedType {
  mime: string;
  kind: DocumentKind;
}

/**
 * Like `detectType`, from a file: file-type may read past the head (zip entries), and a generic
 * zip holding `word/document.xml` counts as DOCX (some writers put it after other entries).
 */
export async function detectFile(path: string, filename?: string): Promise<DetectedType> {
  // file-type can be asked for large look-aheads by crafted headers; 1 MiB covers real formats.
  const magic = await fileTypeFromFile(path, { maxBufferSize: 1024 * 1024 });
  let mime: string;
  if (magic) {
    mime =
      magic.mime === MimeType.ZIP && (await hasZipEntry(path, 'word/document.xml'))
        ? MimeType.DOCX
        : magic.mime;
  } else {
    const { head, whole } = await readHead(path, SNIFF_BYTES);
    mime = sniffText(head, whole, filename) ?? MimeType.OCTET_STREAM;
  }
  return { mime, kind: kindOf(mime) };
}

/**
 * Like `detectFile`, for a whole file held in memory. A zip stays `application/zip` here (telling
 * a DOCX needs its entries): callers send non-text kinds to `detectFile` anyway.
 */
export async function detectBytes(bytes: Buffer, filename?: string): Promise<DetectedType> {
  const mime = await detectType(bytes, filename, true);
  return { mime, kind: kindOf(mime) };
}

async function readHead(path: string, bytes: number): Promise<{ head: Uint8Array; whole: boolean }> {
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    let length = 0;
    while (length < bytes) {
      const { bytesRead } = await file.read(buffer, length, bytes - length, length);
      if (bytesRead === 0) return { head: buffer.subarray(0, length), whole: true };
      length += bytesRead;
    }
    return { head: buffer, whole: false };
  } finally {
    await file.close();
  }
}

const TEXT_KIND_BY_EXTENSION: Record<string, string> = {
  '.html': MimeType.HTML,
  '.htm': MimeType.HTML,
  '.xhtml': MimeType.HTML,
  '.md': MimeType.MARKDOWN,
  '.markdown': MimeType.MARKDOWN,
  '.csv': MimeType.CSV,
  '.tsv': MimeType.CSV,
  '.json': MimeType.JSON,
  '.txt': MimeType.TEXT,
};

/**
 * Text sub-kind of `head`, or null when the bytes are not text. `whole` says the head is the
 * entire file (its last line is complete).
 */
function sniffText(head: Uint8Array, whole: boolean, filename?: string): string | null {
  const text = decodeSample(head);
  if (text === null) return null;
  const hinted = filename ? TEXT_KIND_BY_EXTENSION[extname(filename).toLowerCase()] : undefined;
  if (hinted) return hinted;
  const start = text.trimStart();
  if (looksLikeHtml(start)) return MimeType.HTML;
  if (looksLikeJson(start)) return MimeType.JSON;
  if (csvDelimiter(text, whole) !== null) return MimeType.CSV;
  if (looksLikeMarkdown(text)) return MimeType.MARKDOWN;
  return MimeType.TEXT;
}

/** The sample as text, or null if it looks binary (NULs without a UTF-16 BOM, many controls). */
function decodeSample(head: Uint8Array): string | null {
  if (head.length === 0) return null;
  const bom = encodingFromBom(head);
  if (bom) return new TextDecoder(bom.encoding).decode(head.subarray(bom.bomLength));
  let controls = 0;
  for (const byte of head) {
    if (byte === 0) return null;
    // Tab, LF, FF, CR and ESC occur in real text; other C0 controls mean binary.
    if (byte < 0x20 && byte !== 9 && byte !== 10 && byte !== 12 && byte !== 13 && byte !== 27) controls++;
  }
  if (controls > head.length / 100) return null;
  // A multi-byte sequence may be cut at the end of the sample; ignore up to 3 trailing bytes.
  for (let cut = 0; cut <= Math.min(3, head.length - 1); cut++) {
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(head.subarray(0, head.length - cut));
    } catch {
      // try a shorter sample
    }
  }
  return new TextDecoder('windows-1252').decode(head);
}

// The WHATWG MIME sniffing patterns for HTML: a known tag or comment at the start, followed by a
// space or ">".
const HTML_START =
  /^<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|style|title|b|body|br|p|!--)[\s>]/i;

function looksLikeHtml(start: string): boolean {
  if (HTML_START.test(start)) return true;
  // XHTML: an XML declaration followed by an html root.
  return /^<\?xml[^>]*\?>\s*(?:<!doctype html[^>]*>\s*)?<html[\s>]/i.test(start);
}

function looksLikeJson(start: string): boolean {
  return /^\{\s*(?:"|\}|$)/.test(start) || /^\[\s*(?:[[{"\d\]-]|true\b|false\b|null\b|$)/.test(start);
}

const CSV_DELIMITERS = [',', '\t', ';', '|'] as const;
/** Fields longer than this on average read as prose that happens to contain commas. */
const MAX_MEAN_FIELD_CHARS = 80;

/**
 * The delimiter that splits every sampled line into the same number of fields (quotes honoured),
 * or null. Prose rarely keeps the same delimiter count line after line, so the fewer delimiters
 * per line, the more lines it takes: one per line needs five lines, and two lines need two each.
 */
export function csvDelimiter(sample: string, whole: boolean): string | null {
  const lines = sample.split(/\r?\n/);
  if (!whole) lines.pop(); // the last line may be cut
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  const sampled = lines.slice(0, 50);
  if (sampled.length < 2) return null;
  const meanLineChars = sampled.reduce((sum, line) => sum + line.length, 0) / sampled.length;
  let best: { delimiter: string; count: number } | null = null;
  for (const delimiter of CSV_DELIMITERS) {
    const counts = sampled.map((line) => countOutsideQuotes(line, delimiter));
    const count = counts[0]!;
    if (count === 0 || counts.some((c) => c !== count)) continue;
    if ((count === 1 && sampled.length < 5) || (sampled.length === 2 && count < 2)) continue;
    if (meanLineChars / (count + 1) > MAX_MEAN_FIELD_CHARS) continue;
    if (!best || count > best.count) best = { delimiter, count };
  }
  return best?.delimiter ?? null;
}

function countOutsideQuotes(line: string, delimiter: string): number {
  let count = 0;
  let quoted = false;
  for (const char of line) {
    if (char === '"') quoted = !quoted;
    else if (char === delimiter && !quoted) count++;
  }
  return count;
}

const MARKDOWN_FEATURES = [
  /^#{1,6}\s+\S/m, // ATX heading
  /^(?:```|~~~)/m, // fenced code
  /^\s*(?:[-*+]|\d+\.)\s+\S/m, // list item
  /\[[^\]\n]+\]\([^)\s]+\)/, // inline link
  /(?:\*\*|__)[^*_\n]+(?:\*\*|__)/, // strong emphasis
  /^>\s/m, // block quote
  /^\|.*\|\s*$/m, // table row
];

/** Markdown when at least two different Markdown constructs appear. */
function looksLikeMarkdown(text: string): boolean {
  return MARKDOWN_FEATURES.filter((feature) => feature.test(text)).length >= 2;
}
