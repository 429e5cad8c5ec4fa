/**
 * The `docpipe` command line, built on the SDK: global options, one module per command in
 * `commands/`, and error reporting. Results go to stdout (JSON with --json), progress and errors to
 * stderr; everything that came from the api is made terminal-safe first. Exit codes: 0 success,
 * 1 failure (an error, a FAILED job, nothing deleted, a refused token), 2 usage error.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { terminalSafe, terminalSafeJson } from '../common/terminal-safe.js';
import type { DocpipeError } from '../sdk/node.js';
import { registerDelete } from './commands/delete.js';
import { registerDownload } from './commands/download.js';
import { registerGet } from './commands/get.js';
import { registerKeys } from './commands/keys.js';
import { registerList } from './commands/list.js';
import { registerReprocess } from './commands/reprocess.js';
import { registerSearch } from './commands/search.js';
import { registerUpload } from './commands/upload.js';
import { registerWatch } from './commands/watch.js';
import {
  asDocpipeError,
  createContext,
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  type CliContext,
  type GlobalOptions,
  type Io,
} from './context.js';
import { resolveToken, tokenHint } from './token.js';

export { EXIT_FAILURE, EXIT_OK, EXIT_USAGE };
export const DEFAULT_URL = 'http://127.0.0.1:4000/graphql';

const HELP_AFTER = `
Token: --token, else DOCPIPE_TOKEN, else (only for a loopback --url) the development token that
\`npm start\` writes to \${DATA_DIR:-.data}/dev-token in the current directory.
  docpipe token create --owner <id> [--ttl 30d]   make a token for an owner (needs the api's signing secret)
  docpipe keys create <name>                      make an API key for scripts (needs a token)`;

/** Runs the CLI with `argv` (as `process.argv`) and resolves with the exit code. */
export async function runCli(
  argv: string[],
  io: Io,
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): Promise<number> {
  const program = new Command('docpipe')
    .description('Upload documents to docpipe and follow their processing.')
    .addOption(
      new Option('--url <url>', 'GraphQL endpoint of the docpipe api')
        .env('DOCPIPE_URL')
        .default(DEFAULT_URL)
        .argParser(parseUrl),
    )
    .addOption(
      new Option('--token <token>', 'token or API key, sent as Authorization: Bearer <token>').env(
        'DOCPIPE_TOKEN',
      ),
    )
    .option('--json', 'machine-readable output on stdout (NDJSON for streams)', false)
    .addHelpText('after', HELP_AFTER)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();

  const globals = () => program.opts<GlobalOptions>();
  const ctx = createContext(io, globals, () =>
    resolveToken({
      given: globals().token,
      givenFrom: program.getOptionValueSource('token') === 'env' ? 'env' : 'option',
      url: globals().url,
      env,
      cwd,
    }),
  );

  for (const register of [
    registerUpload,
    registerWatch,
    registerList,
    registerSearch,
    registerGet,
    registerDownload,
    registerDelete,
    registerReprocess,
    registerKeys,
  ]) {
    register(program, ctx);
  }

  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are "errors" to commander; usage mistakes were already printed by it.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    reportError(asDocpipeError(err), ctx, cwd);
    return EXIT_FAILURE;
  } finally {
    await ctx.close();
  }
  // Errors already shown per item (uploads): one hint line for an auth or rate-limit failure.
  const hinted = ctx.failures.find((e) => hintFor(e, ctx, cwd));
  if (hinted) io.stderr.write(`${hintFor(hinted, ctx, cwd)}\n`);
  return ctx.exitCode();
}

function reportError(e: DocpipeError, ctx: CliContext, cwd: string): void {
  const hint = hintFor(e, ctx, cwd);
  ctx.io.stderr.write(`docpipe: ${terminalSafe(e.message)} [${terminalSafe(e.code)}]\n`);
  if (hint) ctx.io.stderr.write(`${hint}\n`);
  if (ctx.globals().json) {
    ctx.io.stdout.write(`${terminalSafeJson({ error: { code: e.code, message: e.message } })}\n`);
  }
}

/** One line on what to do about an error, or '' when the message says it all. */
function hintFor(e: DocpipeError, ctx: CliContext, cwd: string): string {
  const url = ctx.globals().url;
  switch (e.code) {
    case 'NETWORK_ERROR':
      return 'Is the api running? Start it with `npm start`, or point --url (or DOCPIPE_URL) at it.';
    case 'UNAUTHENTICATED': {
      const token = ctx.token();
      return token ? tokenHint(token, url, cwd) : '';
    }
    case 'RATE_LIMITED':
      return e.retryAfterSeconds === undefined
        ? 'Too many requests for this owner: wait a moment and try again.'
        : `Too many requests for this owner: try again in ${e.retryAfterSeconds} s.`;
    default:
      return '';
  }
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
