/** `POST /cxml`: the one endpoint for every cXML request (ProfileRequest, PunchOutSetupRequest, OrderRequest). */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { handleCxmlRequest, statusAnswer } from '../../app/cxml-endpoint.js';

export async function registerCxmlRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  // Its own scope: the body arrives as bytes, whatever the Content-Type says. The document's byte
  // order mark or XML declaration names its encoding; decoding as UTF-8 here would silently turn
  // an ISO-8859-1 "ä" into U+FFFD (and a BuyerCookie would no longer be echoed byte for byte).
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
    scope.post('/cxml', async (request, reply) => {
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const answer = await handleCxmlRequest(ctx, body, request.ip);
      return reply.code(answer.httpStatus).type('text/xml; charset=utf-8').send(answer.xml);
    });
    // A person who opens the endpoint in a browser gets a cXML answer saying how to use it.
    scope.get('/cxml', async (_request, reply) => {
      return reply.code(200).type('text/xml; charset=utf-8').send(statusAnswer(ctx, 400, 'Send cXML requests to this URL with HTTP POST (Content-Type: text/xml).'));
    });
  });
}
