/** The OCR engines: native `tesseract` (when installed) or tesseract.js (WebAssembly, from npm). */
export type OcrEngine = 'tesseract' | 'tesseract.js';
/** `auto`: native tesseract when it is installed with every OCR language, else tesseract.js. */
export type OcrEngineSetting = 'auto' | OcrEngine;

/** Limits against hostile or oversized files; each one ends the job FAILED with its own code. */
export interface ProcessingLimits {
  /** PDFs with more pages fail with TOO_MANY_PAGES before any page is parsed. */
  maxPages: number;
  /**
   * Zip-based formats (DOCX): the sum of the entries' declared uncompressed sizes, and the bytes
   * actually inflated, must stay below this (DECOMPRESSED_TOO_LARGE).
   */
  maxDecompressedBytes: number;
  /** Images whose width × height exceed this fail with IMAGE_TOO_LARGE before decoding. */
  maxImagePixels: number;
  /** Wall-clock budget for the whole analysis, thread start-up included (PROCESSING_TIMEOUT). */
  timeoutMs: number;
  /** Extracted text is cut at this many UTF-8 bytes and flagged `textTruncated`; never a failure. */
  maxTextBytes: number;
  /** V8 heap of the analysis thread (RESOURCE_LIMIT_EXCEEDED when exhausted). */
  maxMemoryMb: number;
  /**
   * PDFs are parsed from one in-memory copy, and ArrayBuffers live outside the V8 heap that
   * `maxMemoryMb` caps, so their size is bounded separately (FILE_TOO_LARGE).
   */
  maxPdfBytes: number;
  /**
   * OCR languages for images and scanned PDF pages (tesseract codes joined with `+`, e.g.
   * `eng+deu`): from the npm packages `@tesseract.js-data/<code>` for tesseract.js, from Debian's
   * `tesseract-ocr-<code>` for native tesseract; empty: no OCR.
   */
  ocrLanguages: string;
  ocrEngine: OcrEngineSetting;
  /** Time one page's OCR may take; a page over it gets no text (the job still completes). */
  ocrPageTimeoutMs: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_PROCESSING_LIMITS: Readonly<ProcessingLimits> = Object.freeze({
  maxPages: 2000,
  maxDecompressedBytes: 256 * MiB,
  maxImagePixels: 100_000_000,
  // The worker's visibility heartbeat keeps longer jobs from being handed to a second worker.
  timeoutMs: 120_000,
  maxTextBytes: 16 * MiB,
  maxMemoryMb: 512,
  maxPdfBytes: 200 * MiB,
  ocrLanguages: 'eng',
  ocrEngine: 'auto',
  ocrPageTimeoutMs: 30_000,
});
