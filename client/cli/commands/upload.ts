import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { terminalSafe } from '../../common/terminal-safe.js';
import type { Document } from '../../sdk/node.js';
import { asDocpipeError, type CliContext } from '../context.js';
import { follow } from '../follow.js';
import { describeDocument } from '../format.js';
import { createReporter } from '../progress.js';

/** Files uploaded at once by `upload`; more would only split the same bandwidth. */
const UPLOAD_CONCURRENCY = 3;

export function registerUpload(program: Command, ctx: CliContext): void {
  program
    .command('upload')
    .description('upload files; with --watch, follow processing to the end')
    .argument('<files...>', 'paths of the files to upload')
    .option('-w, --watch', 'wait for processing and show its progress', false)
    .action(async (files: string[], opts: { watch: boolean }) => {
      const c = ctx.client();
      const reporter = createReporter(
        ctx.io.stderr,
        files.map((f) => basename(f)),
      );
      type Outcome = Document | { file: string; error: { code: string; message: string } };
      // Keyed by position so output follows the command line, whatever finishes first.
      const outcomes = new Map<number, Outcome>();
      const one = async (index: number): Promise<void> => {
        const file = files[index] as string;
        const size = await stat(file).then(
          (s) => s.size,
          () => undefined, // the upload reports a missing file properly
        );
        const bar = reporter.add(basename(file), size);
        try {
          const doc = await c.uploadDocument(file, {
            onProgress: (p) => bar.uploading(p.loaded, p.total, p.resumed),
          });
          bar.uploaded(doc.id);
          const final = opts.watch && doc.job ? await follow(c, doc.job.id, bar, doc) : doc;
          if (final.status === 'FAILED') ctx.fail();
          outcomes.set(index, final);
        } catch (err) {
          const e = asDocpipeError(err);
          bar.failed(`${e.code}: ${e.message}`);
          outcomes.set(index, { file, error: { code: e.code, message: e.message } });
          ctx.fail(e);
        }
      };
      await inParallel(
        files.map((_, i) => i),
        UPLOAD_CONCURRENCY,
        one,
      );
      reporter.stop();
      const results = files.map((_, i) => outcomes.get(i)!);
      if (ctx.globals().json) return ctx.json(results);
      for (const r of results) {
        if ('error' in r) continue; // already shown on its progress line
        ctx.out(
          opts.watch
            ? `\n${describeDocument(r)}`
            : terminalSafe(`${r.filename}  ${r.id}  job ${r.job?.id ?? '-'}  ${r.status}`),
        );
      }
    });
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
