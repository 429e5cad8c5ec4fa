/**
 * The `docpipe` command line, built on the SDK. Results go to stdout (JSON with --json), progress
 * and errors to stderr. Exit codes: 0 success, 1 failure (an error, a FAILED job, nothing deleted),
 * 2 usage error.
 */
import { createWriteStream } from 'node:fs';
import { access, rename, rm, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import {
  createClient,
  DocpipeError,
  isDocpipeError,
  type DocpipeClient,
  type Document,
  type Job,
  type JobStatus,
} from '../sdk/node.js';
import { formatBytes, formatTime } from '../common/format.js';
import { describeDocument, describeJob, table } from './format.js';
import { createReporter, type FileProgress } from './progress.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export const DEFAULT_URL = 'http://127.0.0.1:4000/graphql';
const STATUSES: readonly JobStatus[] = ['QUEUED', 'PROCESSING', 'COMPLETED', 'FAILED'];
/** Files uploaded at once by `upload`; more would only split the same bandwidth. */
const UPLOAD_CONCURRENCY = 3;

interface GlobalOptions {
  url: string;
  token?: string;
  json: boolean;
}

interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

/** Runs the CLI with `argv` (as `process.argv`) and resolves with the exit code. */
export async function runCli(argv: string[], io: Io): Promise<number> {
  let client: DocpipeClient | undefined;
  let exitCode = EXIT_OK;
  const globals = () => program.opts<GlobalOptions>();
  const getClient = () => {
    const { url, token } = globals();
    client ??= createClient({ url, ...(token ? { token } : {}) });
    return client;
  };
  const out = (text: string): void => {
    io.stdout.write(`${text}\n`);
  };
  const json = (value: unknown): void => out(JSON.stringify(value, null, 2));
  const fail = () => {
    exitCode = EXIT_FAILURE;
  };

  const program = new Command('docpipe')
    .description('Upload documents to docpipe and follow their processing.')
    .addOption(
      new Option('--url <url>', 'GraphQL endpoint of the docpipe api')
        .env('DOCPIPE_URL')
        .default(DEFAULT_URL)
        .argParser(parseUrl),
    )
    .addOption(new Option('--token <token>', 'sent as Authorization: Bearer <token>').env('DOCPIPE_TOKEN'))
    .option('--json', 'machine-readable output on stdout (NDJSON for streams)', false)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();

  program
    .command('upload')
    .description('upload files; with --watch, follow processing to the end')
    .argument('<files...>', 'paths of the files to upload')
    .option('-w, --watch', 'wait for processing and show its progress', false)
    .action(async (files: string[], opts: { watch: boolean }) => {
      const c = getClient();
      const reporter = createReporter(
        io.stderr,
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
          const doc = await c.uploadDocument(file, { onProgress: (p) => bar.uploading(p.loaded, p.total) });
          bar.uploaded(doc.id);
          const final = opts.watch && doc.job ? await follow(c, doc.job.id, bar, doc) : doc;
          if (final.status === 'FAILED') fail();
          outcomes.set(index, final);
        } catch (err) {
          const e = asDocpipeError(err);
          bar.failed(`${e.code}: ${e.message}`);
          outcomes.set(index, { file, error: { code: e.code, message: e.message } });
          fail();
        }
      };
      await inParallel(
        files.map((_, i) => i),
        UPLOAD_CONCURRENCY,
        one,
      );
      reporter.stop();
      const results = files.map((_, i) => outcomes.get(i)!);
      if (globals().json) return json(results);
      for (const r of results) {
        if ('error' in r) continue; // already shown on its progress line
        out(
          opts.watch
            ? `\n${describeDocument(r)}`
            : `${r.filename}  ${r.id}  job ${r.job?.id ?? '-'}  ${r.status}`,
        );
      }
    });

  program
    .command('watch')
    .description('follow a job until it completes or fails')
    .argument('<jobId>', 'job id (document.job.id)')
    .action(async (jobId: string) => {
      const c = getClient();
      let last: Job | undefined;
      if (globals().json) {
        // NDJSON: one job state per line, as it happens.
        for await (const job of c.watchJob(jobId)) {
          io.stdout.write(`${JSON.stringify(job)}\n`);
          last = job;
        }
      } else {
        const reporter = createReporter(io.stderr, [`job ${jobId}`]);
        const bar = reporter.add(`job ${jobId}`);
        try {
          for await (const job of c.watchJob(jobId)) {
            bar.job(job);
            last = job;
          }
        } finally {
          reporter.stop();
        }
        if (last) out(describeJob(last));
      }
      if (last?.status === 'FAILED') fail();
    });

  program
    .command('list')
    .description('list your documents, newest first')
    .addOption(new Option('-s, --status <status>', 'only documents in this status').choices(STATUSES))
    .option('-n, --first <count>', 'page size (1-100)', parsePositiveInt, 20)
    .option('--after <cursor>', 'continue after this cursor (printed at the end of a page)')
    .action(async (opts: { status?: JobStatus; first: number; after?: string }) => {
      const page = await getClient().documents({
        first: opts.first,
        ...(opts.after ? { after: opts.after } : {}),
        ...(opts.status ? { status: opts.status } : {}),
      });
      if (globals().json) return json({ documents: page.edges.map((e) => e.node), pageInfo: page.pageInfo });
      if (page.edges.length === 0) return out('No documents.');
      out(
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
        out(`\nMore: docpipe list --after ${page.pageInfo.endCursor}`);
      }
    });

  program
    .command('get')
    .description('show one document and what processing found')
    .argument('<id>', 'document id')
    .action(async (id: string) => {
      const doc = await getClient().document(id);
      if (!doc) throw new DocpipeError('NOT_FOUND', `Document ${id} not found`);
      if (globals().json) return json(doc);
      out(describeDocument(doc));
    });

  program
    .command('download')
    .description('download the original file')
    .argument('<id>', 'document id')
    .option('-o, --output <path>', 'where to write it ("-" for stdout); default: its stored name')
    .option('-f, --force', 'overwrite an existing file', false)
    .action(async (id: string, opts: { output?: string; force: boolean }) => {
      const info = await getClient().downloadInfo(id);
      const res = await fetch(info.url).catch((err: unknown) => {
        throw new DocpipeError('NETWORK_ERROR', `Cannot download ${id}: ${String(err)}`, { cause: err });
      });
      if (!res.ok || !res.body) throw new DocpipeError('BAD_RESPONSE', `Download failed: HTTP ${res.status}`);
      const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
      if (opts.output === '-') {
        await pipeline(body, io.stdout, { end: false });
        return;
      }
      // The stored name is the client's claim: keep only its last path segment.
      const path = opts.output ?? (basename(info.filename.replace(/\\/g, '/')) || id);
      const partial = `${path}.part-${process.pid}`;
      try {
        await pipeline(body, createWriteStream(partial, { flags: 'wx' }));
        if (!opts.force) await assertAbsent(path);
        await rename(partial, path);
      } finally {
        await rm(partial, { force: true });
      }
      if (globals().json) return json({ id, path, bytes: info.size });
      out(`Saved ${path} (${formatBytes(info.size)})`);
    });

  program
    .command('delete')
    .description('delete a document and its stored bytes')
    .argument('<id>', 'document id')
    .action(async (id: string) => {
      const result = await getClient().deleteDocument(id);
      if (globals().json) json(result);
      else out(result.deleted ? `Deleted ${id}` : '');
      if (!result.deleted) {
        io.stderr.write(`docpipe: nothing deleted: document ${id} not found\n`);
        fail();
      }
    });

  program
    .command('reprocess')
    .description('process a document again with a new job')
    .argument('<id>', 'document id')
    .option('-w, --watch', 'wait for processing and show its progress', false)
    .action(async (id: string, opts: { watch: boolean }) => {
      const c = getClient();
      const doc = await c.reprocessDocument(id);
      let final = doc;
      if (opts.watch && doc.job) {
        const reporter = createReporter(io.stderr, [doc.filename]);
        try {
          final = await follow(c, doc.job.id, reporter.add(doc.filename), doc);
        } finally {
          reporter.stop();
        }
      }
      if (final.status === 'FAILED') fail();
      if (globals().json) return json(final);
      out(
        opts.watch ? describeDocument(final) : `Reprocessing ${id}: job ${doc.job?.id ?? '-'} ${doc.status}`,
      );
    });

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander; usage mistakes were already printed by it.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    reportError(err, io, globals());
    return EXIT_FAILURE;
  } finally {
    await client?.close();
  }
  return exitCode;
}

