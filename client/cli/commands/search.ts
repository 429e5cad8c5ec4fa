import { InvalidArgumentError, type Command } from 'commander';
import { terminalSafe } from '../../common/terminal-safe.js';
import type { SearchPage } from '../../sdk/node.js';
import type { CliContext } from '../context.js';

export function registerSearch(program: Command, ctx: CliContext): void {
  program
    .command('search')
    .description('find your documents by their text or name: words, "exact phrases", prefix*, -excluded')
    .argument('<query...>', 'what to look for (quote phrases for your shell: \'"net total"\')')
    .option('-n, --first <count>', 'hits per page (1-50)', parsePageSize, 10)
    .option('--after <cursor>', 'continue after this cursor (printed at the end of a page)')
    .option('--kind <kind>', 'only this kind: pdf, docx, html, text, markdown, csv, json, image…')
    .option('--language <code>', 'only this language (ISO 639-3, e.g. eng, fra)')
    .action(
      async (words: string[], opts: { first: number; after?: string; kind?: string; language?: string }) => {
        const query = words.join(' ');
        const page = await ctx.client().search(query, {
          first: opts.first,
          ...(opts.after ? { after: opts.after } : {}),
          filter: {
            ...(opts.kind ? { kind: opts.kind } : {}),
            ...(opts.language ? { language: opts.language } : {}),
          },
        });
        if (ctx.globals().json) {
          return ctx.json({ hits: page.edges.map((e) => e.node), pageInfo: page.pageInfo });
        }
        if (page.edges.length === 0) return ctx.out('No documents found.');
        for (const { node } of page.edges) ctx.out(describeHit(node));
        if (page.pageInfo.hasNextPage && page.pageInfo.endCursor) {
          ctx.out(
            `More: docpipe search --after ${terminalSafe(page.pageInfo.endCursor)} ${terminalSafe(query)}`,
          );
        }
      },
    );
}

type Hit = SearchPage['edges'][number]['node'];

/** "<id>  <status>  <filename>" and the snippet with its matches in [brackets], one hit per block. */
export function describeHit(hit: Hit): string {
  const doc = hit.document;
  // Most relevant first; the score itself (relative, often tiny on small libraries) is in --json.
  const lines = [`${doc.id}  ${doc.status}  ${terminalSafe(doc.filename)}`];
  for (const snippet of hit.snippets.filter((s) => s.field === 'body')) lines.push(`  ${marked(snippet)}`);
  return lines.join('\n') + '\n';
}

/** The snippet on one line, each piece made terminal-safe on its own so the ranges stay right. */
function marked(snippet: Hit['snippets'][number]): string {
  const piece = (text: string) => terminalSafe(text.replace(/[\n\r\t]+/g, ' '));
  let out = '';
  let at = 0;
  for (const { start, length } of [...snippet.highlights].sort((a, b) => a.start - b.start)) {
    if (start < at) continue;
    out +=
      terminalSafe(snippet.text.slice(at, start)) +
      `[${terminalSafe(snippet.text.slice(start, start + length))}]`;
    at = start + length;
  }
  return out + piece(snippet.text.slice(at));
}

function parsePageSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 50)
    throw new InvalidArgumentError('must be an integer from 1 to 50');
  return n;
}
