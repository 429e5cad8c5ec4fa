/**
 * Human output of the CLI. Every value from the api (or from a file name) passes through
 * `terminalSafe` here, one line per value, so a name or message cannot forge lines or drive the
 * terminal; only the text preview may span lines, indented under its label.
 */
import { formatBytes, formatTime, resultFacts } from '../common/format.js';
import { terminalSafe } from '../common/terminal-safe.js';
import type { Document, Job } from '../sdk/index.js';

const safe = (text: string) => terminalSafe(text);

/** One-line job summary: "PROCESSING detecting 40%" or "FAILED CHECKSUM_MISMATCH: …". */
export function describeJob(job: Job): string {
  if (job.status === 'FAILED')
    return safe(`FAILED ${job.error ? `${job.error.code}: ${job.error.message}` : ''}`.trim());
  if (job.status === 'COMPLETED') return 'COMPLETED';
  return safe(`${job.status} ${job.stage} ${job.progress}%`);
}

/** The `get` view and the end of `upload --watch`: what processing found. */
export function describeDocument(doc: Document): string {
  const rows: [string, string][] = [
    ['id', doc.id],
    ['filename', doc.filename],
    ['status', doc.status],
    ['detected type', doc.detectedType ?? '(not yet detected)'],
    ['claimed type', doc.contentType],
    ['size', `${formatBytes(doc.size)} (${doc.size} bytes)`],
    ['sha256', doc.sha256],
    ['created', formatTime(doc.createdAt)],
    ['updated', formatTime(doc.updatedAt)],
  ];
  if (doc.job) {
    rows.push(['job', `${doc.job.id} (attempt ${doc.job.attempts}, version ${doc.job.version})`]);
    if (doc.job.error) rows.push(['error', `${doc.job.error.code}: ${doc.job.error.message}`]);
  }
  if (doc.result) {
    for (const [label, value] of resultFacts(doc.result)) rows.push([label.toLowerCase(), value]);
    if (doc.result.textUrl) rows.push(['text url', doc.result.textUrl]);
    if (doc.result.thumbnailUrl) rows.push(['thumbnail url', doc.result.thumbnailUrl]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows
    .map(([k, v]) => {
      // The preview may hold line breaks: keep them, indented under the value column.
      const value = k === 'preview' ? terminalSafe(v, { multiline: true }) : safe(v);
      return `${k.padEnd(width)}  ${value.replace(/\n/g, `\n${' '.repeat(width + 2)}`)}`;
    })
    .join('\n');
}

/** A plain-text table with padded columns; the last column is not padded. Cells are made safe. */
export function table(header: string[], rows: string[][]): string {
  const safeRows = rows.map((r) => r.map(safe));
  const widths = header.map((h, i) => Math.max(h.length, ...safeRows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...safeRows.map(line)].join('\n');
}

/** Shortens a file name for a progress-bar label, keeping its end (the extension); made safe. */
export function label(name: string, width: number): string {
  const shown = safe(name);
  if (shown.length <= width) return shown.padEnd(width);
  return `…${shown.slice(shown.length - width + 1)}`;
}
