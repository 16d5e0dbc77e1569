/**
 * The loop that empties the outbox: claim due rows (as many as there are free slots), deliver
 * them concurrently, and poll again. Any number of workers may run against one database, in one
 * process or on several nodes; leases keep them from sending the same row at once.
 *
 * Stopping is graceful: no new rows are claimed, and the sends in flight finish (each is bounded
 * by the request timeout). A worker that is killed instead leaves its rows leased; they are
 * claimed again once their lease runs out, by whichever worker runs then.
 */
import type { OutboxConfig } from '../config.js';
import type { AppContext } from '../app/context.js';
import { claimDue, deliverClaimed, newWorkerId, type OutboxRow, type OutboxSecrets } from './outbox.js';

export interface OutboxWorkerOptions {
  /** Overrides of `ctx.config.outbox` (tests use milliseconds). */
  settings?: Partial<OutboxConfig>;
  /** Name in `lease_owner`; default host:pid:random. */
  owner?: string;
  secrets?: OutboxSecrets;
  /** Jitter source in [0, 1). */
  random?: () => number;
}

export class OutboxWorker {
  readonly owner: string;
  private readonly settings: OutboxConfig;
  private readonly inFlight = new Set<Promise<unknown>>();
  private loop: Promise<void> | undefined;
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private woken = false;

  constructor(
    private readonly ctx: AppContext,
    private readonly options: OutboxWorkerOptions = {},
  ) {
    this.owner = options.owner ?? newWorkerId();
    this.settings = { ...ctx.config.outbox, ...options.settings };
  }

  /** Starts polling; returns this worker. Calling it twice does nothing more. */
  start(): this {
    if (!this.loop) {
      this.stopping = false;
      this.loop = this.run();
    }
    return this;
  }

  /** Stops claiming and waits for the sends in flight to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
    this.loop = undefined;
  }

  /** Looks for due rows now instead of at the next poll (e.g. right after an enqueue). */
  wake(): void {
    if (this.wakeUp) this.wakeUp();
    else this.woken = true;
  }

  get busy(): number {
    return this.inFlight.size;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const free = this.settings.concurrency - this.inFlight.size;
      let claimed: OutboxRow[] = [];
      if (free > 0) {
        try {
          claimed = await claimDue(this.ctx, { owner: this.owner, limit: free, leaseMs: this.settings.leaseMs });
        } catch (err) {
          // The store may be briefly away (restart, failover): say so and try again at the next poll.
          this.ctx.log.error({ err }, 'outbox: could not claim rows');
        }
      }
      for (const row of claimed) this.send(row);
      if (this.stopping) break;
      // More may be due: claim again at once while slots are free; otherwise wait for a slot or the poll.
      if (claimed.length === 0 || this.inFlight.size >= this.settings.concurrency) await this.sleep(this.settings.pollMs);
    }
  }

  private send(row: OutboxRow): void {
    const delivery = deliverClaimed(this.ctx, row, { owner: this.owner, settings: this.settings, ...(this.options.secrets ? { secrets: this.options.secrets } : {}), ...(this.options.random ? { random: this.options.random } : {}) })
      .catch((err: unknown) => {
        // Only the store failing gets here; the row stays leased and is retried after the lease.
        this.ctx.log.error({ err, outbox: row.id }, 'outbox: could not record a delivery attempt');
      })
      .finally(() => {
        this.inFlight.delete(delivery);
        this.wake();
      });
    this.inFlight.add(delivery);
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      // Woken while busy claiming: a slot freed or work arrived, so look again at once.
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        if (this.wakeUp === done) this.wakeUp = undefined;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }
}

/** A started worker with the process's outbox settings. */
export function startOutboxWorker(ctx: AppContext, options: OutboxWorkerOptions = {}): OutboxWorker {
  return new OutboxWorker(ctx, options).start();
}
