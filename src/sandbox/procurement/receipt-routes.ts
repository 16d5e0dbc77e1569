/**
 * Routes:
 *   POST /sandbox/orders/:id/receipts   record a goods receipt (fields qty-<line>, receivedOn, note)
 *
 * Success: 303 back to the order's receipts. Refused: the order page again with what was typed and
 * each problem next to its field (422 invalid input, 409 the order is not open); 404 unknown order.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { html } from '../../web/html.js';
import { formOf, seeOther, sendHtml } from '../http.js';
import { sandboxFrame } from '../layout.js';
import { ProcurementError, type ProcurementDeps, type SandboxPerson } from './model.js';
import { actingPerson } from './people.js';
import { purchaseOrderPageFor } from './po-routes.js';
import { ReceiptRefused, recordGoodsReceipt } from './receipts.js';

const QTY_FIELD = /^qty-(\d{1,6})$/;

export async function registerReceiptRoutes(app: FastifyInstance, deps: ProcurementDeps): Promise<void> {
  app.post<{ Params: { id: string } }>('/sandbox/orders/:id/receipts', async (request, reply) => {
    const poId = request.params.id;
    const form = formOf(request);
    const person = await actingPerson(deps.db, request);
    const values: Record<string, string> = {};
    const lines: { lineNumber: number; quantity: string }[] = [];
    for (const [name, value] of form) {
      values[name] = value;
      const m = QTY_FIELD.exec(name);
      if (m) lines.push({ lineNumber: Number(m[1]), quantity: value });
    }
    let recorded: string;
    try {
      recorded = (await recordGoodsReceipt(deps, poId, { lines, receivedOn: form.get('receivedOn') ?? '', note: form.get('note') ?? '' }, `person:${person.id}`)).number;
    } catch (e) {
      if (!(e instanceof ProcurementError)) throw e;
      if (e.status === 404) return unknownOrder(reply, person);
      const problems = (e instanceof ReceiptRefused ? e.problems : [e]).map((p) => ({ field: p.field ?? '', message: p.message }));
      // The form is far down the page: say at the top that nothing was recorded, and why.
      const notice = { kind: 'error' as const, text: `The goods receipt was not recorded: ${problems.map((p) => p.message).join(' ')} The form under "Goods receipts" keeps what you typed.` };
      const page = await purchaseOrderPageFor(deps, request as FastifyRequest, poId, { receiptForm: { values, problems }, notice });
      if (!page) return unknownOrder(reply, person);
      return sendHtml(reply, e.status === 409 ? 409 : 422, page);
    }
    return seeOther(reply, `/sandbox/orders/${encodeURIComponent(poId)}?received=${encodeURIComponent(recorded)}#receipts`);
  });
}

function unknownOrder(reply: FastifyReply, person: SandboxPerson): FastifyReply {
  return sendHtml(
    reply,
    404,
    sandboxFrame(
      { title: 'Unknown purchase order', section: 'orders', acting: { name: person.name, roles: person.roles } },
      html`<section class="notice error" role="alert">
<h1>Unknown purchase order</h1>
<p>The sandbox has no purchase order with this id, so nothing was received.</p>
<p class="todo">Open <a href="/sandbox/orders">Purchase orders</a> and record the receipt on the order's page.</p>
</section>`,
    ),
  );
}
