import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The project's root folder (the one holding package.json), from sources (`dev/`) and from the
 * compiled build (`dist/dev/`) alike.
 */
export const projectRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('docpipe: no package.json above dev/');
    dir = up;
  }
  return dir;
})();

/** True when this code runs compiled (dist/), not from TypeScript sources under tsx or vitest. */
export const runningCompiled: boolean = import.meta.url.endsWith('.js');
