import sharp, { type Metadata } from 'sharp';
import { ProcessingError } from '../../../domain/errors.js';
import { AnalysisStage, THUMBNAIL_MAX_PX } from '../analysis.js';
import { ProcessingErrorCode } from '../error-codes.js';
import { OcrSummary, recognise } from '../ocr.js';
import type { Extraction, Processor, ProcessorContext } from '../processor.js';

/**
 * Images (sharp/libvips): dimensions and format from the header, text by OCR (when
 * `ocrLanguages` is set), then a WebP thumbnail. The
 * declared pixel count is checked before any pixel is decoded (pixel bombs), and libvips
 * enforces the same limit itself while decoding.
 */
// libvips keeps a process-wide cache of decoded images; every file is processed once here, so it
// would only hold memory outside any thread's limit.
sharp.cache(false);

export const imageProcessor: Processor = {
  async extract(ctx: ProcessorContext): Promise<Extraction> {
    const { maxImagePixels } = ctx.limits;
    const options = { limitInputPixels: maxImagePixels, failOn: 'error', autoOrient: true } as const;
    let meta: Metadata;
    try {
      // Reading the header decodes no pixels, so it runs unlimited to report the real size below.
      meta = await sharp(ctx.path, { ...options, limitInputPixels: false }).metadata();
    } catch (err) {
      throw imageError(err, maxImagePixels);
    }
    // As displayed (EXIF orientation applied); the pixel count is the same either way.
    const { width, height } = meta.autoOrient;
    if (width * height > maxImagePixels) {
      throw new ProcessingError(
        ProcessingErrorCode.IMAGE_TOO_LARGE,
        `The image declares ${width}×${height} pixels; the limit is ${maxImagePixels} pixels`,
      );
    }
    ctx.progress.update(0.05);

    // OCR: the page as a greyscale PNG no larger than tesseract needs (long side ≤ 3000 px).
    let ocr: OcrSummary | undefined;
    if (ctx.limits.ocrLanguages) {
      let page: Buffer;
      try {
        page = await sharp(ctx.path, options)
          .resize(3000, 3000, { fit: 'inside', withoutEnlargement: true })
          .greyscale()
          .png()
          .toBuffer();
      } catch (err) {
        throw imageError(err, maxImagePixels);
      }
      ctx.progress.update(0.1);
      const found = await recognise(page, ctx.limits);
      if (found) ctx.text.add(found.text.trim());
      ocr = new OcrSummary();
      ocr.add(1, found);
    }
    ctx.progress.update(1);

    ctx.progress.enter(AnalysisStage.THUMBNAIL);
    let thumbnail: Buffer;
    try {
      thumbnail = await sharp(ctx.path, options)
        .resize(THUMBNAIL_MAX_PX, THUMBNAIL_MAX_PX, { fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 80 })
        .toBuffer();
    } catch (err) {
      throw imageError(err, maxImagePixels);
    }
    return {
      // OCR'd text is prose (a language guess, word counts) and searchable like any other.
      hasText: ocr !== undefined,
      prose: ocr !== undefined,
      image: { width, height, format: meta.format },
      thumbnail,
      metadata: {
        image: {
          width,
          height,
          format: meta.format,
          channels: meta.channels ?? null,
          hasAlpha: meta.hasAlpha ?? null,
          pages: meta.pages ?? 1,
          ...(meta.space !== undefined && { colourSpace: meta.space }),
          ...(meta.density !== undefined && { density: meta.density }),
        },
        ...(ocr && { ocr: ocr.toMetadata(ctx.limits) }),
      },
    };
  },
};

function imageError(err: unknown, maxImagePixels: number): ProcessingError {
  const detail = err instanceof Error ? err.message : String(err);
  if (/exceeds pixel limit/i.test(detail)) {
    return new ProcessingError(
      ProcessingErrorCode.IMAGE_TOO_LARGE,
      `The image has more than ${maxImagePixels} pixels (${detail})`,
    );
  }
  return new ProcessingError(ProcessingErrorCode.CORRUPT_FILE, `Broken image: ${detail}`);
}
