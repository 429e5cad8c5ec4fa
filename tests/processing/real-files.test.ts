import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { analyze } from './analyze.js';

// Made by groff, Ghostscript, pandoc and iconv; see tests/fixtures/files/README.md.
const file = (name: string) => fileURLToPath(new URL(`../fixtures/files/${name}`, import.meta.url));

const PDF_TEXT =
  'Typesetting with groff\nThe first page of this document was typeset by groff and written as PDF by gropdf.\n\n' +
  '-2-\nThe second page exists to check that page counting and text extraction work across pages.';
const NOTES_TEXT =
  'Docpipe field notes\nGrace Hopper\n2024-05-17\nField notes\nThe river was higher than last spring, and the ' +
  'old stone bridge had lost two of its railings. We counted forty-two herons along the eastern bank before ' +
  'the rain began.\nEquipment\ntwo cameras\na waterproof notebook\nspare batteries\nThe survey continues next ' +
  'week if the weather allows.\n';

describe('real-world files', () => {
  it('groff/gropdf PDF: two pages of text and the document info', async () => {
    const a = await analyze(file('groff-ms.pdf'));
    expect(a).toMatchObject({
      kind: 'pdf',
      pageCount: 2,
      title: 'Docpipe groff sample',
      author: 'Brian Kernighan',
      text: PDF_TEXT,
      language: 'eng',
      metadata: { pdf: { Producer: 'gropdf version 1.22.4' } },
    });
    expect(a.createdAt).toMatch(/^2026-11-28T/);
  });

  it('Ghostscript PDF: same text through a different writer', async () => {
    const a = await analyze(file('ghostscript.pdf'));
    expect(a).toMatchObject({
      kind: 'pdf',
      pageCount: 2,
      text: PDF_TEXT,
      metadata: { pdf: { Producer: 'GPL Ghostscript 10.00.0' } },
    });
  });

  it('pandoc DOCX and HTML give the same text, title and author', async () => {
    const docx = await analyze(file('pandoc.docx'));
    const html = await analyze(file('pandoc.html'));
    for (const a of [docx, html]) {
      expect(a).toMatchObject({
        title: 'Docpipe field notes',
        author: 'Grace Hopper',
        text: NOTES_TEXT,
        wordCount: 58,
      });
    }
    expect(docx.kind).toBe('docx');
    expect(html.kind).toBe('html');
  });

  it('Ghostscript JPEG: dimensions and thumbnail', async () => {
    const a = await analyze(file('ghostscript-page.jpg'));
    expect(a).toMatchObject({ kind: 'image', image: { width: 198, height: 281, format: 'jpeg' } });
    expect(await sharp(a.thumbnail!).metadata()).toMatchObject({ format: 'webp', width: 180, height: 256 });
  });

  it('iconv Latin-1 German text: decoded, language detected', async () => {
    const a = await analyze(file('latin1-de.txt'));
    expect(a).toMatchObject({ kind: 'text', language: 'deu', metadata: { encoding: 'windows-1252' } });
    expect(a.text).toMatch(/^Der Bäcker öffnet um sechs Uhr\. Süße Brötchen/);
  });
});
