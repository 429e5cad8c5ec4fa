/**
 * vitest globalSetup: makes sure dist/www (web page + playground) is built from the current sources
 * before any test serves it. A no-op (~0.1 s) when nothing changed; one Vite build otherwise.
 */
import { buildWeb } from '../../scripts/build-web.mjs';

export default async function setup(): Promise<void> {
  await buildWeb({ ifStale: true, quiet: true });
}