/** Follows a job on its progress line, then reads the document again for its final fields. */
async function follow(
  client: DocpipeClient,
  jobId: string,
  bar: FileProgress,
  doc: Document,
): Promise<Document> {
  for await (const job of client.watchJob(jobId)) bar.job(job);
  return (await client.document(doc.id)) ?? doc;
}

function reportError(err: unknown, io: Io, globals: GlobalOptions): void {
  const e = asDocpipeError(err);
  let hint = '';
  if (e.code === 'NETWORK_ERROR') {
    hint = `\nIs the api running? Start it with \`npm start\`, or point --url (or DOCPIPE_URL) at it.`;
  }
  io.stderr.write(`docpipe: ${e.message} [${e.code}]${hint}\n`);
  if (globals.json) io.stdout.write(`${JSON.stringify({ error: { code: e.code, message: e.message } })}\n`);
}

function asDocpipeError(err: unknown): DocpipeError {
  if (isDocpipeError(err)) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EEXIST')
    return new DocpipeError('BAD_USER_INPUT', (err as Error).message.replace(/^EEXIST: /, ''));
  return new DocpipeError('INTERNAL_SERVER_ERROR', err instanceof Error ? err.message : String(err), {
    cause: err,
  });
}

async function assertAbsent(path: string): Promise<void> {
  const exists = await access(path).then(
    () => true,
    () => false,
  );
  if (exists) throw new DocpipeError('BAD_USER_INPUT', `${path} already exists (use --force to overwrite)`);
}

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function parseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('must be a URL such as http://127.0.0.1:4000/graphql');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new InvalidArgumentError('must be http(s)');
  return url.toString();
}

function parsePositiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 100)
    throw new InvalidArgumentError('must be an integer from 1 to 100');
  return n;
}
