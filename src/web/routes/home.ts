/** The landing page: what this Koppel is and where its faces live. */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { html } from '../html.js';
import { page } from '../views/layout.js';

export async function registerHomeRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.get('/', async (_request, reply) => {
    const base = ctx.config.baseUrl;
    const body = html`<section class="card">
<h1>Koppel is running</h1>
<p>Koppel connects this shop to its buyers' procurement systems (SAP, Ariba, Coupa, Jaggaer, Oracle …) over SAP OCI and cXML punchout.</p>
<ul>
  ${ctx.config.sandbox ? html`<li><a href="/sandbox">Buyer sandbox</a> — punch out into this shop as a buyer would, send the cart back and turn it into a purchase order.</li>` : html`<li>The buyer sandbox is switched off here (<code>KOPPEL_SANDBOX=1</code> switches it on).</li>`}
  <li><a href="/admin">Admin</a> — connections, mapping and preview, onboarding sheets, the document log.</li>
</ul>
</section>
<section class="card">
<h2>Endpoints for a buyer's procurement system</h2>
<table class="table">
<tr><th scope="row">cXML (ProfileRequest, PunchOutSetupRequest, OrderRequest)</th><td><code>${base}/cxml</code></td></tr>
<tr><th scope="row">OCI catalog URL</th><td><code>${base}/punchout/oci/&lt;connection&gt;</code>, e.g. <code>${base}/punchout/oci/demo-oci</code></td></tr>
<tr><th scope="row">Health</th><td><code>${base}/healthz</code></td></tr>
</table>
</section>`;
    return reply.type('text/html; charset=utf-8').send(page({ title: 'Welcome', area: 'shop' }, body).toString());
  });
}
