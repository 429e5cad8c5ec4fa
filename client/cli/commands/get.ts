import type { Command } from 'commander';
import { DocpipeError } from '../../sdk/node.js';
import type { CliContext } from '../context.js';
import { describeDocument } from '../format.js';

export function registerGet(program: Command, ctx: CliContext): void {
  program
    .command('get')
    .description('show one document and what processing found')
    .argument('<id>', 'document id')
    .action(async (id: string) => {
      const doc = await ctx.client().document(id);
      if (!doc) throw new DocpipeError('NOT_FOUND', `Document ${id} not found`);
      if (ctx.globals().json) return ctx.json(doc);
      ctx.out(describeDocument(doc));
    });
}
