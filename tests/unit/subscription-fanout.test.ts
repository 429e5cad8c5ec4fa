/**
 * SubscriptionFanout without sockets: the real schema, a JobEventHub, and sinks that record frames.
 */
import 'reflect-metadata';
import { parse, type ExecutionArgs, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import type { JobRecord } from '../../domain/model.js';
import { JobEventHub } from '../../server/events/job-event-hub.js';
import {
  MAX_UNSENT_BYTES,
  SubscriptionFanout,
  TOO_SLOW_CLOSE_CODE,
  type FrameSink,
} from '../../server/events/subscription-fanout.js';
import { buildDocpipeSchema } from '../../server/graphql/schema.js';

const job = (version: number, ownerId = 'alice', status: JobRecord['status'] = 'PROCESSING'): JobRecord => ({
  id: 'j1',
  documentId: 'd1',
  ownerId,
  status,
  stage: status === 'COMPLETED' ? 'done' : 'detecting',
  progress: version * 10,
  attempts: 1,
  version,
  error: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
});

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildDocpipeSchema();
});

class Sink implements FrameSink {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  closed: { code: number; reason: string } | undefined;
  readonly frames: { id: string; type: string; payload: any }[] = [];
  send(data: string): void {
    this.frames.push(JSON.parse(data));
  }
  close(code: number, reason: string): void {
    this.closed = { code, reason };
    this.readyState = 3;
  }
}

const QUERY = 'subscription W($jobId: ID!) { jobUpdated(jobId: $jobId) { id version progress } }';

function setup() {
  const hub = new JobEventHub();
  const fanout = new SubscriptionFanout({ toPayload: (r) => r as never });
  // What DocumentService.watchJob does: register, then seed with the owner-scoped read.
  const documents = {
    watchJob: async (ownerId: string, jobId: string) => {
      const updates = hub.subscribe(jobId, ownerId);
      if (ownerId !== 'alice') {
        updates.close();
        throw new Error('Job not found');
      }
      updates.seed(job(1, ownerId));
      return updates;
    },
  };
  const subscribe = async (ownerId: string, id: string, query = QUERY) => {
    const sink = new Sink();
    const variables = { jobId: 'j1' };
    const args: ExecutionArgs = {
      schema,
      document: parse(query),
      variableValues: variables,
      contextValue: { ownerId, documents },
    };
    const key = { ownerId, query, operationName: undefined, variables };
    const result = await fanout.subscribe(args, { sink, id, key });
    const done = Symbol.asyncIterator in result ? result.next() : Promise.resolve(result);
    return { sink, result, done };
  };
  return { hub, fanout, subscribe };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('SubscriptionFanout', () => {
  it('executes once per version for many subscribers, each frame carrying its own id', async () => {
    const { hub, fanout, subscribe } = setup();
    const subs = await Promise.all(Array.from({ length: 50 }, (_, i) => subscribe('alice', `s${i}`)));
    await tick();
    expect(fanout.size).toBe(1);
    hub.dispatch(job(2));
    hub.dispatch(job(3, 'alice', 'COMPLETED'));
    await Promise.all(subs.map((s) => s.done));
    expect(fanout.executions).toBe(3);
    subs.forEach(({ sink }, i) => {
      expect(sink.frames.map((f) => [f.id, f.type])).toEqual([
        [`s${i}`, 'next'],
        [`s${i}`, 'next'],
        [`s${i}`, 'next'],
      ]);
      expect(sink.frames.map((f) => f.payload)).toEqual(subs[0]!.sink.frames.map((f) => f.payload));
    });
    expect(subs[0]!.sink.frames.map((f) => f.payload.data.jobUpdated.version)).toEqual([1, 2, 3]);
    expect(fanout.size).toBe(0);
    expect(hub.size).toBe(0);
  });

  it('groups by selection set: two shapes, two executions per version, each its own fields', async () => {
    const { hub, fanout, subscribe } = setup();
    const a = await subscribe('alice', 'a');
    const b = await subscribe('alice', 'b', 'subscription { jobUpdated(jobId: "j1") { stage } }');
    await tick();
    expect(fanout.size).toBe(2);
    hub.dispatch(job(2, 'alice', 'COMPLETED'));
    await Promise.all([a.done, b.done]);
    expect(fanout.executions).toBe(4);
    expect(a.sink.frames.map((f) => f.payload.data.jobUpdated)).toEqual([
      { id: 'j1', version: 1, progress: 10 },
      { id: 'j1', version: 2, progress: 20 },
    ]);
    expect(b.sink.frames.map((f) => f.payload.data.jobUpdated)).toEqual([
      { stage: 'detecting' },
      { stage: 'done' },
    ]);
  });

  it('refuses another owner at subscribe time and never forms a group for them', async () => {
    const { fanout, subscribe } = setup();
    const { result } = await subscribe('mallory', 'm');
    expect(Symbol.asyncIterator in result).toBe(false);
    expect((result as { errors?: unknown[] }).errors).toHaveLength(1);
    expect(fanout.size).toBe(0);
  });

  it('stops writing and releases its group when returned early; a closed sink gets nothing', async () => {
    const { hub, fanout, subscribe } = setup();
    const a = await subscribe('alice', 'a');
    const b = await subscribe('alice', 'b');
    await tick();
    await (a.result as AsyncIterator<unknown>).return!();
    expect(await a.done).toEqual({ value: undefined, done: true });
    b.sink.readyState = 3;
    hub.dispatch(job(2, 'alice', 'COMPLETED'));
    await b.done;
    expect(a.sink.frames).toHaveLength(1);
    expect(b.sink.frames).toHaveLength(1);
    expect(fanout.size).toBe(0);
    expect(hub.size).toBe(0);
  });

  it('closes a subscriber that stops reading (1013, it reconnects) and goes on with the others', async () => {
    const { hub, fanout, subscribe } = setup();
    const slow = await subscribe('alice', 'slow');
    const ok = await subscribe('alice', 'ok');
    await tick();
    slow.sink.bufferedAmount = MAX_UNSENT_BYTES + 1;
    hub.dispatch(job(2));
    await slow.done;
    expect(slow.sink.closed).toEqual({
      code: TOO_SLOW_CLOSE_CODE,
      reason: expect.stringContaining('Too slow'),
    });
    expect(slow.sink.frames).toHaveLength(1); // the snapshot only
    hub.dispatch(job(3, 'alice', 'COMPLETED'));
    await ok.done;
    expect(ok.sink.frames.map((f) => f.payload.data.jobUpdated.version)).toEqual([1, 2, 3]);
    expect(fanout.size).toBe(0);
  });
});
