// Builds the web page and the GraphQL playground into dist/www with Vite (client/vite.config.ts).
// `--if-stale` (used by `npm start` and the test suite) skips the build when dist/www was built from
// the same sources and lockfile: a fresh clone builds once (~10 s), later starts reuse it.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, 'dist/www');
const stampFile = join(outDir, '.build-hash');
/** Everything the bundles are made from. */
const inputs = [
  'client/web',
  'client/playground',
  'client/sdk',
  'client/common',
  'client/generated',
  'client/vite.config.ts',
  'package-lock.json',
];

function sourceHash() {
  const hash = createHash('sha256');
  const visit = (path) => {
    if (!existsSync(path)) return;
    if (readdirSafe(path)) {
      for (const name of readdirSafe(path).sort()) visit(join(path, name));
      return;
    }
    hash.update(relative(root, path)).update('\0').update(readFileSync(path)).update('\0');
  };
  for (const input of inputs) visit(join(root, input));
  return hash.digest('hex');
}

function readdirSafe(path) {
  try {
    return readdirSync(path);
  } catch {
    return undefined;
  }
}

/** Builds unless `ifStale` and the last build used the same inputs. Resolves true when it built. */
export async function buildWeb({ ifStale = false, quiet = false } = {}) {
  const hash = sourceHash();
  const current = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : '';
  if (ifStale && current === hash && existsSync(join(outDir, 'web/index.html'))) return false;
  if (!quiet) console.log('docpipe: building the web page and playground (dist/www)…');
  const { build } = await import('vite');
  await build({ configFile: join(root, 'client/vite.config.ts'), logLevel: 'warn' });
  writeFileSync(stampFile, `${hash}\n`);
  return true;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWeb({ ifStale: process.argv.includes('--if-stale') });
}
