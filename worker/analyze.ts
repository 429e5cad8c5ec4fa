import { open } from 'node:fs/promises';
import type { Analyzer } from './process-job.js';
import { DETECTION_BYTES, detectType } from './detect-type.js';

/** Detection only: reads the first bytes of the downloaded original. */
export const analyzeOriginal: Analyzer = async ({ path, onProgress, signal }) => {
  signal.throwIfAborted();
  onProgress('detecting', 0);
  const file = await open(path);
  try {
    const head = Buffer.alloc(DETECTION_BYTES);
    const { bytesRead } = await file.read(head, 0, DETECTION_BYTES, 0);
    const detectedType = await detectType(head.subarray(0, bytesRead));
    onProgress('detecting', 1);
    return { detectedType };
  } finally {
    await file.close();
  }
};
