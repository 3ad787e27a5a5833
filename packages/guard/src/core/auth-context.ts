import type { JWTClaims } from '@keycard/jwt';
import type { AuthContext } from '../types.js';

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') return value.split(' ').filter((s) => s !== '');
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s !== '');
  return [];
}

/**
 * Builds the request context from verified claims, or returns undefined when a claim the guard relies on
 * (`sub`, `exp`) is missing. The token is a non-enumerable property so logging the context omits it.
 */
export function buildAuthContext(token: string, claims: JWTClaims): AuthContext | undefined {
  const sub = optionalString(claims.sub);
  if (sub === undefined || typeof claims.exp !== 'number') return undefined;
  const context = {
    claims: Object.freeze(claims),
    sub,
    scopes: new Set(stringList(claims['scope'])) as ReadonlySet<string>,
    roles: Object.freeze(stringList(claims['roles'])),
    sid: optionalString(claims['sid']),
    clientId: optionalString(claims['client_id']),
    audience: Object.freeze(typeof claims.aud === 'string' ? [claims.aud] : stringList(claims.aud)),
    expiresAt: claims.exp,
    jti: optionalString(claims.jti),
  };
  Object.defineProperty(context, 'token', { value: token, enumerable: false });
  return Object.freeze(context) as AuthContext;
}
