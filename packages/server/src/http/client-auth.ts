import type { FastifyRequest } from 'fastify';
import { CLIENT_ASSERTION_TYPE, type ClientCredentials } from '../clients/index.js';
import { ServerError } from '../errors.js';

const oneMethod = () =>
  new ServerError('ERR_INVALID_CLIENT', { message: 'Use one client authentication method' });

/**
 * Client credentials from `Authorization: Basic` (RFC 6749 §2.3.1, form-encoded parts), the body
 * (`client_id`, `client_secret`), or a `private_key_jwt` assertion in the body (`client_assertion`
 * with `client_assertion_type` = {@link CLIENT_ASSERTION_TYPE}, RFC 7523 §2.2). Using more than one
 * method at once is refused (RFC 6749 §2.3), as is an assertion of another type.
 */
export function clientCredentialsFrom(
  request: FastifyRequest,
  body: Record<string, unknown>,
): ClientCredentials {
  const header = request.headers.authorization;
  const bodyId = typeof body['client_id'] === 'string' ? body['client_id'] : undefined;
  const bodySecret = typeof body['client_secret'] === 'string' ? body['client_secret'] : undefined;
  const assertion = clientAssertionFrom(body);
  const basic = typeof header === 'string' && /^basic /i.test(header);
  if ([basic, bodySecret !== undefined, assertion !== undefined].filter(Boolean).length > 1)
    throw oneMethod();
  if (assertion !== undefined)
    return { clientId: bodyId, clientSecret: undefined, clientAssertion: assertion };
  if (basic) {
    const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new ServerError('ERR_INVALID_CLIENT');
    try {
      const clientId = formDecode(decoded.slice(0, colon));
      const clientSecret = formDecode(decoded.slice(colon + 1));
      if (bodyId !== undefined && bodyId !== clientId) throw new ServerError('ERR_INVALID_CLIENT');
      return { clientId, clientSecret };
    } catch (cause) {
      throw new ServerError('ERR_INVALID_CLIENT', { cause });
    }
  }
  return { clientId: bodyId, clientSecret: bodySecret };
}

/** A form-encoded part of Basic credentials (`+` is a space); throws on a malformed escape. */
function formDecode(part: string): string {
  const spaced = part.includes('+') ? part.replaceAll('+', ' ') : part;
  return spaced.includes('%') ? decodeURIComponent(spaced) : spaced;
}

/** The `client_assertion`, when the body carries one; a half-sent or foreign-typed one is refused. */
function clientAssertionFrom(body: Record<string, unknown>): string | undefined {
  const type = body['client_assertion_type'];
  const assertion = body['client_assertion'];
  if (type === undefined && assertion === undefined) return undefined;
  if (type !== CLIENT_ASSERTION_TYPE || typeof assertion !== 'string' || assertion === '') {
    throw new ServerError('ERR_INVALID_CLIENT', {
      message: `Client assertions need client_assertion_type=${CLIENT_ASSERTION_TYPE} and a client_assertion`,
    });
  }
  return assertion;
}
