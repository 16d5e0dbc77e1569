/**
 * OrderRequest intake: the approved purchase order arrives from the buyer's system. It is
 * answered 200 only once it is durably stored; the same payloadID again gets the same answer
 * and no second order, also when two copies arrive at the same moment.
 */
import type { Envelope, OrderRequest } from '../protocol/cxml/model.js';
import type { Connection } from '../domain/connection.js';
import { writeStatusResponse } from '../protocol/cxml/writer.js';
import { formatDecimal } from '../protocol/money.js';
import { show } from '../protocol/cxml/read-context.js';
import { iso, type AppContext } from './context.js';
import { logInOut, statusAnswer, writeContext, type CxmlAnswer } from './cxml-answers.js';

/** `note` marks the logged documents of a replay (see processAuthenticated). */
export async function receiveOrder(ctx: AppContext, connection: Connection, envelope: Envelope<OrderRequest>, body: string, note?: string): Promise<CxmlAnswer> {
  const version = connection.options.cxml.version;
  const earlier = await receiptFor(ctx, envelope.payloadID);
  if (earlier && earlier.connectionId !== connection.id) return payloadIdTaken(ctx, connection, envelope, body, note);
  if (earlier) {
    await logInOut(ctx, { docType: 'OrderRequest', requestBody: body, envelope, connectionId: connection.id, orderId: earlier.orderId ?? undefined, status: 200, detail: 'same payloadID again: earlier answer repeated, nothing stored', answer: earlier.response, answerType: 'Response', note });
    return { httpStatus: 200, xml: earlier.response };
  }
  const order = envelope.payload;
  const problem = lineProblem(order);
  if (problem) {
    const xml = statusAnswer(ctx, 400, problem, version);
    await logInOut(ctx, { docType: 'OrderRequest', requestBody: body, envelope, connectionId: connection.id, status: 400, detail: problem, answer: xml, answerType: 'Response', note });
    return { httpStatus: 200, xml };
  }

  const h = order.header;
  const orderRowId = ctx.token(12);
  const answer = writeStatusResponse(writeContext(ctx, version), { code: 200, text: 'OK', detail: `Order ${h.orderID} received.` });
  const now = iso(ctx.now());
  try {
    await ctx.db.transaction().execute(async (trx) => {
      // The receipt goes in first: its primary key is the payloadID, so a concurrent copy fails here.
      await trx.insertInto('cxml_receipts').values({ payload_id: envelope.payloadID, connection_id: connection.id, request_type: 'OrderRequest', response: answer, order_id: orderRowId, created_at: now }).execute();
      await trx
        .insertInto('orders')
        .values({
          id: orderRowId,
          connection_id: connection.id,
          order_id: h.orderID,
          payload_id: envelope.payloadID,
          order_type: h.type,
          order_version: h.orderVersion ?? null,
          order_date: h.orderDate.instant ? iso(h.orderDate.instant) : h.orderDate.dateOnly ?? h.orderDate.raw,
          deployment_mode: envelope.deploymentMode,
          total: formatDecimal(h.total.amount),
          currency: h.total.currency,
          status: h.type === 'delete' ? 'cancelled' : 'received',
          header: JSON.stringify({
            shipTo: h.shipTo,
            billTo: h.billTo,
            shipping: h.shipping,
            tax: h.tax,
            payment: h.payment,
            paymentTermDays: h.paymentTermDays,
            contacts: h.contacts,
            comments: h.comments,
            extrinsics: h.extrinsics,
            documentReference: h.documentReference,
            requisitionID: h.requisitionID,
            orderType: h.orderType,
            requestedDeliveryDate: h.requestedDeliveryDate?.raw,
          }),
          received_at: now,
        })
        .execute();
      let n = 0;
      for (const item of order.items) {
        n += 1;
        const d = item.itemDetail;
        await trx
          .insertInto('order_lines')
          .values({
            id: ctx.token(12),
            order_id: orderRowId,
            line_number: item.lineNumber ?? n,
            supplier_part_id: item.itemID.supplierPartID,
            aux_id: item.itemID.supplierPartAuxiliaryID ?? null,
            description: d ? d.descriptions.map((x) => x.shortName ?? x.text).find((t) => t.trim()) ?? '' : '',
            quantity: formatDecimal(item.quantity),
            unit: d?.unitOfMeasure ?? '',
            unit_price: d ? formatDecimal(d.unitPrice.amount) : '0',
            currency: d?.unitPrice.currency ?? h.total.currency,
            is_ad_hoc: item.isAdHoc ? 1 : 0,
            details: JSON.stringify({
              descriptions: d?.descriptions,
              classifications: d?.classifications,
              manufacturerPartID: d?.manufacturerPartID,
              manufacturerName: d?.manufacturerName,
              requestedDeliveryDate: item.requestedDeliveryDate?.raw,
              shipTo: item.shipTo,
              shipping: item.shipping,
              tax: item.tax,
              distributions: item.distributions,
              comments: item.comments,
              extrinsics: [...item.extrinsics, ...(d?.extrinsics ?? [])],
            }),
          })
          .execute();
      }
    });
  } catch (err) {
    const again = await receiptFor(ctx, envelope.payloadID);
    if (again && again.connectionId !== connection.id) return payloadIdTaken(ctx, connection, envelope, body, note);
    if (again) return { httpStatus: 200, xml: again.response };
    ctx.log.error({ err, payloadID: envelope.payloadID }, 'could not store an OrderRequest');
    // 5xx: the buyer retries later, and nothing half-stored remains (the transaction rolled back).
    const xml = statusAnswer(ctx, 500, 'The order could not be stored just now; please send it again later.', version);
    await logInOut(ctx, { docType: 'OrderRequest', requestBody: body, envelope, connectionId: connection.id, status: 500, detail: 'store failed', answer: xml, answerType: 'Response', note });
    return { httpStatus: 200, xml };
  }
  await logInOut(ctx, { docType: 'OrderRequest', requestBody: body, envelope, connectionId: connection.id, orderId: orderRowId, status: 200, detail: `order ${h.orderID} (${h.type}) stored with ${order.items.length} line(s)`, answer, answerType: 'Response', note });
  return { httpStatus: 200, xml: answer };
}

