// Failed authentication, throttled. Two token buckets of failures, refilled
// continuously: one per client address (one machine trying many keys), one per
// key prefix (many machines trying one key). A client address over its budget is
// answered 429 before any key is checked, so guessing costs the server nothing
// more; a prefix over its budget turns its *failures* into 429 (its owner's valid
// key still passes, so nobody can lock a key out by failing on purpose).
import { clientAddress as forwardedClient } from "../ops/client-address.js";
import { LRUCache } from "lru-cache";

export interface AuthThrottleOptions {
  /** Failed attempts a client address may make per minute (bursts up to the same). */
  failuresPerMinutePerAddress: number;
  /** Failed attempts against one key prefix per minute, from anywhere. */
  failuresPerMinutePerPrefix: number;
}

export const DEFAULT_AUTH_THROTTLE: AuthThrottleOptions = {
  failuresPerMinutePerAddress: 20,
  failuresPerMinutePerPrefix: 10,
};

interface Bucket {
  tokens: number;
  at: number;
}

class FailureBuckets {
  private readonly buckets = new LRUCache<string, Bucket>({ max: 100_000 });

  constructor(private readonly perMinute: number) {}

  private refilled(key: string, now: number): Bucket | undefined {
    const b = this.buckets.get(key);
    if (!b) return undefined;
    b.tokens = Math.min(this.perMinute, b.tokens + ((now - b.at) / 60_000) * this.perMinute);
    b.at = now;
    return b;
  }

  /** Seconds until one more failure is allowed (0: allowed now). */
  waitSeconds(key: string, now = Date.now()): number {
    const b = this.refilled(key, now);
    if (!b || b.tokens >= 1) return 0;
    return Math.max(1, Math.ceil(((1 - b.tokens) * 60) / this.perMinute));
  }

  fail(key: string, now = Date.now()): void {
    const b = this.refilled(key, now) ?? { tokens: this.perMinute, at: now };
    b.tokens = Math.max(0, b.tokens - 1);
    this.buckets.set(key, b);
  }
}

export class AuthThrottle {
  private readonly addresses: FailureBuckets;
  private readonly prefixes: FailureBuckets;

  constructor(options: AuthThrottleOptions = DEFAULT_AUTH_THROTTLE) {
    this.addresses = new FailureBuckets(options.failuresPerMinutePerAddress);
    this.prefixes = new FailureBuckets(options.failuresPerMinutePerPrefix);
  }

  /** Seconds this address must wait before its next attempt is even checked (0: go ahead). */
  addressWait(address: string | null): number {
    return address === null ? 0 : this.addresses.waitSeconds(address);
  }

  /** Records a failed attempt; returns the seconds to wait when the address or the prefix is now over budget. */
  failed(address: string | null, prefix: string | null): number {
    const prefixWait = prefix ? this.prefixes.waitSeconds(prefix) : 0;
    if (address !== null) this.addresses.fail(address);
    if (prefix) this.prefixes.fail(prefix);
    return Math.max(prefixWait, this.addressWait(address));
  }
}

/**
 * The client's address: the TCP peer, or with `trustProxy` (the number of proxies in front) the X-Forwarded-For entry the nearest trusted proxy was given (set by
 * a proxy in front; without one a client could name any address). Null for an in-process call
 * (app.fetch without a socket): no network client to throttle, only the key prefix is.
 */
export function clientAddress(request: Request, serverContext: unknown, trustProxy: boolean | number): string | null {
  // The entry the trusted proxies appended, not the first one: the client writes that one itself,
  // and could name a new address for every guess (src/ops/client-address.ts).
  const proxies = trustProxy === true ? 1 : typeof trustProxy === "number" ? trustProxy : 0;
  return forwardedClient(request, serverContext, proxies) ?? null;
}
