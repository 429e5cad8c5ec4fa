import type { OcrEngine, OcrEngineSetting, ProcessingLimits } from './limits.js';
import type { JsonValue } from './analysis.js';
import { nativeLanguages, orientationNative, recogniseNative } from './ocr-native.js';
import { checkWasmLanguages, orientationWasm, recogniseWasm } from './ocr-wasm.js';

/** What OCR found on one page. */
export interface OcrPage {
  text: string;
  /** Tesseract's mean word confidence, 0–100. */
  confidence: number;
  /** Degrees (clockwise) the page was turned before it read well; absent when read as it came. */
  rotation?: number;
}

/** Tesseract's orientation and script detection: turn the page `degrees` clockwise to read it. */
export interface PageOrientation {
  degrees: number;
  confidence: number;
}

/**
 * Two engines, one contract: native `tesseract` when it is installed with every language asked
 * for (about 1.4× faster per page here: docs/performance.md), else tesseract.js, which needs
 * nothing but `npm install`. `OCR_ENGINE` pins one.
 */
const engines = {
  tesseract: { read: recogniseNative, orientation: orientationNative },
  'tesseract.js': { read: recogniseWasm, orientation: orientationWasm },
} as const;

/** Below this mean confidence a page may be sideways or upside down: its orientation is checked. */
const READABLE_CONFIDENCE = 60;
/**
 * Tesseract's orientation confidence above which its answer is acted on. Low on purpose (its
 * docs call 15 sure; our clean test pages score 4–5): a wrong turn costs only a second read, which
 * is kept only when it reads better than the first.
 */
const MIN_ORIENTATION_CONFIDENCE = 1.5;

const resolved = new Map<string, OcrEngine>();

/** The engine `setting` means for `languages` here; throws, saying what to install, when pinned but missing. */
export function resolveOcrEngine(setting: OcrEngineSetting, languages: string): OcrEngine {
  if (setting === 'tesseract.js') return setting;
  const key = `${setting}:${languages}`;
  let engine = resolved.get(key);
  if (!engine) {
    const installed = nativeLanguages();
    const missing = languages.split('+').filter((code) => !installed?.has(code));
    if (setting === 'tesseract' && missing.length) {
      throw new Error(
        installed
          ? `OCR_ENGINE=tesseract, but tesseract has no data for ${missing.join(', ')}: install tesseract-ocr-${missing[0]}`
          : 'OCR_ENGINE=tesseract, but no tesseract command is installed: apt-get install tesseract-ocr',
      );
    }
    engine = missing.length ? 'tesseract.js' : 'tesseract';
    resolved.set(key, engine);
  }
  return engine;
}

/**
 * Checked when the worker starts: the engine OCR will use, or an error saying what is missing.
 * Null when OCR is off.
 */
export function checkOcr(limits: Pick<ProcessingLimits, 'ocrEngine' | 'ocrLanguages'>): OcrEngine | null {
  if (!limits.ocrLanguages) return null;
  const engine = resolveOcrEngine(limits.ocrEngine, limits.ocrLanguages);
  if (engine === 'tesseract.js') checkWasmLanguages(limits.ocrLanguages);
  return engine;
}

/**
 * Recognises the text of one page image (PNG, JPEG, WebP, TIFF… as bytes) within
 * `ocrPageTimeoutMs`; null when the page ran out of time. A page that reads badly as it came is
 * checked for orientation, and read again turned upright when that reads better.
 */
export async function recognise(image: Buffer, limits: ProcessingLimits): Promise<OcrPage | null> {
  const deadline = Date.now() + limits.ocrPageTimeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  const engine = engines[resolveOcrEngine(limits.ocrEngine, limits.ocrLanguages)];
  const first = await engine.read(image, limits.ocrLanguages, left());
  if (!first || first.confidence >= READABLE_CONFIDENCE) return first;
  const orientation = await engine.orientation(image, left());
  if (!orientation || orientation.degrees === 0 || orientation.confidence < MIN_ORIENTATION_CONFIDENCE) {
    return first;
  }
  // Loaded here: the worker's main thread imports this module (checkOcr) and never needs libvips.
  const { default: sharp } = await import('sharp');
  const upright = await sharp(image).rotate(orientation.degrees).png().toBuffer();
  const second = await engine.read(upright, limits.ocrLanguages, left());
  return second && second.confidence > first.confidence
    ? { ...second, rotation: orientation.degrees }
    : first;
}

/** The `ocr` metadata of a document: which pages were read, how well, and which ran out of time. */
export class OcrSummary {
  private readonly pages: number[] = [];
  private readonly confidences: number[] = [];
  private readonly timedOutPages: number[] = [];
  private readonly rotatedPages: { page: number; degrees: number }[] = [];

  add(page: number, found: OcrPage | null): void {
    if (!found) {
      this.timedOutPages.push(page);
      return;
    }
    this.pages.push(page);
    this.confidences.push(found.confidence);
    if (found.rotation) this.rotatedPages.push({ page, degrees: found.rotation });
  }

  get attempted(): boolean {
    return this.pages.length + this.timedOutPages.length > 0;
  }

  toMetadata(limits: ProcessingLimits): JsonValue {
    const { confidences } = this;
    return {
      engine: resolveOcrEngine(limits.ocrEngine, limits.ocrLanguages),
      languages: limits.ocrLanguages,
      pages: this.pages,
      meanConfidence: confidences.length
        ? Math.round(confidences.reduce((a, b) => a + b, 0) / confidences.length)
        : null,
      timedOutPages: this.timedOutPages,
      rotatedPages: this.rotatedPages,
    };
  }
}
