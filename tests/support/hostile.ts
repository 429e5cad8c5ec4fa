/** Helpers for the hostile-input suite (tests/security): stored counts, raw sockets, a bystander. */
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { expect } from 'vitest';
import WebSocket from 'ws';
import type { AwsClients } from '../../aws/clients.js';
import type { Config } from '../../domain/config.js';
import { gql } from './graphql.js';

/** Every stored object and item; a Scan is fine in a test, counting everything is the point. */
export async function storedCounts(aws: AwsClients, config: Config) {
  const objects = await aws.s3.send(new ListObjectsV2Command({ Bucket: config.resources.bucket }));
  const items = await aws.ddb.send(new ScanCommand({ TableName: config.resources.table }));
  return {
    objects: objects.KeyCount ?? 0,
    items: (items.Items ?? []).map((i) => `${i['pk']}|${i['version'] ?? ''}|${i['revokedAt'] ?? ''}`).sort(),
  };
}

/** No stack traces or source paths in what a client sees. */
export function expectClean(body: unknown): void {
  expect(JSON.stringify(body)).not.toMatch(/stacktrace|\n\s+at |\.ts:\d+|node_modules/);
}

export interface RawSocket {
  ws: WebSocket;
  /** Resolves with the close code and reason (1006 when the upgrade itself failed). */
  closed: Promise<{ code: number; reason: string; upgradeStatus?: number }>;
  messages: any[];
  send(message: unknown): void;
  /** The next message of `type` (or rejects when the socket closes first). */
  next(type: string): Promise<any>;
}

/** A graphql-transport-ws socket driven by hand, to send what a well-behaved client never would. */
export function rawSocket(
  url: string,
  opts: { origin?: string; headers?: Record<string, string> } = {},
): RawSocket {
  const ws = new WebSocket(url, 'graphql-transport-ws', {
    ...(opts.origin ? { origin: opts.origin } : {}),
    ...(opts.headers ? { headers: opts.headers } : {}),
  });
  const messages: any[] = [];
  const waiters: { type: string; resolve: (m: any) => void; reject: (e: Error) => void }[] = [];
  let upgradeStatus: number | undefined;
  ws.on('unexpected-response', (_req, res) => {
    upgradeStatus = res.statusCode;
    res.resume();
    ws.terminate();
  });
  ws.on('error', () => undefined);
  ws.on('message', (data) => {
    const message = JSON.parse(String(data));
    messages.push(message);
    const i = waiters.findIndex((w) => w.type === message.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(message);
  });
  const closed = new Promise<{ code: number; reason: string; upgradeStatus?: number }>((resolve) =>
    ws.on('close', (code, reason) => {
      for (const w of waiters.splice(0)) w.reject(new Error(`socket closed (${code}) before ${w.type}`));
      resolve({ code, reason: String(reason), ...(upgradeStatus ? { upgradeStatus } : {}) });
    }),
  );
  const opened = new Promise<void>((resolve) => ws.once('open', () => resolve()));
  return {
    ws,
    closed,
    messages,
    send(message) {
      void opened.then(() => ws.send(typeof message === 'string' ? message : JSON.stringify(message)));
    },
    next(type) {
      const seen = messages.find((m) => m.type === type);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => waiters.push({ type, resolve, reject }));
    },
  };
}

/**
 * A legitimate client querying all along: every answer must be a success. Returns a stop function
 * resolving with how many requests it made and which failed. Bounded by `maxRequests`.
 */
export function bystander(
  url: string,
  token: string,
  maxRequests = 2_000,
): () => Promise<{ ok: number; failures: string[] }> {
  let stopped = false;
  let ok = 0;
  const failures: string[] = [];
  const loop = (async () => {
    for (let i = 0; i < maxRequests && !stopped; i++) {
      try {
        const res = await gql(url, '{ documents(first: 1) { edges { cursor } } }', {}, { token });
        if (res.status === 200 && !res.errors) ok++;
        else failures.push(`${res.status} ${JSON.stringify(res.errors)}`);
      } catch (err) {
        failures.push(String(err));
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return async () => {
    stopped = true;
    await loop;
    return { ok, failures };
  };
}
