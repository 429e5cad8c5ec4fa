import { createRequire } from 'node:module';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Worker } from 'tesseract.js';

/** What OCR found on one page. */
export interface OcrPage {
  text: string;
  /** Tesseract's mean word confidence, 0–100. */
  confidence: number;
}

const require = createRequire(import.meta.url);

/**
 * OCR with tesseract.js (WebAssembly: works after `npm install` alone, nothing downloaded at run
 * time). Language data comes from the npm packages `@tesseract.js-data/<code>`. One tesseract
 * worker per analysis thread and language set, made on first use and reused: creating one costs
 * about half a second.
 */
let current: { languages: string; worker: Promise<Worker> } | undefined;

function workerFor(languages: string): Promise<Worker> {
  if (current?.languages === languages) return current.worker;
  const previous = current;
  const worker = (async () => {
    await previous?.worker.then((w) => w.terminate()).catch(() => undefined);
    const codes = languages.split('+');
    const langPath = dataDir(codes);
    // Loaded here, in the analysis thread, on the first page: the worker's main thread only checks
    // that the language data exists (checkOcrLanguages) and never holds tesseract.js.
    const { createWorker, OEM } = await import('tesseract.js');
    return createWorker(codes, OEM.LSTM_ONLY, {
      langPath,
      gzip: true,
      cacheMethod: 'none',
      // Never written with cacheMethod none; a private folder all the same.
      cachePath: mkdtempSync(join(tmpdir(), 'docpipe-tesseract-')),
    });
  })();
  current = { languages, worker };
  worker.catch(() => {
    if (current?.worker === worker) current = undefined;
  });
  return worker;
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

/**
 * Recognises the text of one page image (PNG, JPEG, WebP, TIFF… as bytes). Gives up after
 * `timeoutMs` (the page then has no text; the worker is replaced).
 */
export async function recognise(
  image: Buffer,
  languages: string,
  timeoutMs: number,
): Promise<OcrPage | null> {
  const worker = await workerFor(languages);
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<null>((resolve) => {
    timer = setTimeout(() => resolve(null), timeoutMs);
  });
  try {
    const result = await Promise.race([worker.recognize(image), timedOut]);
    if (result === null) {
      // A recognition cannot be cancelled: drop this worker; the next page gets a fresh one.
      if (current?.languages === languages) current = undefined;
      void worker.terminate().catch(() => undefined);
      return null;
    }
    return { text: result.data.text, confidence: Math.round(result.data.confidence) };
  } finally {
    clearTimeout(timer);
  }
}

/** Throws (with what to do) when a language of `languages` has no data installed: checked at start. */
export function checkOcrLanguages(languages: string): void {
  for (const code of languages ? languages.split('+') : []) dataDir([code]);
}
