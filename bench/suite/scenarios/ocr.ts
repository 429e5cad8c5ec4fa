/**
 * OCR (issue 12): page images (1600 px wide, 8 lines of text, rendered with sharp) analysed one
 * after another in the worker's analysis thread with tesseract.js. Baseline, same run: the same
 * images analysed with OCR off (header and thumbnail only), so the ratio is OCR's cost. Also the
 * peak RSS of this process while OCR runs, against before (the analysis thread and tesseract's own
 * thread live in it).
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { analyzeFile, DEFAULT_PROCESSING_LIMITS } from '../../../worker/processing/index.js';
import type { Scenario } from '../scenario.js';
import { round, row, rssMiB } from '../support.js';

const LINE = 'The lighthouse keeper ordered twelve lamps for the harbour office';

export const ocr: Scenario = {
  name: 'ocr',
  description: 'OCR pages/s and peak memory (tesseract.js) vs the same images without OCR',
  async run({ smoke, log }) {
    const N = smoke ? 2 : 20;
    const dir = mkdtempSync(join(tmpdir(), 'docpipe-bench-ocr-'));
    try {
      const pages: string[] = [];
      for (let i = 0; i < N; i++) {
        const svg =
          '<svg xmlns="http://www.w3.org/2000/svg" width="1600" height="800"><rect width="100%" height="100%" fill="white"/>' +
          Array.from(
            { length: 8 },
            (_, l) =>
              `<text x="40" y="${90 + l * 90}" font-family="DejaVu Sans" font-size="40">${i} ${LINE}</text>`,
          ).join('') +
          '</svg>';
        const path = join(dir, `page-${i}.png`);
        writeFileSync(path, await sharp(Buffer.from(svg)).png().toBuffer());
        pages.push(path);
      }
      const run = async (ocrLanguages: string) => {
        const t0 = performance.now();
        let confidence = 0;
        for (const path of pages) {
          const a = await analyzeFile({
            path,
            size: statSync(path).size,
            filename: 'page.png',
            limits: { ...DEFAULT_PROCESSING_LIMITS, ocrLanguages },
          });
          confidence += (a.metadata['ocr'] as { meanConfidence?: number } | undefined)?.meanConfidence ?? 0;
        }
        return {
          perSecond: round(N / ((performance.now() - t0) / 1000)),
          meanConfidence: round(confidence / N, 1),
        };
      };
      log(`${N} pages without OCR, then with`);
      await run(''); // warm-up: the analysis thread
      const without = await run('');
      // Peak of this process while OCR runs, sampled (VmHWM would include earlier scenarios).
      const rssBefore = rssMiB(process.pid);
      let rssPeak = rssBefore;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(process.pid))), 20);
      const withOcr = await run('eng').finally(() => clearInterval(sampler));
      return [
        row({
          name: 'OCR: page images analysed per second (tesseract.js, eng)',
          measured: withOcr.perSecond,
          baseline: without.perSecond,
          unit: 'pages/s',
          better: 'higher',
          target: 'none set (issue 12 asks for the number)',
          smoke,
          detail: {
            meanConfidence: withOcr.meanConfidence,
            native: 'tesseract not installed here: not measured',
          },
        }),
        row({
          name: 'OCR: peak RSS of the process analysing them (sampled every 20 ms)',
          measured: rssPeak,
          baseline: rssBefore,
          unit: 'MiB',
          better: 'lower',
          target: 'none set',
          smoke,
        }),
      ];
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
