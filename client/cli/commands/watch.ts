import type { Command } from 'commander';
import { formatTime } from '../../common/format.js';
import { terminalSafe } from '../../common/terminal-safe.js';
import type { DocumentEvent, Job } from '../../sdk/node.js';
import type { CliContext } from '../context.js';
import { describeJob } from '../format.js';
import { createReporter } from '../progress.js';

export function registerWatch(program: Command, ctx: CliContext): void {
  const command = program.command('watch');
  const usage = (message: string): never => command.error(`error: ${message}`, { exitCode: 2 });
  command
    .description('follow a job until it completes or fails; --all: every change to your documents')
    .argument('[jobId]', 'job id (document.job.id)')
    .option('--all', 'print every change to your documents as it happens, until Ctrl-C')
    .option('--after <cursor>', 'with --all: first the changes since this cursor (printed with each change)')
    .action(async (jobId: string | undefined, opts: { all?: boolean; after?: string }) => {
      const c = ctx.client();
      if (opts.all) {
        if (jobId) usage('watch takes a job id or --all, not both');
        for await (const event of c.watchDocuments({ after: opts.after ?? null })) {
          if (ctx.globals().json) ctx.jsonLine(event);
          else ctx.out(describeEvent(event));
        }
        return;
      }
      if (!jobId) return usage('watch needs a job id, or --all');
      let last: Job | undefined;
      if (ctx.globals().json) {
        // NDJSON: one job state per line, as it happens.
        for await (const job of c.watchJob(jobId)) {
          ctx.jsonLine(job);
          last = job;
        }
      } else {
        const reporter = createReporter(ctx.io.stderr, [`job ${jobId}`]);
        const bar = reporter.add(`job ${jobId}`);
        try {
          for await (const job of c.watchJob(jobId)) {
            bar.job(job);
            last = job;
          }
        } finally {
          reporter.stop();
        }
        if (last) ctx.out(describeJob(last));
      }
      if (last?.status === 'FAILED') ctx.fail();
    });
}

/** "12:00:01  COMPLETED  <id>  report.pdf" (progress for UPDATED, the cursor with --json only). */
function describeEvent(event: DocumentEvent): string {
  const name = event.document ? terminalSafe(event.document.filename) : '';
  const progress =
    event.kind === 'UPDATED' && event.job ? `  ${terminalSafe(event.job.status)} ${event.job.progress}%` : '';
  return `${formatTime(event.at)}  ${event.kind.padEnd(9)}  ${event.documentId}  ${name}${progress}`.trimEnd();
}
