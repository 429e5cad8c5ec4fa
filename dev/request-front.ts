import type { IncomingMessage, Server, ServerResponse } from 'node:http';

/**
 * Puts `front` before `server`'s request handlers (how the embedded emulators are extended without
 * forking them): it answers a request itself, or calls `next()` to hand it to them.
 */
export function inFrontOf(
  server: Server,
  front: (req: IncomingMessage, res: ServerResponse, next: () => void) => void,
): void {
  const handlers = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) =>
    front(req, res, () => {
      for (const handler of handlers) handler(req, res);
    }),
  );
}
