import {
  createSourceEventStream,
  execute,
  type ExecutionArgs,
  type ExecutionResult,
  type FormattedExecutionResult,
} from 'graphql';
import type { JobRecord } from '../../domain/model.js';
import { JobUpdates } from './job-event-hub.js';

/** Versions of one group's results kept for subscribers that are a little behind. */
const CACHED_VERSIONS = 4;

/**
 * Bytes a subscriber's socket may hold unsent before it is closed as too slow (it reconnects and
 * resumes from the job's current state): a client that stops reading cannot make the api buffer
 * every event of every job it watches.
 */
export const MAX_UNSENT_BYTES = 1024 * 1024;
/** WebSocket close code for it: 1013 "Try Again Later" (graphql-ws clients reconnect). */
export const TOO_SLOW_CLOSE_CODE = 1013;

/** Where one subscriber's frames go: a `ws` WebSocket satisfies it. */
export interface FrameSink {
  readonly readyState: number;
  readonly OPEN: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code: number, reason: string): void;
}

/** What decides the result of one subscription operation besides the event it runs on. */
export interface OperationKey {
  /** Authorization scope: results are never shared between owners. */
  ownerId: string;
  query: string;
  operationName: string | null | undefined;
  variables: Readonly<Record<string, unknown>> | null | undefined;
}

export interface SubscriptionFanoutOptions {
  /** Turns a result into the `next` payload every subscriber gets (error formatting, logging). */
  toPayload: (result: ExecutionResult, args: ExecutionArgs) => FormattedExecutionResult;
}

/**
 * Executes each distinct `jobUpdated` operation once per job version and writes the same serialised
 * payload to every subscriber that asked for it.
 *
 * Subscribing stays per subscriber and unchanged: graphql's `createSourceEventStream` runs the
 * field's `subscribe` resolver with the subscriber's own context, which checks that the job belongs
 * to the caller (DocumentService.watchJob) and hands back that subscriber's JobUpdates — the ordered,
 * de-duplicated, snapshot-first, ends-after-terminal stream of the job. Only what graphql would do
 * next per subscriber and per event (execute the selection set, then graphql-ws: format, stringify,
 * send) is shared: subscribers are grouped by (owner, query text, operation name, variables), and a
 * group executes and stringifies each job version once. Each subscriber's frame is its own
 * subscription id around that shared payload.
 *
 * The iterator handed to graphql-ws yields nothing: frames are written straight to the socket and it
 * completes when the job's stream does, so graphql-ws still sends `complete` (after the last frame:
 * one socket's writes are ordered) and still ends the subscription on the client's `complete` or on
 * close. Sources other than a JobUpdates fall back to per-subscriber execution.
 */
export class SubscriptionFanout {
  private readonly groups = new Map<string, FanoutGroup>();
  /** Executions of subscription selection sets (shared and fallback); for tests and metrics. */
  executions = 0;

  constructor(private readonly opts: SubscriptionFanoutOptions) {}

  /** Live groups (distinct operations with at least one subscriber). */
  get size(): number {
    return this.groups.size;
  }

  /**
   * The `subscribe` of graphql-ws for one subscription: an ExecutionResult when subscribing failed
   * (as graphql's own `subscribe` returns), else an async iterator graphql-ws drives.
   */
  async subscribe(
    args: ExecutionArgs,
    target: { sink: FrameSink; id: string; key: OperationKey },
  ): Promise<ExecutionResult | AsyncIterableIterator<ExecutionResult>> {
    const source = await createSourceEventStream(args);
    if (!isAsyncIterable(source)) return source;
    if (!(source instanceof JobUpdates) || source.ownerId !== target.key.ownerId) {
      return new PerSubscriber(source, args, this);
    }
    const key = JSON.stringify([
      target.key.ownerId,
      target.key.operationName ?? null,
      target.key.query,
      target.key.variables ?? null,
    ]);
    let group = this.groups.get(key);
    if (!group) {
      group = new FanoutGroup(key, target.key.ownerId, args, this);
      this.groups.set(key, group);
    }
    group.refs++;
    const prefix = `{"id":${JSON.stringify(target.id)},"type":"next","payload":`;
    return new DirectDelivery(source, group, target.sink, prefix);
  }

