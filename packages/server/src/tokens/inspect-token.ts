import { createVerifier, decodeJWT, isJoseError, type JWSHeader, type JWTClaims } from '@keycard/jwt';
import { API_AUDIENCE, type ServerContext } from '../context.js';

/** What {@link inspectToken} reads. */
export type InspectTokenDeps = Pick<
  ServerContext,
  'keys' | 'issuer' | 'clock' | 'config' | 'storage' | 'revocationIndex'
>;

/** One check the inspector ran. */
export interface InspectCheck {
  name: 'format' | 'alg' | 'signature' | 'typ' | 'iss' | 'aud' | 'exp' | 'nbf' | 'iat' | 'revoked';
  ok: boolean;
  code?: string;
  message: string;
}

/** What the token inspector shows: the decoded token (even when invalid) and every check. */
export interface Inspection {
  header: JWSHeader | null;
  payload: JWTClaims | null;
  valid: boolean;
  checks: InspectCheck[];
}

// Failures that mean the signature itself did not verify (anything later is a claims problem).
const SIGNATURE_CODES = new Set([
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_INVALID',
  'ERR_JWS_ALG_NOT_ALLOWED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JOSE_NOT_SUPPORTED',
]);

/**
 * Decodes a token and runs each check separately against this server's keys, issuer,
 * audiences and revocation state, so a person can see which one fails and why. The token
 * itself is never returned.
 *
 * @example
 * ```ts
 * const { valid, checks } = await inspectToken(ctx, token);
 * ```
 */
export async function inspectToken(ctx: InspectTokenDeps, token: string): Promise<Inspection> {
  const checks: InspectCheck[] = [];
  const add = (name: InspectCheck['name'], ok: boolean, message: string, code?: string) =>
    checks.push({ name, ok, message, ...(ok || code === undefined ? {} : { code }) });
  let header: JWSHeader;
  let payload: JWTClaims;
  try {
    ({ header, payload } = decodeJWT(token));
  } catch (error) {
    add(
      'format',
      false,
      'Not a well-formed JWS compact JWT',
      isJoseError(error) ? error.code : 'ERR_JWS_INVALID',
    );
    return { header: null, payload: null, valid: false, checks };
  }
  add('format', true, 'Three base64url segments with JSON objects');

  const keys = await ctx.keys.verificationKeys();
  const algs = new Set(keys.map((k) => k.alg));
  add(
    'alg',
    algs.has(header.alg as never),
    algs.has(header.alg as never) ? `${header.alg} is allowed` : `Allowed: ${[...algs].join(', ')}`,
    'ERR_JWS_ALG_NOT_ALLOWED',
  );

  const key = keys.find((k) => k.kid === header.kid);
  if (key === undefined) {
    add('signature', false, 'No published key has this kid', 'ERR_JWKS_NO_MATCHING_KEY');
  } else {
    try {
      createVerifier({ keys: [key], requireExp: false, clock: ctx.clock }).verify(token);
      add('signature', true, `Verified with key ${key.kid}`);
    } catch (error) {
      const code = isJoseError(error) ? error.code : 'ERR_JWS_SIGNATURE_INVALID';
      if (SIGNATURE_CODES.has(code)) add('signature', false, 'The signature does not verify', code);
      else add('signature', true, `Verified with key ${key.kid}`);
    }
  }

  const typOk = header.typ === 'at+jwt' || header.typ === 'application/at+jwt';
  add('typ', typOk, typOk ? 'An access token (at+jwt)' : 'typ must be at+jwt', 'ERR_JWT_CLAIM_INVALID');
  const issOk = payload.iss === ctx.issuer;
  add('iss', issOk, issOk ? 'Issued by this server' : `Expected ${ctx.issuer}`, 'ERR_JWT_CLAIM_INVALID');

  const auds =
    typeof payload.aud === 'string' ? [payload.aud] : Array.isArray(payload.aud) ? payload.aud : [];
  const known = new Set((await ctx.storage.audiences.list()).map((a) => a.id));
  const registered = auds.length > 0 && auds.every((a) => typeof a === 'string' && known.has(a));
  // One card, one door: the server's own API never shares a card with another audience.
  const shared = auds.length > 1 && auds.includes(API_AUDIENCE);
  const audOk = registered && !shared;
  add(
    'aud',
    audOk,
    audOk
      ? `For ${auds.join(', ')}`
      : shared
        ? `The ${API_AUDIENCE} audience never shares a card`
        : 'Missing or not a registered audience',
    'ERR_JWT_CLAIM_INVALID',
  );

  const now = ctx.clock() / 1000;
  const exp = payload.exp;
  const expOk = typeof exp === 'number' && now < exp;
  add(
    'exp',
    expOk,
    typeof exp !== 'number' ? 'No exp claim' : expOk ? 'Not expired' : 'Expired',
    'ERR_JWT_EXPIRED',
  );
  const nbfOk = payload.nbf === undefined || (typeof payload.nbf === 'number' && payload.nbf <= now);
  add('nbf', nbfOk, nbfOk ? 'Already valid' : 'Not valid yet', 'ERR_JWT_NOT_YET_VALID');
  const leeway = ctx.config.tokens.leeway;
  const iatOk = typeof payload.iat === 'number' && payload.iat <= now + leeway;
  add('iat', iatOk, iatOk ? 'Issued in the past' : 'Missing or in the future', 'ERR_JWT_NOT_YET_VALID');

  const revoked = await ctx.revocationIndex.check(payload);
  add(
    'revoked',
    revoked === null,
    revoked === null ? 'Not revoked' : `Revoked (${revoked})`,
    'ERR_TOKEN_REVOKED',
  );

  return { header, payload, valid: checks.every((c) => c.ok), checks };
}
