import type { ImageInfo, JsonValue } from './analysis.js';
import type { ProcessingLimits } from './limits.js';
import type { StageProgress } from './progress.js';
import type { TextCollector } from './text-collector.js';

/** What a processor gets: the file, its detected type, the limits and where to put text. */
export interface ProcessorContext {
  path: string;
  /** The whole file, when it is held in memory (small text files analysed inline); `path` is then unused. */
  bytes?: Buffer;
  /** Measured by the thread (fstat), not taken from the caller. */
  size: number;
  mime: string;
  limits: ProcessingLimits;
  progress: StageProgress;
  /** Extracted text goes here; the collector truncates and counts. */
  text: TextCollector;
}

export interface Extraction {
  /** Whether the kind carries text at all (images and unknown files do not). */
  hasText: boolean;
  /** Whether the text is prose worth a language guess (not CSV or JSON data). */
  prose: boolean;
  pageCount?: number;
  title?: string | null;
  author?: string | null;
  createdAt?: string | null;
  image?: ImageInfo;
  thumbnail?: Buffer;
  metadata: Record<string, JsonValue>;
}

/** One per document kind, chosen by the detected type (processors/registry.ts). */
export interface Processor {
  extract(ctx: ProcessorContext): Promise<Extraction>;
}
