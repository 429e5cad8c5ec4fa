import { launch, type ServiceProcess } from '../../dev/processes.js';
import type { Disposables } from './stack.js';

/**
 * Runs `server/main.ts` or `worker/main.ts` as a real process (the launcher `npm start` uses),
 * configured by environment only. Killed at dispose time if still alive (tests that want a drain
 * call `stop()` themselves).
 */
export function spawnService(
  entry: 'server/main.ts' | 'worker/main.ts',
  env: Record<string, string>,
  disposables: Disposables,
): ServiceProcess {
  const service = launch(entry, { env: { ...process.env, ...env } });
  disposables.add(() => service.kill());
  return service;
}

export type { ServiceProcess as ChildService };
