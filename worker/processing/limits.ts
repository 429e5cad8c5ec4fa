// The limits are part of the configuration (domain/config.ts reads them from the environment).
export {
  DEFAULT_PROCESSING_LIMITS,
  type OcrEngine,
  type OcrEngineSetting,
  type ProcessingLimits,
} from '../../domain/processing-limits.js';
