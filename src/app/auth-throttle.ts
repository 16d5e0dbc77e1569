/**
 * Failed logins per client address: after too many in a window, further attempts from that
 * address are refused without running scrypt at all, so guessing is slow and a flood of wrong
 * secrets cannot tie up the hash threads. Per process, in memory (a restart forgets it).
 */
export class FailureThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(
    readonly maxFailures = 30,
    readonly windowMs = 5 * 60_000,
    /** Entries kept at most; the oldest go first. */
    private readonly maxKeys = 10_000,
  ) {}

  /** Milliseconds until the key may try again, or 0 when it may try now. */
  waitFor(key: string, now: number): number {
    const entry = this.failures.get(key);
    if (!entry) return 0;
    if (now - entry.since >= this.windowMs) {
      this.failures.delete(key);
      return 0;
    }
    return entry.count >= this.maxFailures ? entry.since + this.windowMs - now : 0;
  }

  fail(key: string, now: number): void {
    const entry = this.failures.get(key);
    if (entry && now - entry.since < this.windowMs) {
      entry.count += 1;
      return;
    }
    if (this.failures.size >= this.maxKeys) this.failures.delete(this.failures.keys().next().value!);
    this.failures.set(key, { count: 1, since: now });
  }

  succeed(key: string): void {
    this.failures.delete(key);
  }
}
