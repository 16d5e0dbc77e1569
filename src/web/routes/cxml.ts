/** `POST /cxml`: the one endpoint for every cXML request (ProfileRequest, PunchOutSetupRequest, OrderRequest). */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../app/context.js';
import { handleCxmlRequest, statusAnswer } from '../../app/cxml-endpoint.js';

export async function registerCxmlRoutes(app: FastifyInstance, ctx: AppContext): Promise<void> {
  app.post('/cxml', async (request, reply) => {
    const body = typeof request.body === 'string' ? request.body : '';
    const answer = await handleCxmlRequest(ctx, body);
    return reply.code(answer.httpStatus).type('text/xml; charset=utf-8').send(answer.xml);
  });
  // A person who opens the endpoint in a browser gets a cXML answer saying how to use it.
  app.get('/cxml', async (_request, reply) => {
    return reply.code(200).type('text/xml; charset=utf-8').send(statusAnswer(ctx, 400, 'Send cXML requests to this URL with HTTP POST (Content-Type: text/xml).'));
  });
}
