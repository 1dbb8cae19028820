// Refused logins to the embedded broker: throttled per user name and per address so a wrong-password
// storm costs no scrypt and locks no real vehicle out for good, and remembered (counts by reason, the
// last ones, per device) for the Devices tab. Pure: the clock is passed in.

export type RefusalReason =
  | 'bad credentials'
  | 'not authorized'
  | 'throttled'
  | 'client id not owned'
  | 'packet too large'
  | 'publish not allowed'
  | 'server busy';

export interface Refusal {
  atMs: number;
  reason: RefusalReason;
  /** The user name given (never the password), or '' for anonymous. */
  username: string;
  address: string;
  detail?: string;
}

export interface LoginGuardOptions {
  /** Failures within `windowMs` that lock a user name. */
  maxFailures?: number; // default 5
  /** Failures within `windowMs` that lock an address: higher, as a depot's vehicles may share one (NAT). */
  maxFailuresPerAddress?: number; // default 30
  windowMs?: number; // default 60 s
  /** First lock; doubles with each further lock of the same key, up to maxLockMs. */
  lockMs?: number; // default 30 s
  maxLockMs?: number; // default 15 min
  /** Last refusals kept for the screen. */
  keep?: number; // default 100
}

interface KeyState {
  failures: number[];
  lockedUntilMs: number;
  locks: number;
}

export class LoginGuard {
  private readonly keys = new Map<string, KeyState>();
  readonly byReason: Partial<Record<RefusalReason, number>> = {};
  readonly last: Refusal[] = [];
  /** Refused logins and publishes per vehicle id (user name), since start. */
  readonly perUser = new Map<string, { count: number; lastMs: number; lastReason: RefusalReason }>();
  private readonly o: Required<LoginGuardOptions>;

  constructor(options: LoginGuardOptions = {}) {
    this.o = { maxFailures: 5, maxFailuresPerAddress: 30, windowMs: 60_000, lockMs: 30_000, maxLockMs: 15 * 60_000, keep: 100, ...options };
  }

  /** Whether this user name or address is locked now (its attempts are refused without a check). */
  locked(username: string, address: string, nowMs: number): boolean {
    return this.isLocked(`u:${username}`, nowMs) || this.isLocked(`a:${address}`, nowMs);
  }

  private isLocked(key: string, nowMs: number): boolean {
    const s = this.keys.get(key);
    return !!s && s.lockedUntilMs > nowMs;
  }

  /** A failed login (wrong secret); returns the keys it locked, for a log line. */
  failed(username: string, address: string, nowMs: number): string[] {
    const lockedNow: string[] = [];
    for (const key of [`u:${username}`, `a:${address}`]) {
      let s = this.keys.get(key);
      if (!s) this.keys.set(key, (s = { failures: [], lockedUntilMs: 0, locks: 0 }));
      s.failures = s.failures.filter((t) => t > nowMs - this.o.windowMs);
      s.failures.push(nowMs);
      if (s.failures.length >= (key.startsWith('a:') ? this.o.maxFailuresPerAddress : this.o.maxFailures)) {
        s.lockedUntilMs = nowMs + Math.min(this.o.maxLockMs, this.o.lockMs * 2 ** s.locks);
        s.locks++;
        s.failures = [];
        lockedNow.push(key.slice(2));
      }
    }
    if (this.keys.size > 100_000) this.forgetIdle(nowMs);
    return lockedNow;
  }

  /** A good login: the user name's failures are forgotten (its address's are not: it may be shared). */
  succeeded(username: string): void {
    const s = this.keys.get(`u:${username}`);
    if (s) {
      s.failures = [];
      s.locks = 0;
    }
  }

  record(r: Refusal): void {
    this.byReason[r.reason] = (this.byReason[r.reason] ?? 0) + 1;
    this.last.push(r);
    if (this.last.length > this.o.keep) this.last.shift();
    if (r.username) {
      const u = this.perUser.get(r.username);
      if (u) {
        u.count++;
        u.lastMs = r.atMs;
        u.lastReason = r.reason;
      } else if (this.perUser.size < 100_000) this.perUser.set(r.username, { count: 1, lastMs: r.atMs, lastReason: r.reason });
    }
  }

  private forgetIdle(nowMs: number): void {
    for (const [k, s] of this.keys) if (s.lockedUntilMs <= nowMs && s.failures.every((t) => t <= nowMs - this.o.windowMs)) this.keys.delete(k);
  }
}

/** Runs at most `limit` tasks at once, queues up to `maxQueued` more and refuses the rest (null). */
export class Gate {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly maxQueued: number,
  ) {}

  async run<T>(task: () => Promise<T>): Promise<T | null> {
    if (this.running >= this.limit) {
      if (this.waiting.length >= this.maxQueued) return null;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** Token buckets by key: `ratePerS` sustained, `burst` at once. Keys idle long enough are forgotten. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();

  constructor(
    private readonly ratePerS: number,
    private readonly burst: number,
  ) {}

  /** Takes one token for `key`; false when its bucket is empty. */
  take(key: string, nowMs: number): boolean {
    let b = this.buckets.get(key);
    if (!b) {
      if (this.buckets.size >= 100_000) this.forgetFull(nowMs);
      this.buckets.set(key, (b = { tokens: this.burst, atMs: nowMs }));
    }
    b.tokens = Math.min(this.burst, b.tokens + ((nowMs - b.atMs) / 1000) * this.ratePerS);
    b.atMs = nowMs;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  private forgetFull(nowMs: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + ((nowMs - b.atMs) / 1000) * this.ratePerS >= this.burst) this.buckets.delete(k);
  }
}
