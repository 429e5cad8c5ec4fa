import type { Command } from 'commander';
import { formatTime } from '../../common/format.js';
import { terminalSafe } from '../../common/terminal-safe.js';
import type { CliContext } from '../context.js';
import { table } from '../format.js';

export function registerKeys(program: Command, ctx: CliContext): void {
  const keys = program
    .command('keys')
    .description('API keys for scripts and CI (use one as --token or DOCPIPE_TOKEN)');

  keys
    .command('create')
    .description('create an API key; the key is printed this once, on stdout')
    .argument('<name>', 'what the key is for (1-100 characters)')
    .action(async (name: string) => {
      const created = await ctx.client().createApiKey(name);
      if (ctx.globals().json) return ctx.json(created);
      // stdout holds the key alone, so `KEY=$(npx docpipe keys create ci)` works.
      ctx.out(created.key);
      ctx.err(
        terminalSafe(
          `docpipe: created API key ${created.apiKey.id} (${created.apiKey.name}). ` +
            'Store it now: it is not shown again. Revoke it with `docpipe keys revoke <id>`.',
        ),
      );
    });

  keys
    .command('list')
    .description('list your API keys, newest first (revoked ones too)')
    .action(async () => {
      const list = await ctx.client().apiKeys();
      if (ctx.globals().json) return ctx.json(list);
      if (list.length === 0) return ctx.out('No API keys. Create one with `docpipe keys create <name>`.');
      ctx.out(
        table(
          ['ID', 'CREATED', 'REVOKED', 'NAME'],
          list.map((k) => [
            k.id,
            formatTime(k.createdAt),
            k.revokedAt ? formatTime(k.revokedAt) : '-',
            k.name,
          ]),
        ),
      );
    });

  keys
    .command('revoke')
    .description('revoke an API key at once')
    .argument('<id>', 'key id (from `docpipe keys list`)')
    .action(async (id: string) => {
      const result = await ctx.client().revokeApiKey(id);
      if (ctx.globals().json) ctx.json(result);
      else if (result.revoked) ctx.out(`Revoked ${terminalSafe(result.id)}`);
      if (!result.revoked) {
        ctx.err(`docpipe: nothing revoked: no active API key ${terminalSafe(id)} of yours`);
        ctx.fail();
      }
    });
}
