/**
 * The embedded AWS emulators have no authentication, so they must be reachable from this machine
 * only: every socket they listen on is bound to 127.0.0.1, as the servers report it and as the
 * kernel does (/proc/net/tcp, /proc/net/tcp6).
 */
import { createServer, Server as NetServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedAws, type EmbeddedAws } from '../dev/emulators.js';
import { isLoopbackAddress, listenOnLoopback, tcpAddress } from '../dev/loopback-listen.js';
import {
  decodeProcAddress,
  ownListeningSockets,
  parseProcNetTcp,
  TCP_LISTEN,
  tcpSockets,
  type TcpSocket,
} from './support/sockets.js';
import { removeDir, tempDir } from './support/stack.js';

const dir = tempDir('docpipe-bind-');
afterAll(() => removeDir(dir));

function close(server: NetServer): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}

/** Listening sockets this process gained while `start()` ran, as the kernel sees them. */
async function newListeners<T>(start: () => Promise<T>): Promise<{ result: T; sockets: TcpSocket[] }> {
  const before = new Set(ownListeningSockets().map((s) => s.inode));
  const result = await start();
  return { result, sockets: ownListeningSockets().filter((s) => !before.has(s.inode)) };
}

describe('/proc/net/tcp parsing (the kernel view the other tests rely on)', () => {
  it('decodes wildcard, loopback and IPv6 addresses, so a 0.0.0.0 or :: bind would be seen', () => {
    expect(decodeProcAddress('00000000:11D6')).toEqual({ address: '0.0.0.0', port: 4566 });
    expect(decodeProcAddress('0100007F:1F90')).toEqual({ address: '127.0.0.1', port: 8080 });
    expect(decodeProcAddress('00000000000000000000000000000000:01BB')).toEqual({ address: '::', port: 443 });
    expect(decodeProcAddress('00000000000000000000000001000000:0050')).toEqual({ address: '::1', port: 80 });
    expect(decodeProcAddress('0000000000000000FFFF00000100007F:0050')).toEqual({
      address: '::ffff:127.0.0.1',
      port: 80,
    });
    const header =
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    const line =
      '   0: 00000000:11D6 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0 100 0 0 10 0\n';
    expect(parseProcNetTcp(header + line)).toEqual([
      { address: '0.0.0.0', port: 4566, state: TCP_LISTEN, inode: 4242 },
    ]);
    expect(isLoopbackAddress('0.0.0.0')).toBe(false);
    expect(isLoopbackAddress('::')).toBe(false);
    expect(isLoopbackAddress('192.0.2.2')).toBe(false);
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
  });

  it("finds this process's own listening socket with its real address", async () => {
    const { result: server, sockets } = await newListeners(
      () =>
        new Promise<NetServer>((resolve) => {
          const s = createServer();
          s.listen(0, '::1', () => resolve(s));
        }),
    );
    try {
      expect(sockets).toEqual([expect.objectContaining({ address: '::1', port: tcpAddress(server).port })]);
    } finally {
      await close(server);
    }
  });
});