  /** @internal */
  execute(args: ExecutionArgs, event: unknown): ExecutionResult | Promise<ExecutionResult> {
    this.executions++;
    return execute({ ...args, rootValue: event });
  }

  /** @internal */
  payload(result: ExecutionResult, args: ExecutionArgs): FormattedExecutionResult {
    return this.opts.toPayload(result, args);
  }

  /** @internal */
  release(group: FanoutGroup): void {
    if (--group.refs === 0 && this.groups.get(group.key) === group) this.groups.delete(group.key);
  }
}

/** The subscribers of one distinct operation and its serialised results by job version. */
class FanoutGroup {
  refs = 0;
  private readonly results = new Map<number, string | Promise<string>>();

  constructor(
    readonly key: string,
    readonly ownerId: string,
    /** The first subscriber's arguments: same owner, document and variables as every other one. */
    private readonly args: ExecutionArgs,
    private readonly fanout: SubscriptionFanout,
  ) {}

  /** The `next` payload (JSON) for this version of the job, executed at most once while cached. */
  payloadFor(job: JobRecord): string | Promise<string> {
    let json = this.results.get(job.version);
    if (json === undefined) {
      const result = this.fanout.execute(this.args, job);
      json = isPromise(result) ? result.then((r) => this.serialise(r)) : this.serialise(result);
      this.results.set(job.version, json);
      if (this.results.size > CACHED_VERSIONS) {
        this.results.delete(Math.min(...this.results.keys()));
      }
    }
    return json;
  }

  /** One subscriber fewer; the last one removes the group. */
  release(): void {
    this.fanout.release(this);
  }

  private serialise(result: ExecutionResult): string {
    return JSON.stringify(this.fanout.payload(result, this.args));
  }
}

/**
 * One subscriber of a group: pulls its own JobUpdates (which keeps the per-subscriber order and
 * de-duplication) and writes the group's payload for each version to its socket.
 */
class DirectDelivery implements AsyncIterableIterator<ExecutionResult> {
  private ended: Promise<IteratorResult<ExecutionResult>> | undefined;
  private stopped = false;
  private released = false;

  constructor(
    private readonly source: JobUpdates,
    private readonly group: FanoutGroup,
    private readonly sink: FrameSink,
    private readonly prefix: string,
  ) {}

  next(): Promise<IteratorResult<ExecutionResult>> {
    return (this.ended ??= this.pump());
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.stop();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(): Promise<IteratorResult<ExecutionResult>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private async pump(): Promise<IteratorResult<ExecutionResult>> {
    try {
      for (;;) {
        const { value: job, done } = await this.source.next();
        if (done || this.stopped) break;
        if (job.ownerId !== this.group.ownerId) continue; // the hub filters already; never share across owners
        const payload = this.group.payloadFor(job);
        const json = typeof payload === 'string' ? payload : await payload;
        if (this.stopped) break;
        if (this.sink.readyState !== this.sink.OPEN) continue;
        if (this.sink.bufferedAmount > MAX_UNSENT_BYTES) {
          this.sink.close(TOO_SLOW_CLOSE_CODE, 'Too slow: events are not being read');
          break;
        }
        this.sink.send(this.prefix + json + '}');
      }
    } finally {
      this.stop();
    }
    return { value: undefined, done: true };
  }

  private stop(): void {
    this.stopped = true;
    this.source.close();
    if (!this.released) {
      this.released = true;
      this.group.release();
    }
  }
}

/** Per-subscriber execution for sources the fan-out does not know (none today). */
class PerSubscriber implements AsyncIterableIterator<ExecutionResult> {
  private readonly iterator: AsyncIterator<unknown>;

  constructor(
    source: AsyncIterable<unknown>,
    private readonly args: ExecutionArgs,
    private readonly fanout: SubscriptionFanout,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  async next(): Promise<IteratorResult<ExecutionResult>> {
    const r = await this.iterator.next();
    if (r.done) return { value: undefined, done: true };
    return { value: await this.fanout.execute(this.args, r.value), done: false };
  }

  async return(): Promise<IteratorResult<ExecutionResult>> {
    await this.iterator.return?.();
    return { value: undefined, done: true };
  }

  throw(): Promise<IteratorResult<ExecutionResult>> {
    return this.return();
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof Object(value)[Symbol.asyncIterator] === 'function';
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}
