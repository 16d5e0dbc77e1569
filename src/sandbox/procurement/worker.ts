/**
 * The sandbox's background job: every interval it runs the due recurring orders and the re-order
 * check of every active inventory item, so purchase orders go out without anyone clicking.
 * Ticks never overlap (the next is planned when one ends); an error is logged and the next tick
 * tries again. Several processes may run it at once: schedules and re-orders are claimed in the
 * database. An item whose re-order was rejected stops re-ordering: logged once, then quiet.
 */
import { checkReorder } from './inventory.js';
import type { ProcurementDeps } from './model.js';
import { runDueSchedules } from './schedules.js';

export interface WorkerLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ProcurementWorker {
  /** Stops planning ticks and waits for the one running, if any. */
  stop(): Promise<void>;
}

const consoleLog: WorkerLog = {
  info: () => {},
  error: (obj, msg) => console.error(msg, obj),
};

/** One tick: due schedules, then the re-order check of every active item. Never throws. */
export async function procurementTick(deps: ProcurementDeps, log: WorkerLog = consoleLog): Promise<void> {
  try {
    for (const run of await runDueSchedules(deps)) {
      if (run.error) log.error({ schedule: run.scheduleId, error: run.error }, 'recurring order failed');
      else log.info({ schedule: run.scheduleId, requisition: run.requisition?.number, order: run.po?.orderId }, 'recurring order placed');
    }
  } catch (err) {
    log.error({ err }, 'running due recurring orders failed');
  }
  let items: { id: string }[] = [];
  try {
    items = await deps.db.selectFrom('sandbox_inventory_items').select('id').where('active', '=', 1).orderBy('id').execute();
  } catch (err) {
    log.error({ err }, 'listing inventory items failed');
  }
  for (const { id } of items) {
    try {
      const outcome = await checkReorder(deps, id);
      if (outcome.kind === 'created') {
        if (outcome.error) log.error({ item: id, requisition: outcome.requisition.number, error: outcome.error }, 're-order not submitted');
        else log.info({ item: id, requisition: outcome.requisition.number, order: outcome.po?.orderId }, 're-order placed');
      }
      // Logged by the check that stopped it; later ticks find it `held` and stay quiet.
      const stopped = outcome.kind === 'stopped' ? outcome.hold : outcome.kind === 'created' ? outcome.stopped : undefined;
      if (stopped) log.error({ item: id, requisition: stopped.requisitionNumber, order: stopped.orderId, reason: stopped.reason }, 'automatic re-order stopped until a person resumes it');
    } catch (err) {
      log.error({ err, item: id }, 're-order check failed');
    }
  }
}

export function startProcurementWorker(deps: ProcurementDeps, options: { intervalMs: number; log?: WorkerLog }): ProcurementWorker {
  const log = options.log ?? consoleLog;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  const plan = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      running = procurementTick(deps, log).finally(() => {
        running = undefined;
        plan();
      });
    }, options.intervalMs);
    // The job alone does not keep the process alive.
    timer.unref();
  };
  plan();

  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await running;
    },
  };
}
