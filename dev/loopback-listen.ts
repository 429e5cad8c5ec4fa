/**
 * Keeps servers that a library starts internally on the loopback interface.
 *
 * Why: fauxqs 2.4.1's `startFauxqs()` builds its Fastify app and then calls
 * `app.listen({ port, host: '0.0.0.0' })` with the host hard-coded (its `host` option only shapes the
 * URLs it hands out), and it exposes neither the app nor the http.Server. Its exported `buildApp()`
 * would let us listen ourselves, but it is a different code path: persistence, the init config and
 * the `FauxqsServer` helpers live in `startFauxqs()` and depend on modules its package `exports`
 * hides, so using it means copying ~300 lines of fauxqs. Editing node_modules would not survive
 * `npm install`/`npm ci` without an extra patching step.
 *
 * How: while `start()` runs, `net.Server.prototype.listen` (which every http/https/net server,
 * Fastify's included, ends in) is wrapped. The wrapper acts only for calls made in `start()`'s own
 * asynchronous context (AsyncLocalStorage): there, a TCP listen gets its host replaced by 127.0.0.1
 * and the server is recorded. Servers started meanwhile by anything else in the process (an api, a
 * test's own server) are not touched. The wrapper is removed again when the last concurrent
 * `listenOnLoopback` call ends.
 *
 * Fail closed: afterwards every recorded server must report a loopback address, and at least one
 * server must have been recorded; otherwise the servers are left to the caller's `stop` (which
 * `onUnsafe` receives) and this throws. If a future fauxqs listens some other way, the embedded
 * stack refuses to start rather than exposing the emulator on the network.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { isIP, Server as NetServer, type AddressInfo, type ListenOptions } from 'node:net';

export const LOOPBACK_HOST = '127.0.0.1';

interface Scope {
  servers: NetServer[];
}

const scopes = new AsyncLocalStorage<Scope>();
let active = 0;
let original: NetServer['listen'] | undefined;
let wrapper: NetServer['listen'] | undefined;

/** True for 127.0.0.0/8, ::1 and IPv4-mapped ::ffff:127.x.y.z. */
export function isLoopbackAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || /^::ffff:127\./i.test(bare);
  return false;
}

/**
 * The arguments of one `listen` call with the host forced to loopback. Options objects (what
 * Fastify passes) and `(port[, host][, backlog][, callback])` are rewritten. Pipes, handles and fds
 * pass unchanged, and `listenOnLoopback`'s check afterwards refuses them (it accepts only TCP
 * loopback addresses); any other call shape throws.
 */
function toLoopback(args: unknown[]): unknown[] {
  const [first, ...rest] = args;
  if (typeof first === 'object' && first !== null) {
    const options = first as ListenOptions & { handle?: unknown; fd?: unknown };
    if (options.path !== undefined || options.handle !== undefined || options.fd !== undefined) return args;
    return [{ ...options, host: LOOPBACK_HOST }, ...rest];
  }
  // listen(path[, backlog][, callback]): a Unix socket or named pipe, not reachable over the network.
  if (typeof first === 'string' && !/^\d+$/.test(first)) return args;
  if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    // listen(port, host?, backlog?, cb?): drop a given host, put ours in its place.
    const tail = typeof rest[0] === 'string' ? rest.slice(1) : rest;
    return [first, LOOPBACK_HOST, ...tail];
  }
  if (first === undefined || typeof first === 'function')
    return [0, LOOPBACK_HOST, ...(first ? [first] : [])];
  throw new Error(`listenOnLoopback: unexpected listen(${typeof first}) call, refusing to bind`);
}

function install(): void {
  if (active++ > 0) return;
  const listen = NetServer.prototype.listen;
  original = listen;
  wrapper = function (this: NetServer, ...args: unknown[]) {
    const scope = scopes.getStore();
    if (!scope) return Reflect.apply(listen, this, args) as NetServer;
    const rewritten = toLoopback(args);
    scope.servers.push(this);
    return Reflect.apply(listen, this, rewritten) as NetServer;
  } as NetServer['listen'];
  NetServer.prototype.listen = wrapper;
}

function uninstall(): void {
  if (--active > 0) return;
  // Only undo our own wrapper: if something wrapped listen after us, leave the chain intact (ours
  // does nothing outside a scope).
  if (NetServer.prototype.listen === wrapper && original) NetServer.prototype.listen = original;
  original = undefined;
  wrapper = undefined;
}

export interface LoopbackStart<T> {
  result: T;
  /** Every TCP server `start()` made listen, each now bound to 127.0.0.1. */
  servers: NetServer[];
}

/**
 * Runs `start()` with every TCP listen it makes bound to 127.0.0.1, and checks the outcome. If a
 * server ends up elsewhere, or none was seen, `onUnsafe(result)` stops what `start()` started and
 * this rejects.
 */
export async function listenOnLoopback<T>(
  start: () => Promise<T>,
  onUnsafe: (result: T) => Promise<void>,
): Promise<LoopbackStart<T>> {
  const scope: Scope = { servers: [] };
  install();
  let result: T;
  try {
    result = await scopes.run(scope, start);
  } finally {
    uninstall();
  }
  const unsafe = scope.servers
    .map((server) => server.address())
    .filter((address) => !(typeof address === 'object' && address && isLoopbackAddress(address.address)));
  if (scope.servers.length === 0 || unsafe.length > 0) {
    await onUnsafe(result);
    throw new Error(
      scope.servers.length === 0
        ? 'listenOnLoopback: the server did not listen through net.Server#listen; refusing to run it unchecked'
        : `listenOnLoopback: server bound to a non-loopback address: ${JSON.stringify(unsafe)}`,
    );
  }
  return { result, servers: scope.servers };
}

/** `address()` of a listening TCP server (throws for pipes and servers that are not listening). */
export function tcpAddress(server: NetServer): AddressInfo {
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('server is not listening on TCP');
  return address;
}
