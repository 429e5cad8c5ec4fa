/**
 * fauxqs (S3/SQS/SNS) as a standalone server process, as `npm run test:external` runs it: in memory,
 * on a free port of 127.0.0.1 only (fauxqs's own CLI listens on every interface, see
 * dev/loopback-listen.ts). Reports `{ type: 'ready', url }` over IPC; stops on SIGTERM, SIGINT or when
 * its parent goes.
 */
import { startFauxqs } from 'fauxqs';
import { listenOnLoopback, LOOPBACK_HOST } from './loopback-listen.js';

const { result: fauxqs } = await listenOnLoopback(
  () => startFauxqs({ port: 0, host: LOOPBACK_HOST, logger: false }),
  (started) => started.stop(),
);
process.send?.({ type: 'ready', url: `http://${LOOPBACK_HOST}:${fauxqs.port}` });

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await fauxqs.stop();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
process.on('disconnect', () => void stop());
