import { open } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { PDFDocumentProxy, PDFPageProxy, TextContent } from 'pdfjs-dist/types/src/display/api.js';
import sharp from 'sharp';
import { ProcessingError } from '../../../domain/errors.js';
import { THUMBNAIL_MAX_PX, type JsonValue } from '../analysis.js';
import { OcrSummary, recognise } from '../ocr.js';
import { ProcessingErrorCode } from '../error-codes.js';
import type { Extraction, Processor, ProcessorContext } from '../processor.js';

// pdf.js reads these from disk in Node: CMaps for CJK text, metrics for the standard 14 fonts.
const pdfjsRoot = dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json'));
const CMAP_URL = join(pdfjsRoot, 'cmaps') + '/';
const STANDARD_FONT_DATA_URL = join(pdfjsRoot, 'standard_fonts') + '/';

/** Share of the extracting stage spent reading the file; the rest goes page by page. */
const READ_SHARE = 0.1;
const READ_CHUNK = 1024 * 1024;

/** Longest side, in pixels, a page is rendered at for OCR (≈ 270 dpi for A4) and for the thumbnail. */
const OCR_RENDER_PX = 3000;
const THUMBNAIL_RENDER_PX = THUMBNAIL_MAX_PX * 2;

/** Document-info entries passed on in metadata (strings and flags, nothing nested). */
const INFO_KEYS = [
  'Title',
  'Author',
  'Subject',
  'Keywords',
  'Creator',
  'Producer',
  'CreationDate',
  'ModDate',
];
const INFO_FLAGS = [
  'PDFFormatVersion',
  'IsLinearized',
  'IsAcroFormPresent',
  'IsXFAPresent',
  'IsSignaturesPresent',
];

/**
 * PDF (pdf.js, legacy build for Node): text page by page, page count, document info, a thumbnail
 * of the first page, and OCR of pages that have no text layer (scans), when OCR is on. pdf.js
 * needs random access to the whole file, so the file is read into memory: bounded by
 * `maxPdfBytes` up front, and the page count is checked before any page is parsed. Pages are
 * rendered with the canvas pdf.js brings for Node (@napi-rs/canvas), at most 3000 px on a side.
 */
export const pdfProcessor: Processor = {
  async extract(ctx: ProcessorContext): Promise<Extraction> {
    const { limits, progress } = ctx;
    if (ctx.size > limits.maxPdfBytes) {
      throw new ProcessingError(
        ProcessingErrorCode.FILE_TOO_LARGE,
        `The PDF is ${ctx.size} bytes; PDFs are parsed in memory and the limit is ${limits.maxPdfBytes} bytes`,
      );
    }
    const data = await readWhole(ctx.path, ctx.size, (f) => progress.update(f * READ_SHARE));

    // Loaded here, not at module load, so files refused above never pay for pdf.js (~2 MB).
    const { getDocument, PDFDateString, VerbosityLevel } = await import('pdfjs-dist/legacy/build/pdf.mjs');
    const task = getDocument({
      data,
      cMapUrl: CMAP_URL,
      cMapPacked: true,
      standardFontDataUrl: STANDARD_FONT_DATA_URL,
      verbosity: VerbosityLevel.ERRORS,
      // No font loading into a font engine (glyphs are drawn as paths), scripting or XFA.
      disableFontFace: true,
      useSystemFonts: false,
      enableXfa: false,
    });
    let doc: PDFDocumentProxy;
    try {
      doc = await task.promise;
    } catch (err) {
      await task.destroy();
      throw asProcessingError(err, 'the document structure cannot be parsed');
    }
    try {
      const pageCount = doc.numPages;
      if (pageCount > limits.maxPages) {
        throw new ProcessingError(
          ProcessingErrorCode.TOO_MANY_PAGES,
          `The PDF has ${pageCount} pages; the limit is ${limits.maxPages}`,
        );
      }
      const { info } = await doc.getMetadata().catch((err: unknown) => {
        throw asProcessingError(err, 'the document information cannot be read');
      });
      const infoRecord = info as Record<string, unknown>;

      const ocr = new OcrSummary();
      let thumbnail: Buffer | undefined;
      for (let n = 1; n <= pageCount; n++) {
        let content: TextContent;
        let page: PDFPageProxy;
        try {
          page = await doc.getPage(n);
          content = await page.getTextContent();
        } catch (err) {
          throw asProcessingError(err, `page ${n} of ${pageCount} cannot be read`);
        }
        let text = pageText(content);
        if (n === 1) thumbnail = await firstPageThumbnail(doc, page);
        // No text layer: a scanned page. Its text, if OCR is on, comes from the rendered page.
        if (text.trim() === '' && limits.ocrLanguages) {
          const image = await render(doc, page, OCR_RENDER_PX).catch(() => undefined);
          if (image) {
            const found = await recognise(image, limits);
            if (found) text = found.text.trim();
            ocr.add(n, found);
          }
        }
        page.cleanup();
        ctx.text.add(text + (n < pageCount ? '\n\n' : ''));
        progress.update(READ_SHARE + ((1 - READ_SHARE) * n) / pageCount);
      }
      const ocrMetadata: Record<string, JsonValue> = ocr.attempted ? { ocr: ocr.toMetadata(limits) } : {};

      return {
        hasText: true,
        prose: true,
        pageCount,
        title: infoString(infoRecord, 'Title'),
        author: infoString(infoRecord, 'Author'),
        createdAt: pdfDate(infoString(infoRecord, 'CreationDate'), (s) => PDFDateString.toDateObject(s)),
        ...(thumbnail && { thumbnail }),
        metadata: { pdf: pdfMetadata(infoRecord), ...ocrMetadata },
      };
    } finally {
      await task.destroy();
    }
  },
};

