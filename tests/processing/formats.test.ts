import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import {
  makeDocx,
  makeDocxWithThumbnail,
  makeImage,
  makePdf,
  randomBinary,
  type ImageFormat,
} from '../fixtures/documents.js';
import { analyze, fixtureDir } from './analyze.js';

const { fixtures, cleanup } = fixtureDir();
afterAll(cleanup);

const ENGLISH =
  'The committee met on Tuesday to review the budget for the coming year. After a long discussion, ' +
  'the members agreed to increase funding for the public library and to repair the old bridge.';

describe('analyzeFile extracts per format', () => {
  it('PDF: text per page, page count, document info', async () => {
    const pdf = await makePdf({
      pages: 3,
      title: 'Annual Report',
      author: 'Ada Lovelace',
      createdAt: new Date('2024-03-01T10:00:00Z'),
      pageText: (n) => (n === 1 ? 'The committee met on Tuesday' : `Page ${n} says hello`),
    });
    const a = await analyze(fixtures.write('report.pdf', pdf));
    expect(a).toMatchObject({
      detectedType: 'application/pdf',
      kind: 'pdf',
      pageCount: 3,
      title: 'Annual Report',
      author: 'Ada Lovelace',
      createdAt: '2024-03-01T10:00:00.000Z',
      textTruncated: false,
    });
    expect(a.text).toContain('Page 2 says hello');
    expect(a.text).toContain('Page 3 says hello');
    expect(a.text).toContain('The committee met on Tuesday');
    expect(a.wordCount).toBe(5 + 4 + 4);
    expect(a.metadata['pdf']).toMatchObject({
      Title: 'Annual Report',
      Producer: expect.stringContaining('pdf-lib'),
    });
  });

  it('DOCX: body text, title and author', async () => {
    const docx = await makeDocx({
      title: 'Minutes',
      author: 'Grace Hopper',
      paragraphs: [ENGLISH, 'Second & last.'],
    });
    const a = await analyze(fixtures.write('minutes.docx', docx));
    expect(a).toMatchObject({
      detectedType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      kind: 'docx',
      title: 'Minutes',
      author: 'Grace Hopper',
      language: 'eng',
      text: `${ENGLISH}\nSecond & last.\n`,
    });
    expect(a.metadata['docx']).toMatchObject({ paragraphs: 2 });
  });

  it('DOCX: a first-page preview drawn from its opening paragraphs, on an A4 page', async () => {
    const docx = await makeDocx({
      heading: 'Quarterly report',
      paragraphs: Array.from({ length: 80 }, (_, i) => `${i} <${ENGLISH}> & "more"`),
    });
    const a = await analyze(fixtures.write('report.docx', docx));
    expect(a.metadata['docx']).toMatchObject({ paragraphs: 81, preview: 'text' });
    const thumb = sharp(a.thumbnail!);
    expect(await thumb.metadata()).toMatchObject({ format: 'webp', width: 181, height: 256 });
    // Text was drawn: dark pixels on the white page, and the top is the heading's bold line.
    const { channels } = await thumb.stats();
    expect(channels[0]!.min).toBeLessThan(128);
    expect(channels[0]!.max).toBe(255);
  });

  it('DOCX: the picture the file carries is its preview, when it has one', async () => {
    const red = await sharp({ create: { width: 300, height: 424, channels: 3, background: '#d00000' } })
      .png()
      .toBuffer();
    const a = await analyze(fixtures.write('saved.docx', makeDocxWithThumbnail('Hello', red)));
    expect(a.metadata['docx']).toMatchObject({ paragraphs: 1, preview: 'embedded' });
    const { dominant } = await sharp(a.thumbnail!).stats();
    expect(dominant.r).toBeGreaterThan(180);
    expect(dominant.g).toBeLessThan(60);
  });

  it('DOCX: a broken stored picture falls back to the drawn preview, and the document still completes', async () => {
    const a = await analyze(fixtures.write('broken.docx', makeDocxWithThumbnail('Hello', randomBinary(500))));
    expect(a.metadata['docx']).toMatchObject({ preview: 'text' });
    expect(await sharp(a.thumbnail!).metadata()).toMatchObject({ format: 'webp' });
  });

  it('HTML: visible text without scripts and styles, title', async () => {
    const html = `<!DOCTYPE html><html lang="en"><head><title>News &amp; Views</title>
      <meta name="author" content="Jane Doe"><style>body { color: red }</style>
      <script>var secret = "do not extract";</script></head>
      <body><h1>Headline</h1><p>${ENGLISH}</p><noscript>enable js</noscript>
      <script>alert("no")</script><ul><li>one</li><li>two&nbsp;items</li></ul></body></html>`;
    const a = await analyze(fixtures.write('page.bin', html));
    expect(a).toMatchObject({
      detectedType: 'text/html',
      kind: 'html',
      title: 'News & Views',
      author: 'Jane Doe',
    });
    expect(a.text).toBe(`Headline\n${ENGLISH}\none\ntwo\u00a0items\n`);
    expect(a.text).not.toMatch(/secret|color|alert|enable js/);
    expect(a.metadata).toMatchObject({ lang: 'en', encoding: 'utf-8' });
  });

  it('plain text: UTF-8 with counts, language and preview', async () => {
    const text = `${ENGLISH}\n`.repeat(3);
    const a = await analyze(fixtures.write('notes.txt', text));
    expect(a).toMatchObject({
      detectedType: 'text/plain',
      kind: 'text',
      text,
      wordCount: 3 * 33,
      charCount: text.length,
      language: 'eng',
      metadata: { encoding: 'utf-8', lineCount: 3 },
    });
    expect(a.textPreview).toMatch(/^The committee met on Tuesday .*…$/);
    expect(a.textPreview!.length).toBeLessThanOrEqual(301);
  });

  it('plain text: UTF-16 with a BOM', async () => {
    const text = 'Grüße aus Köln — 東京 ✓\n';
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const a = await analyze(fixtures.write('utf16.txt', utf16));
    expect(a).toMatchObject({ kind: 'text', text, metadata: { encoding: 'utf-16le' } });
  });

  it('plain text: Latin-1 falls back from UTF-8', async () => {
    const text = `${'plain ASCII start '.repeat(20_000)}\nCafé crème, naïve façade — à bientôt.\n`;
    const a = await analyze(fixtures.write('latin1.txt', Buffer.from(text, 'latin1')));
    // The em dash is not in Latin-1: Buffer wrote it as 0x14; everything else round-trips.
    expect(a.text).toBe(text.replace('—', '\u0014'));
    expect(a.metadata).toMatchObject({ encoding: 'windows-1252' });
  });

  it('Markdown: text and the first heading as title', async () => {
    const md = `# Release notes\n\nSome **bold** changes:\n\n- faster\n- [docs](https://example.com)\n`;
    const a = await analyze(fixtures.write('notes', md));
    expect(a).toMatchObject({
      detectedType: 'text/markdown',
      kind: 'markdown',
      title: 'Release notes',
      text: md,
    });
  });

  it('CSV: rows, columns and header', async () => {
    const csv = 'id,name,city\n1,Ann,"Paris, France"\n2,Bob,Berlin\n3,Cy,Rome\n';
    const a = await analyze(fixtures.write('people.dat', csv));
    expect(a).toMatchObject({ detectedType: 'text/csv', kind: 'csv', language: null, text: csv });
    expect(a.metadata['csv']).toEqual({
      delimiter: ',',
      valid: true,
      rows: 3,
      columns: 3,
      header: ['id', 'name', 'city'],
      raggedRows: 0,
    });
  });

  it('JSON: validity and top-level shape', async () => {
    const object = await analyze(
      fixtures.write('a.json', JSON.stringify({ name: 'x', tags: [1, 2], nested: { a: 1 } })),
    );
    expect(object).toMatchObject({ detectedType: 'application/json', kind: 'json' });
    expect(object.metadata['json']).toEqual({
      valid: true,
      type: 'object',
      keyCount: 3,
      keys: ['name', 'tags', 'nested'],
    });

    const array = await analyze(fixtures.write('b.json', '[{"a":1},{"a":2},{"a":3}]'));
    expect(array.metadata['json']).toEqual({ valid: true, type: 'array', length: 3 });

    const broken = await analyze(fixtures.write('c.json', '{"a": 1, "b": '));
    expect(broken.metadata['json']).toMatchObject({
      valid: false,
      type: 'object',
      error: expect.any(String),
    });
  });

  it.each<[ImageFormat, string]>([
    ['png', 'image/png'],
    ['jpeg', 'image/jpeg'],
    ['webp', 'image/webp'],
    ['gif', 'image/gif'],
    ['tiff', 'image/tiff'],
  ])('image %s: dimensions, format and a WebP thumbnail of at most 256 px', async (format, mime) => {
    // OCR off: its text is tests/processing/ocr.test.ts's subject.
    const a = await analyze(fixtures.write(`img.${format}`, await makeImage(format, 640, 400)), {
      limits: { ocrLanguages: '' },
    });
    expect(a).toMatchObject({
      detectedType: mime,
      kind: 'image',
      text: null,
      image: { width: 640, height: 400, format },
    });
    const thumb = await sharp(a.thumbnail!).metadata();
    expect(thumb).toMatchObject({ format: 'webp', width: 256, height: 160 });
  });

  it('unknown bytes complete with the basics', async () => {
    const a = await analyze(fixtures.write('blob.pdf', randomBinary(10_000)));
    expect(a).toEqual({
      detectedType: 'application/octet-stream',
      kind: 'unknown',
      text: null,
      textTruncated: false,
      metadata: {},
    });
  });
});
