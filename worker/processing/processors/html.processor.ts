import { Parser } from 'htmlparser2';
import type { JsonValue } from '../analysis.js';
import type { Extraction, Processor, ProcessorContext } from '../processor.js';
import { streamText } from '../text-stream.js';

/**
 * Elements whose content is never rendered as text. (`head` is not listed: htmlparser2 does not
 * imply its end when `<body>` is missing, and what it holds is hidden or captured anyway.)
 */
const HIDDEN = new Set(['script', 'style', 'noscript', 'template', 'svg', 'math', 'iframe', 'object']);
/** Elements that start a new line in rendered text. */
const BLOCKS = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'dd',
  'div',
  'dl',
  'dt',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'table',
  'tr',
  'ul',
]);
const MAX_TITLE_CHARS = 1000;

/**
 * HTML: the visible text (no scripts, styles or head), the title and author, streamed through
 * htmlparser2 so the page is never held whole. The bytes are decoded like any text (BOM, UTF-8,
 * Latin-1 fallback); a `<meta charset>` naming another legacy encoding is recorded, not honoured.
 */
export const htmlProcessor: Processor = {
  async extract(ctx: ProcessorContext): Promise<Extraction> {
    const out = new VisibleText((text) => ctx.text.add(text));
    let hiddenDepth = 0;
    let preDepth = 0;
    let inTitle = false;
    let title: string | null = null;
    let author: string | null = null;
    const metadata: Record<string, JsonValue> = {};

    const parser = new Parser(
      {
        onopentag(name, attribs) {
          if (name === 'title' && title === null) {
            inTitle = true;
            title = '';
          }
          if (name === 'html' && attribs['lang']) metadata['lang'] = attribs['lang'].slice(0, 35);
          if (name === 'meta') {
            const metaName = attribs['name']?.toLowerCase();
            if (metaName === 'author' && attribs['content']) author = attribs['content'].trim().slice(0, 500);
            if (metaName === 'description' && attribs['content']) {
              metadata['description'] = attribs['content'].trim().slice(0, 1000);
            }
            if (attribs['charset']) metadata['declaredCharset'] = attribs['charset'].slice(0, 40);
          }
          if (HIDDEN.has(name)) hiddenDepth++;
          if (name === 'pre') preDepth++;
          if (BLOCKS.has(name)) out.newline();
        },
        ontext(text) {
          if (inTitle) {
            if (title !== null && title.length < MAX_TITLE_CHARS) title += text;
          } else if (hiddenDepth === 0) {
            out.text(text, preDepth > 0);
          }
        },
        onclosetag(name) {
          if (name === 'title') inTitle = false;
          if (HIDDEN.has(name) && hiddenDepth > 0) hiddenDepth--;
          if (name === 'pre' && preDepth > 0) preDepth--;
          if (BLOCKS.has(name)) out.newline();
          if (name === 'td' || name === 'th') out.text('\t', true);
        },
      },
      { decodeEntities: true },
    );

    const encoding = await streamText(
      ctx.bytes ?? ctx.path,
      ctx.size,
      (text) => parser.write(text),
      (fraction) => ctx.progress.update(fraction),
    );
    parser.end();
    const cleanTitle = (title as string | null)?.replace(/\s+/g, ' ').trim() || null;
    return { hasText: true, prose: true, title: cleanTitle, author, metadata: { encoding, ...metadata } };
  },
};

/**
 * Rendered-text whitespace: runs collapse to one space, spaces at the edges of a line vanish, block
 * boundaries become one newline.
 */
class VisibleText {
  readonly #emit: (text: string) => void;
  /** A collapsed space seen last: written only if more text follows on the same line. */
  #pendingSpace = false;
  #atLineStart = true;

  constructor(emit: (text: string) => void) {
    this.#emit = emit;
  }

  text(raw: string, preformatted: boolean): void {
    if (raw.length === 0) return;
    if (preformatted) {
      this.#write(raw);
      return;
    }
    // HTML's own whitespace only: a no-break space (&nbsp;) is content and stays.
    const text = raw.replace(/[ \t\n\r\f]+/g, ' ');
    const core = text.replace(/^ | $/g, '');
    if (text.startsWith(' ')) this.#pendingSpace = true;
    if (core.length === 0) return;
    this.#write(core);
    if (text.endsWith(' ')) this.#pendingSpace = true;
  }

  newline(): void {
    this.#pendingSpace = false;
    if (this.#atLineStart) return;
    this.#emit('\n');
    this.#atLineStart = true;
  }

  #write(text: string): void {
    this.#emit(this.#pendingSpace && !this.#atLineStart ? ` ${text}` : text);
    this.#pendingSpace = false;
    this.#atLineStart = text.endsWith('\n');
  }
}
