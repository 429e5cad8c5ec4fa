/**
 * Per-owner limits on use, so that one owner (or one stolen token) cannot starve the others:
 * a request budget per window (HTTP requests and WebSocket subscriptions alike), uploads in flight,
 * and open WebSockets. Counted in this process (rate-limiter-flexible's memory store): with several
 * api replicas each enforces its own share, and nginx's per-address limits stand in front of all.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
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

/** Longest an upload may hold its slot if its release is somehow never called. */
const UPLOAD_SLOT_SECONDS = 3600;

export class UsageLimiter {
  private readonly requests: RateLimiterMemory;
  private readonly uploads: RateLimiterMemory;
  private readonly sockets = new Map<string, number>();

  constructor(private readonly limits: UsageLimits) {
    this.requests = new RateLimiterMemory({ points: limits.requests, duration: limits.windowSeconds });
    this.uploads = new RateLimiterMemory({ points: limits.concurrentUploads, duration: UPLOAD_SLOT_SECONDS });
  }

  /** Counts one request against the owner's budget, or throws RateLimitedError. */
  async request(ownerId: string): Promise<void> {
    try {
      await this.requests.consume(ownerId);
    } catch (res) {
      throw refusal(
        res,
        `Too many requests: at most ${this.limits.requests} per ${this.limits.windowSeconds} s`,
      );
    }
  }

  /** Takes one of the owner's upload slots; call the returned function (once) when the upload ends. */
  async upload(ownerId: string): Promise<() => void> {
    try {
      await this.uploads.consume(ownerId);
    } catch (res) {
      throw refusal(res, `Too many uploads at once: at most ${this.limits.concurrentUploads} in flight`, 1);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      void this.uploads.reward(ownerId, 1);
    };
  }

  /** Registers an open WebSocket of the owner; null when the owner already has the maximum. */
  socket(ownerId: string): (() => void) | null {
    const open = this.sockets.get(ownerId) ?? 0;
    if (open >= this.limits.wsMaxSocketsPerOwner) return null;
    this.sockets.set(ownerId, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.sockets.get(ownerId) ?? 1) - 1;
      if (left > 0) this.sockets.set(ownerId, left);
      else this.sockets.delete(ownerId);
    };
  }

  /** Open WebSockets per owner (for tests and metrics). */
  openSockets(ownerId: string): number {
    return this.sockets.get(ownerId) ?? 0;
  }
}

/** rate-limiter-flexible rejects with a RateLimiterRes when over the limit, with an Error on failure. */
function refusal(res: unknown, message: string, retryAfterSeconds?: number): Error {
  if (!(res instanceof RateLimiterRes)) return res instanceof Error ? res : new Error(String(res));
  return new RateLimitedError(message, retryAfterSeconds ?? Math.max(1, Math.ceil(res.msBeforeNext / 1000)));
}
