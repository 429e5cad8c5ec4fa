/**
 * Per-owner limits on use, so that one owner (or one stolen token) cannot starve the others:
 * a request budget per window (HTTP requests and WebSocket subscriptions alike), uploads in flight,
 * and open WebSockets. The request budget is counted in this process (rate-limiter-flexible's memory
 * store) or, with RATE_LIMIT_STORE=dynamodb, in the table, shared by every api replica. Uploads and
 * sockets are held per process (they end with it). nginx's per-address limits stand in front of all.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { RequestCounter } from '../aws/request-counter.js';
import type { UsageLimits } from '../domain/config.js';
import { DomainError, ErrorCode } from '../domain/errors.js';

/** Refused for exceeding a limit; `retryAfterSeconds` becomes the HTTP `Retry-After` header. */
export class RateLimitedError extends DomainError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(ErrorCode.RATE_LIMITED, message, { retryAfterSeconds });
  }
}

/**
 * Per-owner counters of things held at once (uploads in flight, open sockets). Written by hand: rate
 * limiters count refused attempts too, which would leave a held slot "used" after a refusal.
 */
class Slots {
  private readonly held = new Map<string, number>();
  constructor(private readonly max: number) {}

  /** A release function (idempotent), or null when the owner already holds `max`. */
  take(ownerId: string): (() => void) | null {
    const count = this.held.get(ownerId) ?? 0;
    if (count >= this.max) return null;
    this.held.set(ownerId, count + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.held.get(ownerId) ?? 1) - 1;
      if (left > 0) this.held.set(ownerId, left);
      else this.held.delete(ownerId);
    };
  }

  count(ownerId: string): number {
    return this.held.get(ownerId) ?? 0;
  }
}

export class UsageLimiter {
  private readonly requests: RateLimiterMemory;
  private readonly uploads: Slots;
  private readonly sockets: Slots;

  /** `shared`: count requests in DynamoDB (every replica sees the same budget) instead of in memory. */
  constructor(
    private readonly limits: UsageLimits,
    private readonly shared?: RequestCounter,
  ) {
    this.requests = new RateLimiterMemory({ points: limits.requests, duration: limits.windowSeconds });
    this.uploads = new Slots(limits.concurrentUploads);
    this.sockets = new Slots(limits.wsMaxSocketsPerOwner);
  }

  /** Counts one request against the owner's budget, or throws RateLimitedError. */
  async request(ownerId: string): Promise<void> {
    const message = `Too many requests: at most ${this.limits.requests} per ${this.limits.windowSeconds} s`;
    if (this.shared) {
      const now = Math.floor(Date.now() / 1000);
      const windowStart = now - (now % this.limits.windowSeconds);
      if (!(await this.shared.hit(ownerId, windowStart, this.limits.windowSeconds, this.limits.requests))) {
        throw new RateLimitedError(message, Math.max(1, windowStart + this.limits.windowSeconds - now));
      }
      return;
    }
    try {
      await this.requests.consume(ownerId);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      throw new RateLimitedError(message, Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
    }
  }

  /** Takes one of the owner's upload slots; call the returned function when the upload ends. */
  upload(ownerId: string): () => void {
    const release = this.uploads.take(ownerId);
    if (!release) {
      throw new RateLimitedError(
        `Too many uploads at once: at most ${this.limits.concurrentUploads} in flight`,
        1,
      );
    }
    return release;
  }

  /** Registers an open WebSocket of the owner; null when the owner already has the maximum. */
  socket(ownerId: string): (() => void) | null {
    return this.sockets.take(ownerId);
  }

  /** Open WebSockets per owner (for tests and metrics). */
  openSockets(ownerId: string): number {
    return this.sockets.count(ownerId);
  }
}
