/**
 * Codes of the ProcessingErrors (domain/errors.ts) that end a job FAILED during analysis. Each
 * names one reason so clients and operators can tell a hostile file from a broken one.
 */
export const ProcessingErrorCode = {
  /** The bytes are not a readable file of the detected type (truncated, garbled, wrong inside). */
  CORRUPT_FILE: 'CORRUPT_FILE',
  /** The document is encrypted with a password we do not have. */
  PASSWORD_PROTECTED: 'PASSWORD_PROTECTED',
  TOO_MANY_PAGES: 'TOO_MANY_PAGES',
  /** Zip bomb or an archive that simply inflates to more than the limit. */
  DECOMPRESSED_TOO_LARGE: 'DECOMPRESSED_TOO_LARGE',
  /** Pixel bomb: declared dimensions beyond the pixel limit. */
  IMAGE_TOO_LARGE: 'IMAGE_TOO_LARGE',
  /** A format that must be held in memory whole is larger than its limit. */
  FILE_TOO_LARGE: 'FILE_TOO_LARGE',
  PROCESSING_TIMEOUT: 'PROCESSING_TIMEOUT',
  /** The analysis thread ran out of its heap. */
  RESOURCE_LIMIT_EXCEEDED: 'RESOURCE_LIMIT_EXCEEDED',
} as const;
export type ProcessingErrorCode = (typeof ProcessingErrorCode)[keyof typeof ProcessingErrorCode];
