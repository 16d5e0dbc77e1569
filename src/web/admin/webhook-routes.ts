/**
 * /admin/webhooks and /admin/api-keys: shop webhooks (list, add, edit, rotate the signing secret,
 * delete, recent deliveries) and HTTP API keys (list, create, revoke). Pages need any admin login;
 * every change needs the admin role and the form's CSRF token, and is audited by the app layer.
 * Secrets and keys are shown once, on the page that answers the change.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { ApiKeyInputError, ApiKeyNotFoundError, createApiKey, listApiKeys, revokeApiKey, type ApiKeyRole } from '../../app/api-keys.js';
import { SealedSecretError, SecretKeyMissingError } from '../../app/sealed-secrets.js';
import {
  WebhookInputError,
  createWebhook,
  deleteWebhook,
  getWebhook,
  listWebhooks,
  rotateWebhookSecret,
  updateWebhook,
  webhookDeliveries,
  type Webhook,
} from '../../app/webhooks.js';
import { errorPage } from '../views/layout.js';
import { adminForm, type AdminGuard } from './guard.js';
import { sendAdmin } from './layout.js';
import { getOrder } from '../../app/order-queries.js';
import { apiKeyOncePage, apiKeysPage, webhookPage, webhookSecretPage, webhooksPage, type WebhookFormValues } from './webhook-views.js';

const NOTICES: Record<string, string> = {
  saved: 'Changes saved.',
  deleted: 'Webhook deleted; deliveries still queued for it will be failed instead of sent.',
  revoked: 'API key revoked: requests with it are refused from now on.',
};

function noticeOf(request: FastifyRequest): { notice: string } | Record<string, never> {
  const done = (request.query as Record<string, unknown> | undefined)?.done;
  return typeof done === 'string' && Object.hasOwn(NOTICES, done) ? { notice: NOTICES[done]! } : {};
}

function actorOf(request: FastifyRequest): { id: string; username: string } {
  const user = request.adminSession!.user;
  return { id: user.id, username: user.username };
}

function canEdit(request: FastifyRequest): boolean {
  return request.adminSession?.user.role === 'admin';
}

function formValues(form: URLSearchParams): WebhookFormValues {
  return { url: (form.get('url') ?? '').trim(), events: form.getAll('events'), description: form.get('description') ?? '', enabled: form.has('enabled') };
}

function notFound(reply: FastifyReply, what: string): FastifyReply {
  return sendAdmin(reply, errorPage(`${what} not found`, `There is no ${what.toLowerCase()} at this address (any more).`, 'Go back to the list and choose one.'), 404);
}

/** A secret that cannot be sealed (PostgreSQL without KOPPEL_SECRET_KEY) is a problem to show, not a bare 500. */
function sealingProblem(err: unknown): string | undefined {
  if (err instanceof SecretKeyMissingError || err instanceof SealedSecretError) return `The signing secret could not be stored: ${err.message}`;
  return undefined;
}

