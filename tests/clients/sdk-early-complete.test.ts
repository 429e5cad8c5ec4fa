/**
 * watchJob against a graphql-ws server whose first subscription completes before the job's final
 * state (a lost tail): the SDK subscribes again, resumes from the current state and ends COMPLETED.
 * The server is a real graphql-ws server on a real socket; only its schema is a stand-in.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  GraphQLID,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
} from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { afterAll, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { createClient } from '../../client/sdk/node.js';

const job = (version: number, status: string) => ({
  id: 'j1',
  documentId: 'd1',
  status,
  stage: status === 'COMPLETED' ? 'done' : 'extracting',
  progress: version * 10,
  attempts: 1,
  version,
  error: null,
  createdAt: '2026-12-03T00:00:00.000Z',
  updatedAt: '2026-12-03T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
});
let subscriptions = 0;
const JobType = new GraphQLObjectType({
  name: 'Job',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID) },
    documentId: { type: new GraphQLNonNull(GraphQLID) },
    status: { type: new GraphQLNonNull(GraphQLString) },
    stage: { type: new GraphQLNonNull(GraphQLString) },
    progress: { type: new GraphQLNonNull(GraphQLInt) },
    attempts: { type: new GraphQLNonNull(GraphQLInt) },
    version: { type: new GraphQLNonNull(GraphQLInt) },
    error: {
      type: new GraphQLObjectType({
        name: 'JobError',
        fields: { code: { type: GraphQLString }, message: { type: GraphQLString } },
      }),
    },
    createdAt: { type: new GraphQLNonNull(GraphQLString) },
    updatedAt: { type: new GraphQLNonNull(GraphQLString) },
    startedAt: { type: GraphQLString },
    finishedAt: { type: GraphQLString },
  },
});
const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      jobUpdated: {
        type: JobType,
        args: { jobId: { type: new GraphQLNonNull(GraphQLID) } },
        subscribe: async function* () {
          subscriptions++;
          if (subscriptions === 1) {
            // The first stream ends early, after two non-terminal states.
            yield { jobUpdated: job(1, 'PROCESSING') };
            yield { jobUpdated: job(2, 'PROCESSING') };
            return;
          }
          // A fresh subscription starts from the current state.
          yield { jobUpdated: job(3, 'PROCESSING') };
          yield { jobUpdated: job(4, 'COMPLETED') };
        },
      },
    },
  }),
});

const http = createServer();
const wss = new WebSocketServer({ server: http, path: '/graphql' });
const cleanup = useServer({ schema }, wss);
await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
afterAll(async () => {
  await cleanup.dispose();
  await new Promise<void>((r) => http.close(() => r()));
});

it('resubscribes when the stream completes before a terminal state', async () => {
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
  const client = createClient({ url, token: 'x', webSocketImpl: WebSocket });
  const versions: number[] = [];
  for await (const j of client.watchJob('j1')) versions.push(j.version);
  await client.close();
  expect(versions).toEqual([1, 2, 3, 4]);
  expect(subscriptions).toBe(2);
});
