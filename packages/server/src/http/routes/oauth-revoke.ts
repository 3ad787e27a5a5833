import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authenticateClient } from '../../clients/index.js';
import type { ServerContext } from '../../context.js';
import { introspectToken, revokeToken } from '../../sessions/index.js';
import { clientCredentialsFrom } from '../client-auth.js';
import { parseInput, requestInfo } from '../input.js';

const body = z.object({
  token: z.string().min(1).max(16_384),
  token_type_hint: z.string().max(100).optional(),
  client_id: z.string().max(200).optional(),
  client_secret: z.string().max(1024).optional(),
  client_assertion_type: z.string().max(200).optional(),
  client_assertion: z.string().max(16_384).optional(),
});

/** `POST /oauth/revoke` (RFC 7009) and `POST /oauth/introspect` (RFC 7662). */
export function oauthRevokeRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/oauth/revoke', async (request, reply) => {
    const input = parseInput(body, request.body);
    const client = await authenticateClient(ctx, clientCredentialsFrom(request, input));
    await revokeToken(ctx, {
      token: input.token,
      hint: input.token_type_hint,
      client,
      request: requestInfo(request),
    });
    return reply.code(200).header('cache-control', 'no-store').send();
  });

  app.post('/oauth/introspect', async (request, reply) => {
    const input = parseInput(body, request.body);
    const client = await authenticateClient(ctx, clientCredentialsFrom(request, input), {
      requireConfidential: true,
    });
    reply.header('cache-control', 'no-store');
    return introspectToken(ctx, input.token, { client, hint: input.token_type_hint });
  });
}
