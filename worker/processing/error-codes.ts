import { JobErrorCode } from '../../domain/jobs.js';

/**
 * The codes of the ProcessingErrors that end a job FAILED during analysis: a subset of the one
 * catalogue, `JobErrorCode` (domain/jobs.ts), where each is described.
 */
export const ProcessingErrorCode = {
  CORRUPT_FILE: JobErrorCode.CORRUPT_FILE,
  PASSWORD_PROTECTED: JobErrorCode.PASSWORD_PROTECTED,
  TOO_MANY_PAGES: JobErrorCode.TOO_MANY_PAGES,
  DECOMPRESSED_TOO_LARGE: JobErrorCode.DECOMPRESSED_TOO_LARGE,
  IMAGE_TOO_LARGE: JobErrorCode.IMAGE_TOO_LARGE,
  FILE_TOO_LARGE: JobErrorCode.FILE_TOO_LARGE,
  PROCESSING_TIMEOUT: JobErrorCode.PROCESSING_TIMEOUT,
  RESOURCE_LIMIT_EXCEEDED: JobErrorCode.RESOURCE_LIMIT_EXCEEDED,
} as const;
export type ProcessingErrorCode = (typeof ProcessingErrorCode)[keyof typeof ProcessingErrorCode];
