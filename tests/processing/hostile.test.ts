import { afterAll, describe, expect, it } from 'vitest';
import { ProcessingError } from '../../domain/errors.js';
import { makeDocx, makePdf, makePixelBombPng, makeZipBombDocx, randomBinary } from '../fixtures/documents.js';
import { analyze, fixtureDir } from './analyze.js';

const { fixtures, cleanup } = fixtureDir();
afterAll(cleanup);

const MiB = 1024 * 1024;
/**
 * A 1 ms budget on a thread that must start first: idle threads are reused only for the same
 * heap size, and none has this one, and starting a thread alone takes longer than 1 ms.
 */
const FRESH_THREAD_1_MS = { timeoutMs: 1, maxMemoryMb: 500 };

/** Runs the analysis expecting a ProcessingError and returns it. */
async function failure(promise: Promise<unknown>): Promise<ProcessingError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ProcessingError);
  return err as ProcessingError;
}

describe('limits against hostile files', () => {
  it('too many pages → TOO_MANY_PAGES', async () => {
    const path = fixtures.write('long.pdf', await makePdf({ pages: 6 }));
    const err = await failure(analyze(path, { limits: { maxPages: 5 } }));
    expect(err.code).toBe('TOO_MANY_PAGES');
    expect(err.message).toMatch(/6 pages; the limit is 5/);
  });

  it('PDF larger than the in-memory limit → FILE_TOO_LARGE', async () => {
    const path = fixtures.write('big.pdf', await makePdf({ pages: 2 }));
    const err = await failure(analyze(path, { limits: { maxPdfBytes: 100 } }));
    expect(err.code).toBe('FILE_TOO_LARGE');
  });

  it('zip bomb DOCX (honest sizes) → DECOMPRESSED_TOO_LARGE before inflating', async () => {
    const path = fixtures.write('bomb.docx', makeZipBombDocx(16 * MiB));
    const err = await failure(analyze(path, { limits: { maxDecompressedBytes: MiB } }));
    expect(err.code).toBe('DECOMPRESSED_TOO_LARGE');
    expect(err.message).toMatch(/declares more than 1048576 bytes/);
  });

  it('zip bomb DOCX lying about its sizes → DECOMPRESSED_TOO_LARGE while inflating', async () => {
    const path = fixtures.write('liar.docx', makeZipBombDocx(16 * MiB, true));
    const err = await failure(analyze(path, { limits: { maxDecompressedBytes: MiB } }));
    expect(err.code).toBe('DECOMPRESSED_TOO_LARGE');
    expect(err.message).toMatch(/inflates to more than its declared 1024 bytes/);
  });

  it('pixel bomb (PNG declaring 100000×100000) → IMAGE_TOO_LARGE', async () => {
    const path = fixtures.write('bomb.png', makePixelBombPng(100_000, 100_000));
    const err = await failure(analyze(path));
    expect(err.code).toBe('IMAGE_TOO_LARGE');
    expect(err.message).toMatch(/100000×100000/);
  });

  it('wall-clock timeout → PROCESSING_TIMEOUT', async () => {
    const path = fixtures.write('slow.pdf', await makePdf({ pages: 3 }));
    const err = await failure(analyze(path, { limits: FRESH_THREAD_1_MS }));
    expect(err.code).toBe('PROCESSING_TIMEOUT');
  });

  it('heap exhausted → RESOURCE_LIMIT_EXCEEDED', async () => {
    // pdf.js alone needs more than an 8 MB heap: the thread is stopped at its limit, the process lives.
    const path = fixtures.write('small-heap.pdf', await makePdf({ pages: 1 }));
    const err = await failure(analyze(path, { limits: { maxMemoryMb: 8 } }));
    expect(err.code).toBe('RESOURCE_LIMIT_EXCEEDED');
  });

  it('a JSON member larger than the heap is read without being built', async () => {
    // 2 million numbers in one array: built, they needed more than this 32 MB heap, and an array
    // growing past a thread's limit can abort the whole process (nodejs/node#47224).
    const path = fixtures.write('huge-member.json', `{"values":[${'1234567,'.repeat(2_000_000)}0]}`);
    const a = await analyze(path, { limits: { maxMemoryMb: 32, maxTextBytes: 1024 * 1024 } });
    expect(a.metadata['json']).toEqual({ valid: true, type: 'object', keyCount: 1, keys: ['values'] });
  });

  it('JSON nested deeper than 10 000 levels is invalid, not a stack of the same depth', async () => {
    const a = await analyze(fixtures.write('deep.json', `${'['.repeat(20_000)}${']'.repeat(20_000)}`));
    expect(a.metadata['json']).toMatchObject({ valid: false, error: 'Nested deeper than 10000 levels' });
  });

  it('text beyond the limit is truncated and flagged, not failed', async () => {
    const text = 'word '.repeat(10_000) + 'déjà vu';
    const a = await analyze(fixtures.write('long.txt', text), { limits: { maxTextBytes: 1001 } });
    expect(a.textTruncated).toBe(true);
    expect(Buffer.byteLength(a.text!)).toBeLessThanOrEqual(1001);
    expect(a.text).toBe(text.slice(0, 1001));
    // Counts describe the whole document, not the stored excerpt.
    expect(a.wordCount).toBe(10_002);
  });
});

