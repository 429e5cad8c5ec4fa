import type { Command } from 'commander';
import type { Job } from '../../sdk/node.js';
import type { CliContext } from '../context.js';
import { describeJob } from '../format.js';
import { createReporter } from '../progress.js';

export function registerWatch(program: Command, ctx: CliContext): void {
  program
    .command('watch')
    .description('follow a job until it completes or fails')
    .argument('<jobId>', 'job id (document.job.id)')
    .action(async (jobId: string) => {
      const c = ctx.client();
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
