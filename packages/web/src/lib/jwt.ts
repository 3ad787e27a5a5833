/**
 * Client-side JWT decoding for display only: nothing here verifies anything. The server's
 * POST /api/inspect does the checks. DOM-free (atob and TextDecoder exist in Node too).
 */
import { AppError } from './errors.js';

export type JsonObject = Record<string, unknown>;

export interface DecodedJwt {
  header: JsonObject;
  payload: JsonObject;
}

/** Claims that hold times (seconds since the epoch). */
export const TIME_CLAIMS: readonly string[] = ['exp', 'iat', 'nbf', 'auth_time'];

/**
 * Decodes base64url (RFC 4648 §5, no padding) to bytes; throws on any other alphabet.
 *
 * @example
 * new TextDecoder().decode(base64UrlDecode('aGk')); // 'hi'
 */
export function base64UrlDecode(input: string): Uint8Array {
  if (!/^[A-Za-z0-9_-]*$/.test(input) || input.length % 4 === 1) {
    throw AppError.of('ERR_TOKEN_MALFORMED');
  }
  const base64 = input.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function decodeJsonPart(part: string, name: 'header' | 'claims'): JsonObject {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(base64UrlDecode(part));
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
    return value as JsonObject;
  } catch (cause) {
    // Three parts, but this one is not base64url-encoded JSON: say which, not "three parts".
    const what = name === 'header' ? 'first part (the header)' : 'second part (the claims)';
    throw new AppError(
      'ERR_TOKEN_MALFORMED',
      `This is not a JWT: the ${what} is not base64url-encoded JSON.`,
      {
        cause,
      },
    );
  }
}

/**
 * Splits a JWS compact token and decodes its header and payload (no verification).
 *
 * @example
 * const { header, payload } = decodeJwt(token);
 * header.alg; // 'ES256'
 */
export function decodeJwt(token: string): DecodedJwt {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || parts.some((p) => p === '')) throw AppError.of('ERR_TOKEN_MALFORMED');
  return { header: decodeJsonPart(parts[0]!, 'header'), payload: decodeJsonPart(parts[1]!, 'claims') };
}

/**
 * The `aud` claim as a list (it is a string for one audience, else an array).
 *
 * @example
 * audiencesOf({ aud: 'rooms' }); // ['rooms']
 */
export function audiencesOf(payload: JsonObject): string[] {
  const aud = payload['aud'];
  if (typeof aud === 'string') return [aud];
  if (Array.isArray(aud)) return aud.filter((a): a is string => typeof a === 'string');
  return [];
}

/**
 * The space-separated `scope` claim as a list.
 *
 * @example
 * scopesOf({ scope: 'rooms:open pool' }); // ['rooms:open', 'pool']
 */
export function scopesOf(payload: JsonObject): string[] {
  const scope = payload['scope'];
  return typeof scope === 'string' ? scope.split(' ').filter((s) => s !== '') : [];
}

/** The `roles` claim as a list of strings. */
export function rolesOf(payload: JsonObject): string[] {
  const roles = payload['roles'];
  return Array.isArray(roles) ? roles.filter((r): r is string => typeof r === 'string') : [];
}

/** A numeric claim (e.g. `exp`), or undefined when absent or not a finite number. */
export function numberClaim(payload: JsonObject, name: string): number | undefined {
  const value = payload[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A string claim, or undefined. Numbers are shown as text (a room may be 101 or "101"). */
export function stringClaim(payload: JsonObject, name: string): string | undefined {
  const value = payload[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}
