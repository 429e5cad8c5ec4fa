/**
 * The phases every long-running part of docpipe goes through (the api server, the worker):
 * idle → starting → ready → draining → stopped. One start; stop is safe before, during and after
 * it, and twice. A start that fails releases what it made and ends stopped.
 */
export type Phase = 'idle' | 'starting' | 'ready' | 'draining' | 'stopped';

export interface LifecycleHooks<T> {
  /** Makes and starts everything; its result is what `start()` returns. */
  boot(): Promise<T>;
  /** Stops and releases whatever `boot` made so far (it may have failed half-way). */
  release(): Promise<void>;
}

export class Lifecycle<T> {
  private current: Phase = 'idle';
  private booting: Promise<unknown> | undefined;

  constructor(
    private readonly name: string,
    private readonly hooks: LifecycleHooks<T>,
  ) {}

  get phase(): Phase {
    return this.current;
  }

  async start(): Promise<T> {
    if (this.current !== 'idle') throw new Error(`The ${this.name} cannot start: it is ${this.current}`);
    this.current = 'starting';
    const booting = this.hooks.boot();
    this.booting = booting.catch(() => undefined);
    try {
      const result = await booting;
      // stop() may have been called meanwhile; it then finishes once boot has.
      if (this.current === 'starting') this.current = 'ready';
      return result;
    } catch (err) {
      await this.hooks.release();
      this.current = 'stopped';
      throw err;
    }
  }

  async stop(): Promise<void> {
    if (this.current === 'idle') {
      this.current = 'stopped';
      return;
    }
    if (this.current === 'draining' || this.current === 'stopped') return;
    this.current = 'draining';
    await this.booting; // a start in progress finishes first, so what it made is released
    await this.hooks.release();
    this.current = 'stopped';
  }
}
