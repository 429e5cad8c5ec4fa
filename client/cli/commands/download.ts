import { createWriteStream } from 'node:fs';
import { access, rename, rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { formatBytes } from '../../common/format.js';
import { terminalSafe } from '../../common/terminal-safe.js';
import { DocpipeError } from '../../sdk/node.js';
import type { CliContext } from '../context.js';

export function registerDownload(program: Command, ctx: CliContext): void {
  program
    .command('download')
    .description('download the original file')
    .argument('<id>', 'document id')
    .option('-o, --output <path>', 'where to write it ("-" for stdout); default: its stored name')
    .option('-f, --force', 'overwrite an existing file', false)
    .action(async (id: string, opts: { output?: string; force: boolean }) => {
      const info = await ctx.client().downloadInfo(id);
      const res = await fetch(info.url).catch((err: unknown) => {
        throw new DocpipeError('NETWORK_ERROR', `Cannot download ${id}: ${String(err)}`, { cause: err });
      });
      if (!res.ok || !res.body) throw new DocpipeError('BAD_RESPONSE', `Download failed: HTTP ${res.status}`);
      const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
      if (opts.output === '-') {
        await pipeline(body, ctx.io.stdout, { end: false });
        return;
      }
      const path = opts.output ?? localName(info.filename, id);
      const partial = `${path}.part-${process.pid}`;
      try {
        await pipeline(body, createWriteStream(partial, { flags: 'wx' }));
        if (!opts.force) await assertAbsent(path);
        await rename(partial, path);
      } finally {
        await rm(partial, { force: true });
      }
      if (ctx.globals().json) return ctx.json({ id, path, bytes: info.size });
      ctx.out(`Saved ${terminalSafe(path)} (${formatBytes(info.size)})`);
    });
}

/**
 * The stored name is the uploader's claim: keep only its last path segment, and no control or
 * invisible characters (a name that would later disguise itself in `ls`).
 */
function localName(stored: string, id: string): string {
  const name = basename(stored.replace(/\\/g, '/')).replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '_');
  return name && name !== '.' && name !== '..' ? name : id;
}

async function assertAbsent(path: string): Promise<void> {
  const exists = await access(path).then(
    () => true,
    () => false,
  );
  if (exists) throw new DocpipeError('BAD_USER_INPUT', `${path} already exists (use --force to overwrite)`);
}
