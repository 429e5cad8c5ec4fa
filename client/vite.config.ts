/**
 * Builds the browser apps the api serves: the web page (client/web) and the GraphiQL playground
 * (client/playground), into dist/www. Everything is bundled (no CDN), so both work offline.
 * Run through scripts/build-web.mjs, which skips the build when the sources have not changed.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { defineConfig, type Plugin } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
export const OUT_DIR = fileURLToPath(new URL('../dist/www', import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: OUT_DIR,
    emptyOutDir: true,
    // GraphiQL with Monaco is ~7 MB by nature; it is served compressed and cached (server/web-assets.ts).
    chunkSizeWarningLimit: 8_000,
    reportCompressedSize: false,
    rolldownOptions: {
      input: {
        web: join(here, 'web/index.html'),
        playground: join(here, 'playground/index.html'),
      },
      // GraphiQL's React dependencies carry "use client" directives, meaningless in a plain SPA bundle.
      onLog(level, log, handler) {
        if (log.code === 'MODULE_LEVEL_DIRECTIVE') return;
        handler(level, log);
      },
    },
  },
  plugins: [precompress()],
});

/** Writes .br and .gz next to every compressible output, so the api never compresses per request. */
function precompress(): Plugin {
  const brotli = promisify(brotliCompress);
  const gz = promisify(gzip);
  const compressible = /\.(js|mjs|css|html|svg|json|map|wasm|ttf)$/;
  return {
    name: 'docpipe-precompress',
    apply: 'build',
    async closeBundle() {
      for (const file of await listFiles(OUT_DIR)) {
        if (!compressible.test(file) || (await stat(file)).size < 1024) continue;
        const data = await readFile(file);
        // Quality 9, not 11: within ~3% of the size at a fraction of the build time on small machines.
        await writeFile(
          `${file}.br`,
          await brotli(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }),
        );
        await writeFile(`${file}.gz`, await gz(data, { level: 9 }));
      }
    },
  };
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}
