import type { FastifyRequest } from 'fastify';
import type { ClientCredentials } from '../clients/index.js';
import { ServerError } from '../errors.js';

/**
 * Client credentials from `Authorization: Basic` (RFC 6749 §2.3.1, form-encoded parts) or the
 * body (`client_id`, `client_secret`). Using both methods at once is refused.
 */
export function clientCredentialsFrom(
  request: FastifyRequest,
  body: Record<string, unknown>,
): ClientCredentials {
  const header = request.headers.authorization;
  const bodyId = typeof body['client_id'] === 'string' ? body['client_id'] : undefined;
  const bodySecret = typeof body['client_secret'] === 'string' ? body['client_secret'] : undefined;
  if (typeof header === 'string' && /^basic /i.test(header)) {
    if (bodySecret !== undefined)
      throw new ServerError('ERR_INVALID_CLIENT', { message: 'Use one client authentication method' });
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new ServerError('ERR_INVALID_CLIENT');
    try {
      const clientId = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
      const clientSecret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
      if (bodyId !== undefined && bodyId !== clientId) throw new ServerError('ERR_INVALID_CLIENT');
      return { clientId, clientSecret };
    } catch (cause) {
      throw new ServerError('ERR_INVALID_CLIENT', { cause });
    }
  }
  return { clientId: bodyId, clientSecret: bodySecret };
}
