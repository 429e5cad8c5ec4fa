// Detection lives in the processing library; process-job.ts keeps importing it from here.
export { DETECTION_BYTES, detectType } from './processing/detect.js';
