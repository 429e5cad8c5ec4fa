/**
 * Small text files are analysed on the calling thread (and, from the worker, straight from memory);
 * everything else still goes to a thread with its time and heap limits.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { INLINE_MAX_BYTES } from '../../worker/processing/index.js';
import { makePdf } from '../fixtures/documents.js';
import { analyze, fixtureDir } from './analyze.js';

const { fixtures, cleanup } = fixtureDir();
afterAll(cleanup);

/** A fresh thread cannot even start within 1 ms: only work done on the calling thread beats it. */
const ONE_MS_IN_A_FRESH_THREAD = { timeoutMs: 1, maxMemoryMb: 501 };

const SMALL_TEXTS: [string, string][] = [
  ['note.txt', 'A plain note about inline analysis.\nSecond line.\n'],
  ['readme.md', '# Inline\n\nMarkdown, small enough.\n'],
  ['table.csv', 'name,count\nalpha,1\nbeta,2\n'],
  ['data.json', '{"title":"inline","items":[1,2,3]}'],
  ['page.html', '<html><head><title>Inline</title></head><body><p>Hello there.</p></body></html>'],
];

describe('small text files', () => {
  it.each(SMALL_TEXTS)(
    '%s: the same analysis from memory as from the file, without a thread',
    async (name, body) => {
      const path = fixtures.write(name, body);
      const fromFile = await analyze(path);
      const nowhere = join(fixtures.dir, `absent-${name}`);
      const fromMemory = await analyze(nowhere, {
        bytes: Buffer.from(body),
        size: Buffer.byteLength(body),
        filename: name,
        limits: ONE_MS_IN_A_FRESH_THREAD,
      });
      expect(fromMemory).toEqual(fromFile);
      expect(existsSync(nowhere)).toBe(false); // no temp file written
    },
  );

  it('text over the inline size goes to a thread, with its limits', async () => {
    const line = 'Just over the inline size, so a thread analyses it.\n';
    const big = fixtures.write('big.txt', line.repeat(Math.ceil((INLINE_MAX_BYTES + 1) / line.length)));
    const err = await analyze(big, { limits: ONE_MS_IN_A_FRESH_THREAD }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PROCESSING_TIMEOUT' });

    const small = fixtures.write('small.txt', line);
    await expect(analyze(small, { limits: ONE_MS_IN_A_FRESH_THREAD })).resolves.toMatchObject({
      kind: 'text',
    });
  });

  it('a small file that is not text, given from memory, is written to its path for a thread, then removed', async () => {
    const pdf = Buffer.from(await makePdf({ pages: 1, pageText: () => 'Tiny PDF' }));
    expect(pdf.length).toBeLessThanOrEqual(INLINE_MAX_BYTES);
    const path = join(fixtures.dir, 'tiny.pdf');
    const analysis = await analyze(path, { bytes: pdf, size: pdf.length, filename: 'tiny.pdf' });
    expect(analysis).toMatchObject({ kind: 'pdf', pageCount: 1 });
    expect(analysis.text).toContain('Tiny PDF');
    expect(existsSync(path)).toBe(false); // removed by analyzeFile, which wrote it

    const limited = join(fixtures.dir, 'tiny-limited.pdf');
    const err = await analyze(limited, {
      bytes: pdf,
      size: pdf.length,
      filename: 'tiny-limited.pdf',
      limits: ONE_MS_IN_A_FRESH_THREAD,
    }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'PROCESSING_TIMEOUT' });
  });
});