describe('embedded emulators (dev/emulators.ts) bind loopback only', () => {
  for (const persisted of [false, true]) {
    it(`fauxqs and dynalite listen on 127.0.0.1 only${persisted ? ' (persisted data dir, as npm start runs them)' : ' (in memory)'}`, async () => {
      const { result: aws, sockets } = await newListeners<EmbeddedAws>(() =>
        startEmbeddedAws(persisted ? { dataDir: join(dir, 'data') } : {}),
      );
      try {
        // The servers' own view: one fauxqs server (S3/SQS/SNS) and dynalite, both on 127.0.0.1.
        expect(aws.servers.map((s) => s.name).sort()).toEqual(['dynalite', 'fauxqs']);
        const ports = aws.servers.map(({ server }) => {
          const address = tcpAddress(server);
          expect(address.address).toBe('127.0.0.1');
          return address.port;
        });
        expect(ports.sort()).toEqual(
          [new URL(aws.awsEndpoint).port, new URL(aws.dynamodbEndpoint).port].map(Number).sort(),
        );
        expect(aws.fauxqs.address).toBe(`http://127.0.0.1:${aws.fauxqs.port}`);

        // The kernel's view: every listening socket this process gained is one of those ports on
        // 127.0.0.1 (nothing on 0.0.0.0, ::, or another port), and no socket anywhere on the machine
        // listens on those ports on another address.
        expect(sockets.length).toBeGreaterThanOrEqual(2);
        for (const socket of sockets) {
          expect(socket.address).toBe('127.0.0.1');
          expect(ports).toContain(socket.port);
        }
        expect(new Set(sockets.map((s) => s.port))).toEqual(new Set(ports));
        const onPorts = tcpSockets().filter((s) => s.state === TCP_LISTEN && ports.includes(s.port));
        expect(onPorts.map((s) => s.address)).toEqual(onPorts.map(() => '127.0.0.1'));

        // And they still work: fauxqs answers its health check, dynalite a DynamoDB call.
        expect((await fetch(`${aws.awsEndpoint}/health`)).status).toBe(200);
        const dynamo = await fetch(aws.dynamodbEndpoint, {
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
        expect(dynamo.status).toBe(200);
      } finally {
        await aws.stop();
      }
      // Stopped means gone: none of those sockets is left listening.
      expect(ownListeningSockets().filter((s) => sockets.some((n) => n.inode === s.inode))).toEqual([]);
    });
  }

  it('leaves servers that others start at the same time alone, and restores net.Server#listen', async () => {
    const listen = NetServer.prototype.listen;
    const bystander = createServer();
    // Started while fauxqs starts: listenOnLoopback only rewrites listen calls made by fauxqs
    // itself, so this server keeps the address it asked for (::1, also loopback, but not 127.0.0.1).
    const [aws] = await Promise.all([
      startEmbeddedAws(),
      new Promise<void>((resolve) => bystander.listen(0, '::1', () => resolve())),
    ]);
    try {
      expect(tcpAddress(bystander).address).toBe('::1');
      expect(NetServer.prototype.listen).toBe(listen);
    } finally {
      await aws.stop();
      await close(bystander);
    }
  });
});

describe('listenOnLoopback (dev/loopback-listen.ts)', () => {
  it('rebinds wildcard listens made inside it, in both call forms, to 127.0.0.1', async () => {
    const servers = [createServer(), createServer()];
    const { servers: seen } = await listenOnLoopback(
      async () => {
        // The options form is what Fastify (and so fauxqs) uses.
        await new Promise<void>((resolve) => servers[0]!.listen({ port: 0, host: '0.0.0.0' }, resolve));
        await new Promise<void>((resolve) => servers[1]!.listen(0, '::', resolve));
      },
      async () => {},
    );
    try {
      expect(seen).toEqual(servers);
      for (const server of servers) expect(tcpAddress(server).address).toBe('127.0.0.1');
    } finally {
      await Promise.all(servers.map(close));
    }
  });

  it('fails closed: refuses to start when nothing listened through it, or a server is not on TCP loopback', async () => {
    let stopped = 0;
    await expect(
      listenOnLoopback(
        async () => 'no server',
        async () => {
          stopped++;
        },
      ),
    ).rejects.toThrow(/did not listen through net.Server#listen/);
    expect(stopped).toBe(1);

    // A Unix socket passes through unchanged; its address is a path, not a loopback address.
    const pipe = createServer();
    await expect(
      listenOnLoopback(
        () => new Promise<NetServer>((resolve) => pipe.listen(join(dir, 'sock'), () => resolve(pipe))),
        async (server) => {
          stopped++;
          await close(server);
        },
      ),
    ).rejects.toThrow(/non-loopback address/);
    expect(stopped).toBe(2);
    expect(pipe.listening).toBe(false);
  });
});
