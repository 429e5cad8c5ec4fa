/**
 * OCR of images and scanned PDF pages through the real analysis thread, with each engine:
 * tesseract.js (language data from the npm package, nothing downloaded) and native tesseract
 * (Debian's tesseract-ocr, which CI installs). Pages are rendered with sharp from text we know.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { checkOcr } from '../../worker/processing/ocr.js';
import { nativeLanguages } from '../../worker/processing/ocr-native.js';
import type { OcrEngine } from '../../worker/processing/index.js';
import { analyze as analyzeWith, fixtureDir } from './analyze.js';

const { fixtures, cleanup } = fixtureDir();
afterAll(cleanup);

const LINES = [
  'Invoice 4711 from the harbour office',
  'The lighthouse keeper ordered twelve lamps',
  'Payment is due within thirty days of receipt',
];

/** A white page with `lines` in black DejaVu Sans, as a scanner or a phone would give it. */
async function page(
  lines: string[],
  opts: { format?: 'png' | 'jpeg'; rotate?: number } = {},
): Promise<string> {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="${120 + lines.length * 80}">` +
    '<rect width="100%" height="100%" fill="white"/>' +
    lines
      .map((l, i) => `<text x="60" y="${100 + i * 80}" font-family="DejaVu Sans" font-size="44">${l}</text>`)
      .join('') +
    '</svg>';
  let image = sharp(Buffer.from(svg)).flatten({ background: 'white' });
  if (opts.rotate) image = image.rotate(opts.rotate, { background: 'white' });
  const format = opts.format ?? 'png';
  const path = join(fixtures.dir, `page-${Math.random().toString(36).slice(2)}.${format}`);
  writeFileSync(path, await (format === 'jpeg' ? image.jpeg({ quality: 85 }) : image.png()).toBuffer());
  return path;
}

const words = (text: string) => text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
/** Share of the expected words found in the text, in any order. */
function recall(expected: string[], text: string): number {
  const found = new Set(words(text));
  const all = expected.flatMap(words);
  return all.filter((w) => found.has(w)).length / all.length;
}

// Native tesseract is optional on a developer's machine; CI installs it, so there it always runs.
const hasNative = nativeLanguages()?.has('eng') ?? false;
const engines: { engine: OcrEngine; skip: boolean }[] = [
  { engine: 'tesseract.js', skip: false },
  { engine: 'tesseract', skip: !hasNative && !process.env['CI'] },
];

describe.each(engines)('OCR with $engine', ({ engine, skip }) => {
  if (skip) return void it.skip('needs the tesseract command (apt-get install tesseract-ocr)');
  const analyze: typeof analyzeWith = (path, options = {}) =>
    analyzeWith(path, { ...options, limits: { ocrEngine: engine, ...options.limits } });

  it('recovers the text of a page image, with its confidence, counts and language', async () => {
    const result = await analyze(await page(LINES));
    expect(result.kind).toBe('image');
    expect(recall(LINES, result.text ?? '')).toBeGreaterThanOrEqual(0.95);
    expect(result.metadata['ocr']).toMatchObject({
      engine,
      languages: 'eng',
      pages: [1],
      timedOutPages: [],
      rotatedPages: [],
      meanConfidence: expect.any(Number),
    });
    expect((result.metadata['ocr'] as { meanConfidence: number }).meanConfidence).toBeGreaterThan(60);
    expect(result.wordCount).toBeGreaterThanOrEqual(20);
    expect(result.language).toBe('eng');
    expect(result.thumbnail).toBeDefined(); // still an image, with its thumbnail
  });

  it('reads a JPEG photo of a page turned slightly', async () => {
    const result = await analyze(await page(LINES, { format: 'jpeg', rotate: 2 }));
    expect(recall(LINES, result.text ?? '')).toBeGreaterThanOrEqual(0.9);
  });

  it.each([90, 180, 270])('reads a page photographed %i° turned, turning it upright', async (turn) => {
    const result = await analyze(await page(LINES, { rotate: turn }));
    expect(recall(LINES, result.text ?? '')).toBeGreaterThanOrEqual(0.95);
    const { rotatedPages } = result.metadata['ocr'] as { rotatedPages: { degrees: number }[] };
    // Native tesseract reads a page turned 90° clockwise as it is (its layout analysis finds the
    // vertical lines); every other case is turned back before it is read.
    if (!(engine === 'tesseract' && turn === 90))
      expect(rotatedPages).toEqual([{ page: 1, degrees: 360 - turn }]);
  });

  it('a page over its time limit gets no text and says so; the job still completes', async () => {
    const result = await analyze(await page(LINES), { limits: { ocrPageTimeoutMs: 1 } });
    expect(result.metadata['ocr']).toMatchObject({ pages: [], timedOutPages: [1], meanConfidence: null });
    expect(result.text ?? '').toBe('');
  });

  it('with OCR off, an image has no text at all', async () => {
    const result = await analyze(await page(LINES), { limits: { ocrLanguages: '' } });
    expect(result.text).toBeNull();
    expect(result.metadata['ocr']).toBeUndefined();
  });

  it('reads the scanned pages of a PDF (no text layer) and keeps the text layer of the others', async () => {
    const pdf = await PDFDocument.create();
    const font = await pdf.embedFont(StandardFonts.Helvetica);
    pdf.addPage([612, 792]).drawText('A typed cover page', { x: 72, y: 700, size: 20, font });
    const scan = await pdf.embedPng(
      await sharp(await page(LINES))
        .png()
        .toBuffer(),
    );
    pdf.addPage([612, 792]).drawImage(scan, { x: 20, y: 450, width: 572, height: (572 * 360) / 1600 });
    const path = join(fixtures.dir, 'scanned.pdf');
    writeFileSync(path, await pdf.save());
    const result = await analyze(path);
    expect(result.pageCount).toBe(2);
    expect(result.text).toContain('A typed cover page');
    expect(recall(LINES, result.text ?? '')).toBeGreaterThanOrEqual(0.95);
    expect(result.metadata['ocr']).toMatchObject({ pages: [2], timedOutPages: [] });
    // The first page's thumbnail, as for images.
    const thumb = await sharp(result.thumbnail!).metadata();
    expect(thumb).toMatchObject({ format: 'webp', height: 256 });
  });

  it('refuses to start with a language it has no data for, saying what to install', () => {
    expect(() => checkOcr({ ocrEngine: engine, ocrLanguages: 'eng+xyz' })).toThrow(
      engine === 'tesseract'
        ? /tesseract has no data for xyz: install tesseract-ocr-xyz/
        : /npm install @tesseract.js-data\/xyz/,
    );
  });
});
