/**
 * Writes schema/schema.graphql from the type-graphql classes (`npm run schema:emit`), or with
 * `--check` fails when the committed file is stale (part of `npm run check`).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { lexicographicSortSchema, printSchema } from 'graphql';
import { buildDocpipeSchema } from './graphql/schema.js';

const target = fileURLToPath(new URL('../schema/schema.graphql', import.meta.url));
const header = '# Generated from the type-graphql classes by `npm run schema:emit`. Do not edit.\n\n';
const sdl = header + printSchema(lexicographicSortSchema(await buildDocpipeSchema())) + '\n';

if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== sdl) {
    console.error('schema/schema.graphql is stale: run `npm run schema:emit` and commit the result.');
    process.exit(1);
  }
  console.log('schema/schema.graphql is up to date.');
} else {
  writeFileSync(target, sdl);
  console.log(`wrote ${target}`);
}
