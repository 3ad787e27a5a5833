import type { JWTClaims } from '@keycard/jwt';
import type { AuthContext } from '../types.js';
import { setOwner } from './auth-owner.js';
import type { Guard } from './create-guard.js';

/** Deeper `act` nesting than this is refused: no real delegation chain is this long. */
const MAX_ACTOR_DEPTH = 16;

function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function stringList(value: unknown): string[] {
  if (typeof value === 'string') {
    // One array in the usual case (single spaces, no space at either end); the filter only when needed.
    const parts = value.split(' ');
    return parts.includes('') ? parts.filter((s) => s !== '') : parts;
  }
  if (Array.isArray(value)) return value.filter((s): s is string => typeof s === 'string' && s !== '');
  return [];
}

/** RFC 8176 `amr`: an array of method names; anything else counts as none (the card is still accepted). */
function methodList(value: unknown): readonly string[] {
  if (!Array.isArray(value)) return Object.freeze([]);
  return Object.freeze(value.filter((s): s is string => typeof s === 'string' && s !== ''));
}

/** A NumericDate the step-up policies can compare: finite and not negative. */
function optionalTime(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 8693 §4.1 `act`, or null when the claim is present but unusable (the card is then refused). */
function actorOf(act: unknown): AuthContext['actor'] | null {
  if (act === undefined) return undefined;
  const chain: string[] = [];
  for (let current: unknown = act; current !== undefined; current = current['act' as never]) {
    if (!isObject(current) || chain.length === MAX_ACTOR_DEPTH) return null;
    const sub = optionalString(current['sub']);
    if (sub === undefined) return null;
    chain.push(sub);
  }
  return Object.freeze({ sub: chain[0]!, chain: Object.freeze(chain) });
}

/**
 * RFC 7800 / RFC 9449 `cnf`: only `jkt` is understood. A card bound by a method the guard cannot check
 * (e.g. mTLS `x5t#S256`) is refused (null) rather than accepted as a bearer card.
 */
function confirmationOf(cnf: unknown): AuthContext['confirmation'] | null {
  if (cnf === undefined) return undefined;
  if (!isObject(cnf)) return null;
  const jkt = optionalString(cnf['jkt']);
  if (jkt === undefined || !/^[A-Za-z0-9_-]{43}$/.test(jkt)) return null;
  return Object.freeze({ jkt });
}

/**
 * Builds the request context from verified claims, or returns undefined when a claim the guard relies on
 * is missing or unusable (`sub`, `exp`, a malformed `act` or `cnf`). The token is a non-enumerable
 * property so logging the context omits it; so is the guard that verified it (`owner`, for `authorize`).
 */
export function buildAuthContext(token: string, claims: JWTClaims, owner?: Guard): AuthContext | undefined {
  const sub = optionalString(claims.sub);
  if (sub === undefined || typeof claims.exp !== 'number') return undefined;
  const actor = actorOf(claims['act']);
  const confirmation = confirmationOf(claims['cnf']);
  if (actor === null || confirmation === null) return undefined;
  const sid = optionalString(claims['sid']);
  const context = {
    claims: Object.freeze(claims),
    sub,
    scopes: new Set(stringList(claims['scope'])) as ReadonlySet<string>,
    roles: Object.freeze(stringList(claims['roles'])),
    sid,
    clientId: optionalString(claims['client_id']),
    audience: Object.freeze(typeof claims.aud === 'string' ? [claims.aud] : stringList(claims.aud)),
    expiresAt: claims.exp,
    jti: optionalString(claims.jti),
    // The contract with the issuer: a user card always has a session, a client card never has one.
    subjectType: sid === undefined ? 'client' : 'user',
    actor,
    confirmation,
    tokenType: confirmation === undefined ? 'Bearer' : 'DPoP',
    // How the user authenticated (RFC 9470 §6.1). A malformed claim reads as absent: the step-up
    // policies then refuse, and no other rule depends on these.
    acr: optionalString(claims['acr']),
    amr: methodList(claims['amr']),
    authTime: optionalTime(claims['auth_time']),
  };
  Object.defineProperty(context, 'token', { value: token, enumerable: false });
  setOwner(context, owner);
  return Object.freeze(context) as AuthContext;
}
