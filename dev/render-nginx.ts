/**
 * `npm run nginx:render` writes nginx/compose.nginx.conf from the template and the api settings in
 * docker-compose.yml; `npm run nginx:check` (part of `npm run check`) fails if it is stale.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { loadConfig } from '../domain/config.js';
import { readCompose, serviceEnv } from './compose.js';
import { COMPOSE_NGINX_CONF, renderComposeNginxConfig } from './nginx-config.js';

const check = process.argv.includes('--check');
const rendered = renderComposeNginxConfig(loadConfig(serviceEnv(readCompose(), 'api')));
const name = relative(process.cwd(), COMPOSE_NGINX_CONF);
if (check) {
  let current = '';
  try {
    current = readFileSync(COMPOSE_NGINX_CONF, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current !== rendered) {
    console.error(`${name} is stale: run \`npm run nginx:render\` and commit the result.`);
    process.exit(1);
  }
  console.log(`${name} is up to date.`);
} else {
  writeFileSync(COMPOSE_NGINX_CONF, rendered);
  console.log(`wrote ${name}`);
}
