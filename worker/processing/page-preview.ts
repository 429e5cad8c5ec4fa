import sharp from 'sharp';
import { THUMBNAIL_MAX_PX } from './analysis.js';

/** One paragraph of a document's opening, as the preview draws it. */
export interface PreviewParagraph {
  text: string;
  /** Title, subtitle or heading style: drawn larger and bold. */
  heading: boolean;
}

/** The paragraphs a first page holds at most; the rest cannot show on it. */
export const PREVIEW_MAX_PARAGRAPHS = 60;
/** Characters kept per paragraph, enough for the lines it fills on the first page. */
export const PREVIEW_MAX_CHARS = 1200;

// An A4 page in points, its margins, and the type sizes: what a word processor's default gives.
const PAGE = { width: 595, height: 842, margin: 60 };
const BODY = { size: 11, lineHeight: 15 };
const HEADING = { size: 16, lineHeight: 22 };
/** Average advance of a DejaVu Sans character, in ems: wraps lines close to where a renderer would. */
const CHAR_EM = 0.55;

/**
 * A picture of a text document's first page, for documents (DOCX) that carry no rendering of their
 * own: the opening paragraphs laid out on an A4 page, wrapped, headings larger, as a WebP
 * thumbnail like a PDF's first page. It shows the page's shape and text, not its exact fonts,
 * images or tables.
 */
export async function textPagePreview(paragraphs: PreviewParagraph[]): Promise<Buffer | undefined> {
  const lines: string[] = [];
  let y = PAGE.margin;
  for (const paragraph of paragraphs) {
    const type = paragraph.heading ? HEADING : BODY;
    const perLine = Math.floor((PAGE.width - 2 * PAGE.margin) / (type.size * CHAR_EM));
    for (const line of wrap(paragraph.text, perLine)) {
      y += type.lineHeight;
      if (y > PAGE.height - PAGE.margin) break;
      lines.push(
        `<text x="${PAGE.margin}" y="${y}" font-size="${type.size}"${paragraph.heading ? ' font-weight="bold"' : ''}>${escapeXml(line)}</text>`,
      );
    }
    y += type.lineHeight / 2; // paragraph spacing
    if (y > PAGE.height - PAGE.margin) break;
  }
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${PAGE.width * 2}" height="${PAGE.height * 2}" viewBox="0 0 ${PAGE.width} ${PAGE.height}">` +
    `<rect width="100%" height="100%" fill="white"/><g font-family="DejaVu Sans, sans-serif" fill="#222">${lines.join('')}</g></svg>`;
  try {
    return await sharp(Buffer.from(svg))
      .resize(THUMBNAIL_MAX_PX, THUMBNAIL_MAX_PX, { fit: 'inside' })
      .webp({ quality: 80 })
      .toBuffer();
  } catch {
    return undefined; // no preview is no reason to fail the document
  }
}

/** A picture the document carries itself (a DOCX's docProps/thumbnail), as a WebP thumbnail. */
export async function embeddedPreview(image: Buffer, maxPixels: number): Promise<Buffer | undefined> {
  try {
    return await sharp(image, { limitInputPixels: maxPixels, failOn: 'error' })
      .flatten({ background: 'white' })
      .resize(THUMBNAIL_MAX_PX, THUMBNAIL_MAX_PX, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer();
  } catch {
    return undefined; // a broken picture is no reason to fail the document
  }
}

/** Greedy word wrap at `width` characters; words longer than a line are cut. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    for (let rest = word; rest; rest = rest.slice(width)) {
      const piece = rest.slice(0, width);
      if (!line) line = piece;
      else if (line.length + 1 + piece.length <= width) line += ` ${piece}`;
      else {
        lines.push(line);
        line = piece;
      }
    }
  }
  if (line) lines.push(line);
  return lines;
}

/** Text as SVG character data: markup escaped, and the control characters XML forbids dropped. */
const escapeXml = (s: string) =>
  s
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
    .replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
