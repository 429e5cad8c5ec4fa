/**
 * OCR (issue 12): page images (1600 px wide, 8 lines of text, rendered with sharp) analysed one
 * after another in the worker's analysis thread with tesseract.js. Baseline, same run: the same
 * images analysed with OCR off (header and thumbnail only), so the ratio is OCR's cost. Also the
 * peak RSS of this process while OCR runs, against before (the analysis thread and tesseract's own
 * thread live in it). Where native `tesseract` is installed, the same pages with it, against
 * tesseract.js: the measurement behind OCR_ENGINE=auto preferring it.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  analyzeFile,
  DEFAULT_PROCESSING_LIMITS,
  type ProcessingLimits,
} from '../../../worker/processing/index.js';
import { nativeLanguages } from '../../../worker/processing/ocr-native.js';
import type { Scenario } from '../scenario.js';
import { cpuMs, round, row, rssMiB } from '../support.js';

const LINE = 'The lighthouse keeper ordered twelve lamps for the harbour office';
const LINE_WORDS = LINE.toLowerCase().split(' ');

/** Share of the page's words (8 lines of LINE) that OCR got right, counted with multiplicity. */
function accuracy(text: string): number {
  const found = new Map<string, number>();
  for (const w of text.toLowerCase().match(/[a-z]+/g) ?? []) found.set(w, (found.get(w) ?? 0) + 1);
  let right = 0;
  for (const w of LINE_WORDS) right += Math.min(found.get(w) ?? 0, 8);
  return right / (LINE_WORDS.length * 8);
}

export const ocr: Scenario = {
  name: 'ocr',
  description: 'OCR pages/s and peak memory (tesseract.js; native tesseract where installed) vs no OCR',
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
      const run = async (limits: Partial<ProcessingLimits>) => {
        const t0 = performance.now();
        // CPU (this process and the tesseract processes it ran): steadier than wall time on a busy machine.
        const cpu0 = cpuMs(process.pid, { children: true });
        let confidence = 0;
        let wordsRight = 0;
        for (const path of pages) {
          const a = await analyzeFile({
            path,
            size: statSync(path).size,
            filename: 'page.png',
            limits: { ...DEFAULT_PROCESSING_LIMITS, ...limits },
          });
          confidence += (a.metadata['ocr'] as { meanConfidence?: number } | undefined)?.meanConfidence ?? 0;
          wordsRight += accuracy(a.text ?? '');
        }
        return {
          perSecond: round(N / ((performance.now() - t0) / 1000)),
          cpuMsPerPage: round((cpuMs(process.pid, { children: true }) - cpu0) / N, 0),
          meanConfidence: round(confidence / N, 1),
          wordAccuracy: round(wordsRight / N, 3),
        };
      };
      log(`${N} pages without OCR, then with`);
      await run({ ocrLanguages: '' }); // warm-up: the analysis thread
      const without = await run({ ocrLanguages: '' });
      // Peak of this process while OCR runs, sampled (VmHWM would include earlier scenarios).
      const rssBefore = rssMiB(process.pid);
      let rssPeak = rssBefore;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, rssMiB(process.pid))), 20);
      const withOcr = await run({ ocrEngine: 'tesseract.js' }).finally(() => clearInterval(sampler));
      const native = nativeLanguages()?.has('eng') ? await run({ ocrEngine: 'tesseract' }) : null;
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
            wordAccuracy: withOcr.wordAccuracy,
            cpuMsPerPage: withOcr.cpuMsPerPage,
          },
        }),
        native
          ? row({
              name: 'OCR: native tesseract pages/s, against tesseract.js',
              measured: native.perSecond,
              baseline: withOcr.perSecond,
              unit: 'pages/s',
              better: 'higher',
              target: 'markedly faster (issue 12) for OCR_ENGINE=auto to prefer it',
              smoke,
              detail: {
                meanConfidence: native.meanConfidence,
                wordAccuracy: native.wordAccuracy,
                cpuMsPerPage: native.cpuMsPerPage,
              },
            })
          : row({
              name: 'OCR: native tesseract (not installed here: apt-get install tesseract-ocr)',
              measured: 0,
              baseline: null,
              unit: 'pages/s',
              better: 'higher',
              target: '—',
              smoke,
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
