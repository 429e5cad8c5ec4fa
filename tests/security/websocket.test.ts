/**
 * Hostile suite, WebSockets: foreign origins are refused at the upgrade, an owner's sockets and a
 * socket's subscriptions are bounded (others unaffected), and closing sockets gives everything back.
 */
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tokenFor } from '../support/auth.js';
import { collect, uploadFile, WATCH, wsClient } from '../support/graphql.js';
import { bystander, rawSocket, type RawSocket } from '../support/hostile.js';
import { Disposables, startStack, type RunningApi } from '../support/stack.js';

const disposables = new Disposables();
let api: RunningApi;
let stopBystander: ReturnType<typeof bystander>;
let jobId: string;

beforeAll(async () => {
  ({ api } = await startStack(disposables, {
    worker: false, // jobs stay QUEUED, so subscriptions stay open
    overrides: {
      WS_MAX_SOCKETS_PER_OWNER: '3',
      WS_MAX_SUBSCRIPTIONS_PER_SOCKET: '2',
      ALLOWED_ORIGINS: 'https://app.example',
    },
  }));
  stopBystander = bystander(api.url, await tokenFor('bystander'));
});
afterAll(() => disposables.disposeAll());

async function connect(owner: string, opts: { origin?: string } = {}): Promise<RawSocket> {
  const socket = rawSocket(api.wsUrl, opts);
  socket.send({ type: 'connection_init', payload: { authorization: `Bearer ${await tokenFor(owner)}` } });
  return socket;
}

async function queuedJob(owner: string): Promise<string> {
  const up = await uploadFile(api.url, 'wait for me', 'w.txt', 'text/plain', {
    token: await tokenFor(owner),
  });
  return up.data!.uploadDocument.job.id;
}

describe('WebSocket limits (hostile)', () => {
  it('refuses the upgrade from a foreign Origin; the api’s own origin, listed origins and non-browsers pass', async () => {
    const foreign = rawSocket(api.wsUrl, { origin: 'https://evil.example' });
    expect(await foreign.closed).toMatchObject({ upgradeStatus: 403 });
    const lookalike = rawSocket(api.wsUrl, { origin: `${api.origin}.evil.example` });
    expect(await lookalike.closed).toMatchObject({ upgradeStatus: 403 });
    for (const origin of [api.origin, 'https://app.example', undefined]) {
      const socket = await connect('origins', origin ? { origin } : {});
      await socket.next('connection_ack');
      socket.ws.close();
      await socket.closed;
    }
  });

  it('bounds sockets per owner (4429) without affecting other owners, and frees the slot on close', async () => {
    const mine = await Promise.all([0, 1, 2].map(() => connect('carol')));
    await Promise.all(mine.map((s) => s.next('connection_ack')));
    const fourth = await connect('carol');
    expect((await fourth.closed).code).toBe(4429);
    const other = await connect('dave');
    await other.next('connection_ack');
    mine[0]!.ws.close();
    await mine[0]!.closed;
    const again = await connect('carol');
    await again.next('connection_ack');
    for (const s of [...mine.slice(1), other, again]) s.ws.close();
    await Promise.all([...mine.slice(1), other, again].map((s) => s.closed));
  });

  it('bounds subscriptions per socket with RATE_LIMITED; the socket and its other subscriptions go on', async () => {
    jobId = await queuedJob('erin');
    const socket = await connect('erin');
    await socket.next('connection_ack');
    const subscribe = (id: string) =>
      socket.send({
        id,
        type: 'subscribe',
        payload: { query: WATCH.replace('Watch', `W${id}`), variables: { jobId } },
      });
    subscribe('1');
    subscribe('2');
    await new Promise((r) => setTimeout(r, 200));
    subscribe('3');
    const refused = await socket.next('error');
    expect(refused).toMatchObject({ id: '3', payload: [{ extensions: { code: 'RATE_LIMITED' } }] });
    expect(
      socket.messages
        .filter((m) => m.type === 'next')
        .map((m) => m.id)
        .sort(),
    ).toEqual(['1', '2']);
    // Ending one subscription makes room for another.
    socket.send({ id: '1', type: 'complete' });
    await new Promise((r) => setTimeout(r, 100));
    subscribe('4');
    await new Promise((r) => setTimeout(r, 300));
    expect(socket.messages.filter((m) => m.type === 'next').map((m) => m.id)).toContain('4');
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    socket.ws.close();
    await socket.closed;
  });

  it('gives every registration back when sockets close', async () => {
    const hub = api.server.hub;
    const baseline = hub.size;
    const clients = await Promise.all(Array.from({ length: 40 }, (_, i) => tokenFor(`many-${i}`)));
    const jobs = await Promise.all(clients.map((_, i) => queuedJob(`many-${i}`)));
    const open = clients.map((token, i) => {
      const client = wsClient(api.wsUrl, { token });
      return { client, sub: collect<any>(client, WATCH, { jobId: jobs[i] }) };
    });
    await Promise.all(open.map((o) => o.sub.firstEvent));
    expect(hub.size).toBe(baseline + 40);
    await Promise.all(open.map((o) => o.client.dispose()));
    for (let i = 0; i < 50 && hub.size !== baseline; i++) await new Promise((r) => setTimeout(r, 50));
    expect(hub.size).toBe(baseline);
  });

  it('returns the memory of closed sockets (heap after a second open/close cycle stays put)', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heap = () => {
      gc();
      gc();
      return process.memoryUsage().heapUsed;
    };
    const owners = Array.from({ length: 100 }, (_, i) => `mem-${i}`);
    const cycle = async () => {
      const sockets = await Promise.all(owners.flatMap((o) => [connect(o), connect(o), connect(o)]));
      await Promise.all(sockets.map((s) => s.next('connection_ack')));
      const open = heap();
      for (const s of sockets) s.ws.close();
      await Promise.all(sockets.map((s) => s.closed));
      await new Promise((r) => setTimeout(r, 300));
      return open;
    };
    await cycle(); // warms caches (JIT, key imports) that stay on purpose
    const settled = heap();
    const open = await cycle();
    const after = heap();
    // 300 open sockets hold a few MB; all of it comes back (a leak of even 3 KB a socket would show).
    expect(open - settled).toBeGreaterThan(300 * 3_000);
    expect(after - settled).toBeLessThan(300 * 3_000);
  });

  it('kept serving a legitimate client throughout', async () => {
    const { ok, failures } = await stopBystander();
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(0);
  });
});
