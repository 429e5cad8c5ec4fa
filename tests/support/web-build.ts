/**
 * vitest globalSetup: builds what the tests run, once, before any test file starts (test files run
 * in parallel; two builds writing dist/ at once would race):
 * - dist/www (web page + playground) from the current sources: a no-op (~0.1 s) when nothing
 *   changed, one Vite build otherwise;
 * - the compiled server, worker and launcher (`npm run build`, incremental), which `npm start`, the
 *   launcher test and the bench smoke test run.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWeb } from '../../scripts/build-web.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default async function setup(): Promise<void> {
  await buildWeb({ ifStale: true, quiet: true });
  execFileSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
}
