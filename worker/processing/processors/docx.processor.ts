import { Parser } from 'htmlparser2';
import type { JsonValue } from '../analysis.js';
import {
  embeddedPreview,
  PREVIEW_MAX_CHARS,
  PREVIEW_MAX_PARAGRAPHS,
  textPagePreview,
  type PreviewParagraph,
} from '../page-preview.js';
import type { Extraction, Processor, ProcessorContext } from '../processor.js';
import { AutoTextDecoder } from '../text-decoder.js';
import { ZipArchive } from '../zip-archive.js';

const DOCUMENT_PART = 'word/document.xml';
const CORE_PROPERTIES_PART = 'docProps/core.xml';
const MAX_PROPERTY_CHARS = 1000;
/** The first-page picture Word ("Save preview picture") or LibreOffice may store. */
const THUMBNAIL_PARTS = ['docProps/thumbnail.jpeg', 'docProps/thumbnail.jpg', 'docProps/thumbnail.png'];
const MAX_THUMBNAIL_PART_BYTES = 8 * 1024 * 1024;
const MiB = 1024 * 1024;

/**
 * DOCX: the body text, the core properties (title, author, created) and a first-page thumbnail:
 * the picture the file carries when it has one, else its opening paragraphs laid out on a page
 * (page-preview.ts). The zip is read in place (random access, nothing buffered whole) and the XML
 * is parsed as it inflates, under the decompressed-size limit (see ZipArchive).
 */
export const docxProcessor: Processor = {
  async extract(ctx: ProcessorContext): Promise<Extraction> {
    const zip = await ZipArchive.open(ctx.path, ctx.limits.maxDecompressedBytes);
    try {
      const properties = zip.has(CORE_PROPERTIES_PART) ? await readCoreProperties(zip) : {};
      const total = zip.uncompressedSize(DOCUMENT_PART);
      let inflated = 0;
      let paragraphs = 0;
      const opening: PreviewParagraph[] = [];
      await parseXml(
        zip,
        DOCUMENT_PART,
        new BodyText(
          (text) => ctx.text.add(text),
          (paragraph) => {
            paragraphs++;
            if (paragraph.text.trim() && opening.length < PREVIEW_MAX_PARAGRAPHS) opening.push(paragraph);
          },
        ),
        (n) => {
          // One update per MiB inflated, like the text formats' per MiB read.
          const before = Math.floor(inflated / MiB);
          inflated += n;
          if (Math.floor(inflated / MiB) > before) ctx.progress.update(inflated / total);
        },
      );
      const metadata: Record<string, JsonValue> = { paragraphs };
      for (const [key, value] of Object.entries(properties)) metadata[key] = value;
      const stored = THUMBNAIL_PARTS.find(
        (part) => zip.has(part) && zip.uncompressedSize(part) <= MAX_THUMBNAIL_PART_BYTES,
      );
      const embedded =
        stored && (await embeddedPreview(await readWhole(zip, stored), ctx.limits.maxImagePixels));
      const thumbnail = embedded || (await textPagePreview(opening));
      metadata['preview'] = embedded ? 'embedded' : thumbnail ? 'text' : null;
      return {
        hasText: true,
        prose: true,
        title: properties['title'] ?? null,
        author: properties['creator'] ?? null,
        createdAt: isoDate(properties['created']),
        ...(thumbnail && { thumbnail }),
        metadata: { docx: metadata },
      };
    } finally {
      zip.close();
    }
  },
};

interface XmlHandler {
  onopentag(name: string, attributes: Record<string, string>): void;
  ontext(text: string): void;
  onclosetag(name: string): void;
}

/** Streams one zip entry through an XML parser (htmlparser2 in XML mode: no DTD entity expansion). */
async function parseXml(
  zip: ZipArchive,
  part: string,
  handler: XmlHandler,
  onInflated: (bytes: number) => void = () => undefined,
): Promise<void> {
  const parser = new Parser(
    {
      onopentag: (name, attributes) => handler.onopentag(localName(name), attributes),
      ontext: (text) => handler.ontext(text),
      onclosetag: (name) => handler.onclosetag(localName(name)),
    },
    { xmlMode: true, decodeEntities: true },
  );
  const decoder = new AutoTextDecoder();
  for await (const chunk of zip.read(part)) {
    parser.write(decoder.decode(chunk));
    onInflated(chunk.length);
  }
  parser.write(decoder.end());
  parser.end();
}

const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/**
 * WordprocessingML body text: runs' `<w:t>` (and DrawingML/Math `t`), tabs, breaks, one line per
 * paragraph. Deleted revisions (`w:delText`) and field codes (`w:instrText`) are not text. Each
 * finished paragraph is also handed over with its opening text and whether its style is a title or
 * heading (for the page preview).
 */
class BodyText implements XmlHandler {
  #inText = 0;
  #paragraph: PreviewParagraph = { text: '', heading: false };
  constructor(
    readonly emit: (text: string) => void,
    readonly onParagraph: (paragraph: PreviewParagraph) => void,
  ) {}

  onopentag(name: string, attributes: Record<string, string>): void {
    if (name === 't') this.#inText++;
    else if (name === 'tab') this.#text('\t');
    else if (name === 'br' || name === 'cr') this.#text('\n');
    else if (name === 'pStyle') {
      this.#paragraph.heading = /^(title|subtitle|heading)/i.test(attributes['w:val'] ?? '');
    }
  }

  ontext(text: string): void {
    if (this.#inText > 0) this.#text(text);
  }

  onclosetag(name: string): void {
    if (name === 't' && this.#inText > 0) this.#inText--;
    else if (name === 'p') {
      this.emit('\n');
      this.onParagraph(this.#paragraph);
      this.#paragraph = { text: '', heading: false };
    }
  }

  #text(text: string): void {
    this.emit(text);
    if (this.#paragraph.text.length < PREVIEW_MAX_CHARS) {
      this.#paragraph.text = (this.#paragraph.text + text).slice(0, PREVIEW_MAX_CHARS);
    }
  }
}

/** One small zip entry whole (its size is checked before). */
async function readWhole(zip: ZipArchive, part: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of zip.read(part)) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** docProps/core.xml: Dublin Core title, creator, dates and the like, as short strings. */
async function readCoreProperties(zip: ZipArchive): Promise<Record<string, string>> {
  const wanted = new Set([
    'title',
    'subject',
    'creator',
    'keywords',
    'description',
    'lastModifiedBy',
    'created',
    'modified',
  ]);
  const properties: Record<string, string> = {};
  let current: string | null = null;
  await parseXml(zip, CORE_PROPERTIES_PART, {
    onopentag(name) {
      current = wanted.has(name) ? name : null;
    },
    ontext(text) {
      if (current === null) return;
      const value = (properties[current] ?? '') + text;
      properties[current] = value.slice(0, MAX_PROPERTY_CHARS);
    },
    onclosetag() {
      current = null;
    },
  });
  for (const [key, value] of Object.entries(properties)) {
    const trimmed = value.trim();
    if (trimmed === '') delete properties[key];
    else properties[key] = trimmed;
  }
  return properties;
}

function isoDate(value: string | undefined): string | null {
  if (!value) return null;
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
