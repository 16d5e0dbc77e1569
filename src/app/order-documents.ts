/**
 * Documents back to the buyer for a stored order: confirmation, ship notice, invoice, credit memo.
 * Each is checked against the order and the documents before it, written by the protocol core,
 * stored with its number, queued in the outbox and reflected in the order's state and line
 * figures — all in one transaction.
 */
import type { AppContext } from './context.js';
import type { Actor, ConfirmationRequestInput, CreateDocumentResult, CreditMemoRequestInput, InvoiceRequestInput, ShipNoticeRequestInput } from './order-model.js';

export async function createConfirmation(ctx: AppContext, orderRowId: string, input: ConfirmationRequestInput, actor: Actor): Promise<CreateDocumentResult> {
  void ctx; void orderRowId; void input; void actor;
  throw new Error('createConfirmation: being written');
}

export async function createShipNotice(ctx: AppContext, orderRowId: string, input: ShipNoticeRequestInput, actor: Actor): Promise<CreateDocumentResult> {
  void ctx; void orderRowId; void input; void actor;
  throw new Error('createShipNotice: being written');
}

export async function createInvoice(ctx: AppContext, orderRowId: string, input: InvoiceRequestInput, actor: Actor): Promise<CreateDocumentResult> {
  void ctx; void orderRowId; void input; void actor;
  throw new Error('createInvoice: being written');
}

export async function createCreditMemo(ctx: AppContext, orderRowId: string, input: CreditMemoRequestInput, actor: Actor): Promise<CreateDocumentResult> {
  void ctx; void orderRowId; void input; void actor;
  throw new Error('createCreditMemo: being written');
}

/** Closes a fully shipped and invoiced order (or any open one, with a reason). */
export async function closeOrder(ctx: AppContext, orderRowId: string, actor: Actor, reason?: string): Promise<{ ok: true } | { ok: false; problems: string[] }> {
  void ctx; void orderRowId; void actor; void reason;
  throw new Error('closeOrder: being written');
}

/** Marks the order's review flags as seen (they stay visible). */
export async function markReviewed(ctx: AppContext, orderRowId: string, actor: Actor, note?: string): Promise<boolean> {
  void ctx; void orderRowId; void actor; void note;
  throw new Error('markReviewed: being written');
}
