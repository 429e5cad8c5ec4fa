/**
 * `docpipe token create --owner <id> [--ttl 30d]`: prints a token signed with the same secret and
 * settings the api uses (AUTH_SECRET, else DATA_DIR/auth-secret — made here if `npm start` has not
 * made it yet), without a running server. An operator's tool: it reads the signing secret, so it is
 * not part of the sealed client.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { resolveSecret } from '../auth/local-secret.js';
import { parseTtl, signToken } from '../auth/tokens.js';
import { ConfigError, loadConfig, OWNER_ID } from '../domain/config.js';

interface Io {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

export async function runTokenCli(
  argv: string[],
  env: Record<string, string | undefined>,
  io: Io,
): Promise<number> {
  const program = new Command('docpipe')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  const token = program.command('token').description('Tokens for docpipe owners (needs the signing secret)');
  let code = 0;
  token
    .command('create')
    .description('Print a token for an owner, signed like the tokens `npm start` hands out')
    .requiredOption('--owner <id>', 'owner id (1-128 of A-Z a-z 0-9 _.@:|-)', (v: string) => {
      if (!OWNER_ID.test(v)) throw new InvalidArgumentError('must be 1-128 letters, digits or "_.@:|-"');
      return v;
    })
    .option('--ttl <duration>', 'lifetime, e.g. 30d, 12h, 15m or seconds', (v: string) => {
      try {
        return parseTtl(v);
      } catch (err) {
        throw new InvalidArgumentError((err as Error).message);
      }
    })
    .action(async (opts: { owner: string; ttl?: number }) => {
      const config = loadConfig(env);
      if (config.auth.jwksUrl) {
        io.stderr.write('AUTH_JWKS_URL is set: tokens come from your identity provider, not from docpipe.\n');
        code = 1;
        return;
      }
      const signed = await signToken(
        { ...config.auth, secret: resolveSecret(config) },
        opts.owner,
        opts.ttl ?? 30 * 86_400,
      );
      io.stdout.write(`${signed}\n`);
    });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ConfigError || err instanceof Error) {
      io.stderr.write(`docpipe token: ${err.message}\n`);
      return err instanceof ConfigError ? 2 : 1;
    }
    throw err;
  }
}

process.exitCode = await runTokenCli(process.argv.slice(2), process.env, process);