/** The page as a PNG, its longer side `maxPx` (pdf.js's Node canvas, outside the V8 heap). */
async function render(doc: PDFDocumentProxy, page: PDFPageProxy, maxPx: number): Promise<Buffer> {
  const base = page.getViewport({ scale: 1 });
  const viewport = page.getViewport({ scale: maxPx / Math.max(base.width, base.height, 1) });
  // pdf.js's own factory: @napi-rs/canvas in Node.
  const factory = (doc as unknown as { canvasFactory: CanvasFactory }).canvasFactory;
  const target = factory.create(Math.ceil(viewport.width), Math.ceil(viewport.height));
  try {
    await page.render({ canvasContext: target.context, canvas: target.canvas, viewport } as never).promise;
    return target.canvas.toBuffer('image/png');
  } finally {
    factory.destroy(target);
  }
}

interface CanvasFactory {
  create(
    width: number,
    height: number,
  ): { canvas: { toBuffer(mime: 'image/png'): Buffer }; context: unknown };
  destroy(target: unknown): void;
}

/** A WebP of the first page, like an image's; none (not a failure) when the page cannot be drawn. */
async function firstPageThumbnail(doc: PDFDocumentProxy, page: PDFPageProxy): Promise<Buffer | undefined> {
  try {
    const png = await render(doc, page, THUMBNAIL_RENDER_PX);
    return await sharp(png)
      .flatten({ background: 'white' })
      .resize(THUMBNAIL_MAX_PX, THUMBNAIL_MAX_PX, { fit: 'inside' })
      .webp({ quality: 80 })
      .toBuffer();
  } catch {
    return undefined;
  }
}

/** Reads the file into one buffer, reporting the share read after each MiB. */
async function readWhole(
  path: string,
  size: number,
  onRead: (fraction: number) => void,
): Promise<Uint8Array> {
  const file = await open(path, 'r');
  try {
    const data = new Uint8Array(size);
    let offset = 0;
    while (offset < size) {
      const { bytesRead } = await file.read(data, offset, Math.min(READ_CHUNK, size - offset), offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
      onRead(offset / size);
    }
    return offset === size ? data : data.subarray(0, offset);
  } finally {
    await file.close();
  }
}

function pageText(content: TextContent): string {
  let text = '';
  for (const item of content.items) {
    if ('str' in item) text += item.str + (item.hasEOL ? '\n' : '');
  }
  return text;
}

function infoString(info: Record<string, unknown>, key: string): string | null {
  const value = info[key];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** PDF date ("D:20240301100000Z") to ISO 8601, or null when absent or unparseable. */
function pdfDate(value: string | null, parse: (input: string) => Date | null): string | null {
  if (value === null) return null;
  const date = parse(value);
  return date && !Number.isNaN(date.getTime()) ? date.toISOString() : null;
}

function pdfMetadata(info: Record<string, unknown>): Record<string, JsonValue> {
  const out: Record<string, JsonValue> = {};
  for (const key of INFO_KEYS) {
    const value = infoString(info, key);
    if (value !== null) out[key] = value.slice(0, 2000);
  }
  for (const key of INFO_FLAGS) {
    const value = info[key];
    if (typeof value === 'string' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

/**
 * A pdf.js failure on these bytes will fail the same way on every retry, so it ends the job:
 * PASSWORD_PROTECTED for encryption, CORRUPT_FILE with pdf.js's reason for everything else.
 */
function asProcessingError(err: unknown, what: string): Error {
  if (err instanceof ProcessingError) return err;
  const name = err instanceof Error ? err.name : '';
  const detail = err instanceof Error ? err.message : String(err);
  if (name === 'PasswordException') {
    return new ProcessingError(ProcessingErrorCode.PASSWORD_PROTECTED, 'The PDF is password-protected');
  }
  return new ProcessingError(ProcessingErrorCode.CORRUPT_FILE, `Broken PDF: ${what} (${detail})`);
}
