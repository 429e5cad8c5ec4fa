import type { Command } from 'commander';
import type { CliContext } from '../context.js';
import { follow } from '../follow.js';
import { describeDocument } from '../format.js';
import { createReporter } from '../progress.js';

export function registerReprocess(program: Command, ctx: CliContext): void {
  program
    .command('reprocess')
    .description('process a document again with a new job')
    .argument('<id>', 'document id')
    .option('-w, --watch', 'wait for processing and show its progress', false)
    .action(async (id: string, opts: { watch: boolean }) => {
      const c = ctx.client();
      const doc = await c.reprocessDocument(id);
      let final = doc;
      if (opts.watch && doc.job) {
        const reporter = createReporter(ctx.io.stderr, [doc.filename]);
        try {
          final = await follow(c, doc.job.id, reporter.add(doc.filename), doc);
        } finally {
          reporter.stop();
        }
      }
      if (final.status === 'FAILED') ctx.fail();
      if (ctx.globals().json) return ctx.json(final);
      ctx.out(
        opts.watch ? describeDocument(final) : `Reprocessing ${id}: job ${doc.job?.id ?? '-'} ${doc.status}`,
      );
    });
}
