import type { Command } from 'commander';
import type { CliContext } from '../context.js';

export function registerDelete(program: Command, ctx: CliContext): void {
  program
    .command('delete')
    .description('delete a document and its stored bytes')
    .argument('<id>', 'document id')
    .action(async (id: string) => {
      const result = await ctx.client().deleteDocument(id);
      if (ctx.globals().json) ctx.json(result);
      else if (result.deleted) ctx.out(`Deleted ${id}`);
      else ctx.out('');
      if (!result.deleted) {
        ctx.err(`docpipe: nothing deleted: document ${id} not found`);
        ctx.fail();
      }
    });
}
