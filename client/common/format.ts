/** Formatting shared by the CLI and the web page. */

/** 1536 → "1.5 KB". Decimal units, as file managers show them. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** "2026-11-28T14:11:47.123Z" → "2026-11-28 14:11:47" (UTC, sortable). */
export function formatTime(iso: string): string {
  return iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, '');
}

/** The processing result as label/value pairs, in the order both the CLI and the web page show them. */
export function resultFacts(result: {
  kind: string;
  pageCount?: number | null;
  wordCount?: number | null;
  charCount?: number | null;
  language?: string | null;
  textTruncated: boolean;
  title?: string | null;
  author?: string | null;
  authoredAt?: string | null;
  image?: { width: number; height: number; format: string } | null;
  textPreview?: string | null;
}): [string, string][] {
  const facts: [string, string | null | undefined][] = [
    ['Kind', result.kind],
    ['Title', result.title],
    ['Author', result.author],
    ['Created', result.authoredAt],
    ['Pages', result.pageCount?.toLocaleString('en')],
    ['Words', result.wordCount?.toLocaleString('en')],
    ['Characters', result.charCount?.toLocaleString('en')],
    ['Language', result.language],
    ['Image', result.image && `${result.image.width} × ${result.image.height} ${result.image.format}`],
    ['Text', result.textTruncated ? 'truncated at the configured maximum' : null],
    ['Preview', result.textPreview],
  ];
  return facts.filter((f): f is [string, string] => f[1] !== null && f[1] !== undefined && f[1] !== '');
}
