import { Parser } from 'htmlparser2';
import type { JsonValue } from '../analysis.js';
import type { Extraction, Processor, ProcessorContext } from '../processor.js';
import { AutoTextDecoder } from '../text-decoder.js';
import { ZipArchive } from '../zip-archive.js';

const DOCUMENT_PART = 'word/document.xml';
const CORE_PROPERTIES_PART = 'docProps/core.xml';
const MAX_PROPERTY_CHARS = 1000;
const MiB = 1024 * 1024;

/**
 * DOCX: the body text and the core properties (title, author, created). The zip is read in place
 * (random access, nothing buffered whole) and the XML is parsed as it inflates, under the
 * decompressed-size limit (see ZipArchive).
 */
export const docxProcessor: Processor = {
  async extract(ctx: ProcessorContext): Promise<Extraction> {
    const zip = await ZipArchive.open(ctx.path, ctx.limits.maxDecompressedBytes);
    try {
      const properties = zip.has(CORE_PROPERTIES_PART) ? await readCoreProperties(zip) : {};
      const total = zip.uncompressedSize(DOCUMENT_PART);
      let inflated = 0;
      let paragraphs = 0;
      await parseXml(
        zip,
        DOCUMENT_PART,
        new BodyText(
          (text) => ctx.text.add(text),
          () => paragraphs++,
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
      return {
        hasText: true,
        prose: true,
        title: properties['title'] ?? null,
        author: properties['creator'] ?? null,
        createdAt: isoDate(properties['created']),
        metadata: { docx: metadata },
      };
    } finally {
      zip.close();
    }
  },
};

interface XmlHandler {
  onopentag(name: string): void;
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
      onopentag: (name) => handler.onopentag(localName(name)),
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
 * paragraph. Deleted revisions (`w:delText`) and field codes (`w:instrText`) are not text.
 */
class BodyText implements XmlHandler {
  #inText = 0;
  constructor(
    readonly emit: (text: string) => void,
    readonly onParagraph: () => void,
  ) {}

  onopentag(name: string): void {
    if (name === 't') this.#inText++;
    else if (name === 'tab') this.emit('\t');
    else if (name === 'br' || name === 'cr') this.emit('\n');
  }

  ontext(text: string): void {
    if (this.#inText > 0) this.emit(text);
  }

  onclosetag(name: string): void {
    if (name === 't' && this.#inText > 0) this.#inText--;
    else if (name === 'p') {
      this.emit('\n');
      this.onParagraph();
    }
  }
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