describe('corrupt files', () => {
  it('truncated PDF → CORRUPT_FILE', async () => {
    const pdf = await makePdf({ pages: 3 });
    const err = await failure(analyze(fixtures.write('cut.pdf', pdf.subarray(0, pdf.length / 2))));
    expect(err.code).toBe('CORRUPT_FILE');
    expect(err.message).toMatch(/^Broken PDF: /);
  });

  it('PDF header followed by garbage → CORRUPT_FILE', async () => {
    const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBinary(5000)]);
    const err = await failure(analyze(fixtures.write('garbage.pdf', bytes)));
    expect(err.code).toBe('CORRUPT_FILE');
  });

  it('random bytes named .pdf are not a PDF: they complete as unknown, never trusted by name', async () => {
    const a = await analyze(fixtures.write('random.pdf', randomBinary(20_000)));
    expect(a).toMatchObject({ detectedType: 'application/octet-stream', kind: 'unknown', text: null });
  });

  it('truncated DOCX → CORRUPT_FILE', async () => {
    const docx = await makeDocx({ paragraphs: ['Hello there'] });
    const err = await failure(analyze(fixtures.write('cut.docx', docx.subarray(0, docx.length - 200))));
    expect(err.code).toBe('CORRUPT_FILE');
    expect(err.message).toMatch(/^Broken archive: /);
  });

  it('DOCX without its document part → CORRUPT_FILE', async () => {
    const bytes = makeZipBombDocx(1000);
    // Rename word/document.xml in place (same length) so the archive stays valid.
    const broken = Buffer.from(
      bytes.toString('latin1').replaceAll('word/document.xml', 'word/documenX.xml'),
      'latin1',
    );
    const err = await failure(analyze(fixtures.write('empty.docx', broken)));
    expect(err.code).toBe('CORRUPT_FILE');
    expect(err.message).toMatch(/no word\/document\.xml/);
  });
});

describe('after a hostile file', () => {
  it('the same process analyses the next file normally', async () => {
    await failure(analyze(fixtures.write('bomb2.png', makePixelBombPng(50_000, 50_000))));
    await failure(
      analyze(fixtures.write('oom.pdf', await makePdf({ pages: 1 })), { limits: { maxMemoryMb: 8 } }),
    );
    await failure(
      analyze(fixtures.write('slow2.pdf', await makePdf({ pages: 1 })), { limits: FRESH_THREAD_1_MS }),
    );

    const a = await analyze(
      fixtures.write('fine.docx', await makeDocx({ title: 'Fine', paragraphs: ['All good.'] })),
    );
    expect(a).toMatchObject({ kind: 'docx', title: 'Fine', text: 'All good.\n' });
  });
});
