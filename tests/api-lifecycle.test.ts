/** The api's and the worker's phases: one start, stop safe before, during and after it, and twice. */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiServer } from '../server/create-server.js';
import { createWorker } from '../worker/create-worker.js';
import { Disposables, startEmulators, testConfig, type TestEmulators } from './support/stack.js';

const disposables = new Disposables();
let emulators: TestEmulators;
beforeAll(async () => {
  emulators = await startEmulators(disposables);
});
afterAll(() => disposables.disposeAll());

const api = () => createApiServer(testConfig(emulators), { logger: pino({ level: 'silent' }) });

describe('api lifecycle', () => {
  it('goes idle → starting → ready → draining → stopped, and refuses a second start', async () => {
    const server = api();
    expect(server.phase).toBe('idle');
    const started = server.start();
    expect(server.phase).toBe('starting');
    const { url } = await started;
    expect(server.phase).toBe('ready');
    await expect(server.start()).rejects.toThrow(/cannot start: it is ready/);
    expect((await fetch(url.replace(/\/graphql$/, '/healthz'))).status).toBe(200);
    const stopping = server.stop();
    expect(server.phase).toBe('draining');
    await stopping;
    expect(server.phase).toBe('stopped');
    await expect(fetch(url.replace(/\/graphql$/, '/healthz'))).rejects.toThrow();
    await server.stop(); // again: nothing to do
    await expect(server.start()).rejects.toThrow(/cannot start: it is stopped/);
    expect(server.events).toBeUndefined(); // its event queue is gone
  });

  it('stop() before start() just marks it stopped', async () => {
    const server = api();
    await server.stop();
    expect(server.phase).toBe('stopped');
    await expect(server.start()).rejects.toThrow(/stopped/);
  });

  it('stop() during start() waits for it and releases what it made', async () => {
    const server = api();
    const started = server.start();
    const stopped = server.stop();
    const { url } = await started;
    await stopped;
    expect(server.phase).toBe('stopped');
    await expect(fetch(url.replace(/\/graphql$/, '/healthz'))).rejects.toThrow();
  });
});

describe('worker lifecycle', () => {
  it('refuses a second start, drains on stop, and cannot be started again', async () => {
    const worker = createWorker(testConfig(emulators), { logger: pino({ level: 'silent' }) });
    expect(worker.phase).toBe('idle');
    await worker.start();
    expect(worker.phase).toBe('ready');
    await expect(worker.start()).rejects.toThrow(/worker cannot start: it is ready/);
    await worker.stop();
    expect(worker.phase).toBe('stopped');
    await worker.stop();
    await expect(worker.start()).rejects.toThrow(/stopped/);
  });
});
