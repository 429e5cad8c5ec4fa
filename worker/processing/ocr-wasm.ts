import { createRequire } from 'node:module';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Worker } from 'tesseract.js';
import type { OcrPage, PageOrientation } from './ocr.js';

const require = createRequire(import.meta.url);

/**
 * OCR with tesseract.js (WebAssembly: works after `npm install` alone, nothing downloaded at run
 * time). Language data comes from the npm packages `@tesseract.js-data/<code>`. One tesseract
 * worker per analysis thread and language set, made on first use and reused: creating one costs
 * about half a second. Orientation detection needs tesseract's legacy engine and the `osd` data,
 * so it has a worker of its own, made only when a page reads badly upright.
 */
const workers = new Map<string, Promise<Worker>>();

function workerFor(languages: string): Promise<Worker> {
  const existing = workers.get(languages);
  if (existing) return existing;
  // Loaded here, in the analysis thread, on the first page: the worker's main thread only checks
  // that the language data exists (checkWasmLanguages) and never holds tesseract.js.
  const worker = import('tesseract.js').then(({ createWorker, OEM }) => {
    const options = {
      langPath: dataDir(languages === OSD ? [OSD] : languages.split('+')),
      gzip: true,
      cacheMethod: 'none',
      // Never written with cacheMethod none; a private folder all the same.
      cachePath: mkdtempSync(join(tmpdir(), 'docpipe-tesseract-')),
    };
    return languages === OSD
      ? createWorker(OSD, OEM.TESSERACT_ONLY, { ...options, legacyCore: true, legacyLang: true })
      : createWorker(languages.split('+'), OEM.LSTM_ONLY, options);
  });
  workers.set(languages, worker);
  worker.catch(() => drop(languages, worker));
  return worker;
}

const OSD = 'osd';

function drop(languages: string, worker: Promise<Worker>): void {
  if (workers.get(languages) === worker) workers.delete(languages);
  void worker.then((w) => w.terminate()).catch(() => undefined);
}

/**
 * The folder holding every language's `<code>.traineddata.gz`. tesseract.js reads all languages
 * from one folder and each comes in its own package, so a set of several is copied side by side
 * into a private folder once per thread.
 */
function dataDir(codes: string[]): string {
  const dirs = codes.map((code) => {
    try {
      return join(dirname(require.resolve(`@tesseract.js-data/${code}/package.json`)), '4.0.0_best_int');
    } catch {
      throw new Error(
        `No OCR data for language "${code}": npm install @tesseract.js-data/${code}, or change OCR_LANGUAGES`,
      );
    }
  });
  if (dirs.length === 1) return dirs[0]!;
  const together = mkdtempSync(join(tmpdir(), 'docpipe-ocr-languages-'));
  codes.forEach((code, i) =>
    copyFileSync(join(dirs[i]!, `${code}.traineddata.gz`), join(together, `${code}.traineddata.gz`)),
  );
  return together;
}

/** Runs `task` on the worker for `languages`; null past `timeoutMs` (that worker is replaced). */
async function withTimeout<T>(
  languages: string,
  timeoutMs: number,
  task: (worker: Worker) => Promise<T>,
): Promise<T | null> {
  const promise = workerFor(languages);
  const worker = await promise;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    const result = await Promise.race([task(worker), timedOut]);
    // A recognition cannot be cancelled: drop this worker; the next page gets a fresh one.
    if (result === null) drop(languages, promise);
    return result;
  } finally {
    clearTimeout(timer);
  }
}

export async function recogniseWasm(
  image: Buffer,
  languages: string,
  timeoutMs: number,
): Promise<OcrPage | null> {
  const result = await withTimeout(languages, timeoutMs, (w) => w.recognize(image));
  return result && { text: result.data.text, confidence: Math.round(result.data.confidence) };
}

export async function orientationWasm(image: Buffer, timeoutMs: number): Promise<PageOrientation | null> {
  // A page with too few characters to judge makes tesseract throw: no orientation then.
  const result = await withTimeout(OSD, timeoutMs, (w) => w.detect(image)).catch(() => null);
  const { orientation_degrees: degrees, orientation_confidence: confidence } = result?.data ?? {};
  return typeof degrees === 'number' && typeof confidence === 'number' ? { degrees, confidence } : null;
}

/** Throws (with what to do) when a language of `languages`, or the orientation data, is missing. */
export function checkWasmLanguages(languages: string): void {
  for (const code of [...languages.split('+'), OSD]) dataDir([code]);
}