/** A line with neither a part ID nor the ad-hoc flag cannot be matched or reviewed. */
function lineProblem(order: OrderRequest): string | undefined {
  for (const [i, item] of order.items.entries()) {
    if (!item.itemID.supplierPartID.trim() && !item.isAdHoc) {
      return `Line ${item.lineNumber ?? i + 1} has no SupplierPartID and is not marked isAdHoc="yes".`;
    }
  }
  return undefined;
}

/** The stored answer to a payloadID, and which connection sent it. */
async function receiptFor(ctx: AppContext, payloadId: string): Promise<{ response: string; orderId: string | null; connectionId: string } | undefined> {
  const row = await ctx.db.selectFrom('cxml_receipts').select(['response', 'order_id', 'connection_id']).where('payload_id', '=', payloadId).executeTakeFirst();
  return row ? { response: row.response, orderId: row.order_id, connectionId: row.connection_id } : undefined;
}

/**
 * The payloadID is already the key of another buyer's document. That buyer's answer is not
 * ours to give, and storing cannot succeed, so this is final (409), not a 500 to retry forever.
 */
async function payloadIdTaken(ctx: AppContext, connection: Connection, envelope: Envelope<OrderRequest>, body: string, note: string | undefined): Promise<CxmlAnswer> {
  const detail = `The payloadID ${show(envelope.payloadID)} was already used by another sender; every cXML document needs a payloadID of its own. Nothing was stored.`;
  const xml = statusAnswer(ctx, 409, detail, connection.options.cxml.version);
  await logInOut(ctx, { docType: 'OrderRequest', requestBody: body, envelope, connectionId: connection.id, status: 409, detail, answer: xml, answerType: 'Response', note });
  return { httpStatus: 200, xml };
}
