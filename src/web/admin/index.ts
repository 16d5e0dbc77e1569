/**
 * The admin under /admin: server-rendered, login required, never framed. Each area registers
 * its routes with the shared guard.
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { createAdminGuard } from './guard.js';
import { registerAdminAuth } from './auth-routes.js';
import { registerAdminAudit } from './audit-routes.js';
import { registerAdminPreviewAndPrices } from './preview-routes.js';
import { registerAdminConnections } from './connection-routes.js';
import { registerDocumentRoutes } from './document-routes.js';
import { registerOnboardingRoutes } from './onboarding-routes.js';
import { registerWebhookRoutes } from './webhook-routes.js';
import { registerOrderRoutes } from './order-routes.js';

export async function registerAdmin(app: FastifyInstance, ctx: AppContext): Promise<void> {
  const guard = createAdminGuard(ctx);
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.url === '/admin' || request.url.startsWith('/admin/') || request.url.startsWith('/admin?')) {
      reply.header('X-Frame-Options', 'DENY');
      reply.header('Content-Security-Policy', "default-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; script-src 'none'");
      reply.header('Cache-Control', 'no-store');
    }
    return payload;
  });
  await registerAdminAuth(app, ctx, guard);
  await registerAdminAudit(app, ctx, guard);
  await registerAdminPreviewAndPrices(app, ctx, guard);
  await registerAdminConnections(app, ctx, guard);
  await registerDocumentRoutes(app, ctx, guard);
  await registerOnboardingRoutes(app, ctx, guard);
  await registerWebhookRoutes(app, ctx, guard);
  await registerOrderRoutes(app, ctx, guard);
}
