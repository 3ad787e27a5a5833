import { importJWK, isJoseError, type JWK } from '@keycard/jwt';
import { ServerError } from '../errors.js';

/**
 * The keys a client signs its `private_key_jwt` assertions with (RFC 7523 §2.2, OIDC Core §9), as
 * registered: public asymmetric keys only, each bound to one algorithm by its `alg` and named by a
 * unique `kid`, so an assertion's header can pick exactly one key and never choose its algorithm.
 */

/** Most keys one client may register (room for a rotation or two). */
export const MAX_CLIENT_JWKS_KEYS = 10;
/** Largest JWK Set accepted, as JSON (UTF-8 bytes). */
export const MAX_CLIENT_JWKS_BYTES = 16 * 1024;
/** Longest `kid` accepted. */
const MAX_KID_LENGTH = 200;

/** Members that belong to a private or symmetric key: never registered, never stored. */
const SECRET_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
/** What is stored of each key: its public members; anything else (`x5c`, notes …) is dropped. */
const STORED_MEMBERS = ['kty', 'kid', 'alg', 'use', 'key_ops', 'crv', 'x', 'y', 'n', 'e'] as const;

/** A client's registered JWK Set: public keys with `kid` and `alg`. */
export interface ClientJwks {
  keys: Array<JWK & { kid: string; alg: string }>;
}

/**
 * Checks a JWK Set a client registers and returns what is stored: each key's public members.
 * Throws ERR_VALIDATION naming `jwks`, the key's position and the rule it breaks.
 *
 * @example
 * ```ts
 * const jwks = checkClientJwks({ keys: [{ kty: 'EC', crv: 'P-256', x, y, kid: 'k1', alg: 'ES256' }] });
 * ```
 */
export function checkClientJwks(jwks: unknown): ClientJwks {
  const invalid = (message: string) => new ServerError('ERR_VALIDATION', { message: `jwks${message}` });
  if (typeof jwks !== 'object' || jwks === null || Array.isArray(jwks))
    throw invalid(': must be a JWK Set, {"keys": [...]}');
  let size: number;
  try {
    size = Buffer.byteLength(JSON.stringify(jwks), 'utf8');
  } catch {
    throw invalid(': must be JSON');
  }
  if (size > MAX_CLIENT_JWKS_BYTES) throw invalid(`: at most ${MAX_CLIENT_JWKS_BYTES} bytes of JSON`);
  const keys = (jwks as { keys?: unknown }).keys;
  if (!Array.isArray(keys) || keys.length === 0 || keys.length > MAX_CLIENT_JWKS_KEYS)
    throw invalid(`.keys: 1 to ${MAX_CLIENT_JWKS_KEYS} keys`);
  const kids = new Set<string>();
  return {
    keys: keys.map((jwk, i) => {
      const problem = publicKeyProblem(jwk);
      if (problem !== undefined) throw invalid(`.keys[${i}]: ${problem}`);
      const key = jwk as JWK & { kid: string; alg: string };
      if (kids.has(key.kid)) throw invalid(`.keys[${i}]: kid "${key.kid}" is used by another key`);
      kids.add(key.kid);
      return storedMembers(key);
    }),
  };
}

/** Why a JWK cannot be registered as a client's public key, or undefined when it can. */
function publicKeyProblem(jwk: unknown): string | undefined {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return 'must be a JWK object';
  const key = jwk as Record<string, unknown>;
  if (key['kty'] === 'oct')
    return 'a symmetric (oct) key cannot be registered: private_key_jwt needs an asymmetric key';
  const secret = SECRET_MEMBERS.find((name) => key[name] !== undefined);
  if (secret !== undefined)
    return `has the private member "${secret}": register the public key only, keep the private key with the client`;
  if (typeof key['kid'] !== 'string' || key['kid'] === '' || key['kid'].length > MAX_KID_LENGTH)
    return `kid is required (1-${MAX_KID_LENGTH} characters): assertions name their key by kid`;
  if (typeof key['alg'] !== 'string' || key['alg'] === '')
    return 'alg is required: each key is bound to one algorithm (ES256, EdDSA, RS256 …)';
  try {
    importJWK(key as JWK, { type: 'public' });
  } catch (error) {
    // @keycard/jwt's messages name the member and the rule, never a key's bytes.
    if (isJoseError(error)) return `not an importable public key: ${error.message}`;
    throw error;
  }
  return undefined;
}

function storedMembers(jwk: JWK & { kid: string; alg: string }): JWK & { kid: string; alg: string } {
  const out: Record<string, unknown> = {};
  for (const name of STORED_MEMBERS) if (jwk[name] !== undefined) out[name] = jwk[name];
  return out as JWK & { kid: string; alg: string };
}

/**
 * A stored JWK Set as shown to admins: only each key's public members, whatever the record holds.
 *
 * @example
 * ```ts
 * const shown = publicJwks(client.jwks); // null when the client has no keys
 * ```
 */
export function publicJwks(jwks: { keys: Record<string, unknown>[] } | null | undefined): ClientJwks | null {
  if (jwks === undefined || jwks === null) return null;
  return { keys: jwks.keys.map((key) => storedMembers(key as JWK & { kid: string; alg: string })) };
}
