/**
 * What every command gets: the lazily created SDK client, the global options, and output helpers
 * that neutralise control and bidi characters (see client/common/terminal-safe.ts) — results on
 * stdout, progress and errors on stderr.
 */
import { createClient, DocpipeError, isDocpipeError, type DocpipeClient } from '../sdk/node.js';
import { terminalSafe, terminalSafeJson } from '../common/terminal-safe.js';
import type { ResolvedToken } from './token.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface GlobalOptions {
  url: string;
  token?: string;
  json: boolean;
}

export interface Io {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export interface CliContext {
  readonly io: Io;
  globals(): GlobalOptions;
  /** The SDK client, created on first use with the resolved token. */
  client(): DocpipeClient;
  /** Where the token came from (after `client()` was called). */
  token(): ResolvedToken | undefined;
  /** A result line (or lines) on stdout; anything from the api in it is made terminal-safe. */
  out(text: string): void;
  /** A value as indented JSON on stdout, terminal-safe. */
  json(value: unknown): void;
  /** One JSON value per line on stdout (NDJSON streams). */
  jsonLine(value: unknown): void;
  /** A line on stderr, terminal-safe. */
  err(text: string): void;
  /** The command failed (exit code 1) but carries on, e.g. one of several uploads. */
  fail(error?: DocpipeError): void;
  /** Errors passed to `fail`, for hints printed once at the end. */
  readonly failures: DocpipeError[];
}

export function createContext(
  io: Io,
  globals: () => GlobalOptions,
  resolveToken: () => ResolvedToken,
): CliContext & { exitCode(): number; close(): Promise<void> } {
  let client: DocpipeClient | undefined;
  let resolved: ResolvedToken | undefined;
  let failed = false;
  const failures: DocpipeError[] = [];
  return {
    io,
    globals,
    client() {
      if (!client) {
        resolved = resolveToken();
        // `token: ''` rather than undefined: the SDK's DOCPIPE_TOKEN fallback was already applied here.
        client = createClient({ url: globals().url, token: resolved.token ?? '' });
      }
      return client;
    },
    token: () => resolved,
    out: (text) => void io.stdout.write(`${terminalSafe(text, { multiline: true })}\n`),
    json: (value) => void io.stdout.write(`${terminalSafeJson(value, 2)}\n`),
    jsonLine: (value) => void io.stdout.write(`${terminalSafeJson(value)}\n`),
    err: (text) => void io.stderr.write(`${terminalSafe(text, { multiline: true })}\n`),
    fail(error) {
      failed = true;
      if (error) failures.push(error);
    },
    failures,
    exitCode: () => (failed ? EXIT_FAILURE : EXIT_OK),
    async close() {
      await client?.close();
    },
  };
}

/** Any thrown value as a DocpipeError (file-system errors keep a readable message). */
export function asDocpipeError(err: unknown): DocpipeError {
  if (isDocpipeError(err)) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EEXIST')
    return new DocpipeError('BAD_USER_INPUT', (err as Error).message.replace(/^EEXIST: /, ''));
  return new DocpipeError('INTERNAL_SERVER_ERROR', err instanceof Error ? err.message : String(err), {
    cause: err,
  });
}
