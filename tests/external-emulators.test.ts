/**
 * The emulators of `npm run test:external` (dev/external-emulators.ts) are processes of their own
 * with no authentication: every socket they listen on is bound to 127.0.0.1 (the kernel's view),
 * and they never outlive the process that started them, however it ends.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';
import { startExternalEmulators } from '../dev/external-emulators.js';
import { isLoopbackAddress } from '../dev/loopback-listen.js';
import { projectRoot } from '../dev/project-root.js';
import { eventually } from './support/inspect.js';
import { ownListeningSockets } from './support/sockets.js';

/** Running, as opposed to gone or a zombie waiting to be reaped. */
function running(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  return existsSync(stat) && readFileSync(stat, 'utf8').split(') ')[1]?.[0] !== 'Z';
}

it('fauxqs and DynamoDB Local listen on 127.0.0.1 only, answer there, and are gone after stop()', async () => {
  const emulators = await startExternalEmulators();
  const pids = Object.values(emulators.pids);
  try {
    const urls = [emulators.env['AWS_ENDPOINT_URL']!, emulators.env['AWS_ENDPOINT_URL_DYNAMODB']!];
    const sockets = pids.flatMap((pid) => ownListeningSockets(pid));
    expect(new Set(sockets.map((s) => s.port))).toEqual(
      new Set(urls.map((url) => Number(new URL(url).port))),
    );
    for (const socket of sockets) expect(isLoopbackAddress(socket.address), socket.address).toBe(true);

    expect((await fetch(`${urls[0]}/health`)).status).toBe(200);
    const tables = await fetch(urls[1]!, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': 'DynamoDB_20120810.ListTables',
        authorization:
          'AWS4-HMAC-SHA256 Credential=test/20240101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
        'x-amz-date': '20240101T000000Z',
      },
      body: '{}',
    });
    expect(await tables.json()).toEqual({ TableNames: [] });
  } finally {
    await emulators.stop();
  }
  expect(pids.filter(running)).toEqual([]);
});

it('dies with the process that started it, even one killed with SIGKILL', async () => {
  const script = `
    import { startExternalEmulators } from './dev/external-emulators.ts';
    const { pids } = await startExternalEmulators();
    console.log(JSON.stringify(Object.values(pids)));
    setInterval(() => {}, 60_000);
  `;
  const parent = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let pids: number[];
  try {
    const [line] = (await once(createInterface({ input: parent.stdout! }), 'line')) as [string];
    pids = JSON.parse(line) as number[];
    expect(pids.filter(running)).toEqual(pids);
  } finally {
    parent.kill('SIGKILL');
  }
  await eventually(async () => (pids.some(running) ? undefined : true), 20_000);
});
