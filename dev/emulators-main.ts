/**
 * The embedded AWS emulators as a process of their own (the benchmarks and the memory tests measure
 * them apart from everything else): persisted under DATA_DIR when it is set, ports from
 * EMBEDDED_AWS_PORT / EMBEDDED_DYNAMODB_PORT (0: any free one). Reports
 * `{ type: 'ready', url, env }` over IPC, where `env` points docpipe's processes at them; stops on
 * SIGTERM or when its parent goes.
 */
import { startEmbeddedAws } from './emulators.js';

const dataDir = process.env['DATA_DIR'];
const aws = await startEmbeddedAws({
  ...(dataDir ? { dataDir } : {}),
  awsPort: Number(process.env['EMBEDDED_AWS_PORT'] ?? 0),
  dynamodbPort: Number(process.env['EMBEDDED_DYNAMODB_PORT'] ?? 0),
});
process.send?.({ type: 'ready', url: aws.awsEndpoint, env: aws.env });

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await aws.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.on('disconnect', () => void stop());
