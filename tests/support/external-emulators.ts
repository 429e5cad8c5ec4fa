/**
 * vitest globalSetup of `npm run test:external`: fauxqs and DynamoDB Local as processes of their own
 * (dev/external-emulators.ts), announced to every test file the way Compose and real AWS are, through
 * AWS_ENDPOINT_URL* variables (test files start after this, and inherit them). Stopped when the run
 * ends, whatever its outcome.
 */
import { startExternalEmulators } from '../../dev/external-emulators.js';

export default async function setup(): Promise<() => Promise<void>> {
  const emulators = await startExternalEmulators();
  Object.assign(process.env, emulators.env);
  console.log(`external emulators: ${JSON.stringify({ ...emulators.env, pids: emulators.pids })}`);
  return () => emulators.stop();
}
