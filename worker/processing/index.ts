// Public surface of the processing library; the worker imports from here only.
export { analyzeFile, INLINE_MAX_BYTES } from './analyze-file.js';
export {
  AnalysisStage,
  THUMBNAIL_MAX_PX,
  type Analysis,
  type AnalyzeFileInput,
  type DocumentKind,
  type ImageInfo,
  type JsonValue,
  type ProgressUpdate,
} from './analysis.js';
export { ProcessingErrorCode } from './error-codes.js';
export { DEFAULT_PROCESSING_LIMITS, type OcrEngine, type ProcessingLimits } from './limits.js';
