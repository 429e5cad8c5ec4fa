import type { DocumentKind } from '../analysis.js';
import type { Processor } from '../processor.js';

/**
 * The processor for each detected kind, loaded on first use so a thread analysing a text file
 * does not pay for loading pdf.js or libvips. `unknown` has none: it completes with the basics.
 */
export const processors: Readonly<Record<DocumentKind, (() => Promise<Processor>) | null>> = {
  pdf: async () => (await import('./pdf.processor.js')).pdfProcessor,
  docx: async () => (await import('./docx.processor.js')).docxProcessor,
  html: async () => (await import('./html.processor.js')).htmlProcessor,
  text: async () => (await import('./text.processor.js')).textProcessor,
  markdown: async () => (await import('./text.processor.js')).textProcessor,
  csv: async () => (await import('./csv.processor.js')).csvProcessor,
  json: async () => (await import('./json.processor.js')).jsonProcessor,
  image: async () => (await import('./image.processor.js')).imageProcessor,
  unknown: null,
};
