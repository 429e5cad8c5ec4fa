import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatBytes, formatTime } from '../../common/format.js';
import { terminalSafe } from '../../common/terminal-safe.js';
import type { JobStatus } from '../../sdk/node.js';
import type { CliContext } from '../context.js';
import { table } from '../format.js';

const STATUSES: readonly JobStatus[] = ['QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED'];

export function registerList(program: Command, ctx: CliContext): void {
  program
    .command('list')
    .description('list your documents, newest first')
    .addOption(new Option('-s, --status <status>', 'only documents in this status').choices(STATUSES))
    .option('-n, --first <count>', 'page size (1-100)', parsePageSize, 20)
    .option('--after <cursor>', 'continue after this cursor (printed at the end of a page)')
    .action(async (opts: { status?: JobStatus; first: number; after?: string }) => {
      const page = await ctx.client().documents({
        first: opts.first,
        ...(opts.after ? { after: opts.after } : {}),
        ...(opts.status ? { status: opts.status } : {}),
      });
      if (ctx.globals().json) {
        return ctx.json({ documents: page.edges.map((e) => e.node), pageInfo: page.pageInfo });
      }
      if (page.edges.length === 0) return ctx.out('No documents.');
      ctx.out(
        table(
          ['ID', 'STATUS', 'TYPE', 'SIZE', 'CREATED', 'NAME'],
          page.edges.map(({ node: d }) => [
            d.id,
            d.status,
            d.detectedType ?? '-',
            formatBytes(d.size),
            formatTime(d.createdAt),
            d.filename,
          ]),
        ),
      );
      if (page.pageInfo.hasNextPage && page.pageInfo.endCursor) {
        ctx.out(`\nMore: docpipe list --after ${terminalSafe(page.pageInfo.endCursor)}`);
      }
    });
}

function parsePageSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100)
    throw new InvalidArgumentError('must be an integer from 1 to 100');
  return n;
}
