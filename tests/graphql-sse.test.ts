/**
 * Subscriptions over Server-Sent Events (/graphql/stream, graphql-sse distinct connections mode)
 * against a real api and worker: the same resolvers and resume semantics as the WebSocket
 * (jobUpdated snapshot first and ends after the terminal state, documentEvents from a cursor), the
 * same authentication, limits and error codes; queries and mutations are refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, TEST_TOKEN, tokenFor } from './support/auth.js';
import { collect, sseClient, uploadFile, WATCH, watchUntilDone } from './support/graphql.js';
import { expectClean } from './support/hostile.js';
import { Disposables, startStack, type RunningApi } from './support/stack.js';

const disposables = new Disposables();
let api: RunningApi;
const MAX_STREAMS = 3;

beforeAll(async () => {
  ({ api } = await startStack(disposables, {
    // Stages paused apart, so a stream opened just after an upload sees the job before it is done.
    overrides: {
      WS_MAX_SOCKETS_PER_OWNER: String(MAX_STREAMS),
      WS_KEEPALIVE_MS: '200',
      DEBUG_STAGE_DELAY_MS: '150',
    },
  }));
});
afterAll(() => disposables.disposeAll());

function client(token?: string) {
  const c = sseClient(api.sseUrl, token === undefined ? {} : { token });
  disposables.add(() => c.dispose());
  return c;
}

async function newJob(): Promise<{ jobId: string; documentId: string }> {
  const res = await uploadFile(api.url, `sse ${Math.random()}`);
  const doc = res.data!.uploadDocument;
  return { jobId: doc.job.id, documentId: doc.id };
}

/** One operation's stream read to its end: the raw events, as an SSE client sees them. */
async function rawStream(body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(api.sseUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream',
      authorization: bearer(TEST_TOKEN),
      ...headers,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  const events = text
    .split('\n\n')
    .filter((block) => block.startsWith('event:'))
    .map((block) => {
      const [event, data = ''] = block.split('\n') as [string, string?];
      const json = data.slice('data:'.length).trim();
      return { event: event.slice('event:'.length).trim(), data: json ? JSON.parse(json) : null };
    });
  return { res, text, events };
}

describe('subscriptions over Server-Sent Events', () => {
  // First: no other stream of this file is open yet.
  it('unsubscribes when the client goes away: the hub registration is released', async () => {
    const token = await tokenFor('sse-leaver');
    const ctrl = new AbortController();
    const res = await fetch(api.sseUrl, {
      method: 'POST',
      signal: ctrl.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: bearer(token),
      },
      body: JSON.stringify({ query: 'subscription { documentEvents { kind } }' }),
    });
    expect(res.status).toBe(200);
    await expect.poll(() => api.server.documentHub.size).toBe(1);
    ctrl.abort();
    await expect.poll(() => api.server.documentHub.size).toBe(0);
  });

  it('streams jobUpdated: the current state first, every version once in order, then complete', async () => {
    const { jobId } = await newJob();
    const { events, errors } = await collect<{ jobUpdated: any }>(client(), WATCH, { jobId }).done;
    expect(errors).toBeUndefined();
    const jobs = events.map((e) => e.jobUpdated);
    // The state when the stream opened: the worker may already have claimed the job (its message
    // carries the job, so it starts without a read).
    expect(['QUEUED', 'PROCESSING']).toContain(jobs[0].status);
    expect(jobs.length).toBeGreaterThanOrEqual(2);
    expect(jobs.at(-1).status).toBe('COMPLETED');
    for (let i = 1; i < jobs.length; i++) expect(jobs[i].version).toBeGreaterThan(jobs[i - 1].version);
    // A finished job: its final state, then the stream ends (as on the WebSocket).
    const again = await collect<{ jobUpdated: any }>(client(), WATCH, { jobId }).done;
    expect(again.events.map((e) => e.jobUpdated)).toEqual([jobs.at(-1)]);
    expect(await watchUntilDone(api.wsUrl, jobId)).toEqual([jobs.at(-1)]);
  });

  it('resumes documentEvents from a cursor', async () => {
    const FEED = `subscription Feed($after: String) { documentEvents(after: $after) { kind documentId cursor } }`;
    const first = await newJob();
    await watchUntilDone(api.wsUrl, first.jobId);
    const live = collect<{ documentEvents: any }>(client(), FEED, {});
    const second = await newJob();
    await expect
      .poll(() => live.events.find((e) => e.documentEvents.documentId === second.documentId), {
        timeout: 15_000,
      })
      .toBeTruthy();
    const cursor = live.events[0]!.documentEvents.cursor as string;
    const resumed = collect<{ documentEvents: any }>(client(), FEED, { after: cursor });
    // The changes after the cursor come again, the second upload among them.
    await expect
      .poll(() => resumed.events.some((e) => e.documentEvents.documentId === second.documentId), {
        timeout: 15_000,
      })
      .toBe(true);
    expect(resumed.events.every((e) => e.documentEvents.documentId !== first.documentId)).toBe(true);
  });

  it('sends the api’s error codes: another owner’s job is NOT_FOUND, a bad cursor BAD_USER_INPUT', async () => {
    const { jobId } = await newJob();
    const theirs = await collect(client(await tokenFor('sse-stranger')), WATCH, { jobId }).done;
    expect((theirs.errors as any[])[0].extensions.code).toBe('NOT_FOUND');
    expect(theirs.events).toEqual([]);
    const feed = `subscription { documentEvents(after: "not-a-cursor") { kind } }`;
    const bad = await collect(client(), feed, {}).done;
    expect((bad.errors as any[])[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it.each([
    ['a query', '{ documents { edges { cursor } } }', 'OPERATION_NOT_ALLOWED'],
    ['a mutation', 'mutation { deleteDocument(id: "x") { deleted } }', 'OPERATION_NOT_ALLOWED'],
    ['a syntax error', 'subscription {', 'BAD_USER_INPUT'],
    ['an unknown field', 'subscription { nope }', 'BAD_USER_INPUT'],
    [
      'too many aliases',
      `subscription { ${'a: jobUpdated(jobId: "x") { id } '.repeat(16)} }`,
      'QUERY_TOO_COMPLEX',
    ],
  ])('refuses %s in one `next` event, then completes', async (_what, query, code) => {
    const { res, events } = await rawStream({ query });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(events.map((e) => e.event)).toEqual(['next', 'complete']);
    expect(events[0]!.data.data).toBeUndefined();
    expect(events[0]!.data.errors[0].extensions.code).toBe(code);
    expectClean(events[0]!.data);
  });

  it('refuses a missing or wrong token with 401 UNAUTHENTICATED, like /graphql', async () => {
    for (const authorization of [undefined, 'Bearer nope']) {
      const { res, text } = await rawStream(
        { query: WATCH, variables: { jobId: 'x' } },
        authorization ? { authorization } : { authorization: '' },
      );
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(JSON.parse(text).errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
  });

  it('answers 406 to a client that does not accept an event stream', async () => {
    const { res, text } = await rawStream(
      { query: WATCH, variables: { jobId: 'x' } },
      { accept: 'application/json' },
    );
    expect(res.status).toBe(406);
    expect(JSON.parse(text).errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('holds one of the owner’s connection slots per open stream: 429 RATE_LIMITED above the limit', async () => {
    const token = await tokenFor('sse-slots');
    const open: AbortController[] = [];
    const openStream = async (t: string) => {
      const ctrl = new AbortController();
      open.push(ctrl);
      return fetch(api.sseUrl, {
        method: 'POST',
        signal: ctrl.signal,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          authorization: bearer(t),
        },
        body: JSON.stringify({ query: 'subscription { documentEvents { kind } }' }),
      });
    };
    for (let i = 0; i < MAX_STREAMS; i++) expect((await openStream(token)).status).toBe(200);
    const refused = await openStream(token);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as any).errors[0].extensions.code).toBe('RATE_LIMITED');
    // Another owner is not affected; a closed stream frees its slot.
    expect((await openStream(await tokenFor('sse-other'))).status).toBe(200);
    open[0]!.abort();
    await expect.poll(async () => (await openStream(token)).status, { timeout: 5_000 }).toBe(200);
    for (const ctrl of open) ctrl.abort();
  });

  it('keeps an idle stream alive with comment lines every WS_KEEPALIVE_MS', async () => {
    const ctrl = new AbortController();
    const res = await fetch(api.sseUrl, {
      method: 'POST',
      signal: ctrl.signal,
      headers: {
        'content-type': 'application/json',
        accept: 'text/event-stream',
        authorization: bearer(TEST_TOKEN),
      },
      body: JSON.stringify({ query: 'subscription { documentEvents { kind } }' }),
    });
    expect(res.headers.get('x-accel-buffering')).toBe('no');
    const reader = res.body!.getReader();
    // The first comment is graphql-sse's own header flush; the rest are pings (200 ms apart). Read
    // until three have come (the test's timeout bounds the wait; no clock in the assertion).
    let received = '';
    const comments = () => received.split(':\n\n').length - 1;
    while (comments() < 3) received += new TextDecoder().decode((await reader.read()).value);
    ctrl.abort();
    expect(comments()).toBeGreaterThanOrEqual(3);
  });
});
