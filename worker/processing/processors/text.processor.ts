import { MimeType } from '../detect.js';
import type { Extraction, Processor, ProcessorContext } from '../processor.js';
import { streamText } from '../text-stream.js';

/** Title of a Markdown document: its first level-1 ATX heading, looked for near the start only. */
const TITLE_SEARCH_CHARS = 64 * 1024;

/** Plain text and Markdown: the text itself, streamed. */
export const textProcessor: Processor = {
  async extract(ctx: ProcessorContext): Promise<Extraction> {
    let head = '';
    let lines = 0;
    let endsWithNewline = false;
    const encoding = await streamText(
      ctx.bytes ?? ctx.path,
      ctx.size,
      (text) => {
        if (head.length < TITLE_SEARCH_CHARS) head += text.slice(0, TITLE_SEARCH_CHARS - head.length);
        for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) lines++;
        endsWithNewline = text.endsWith('\n');
        ctx.text.add(text);
      },
      (fraction) => ctx.progress.update(fraction),
    );
    const lineCount = ctx.size === 0 ? 0 : lines + (endsWithNewline ? 0 : 1);
    const title = ctx.mime === MimeType.MARKDOWN ? (/^#[ \t]+(.+?)[ \t#]*$/m.exec(head)?.[1] ?? null) : null;
    return { hasText: true, prose: true, title, metadata: { encoding, lineCount } };
  },
};
