import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { parse, type Parser } from 'csv-parse';
import type { JsonValue } from '../analysis.js';
import { csvDelimiter } from '../detect.js';
import type { Extraction, Processor, ProcessorContext } from '../processor.js';
import { streamText } from '../text-stream.js';

/** Text held back to choose the delimiter before parsing starts. */
const SNIFF_CHARS = 64 * 1024;
/** One record may not grow beyond this (an unclosed quote would otherwise swallow the file). */
const MAX_RECORD_CHARS = 1024 * 1024;
const MAX_HEADER_CELLS = 200;
const MAX_HEADER_CELL_CHARS = 200;

/** CSV/TSV: row and column counts and the header, parsed as a stream (csv-parse). */
export const csvProcessor: Processor = {
  async extract(ctx: ProcessorContext): Promise<Extraction> {
    const table = new CsvTable();
    const encoding = await streamText(
      ctx.bytes ?? ctx.path,
      ctx.size,
      async (text) => {
        ctx.text.add(text);
        await table.write(text);
      },
      (fraction) => ctx.progress.update(fraction),
    );
    await table.end();
    return { hasText: true, prose: false, metadata: { encoding, csv: table.summary() } };
  },
};

/**
 * Feeds text to csv-parse once enough is buffered to choose the delimiter, and counts what comes
 * out. A parse error stops the parsing (recorded as `valid: false`), not the analysis.
 */
class CsvTable {
  #sniffed = '';
  #parser: Parser | null = null;
  #delimiter = ',';
  #header: string[] | null = null;
  #records = 0;
  #ragged = 0;
  #error: string | null = null;

  async write(text: string): Promise<void> {
    if (this.#parser) return this.#feed(text);
    this.#sniffed += text;
    if (this.#sniffed.length >= SNIFF_CHARS) await this.#start(false);
  }

  async end(): Promise<void> {
    if (!this.#parser) await this.#start(true);
    const parser = this.#parser!;
    if (this.#error !== null) return;
    parser.end();
    await finished(parser).catch(() => undefined); // the 'error' listener has recorded the reason
  }

  summary(): Record<string, JsonValue> {
    const header = this.#header ?? [];
    return {
      delimiter: this.#delimiter,
      valid: this.#error === null,
      rows: Math.max(0, this.#records - 1),
      columns: header.length,
      header: header.slice(0, MAX_HEADER_CELLS).map((cell) => cell.slice(0, MAX_HEADER_CELL_CHARS)),
      raggedRows: this.#ragged,
      ...(this.#error !== null && { error: this.#error }),
    };
  }

  #start(whole: boolean): Promise<void> {
    this.#delimiter = csvDelimiter(this.#sniffed, whole) ?? mostFrequentDelimiter(this.#sniffed);
    const parser = parse({
      delimiter: this.#delimiter,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      max_record_size: MAX_RECORD_CHARS,
    });
    parser.on('data', (record: string[]) => {
      this.#records++;
      if (this.#header === null) this.#header = record;
      else if (record.length !== this.#header.length) this.#ragged++;
    });
    parser.on('error', (err: Error) => {
      this.#error ??= err.message;
    });
    this.#parser = parser;
    const sniffed = this.#sniffed;
    this.#sniffed = '';
    return this.#feed(sniffed);
  }

  async #feed(text: string): Promise<void> {
    const parser = this.#parser;
    if (!parser || this.#error !== null || text.length === 0) return;
    // once() rejects on 'error'; the listener above has recorded it.
    if (!parser.write(text)) await once(parser, 'drain').catch(() => undefined);
  }
}

/** Fallback when no delimiter splits the sample consistently: the commonest one in line one. */
function mostFrequentDelimiter(sample: string): string {
  const firstLine = sample.split(/\r?\n/, 1)[0] ?? '';
  let best = ',';
  let bestCount = 0;
  for (const candidate of [',', '\t', ';', '|']) {
    const count = firstLine.split(candidate).length - 1;
    if (count > bestCount) [best, bestCount] = [candidate, count];
  }
  return best;
}
