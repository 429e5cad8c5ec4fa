import { execFileSync, spawn } from 'node:child_process';
import type { OcrPage, PageOrientation } from './ocr.js';

/**
 * OCR with the `tesseract` command (Debian: `apt-get install tesseract-ocr`, languages from
 * `tesseract-ocr-<code>`), one process per page, the page image on stdin. Single-threaded
 * (OMP_THREAD_LIMIT=1): the analysis threads are the parallelism, and OpenMP's spinning threads
 * made a page 5× slower on a busy 2-core machine (docs/performance.md).
 */
const COMMAND = 'tesseract';

/**
 * The languages the installed `tesseract` knows, or null when it is not installed (or coreutils'
 * `timeout`, which keeps its time limit, is missing).
 */
export function nativeLanguages(): Set<string> | null {
  try {
    execFileSync('timeout', ['--version'], { stdio: 'ignore' });
    const out = execFileSync(COMMAND, ['--list-langs'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // The first line names the data folder; one code per line follows.
    return new Set(
      out
        .split('\n')
        .slice(1)
        .map((l) => l.trim())
        .filter(Boolean),
    );
  } catch {
    return null;
  }
}

export async function recogniseNative(
  image: Buffer,
  languages: string,
  timeoutMs: number,
): Promise<OcrPage | null> {
  const tsv = await run(['stdin', 'stdout', '-l', languages, '--psm', '3', 'tsv'], image, timeoutMs);
  return tsv === null ? null : fromTsv(tsv);
}

/** Orientation and script detection (`--psm 0`, needs `osd` data: Debian's tesseract-ocr-osd). */
export async function orientationNative(image: Buffer, timeoutMs: number): Promise<PageOrientation | null> {
  const out = await run(['stdin', 'stdout', '--psm', '0'], image, timeoutMs).catch(() => null);
  const degrees = out?.match(/^Rotate: (\d+)/m)?.[1];
  const confidence = out?.match(/^Orientation confidence: ([\d.]+)/m)?.[1];
  return degrees && confidence ? { degrees: Number(degrees), confidence: Number(confidence) } : null;
}

/**
 * Text and mean word confidence from tesseract's TSV: one row per layout element, words at level
 * 5 (conf −1 marks the others). Words of one line are joined by spaces, lines by newlines, and
 * paragraphs by a blank line, as tesseract's own text output does.
 */
export function fromTsv(tsv: string): OcrPage {
  const lines: string[] = [];
  const confidences: number[] = [];
  let lineKey = '';
  let paragraphKey = '';
  for (const row of tsv.split('\n').slice(1)) {
    const cols = row.split('\t');
    if (cols[0] !== '5' || cols.length < 12) continue;
    const word = cols.slice(11).join('\t').trim();
    if (!word) continue;
    confidences.push(Number(cols[10]));
    const paragraph = cols.slice(1, 4).join('.');
    const line = `${paragraph}.${cols[4]}`;
    if (line === lineKey) {
      lines[lines.length - 1] += ` ${word}`;
    } else {
      if (paragraphKey && paragraph !== paragraphKey) lines.push('');
      lines.push(word);
    }
    lineKey = line;
    paragraphKey = paragraph;
  }
  const confidence = confidences.length ? confidences.reduce((a, b) => a + b, 0) / confidences.length : 0;
  return { text: lines.join('\n'), confidence: Math.round(confidence) };
}

/**
 * Runs tesseract with `input` on stdin; null when it runs past `timeoutMs`. The limit is kept by
 * coreutils' `timeout`, outside this thread: an analysis thread that is itself terminated (its own
 * time or memory limit) cannot leave a tesseract running with nobody to stop it.
 */
function run(args: string[], input: Buffer, timeoutMs: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('timeout', ['-s', 'KILL', `${timeoutMs / 1000}s`, COMMAND, ...args], {
      env: { ...process.env, OMP_THREAD_LIMIT: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => (err = (err + chunk.toString()).slice(-2000)));
    // A page too big for the pipe before tesseract exits on bad input: the exit code says why.
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code === 0) resolve(Buffer.concat(out).toString('utf8'));
      // `timeout -s KILL` kills its own process group (itself too: it leads a group of its own).
      else if (code === TIMED_OUT || signal === 'SIGKILL') resolve(null);
      else reject(new Error(`tesseract exited with ${code}: ${err.trim()}`));
    });
  });
}

/** The exit status of a command killed by SIGKILL (128 + 9), as `timeout` may report it. */
const TIMED_OUT = 137;
