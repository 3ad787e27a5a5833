import { createVerifier, type JWTClaims, type PublicKey } from '@keycard/jwt';
import type { ServerContext } from '../context.js';
import { ServerError } from '../errors.js';

/** What {@link verifyAccessToken} reads. */
export type VerifyAccessTokenDeps = Pick<ServerContext, 'keys' | 'issuer' | 'clock' | 'revocationIndex'>;

type Verifier = ReturnType<typeof createVerifier>;
const verifiers = new WeakMap<readonly PublicKey[], Map<string, Verifier>>();

/**
 * Verifies an access token this server issued, against its own published keys and revocation
 * state: signature, `typ: at+jwt`, `iss`, `exp`/`nbf`, the audience (default: the server's own
 * API audience) and the revocation feed. Any failure is ERR_INVALID_TOKEN (reason in `cause`).
 *
 * @example
 * ```ts
 * const claims = await verifyAccessToken(ctx, bearer, { audience: API_AUDIENCE });
 * ```
 */
export async function verifyAccessToken(
  ctx: VerifyAccessTokenDeps,
  token: string,
  opts: { audience?: string } = {},
): Promise<JWTClaims> {
  const keys = await ctx.keys.verificationKeys();
  let byAudience = verifiers.get(keys);
  if (byAudience === undefined) {
    byAudience = new Map();
    verifiers.set(keys, byAudience);
  }
  const audienceKey = opts.audience ?? '*';
  const cacheKey = `${ctx.issuer} ${audienceKey}`;
  let verifier = byAudience.get(cacheKey);
  if (verifier === undefined) {
    verifier = createVerifier({
      keys: [...keys],
      issuer: ctx.issuer,
      typ: 'at+jwt',
      clock: ctx.clock,
      requiredClaims: ['jti', 'sub', 'client_id'],
      ...(opts.audience !== undefined ? { audience: opts.audience } : {}),
    });
    byAudience.set(cacheKey, verifier);
  }
  let payload: JWTClaims;
  try {
    payload = verifier.verify(token).payload;
  } catch (cause) {
    throw new ServerError('ERR_INVALID_TOKEN', { cause });
  }
  const revoked = await ctx.revocationIndex.check(payload);
  if (revoked !== null)
    throw new ServerError('ERR_INVALID_TOKEN', { cause: new Error(`revoked (${revoked})`) });
  return payload;
}
