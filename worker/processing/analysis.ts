import type { ProcessingLimits } from './limits.js';

/** What a processor was chosen for; `unknown` files complete with the basics only. */
export type DocumentKind =
  'pdf' | 'docx' | 'html' | 'text' | 'markdown' | 'csv' | 'json' | 'image' | 'unknown';

/** Stages analysis reports, in order (the caller adds `downloading` before and `storing` after). */
export const AnalysisStage = {
  DETECTING: 'detecting',
  EXTRACTING: 'extracting',
  ANALYSING: 'analysing',
  THUMBNAIL: 'thumbnail',
} as const;
export type AnalysisStage = (typeof AnalysisStage)[keyof typeof AnalysisStage];

/**
 * `fraction` is the share of the whole analysis done so far (0–1), never decreasing within one
 * call, so the caller can map it linearly onto its own progress band.
 */
export interface ProgressUpdate {
  stage: AnalysisStage;
  fraction: number;
}

/** Longer side of the WebP thumbnail made for images. */
export const THUMBNAIL_MAX_PX = 256;

export interface ImageInfo {
  width: number;
  height: number;
  /** sharp's format name: png, jpeg, webp, gif, tiff, heif… */
  format: string;
}

/** JSON-safe values only: the caller stores `metadata` as-is. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface Analysis {
  /** MIME type from the bytes (magic numbers, then text sniffing), never from the client's claim. */
  detectedType: string;
  kind: DocumentKind;
  /** Extracted text (UTF-8 size ≤ maxTextBytes); null for kinds without text. */
  text: string | null;
  textTruncated: boolean;
  pageCount?: number;
  /** Words (Intl.Segmenter word-like segments) in the whole text, including any truncated tail. */
  wordCount?: number;
  /** Unicode code points in the whole text, including any truncated tail. */
  charCount?: number;
  /** ISO 639-3 code (franc) for prose kinds; null when undetermined. */
  language?: string | null;
  textPreview?: string | null;
  title?: string | null;
  author?: string | null;
  /** ISO 8601. */
  createdAt?: string | null;
  image?: ImageInfo;
  /** WebP, at most 256 px on the longer side. */
  thumbnail?: Buffer;
  metadata: Record<string, JsonValue>;
}

export interface AnalyzeFileInput {
  /** The original, already downloaded (and hashed) by the caller, unless `bytes` holds it. */
  path: string;
  /**
   * The original itself, when the caller kept a small one in memory (at most INLINE_MAX_BYTES).
   * It is then written to `path` only if a thread needs it, and removed after.
   */
  bytes?: Buffer;
  /** Byte size the caller measured; the thread re-checks the file itself. */
  size: number;
  /** Client's filename: only chooses between text sub-kinds, never overrides magic bytes. */
  filename?: string;
  limits: ProcessingLimits;
  /** Every change of stage or fraction; the caller coalesces them (worker/job-progress-throttle.ts). */
  onProgress?: (update: ProgressUpdate) => void;
  signal?: AbortSignal;
}