export async function registerWebhookRoutes(app: FastifyInstance, ctx: AppContext, guard: AdminGuard): Promise<void> {
  const renderHook = async (request: FastifyRequest, reply: FastifyReply, hook: Webhook, extra: { problems?: string[]; values?: WebhookFormValues } = {}, code = 200) => {
    const deliveries = await webhookDeliveries(ctx, hook.id);
    // At most 20 deliveries, mostly a few orders: one look-up per distinct order is cheap.
    const ids = [...new Set(deliveries.map((d) => d.order_id).filter((id): id is string => id !== null))];
    const orders = await Promise.all(ids.map((id) => getOrder(ctx, id)));
    const orderIds = new Map(orders.filter((o) => o !== undefined).map((o) => [o.id, o.orderId] as const));
    return sendAdmin(reply, webhookPage(request, { hook, deliveries, orderIds, canEdit: canEdit(request), ...noticeOf(request), ...extra }), code);
  };

  app.get('/admin/webhooks', { preHandler: guard.viewer }, async (request, reply) =>
    sendAdmin(reply, webhooksPage(request, { hooks: await listWebhooks(ctx), canEdit: canEdit(request), ...noticeOf(request) })),
  );

  app.post('/admin/webhooks', { preHandler: guard.admin }, async (request, reply) => {
    const values = formValues(adminForm(request));
    try {
      const { webhook, secret } = await createWebhook(ctx, actorOf(request), values);
      return sendAdmin(reply, webhookSecretPage(request, webhook, secret, 'created'));
    } catch (err) {
      const problems = err instanceof WebhookInputError ? [...err.problems] : sealingProblem(err) ? [sealingProblem(err)!] : undefined;
      if (!problems) throw err;
      return sendAdmin(reply, webhooksPage(request, { hooks: await listWebhooks(ctx), canEdit: true, problems, values }), err instanceof WebhookInputError ? 400 : 500);
    }
  });

  app.get<{ Params: { id: string } }>('/admin/webhooks/:id', { preHandler: guard.viewer }, async (request, reply) => {
    const hook = await getWebhook(ctx, request.params.id);
    return hook ? renderHook(request, reply, hook) : notFound(reply, 'Webhook');
  });

  app.post<{ Params: { id: string } }>('/admin/webhooks/:id', { preHandler: guard.admin }, async (request, reply) => {
    const hook = await getWebhook(ctx, request.params.id);
    if (!hook) return notFound(reply, 'Webhook');
    const values = formValues(adminForm(request));
    try {
      await updateWebhook(ctx, actorOf(request), hook.id, values);
    } catch (err) {
      if (err instanceof WebhookInputError) return renderHook(request, reply, hook, { problems: [...err.problems], values }, 400);
      throw err;
    }
    return reply.code(303).header('Location', `/admin/webhooks/${encodeURIComponent(hook.id)}?done=saved`).send();
  });

  app.post<{ Params: { id: string } }>('/admin/webhooks/:id/rotate', { preHandler: guard.admin }, async (request, reply) => {
    const hook = await getWebhook(ctx, request.params.id);
    if (!hook) return notFound(reply, 'Webhook');
    try {
      const { secret } = await rotateWebhookSecret(ctx, actorOf(request), hook.id);
      return sendAdmin(reply, webhookSecretPage(request, hook, secret, 'rotated'));
    } catch (err) {
      const problem = sealingProblem(err);
      if (!problem) throw err;
      return renderHook(request, reply, hook, { problems: [problem] }, 500);
    }
  });

  app.post<{ Params: { id: string } }>('/admin/webhooks/:id/delete', { preHandler: guard.admin }, async (request, reply) => {
    const hook = await getWebhook(ctx, request.params.id);
    if (!hook) return notFound(reply, 'Webhook');
    await deleteWebhook(ctx, actorOf(request), hook.id);
    return reply.code(303).header('Location', '/admin/webhooks?done=deleted').send();
  });

  app.get('/admin/api-keys', { preHandler: guard.viewer }, async (request, reply) =>
    sendAdmin(reply, apiKeysPage(request, { keys: await listApiKeys(ctx), canEdit: canEdit(request), ...noticeOf(request) })),
  );

  app.post('/admin/api-keys', { preHandler: guard.admin }, async (request, reply) => {
    const form = adminForm(request);
    const values = { name: form.get('name') ?? '', role: form.get('role') ?? '' };
    try {
      const { apiKey, key } = await createApiKey(ctx, actorOf(request), { name: values.name, role: values.role as ApiKeyRole });
      return sendAdmin(reply, apiKeyOncePage(request, apiKey, key));
    } catch (err) {
      if (!(err instanceof ApiKeyInputError)) throw err;
      return sendAdmin(reply, apiKeysPage(request, { keys: await listApiKeys(ctx), canEdit: true, problems: [...err.problems], values }), 400);
    }
  });

  app.post<{ Params: { id: string } }>('/admin/api-keys/:id/revoke', { preHandler: guard.admin }, async (request, reply) => {
    try {
      await revokeApiKey(ctx, actorOf(request), request.params.id);
    } catch (err) {
      if (err instanceof ApiKeyNotFoundError) return notFound(reply, 'API key');
      throw err;
    }
    return reply.code(303).header('Location', '/admin/api-keys?done=revoked').send();
  });
}
