import { createVerifier, decodeJWT, type VerifyResult } from '@keycard/jwt';
import type { ServerContext } from '../context.js';
import { sha256Hex } from '../crypto/index.js';
import { ServerError } from '../errors.js';
import type { ClientRecord } from '../storage/index.js';
import { CLIENT_ASSERTION_ALGORITHMS, clientKeySet } from './client-keys.js';

/**
 * RFC 7523 §2.2: the `client_assertion_type` of a `private_key_jwt` client authentication.
 *
 * @example
 * ```ts
 * new URLSearchParams({ grant_type: 'client_credentials', client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion });
 * ```
 */
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** An assertion's `exp` may be at most this far ahead (plus the clock leeway): it is a one-shot proof. */
export const CLIENT_ASSERTION_MAX_LIFETIME_SECONDS = 300;
/** The largest assertion read, in bytes; checked before any parsing. */
export const CLIENT_ASSERTION_MAX_SIZE = 8192;

/** Header `typ` values an assertion may carry (none at all is fine): never another kind of JWT. */
const ASSERTION_TYPES = new Set(['jwt', 'client-authentication+jwt']);

/** What `private_key_jwt` verification reads: the client, the issuer, the leeway, the replay counters. */
export type ClientAssertionDeps = Pick<ServerContext, 'directory' | 'coordinator' | 'clock' | 'issuer'> & {
  readonly config: { readonly tokens: { readonly leeway: number } };
};

/** Input of {@link verifyClientAssertion}. */
export interface ClientAssertionInput {
  /** The `client_assertion`: a JWS compact JWT. */
  assertion: string;
  /** The `client_id` parameter sent with it, if any: it must name the same client. */
  clientId?: string | undefined;
}

const refuse = (cause: unknown) => new ServerError('ERR_INVALID_CLIENT', { cause });

/**
 * Authenticates a confidential client by a `private_key_jwt` assertion (RFC 7523 §3, OpenID Connect
 * Core §9): signed by one of the client's registered keys (each bound to one asymmetric algorithm;
 * chosen by `kid`), `iss` = `sub` = the client id, `aud` the issuer identifier and nothing else
 * (see {@link isIssuerAudience}), `exp` required and at most {@link CLIENT_ASSERTION_MAX_LIFETIME_SECONDS} ahead,
 * `iat`/`nbf` within the leeway, and a `jti` never seen before for this client while the assertion
 * could still be valid (cluster-wide through the coordinator's counters when Redis is configured).
 * Every failure is ERR_INVALID_CLIENT; the reason stays in `cause`.
 *
 * @example
 * ```ts
 * const client = await verifyClientAssertion(ctx, { assertion, clientId });
 * ```
 */
export async function verifyClientAssertion(
  ctx: ClientAssertionDeps,
  input: ClientAssertionInput,
): Promise<ClientRecord> {
  // Which client it claims to be (unverified: only to find the keys that must have signed it).
  let clientId: unknown;
  try {
    clientId = decodeJWT(input.assertion, { maxTokenSize: CLIENT_ASSERTION_MAX_SIZE }).payload.sub;
  } catch (cause) {
    throw refuse(cause);
  }
  if (typeof clientId !== 'string' || clientId === '') throw refuse(new Error('assertion sub is missing'));
  if (input.clientId !== undefined && input.clientId !== clientId)
    throw refuse(new Error('client_id does not match the assertion sub'));
  const client = await ctx.directory.client(clientId);
  if (client === undefined || client.type !== 'confidential')
    throw refuse(new Error('unknown client, or not a confidential one'));
  const keys = clientKeySet(client);
  if (keys.keys.length === 0) throw refuse(new Error('the client has no usable registered key'));

  const now = ctx.clock();
  const leeway = ctx.config.tokens.leeway;
  let verified: VerifyResult;
  try {
    verified = createVerifier({
      keys,
      algorithms: [...CLIENT_ASSERTION_ALGORITHMS],
      issuer: clientId,
      subject: clientId,
      audience: ctx.issuer,
      leewaySeconds: leeway,
      clock: () => now,
      requiredClaims: ['jti'],
      maxTokenSize: CLIENT_ASSERTION_MAX_SIZE,
    }).verify(input.assertion);
  } catch (cause) {
    throw refuse(cause);
  }
  const { header, payload } = verified;
  if (!isIssuerAudience(payload.aud, ctx.issuer))
    throw refuse(new Error('assertion aud is not the issuer alone'));
  const typ = header.typ?.toLowerCase().replace(/^application\//, '');
  if (typ !== undefined && !ASSERTION_TYPES.has(typ)) throw refuse(new Error('assertion typ is not a JWT'));
  // exp is required and checked by the verifier; here it must also be near.
  if ((payload.exp as number) > now / 1000 + CLIENT_ASSERTION_MAX_LIFETIME_SECONDS + leeway)
    throw refuse(new Error('assertion exp is too far ahead'));
  const jti = payload.jti;
  if (typeof jti !== 'string' || jti === '') throw refuse(new Error('assertion jti is missing'));
  if (!(await claimedOnce(ctx, clientId, jti, leeway))) throw refuse(new Error('assertion jti replayed'));
  return client;
}

/**
 * draft-ietf-oauth-rfc7523bis (the audience-injection fix): an assertion's `aud` is this server's
 * issuer identifier, a single JSON string — never an endpoint URL (token, revocation,
 * introspection): a malicious server's metadata can name our endpoints as its own, receive an
 * assertion made "for" it with such an `aud`, and replay it here; it cannot have our issuer. For
 * clients written to RFC 7523, a one-element array holding the issuer is accepted too; an array
 * with anything else in it is not.
 */
function isIssuerAudience(aud: unknown, issuer: string): boolean {
  if (Array.isArray(aud)) return aud.length === 1 && aud[0] === issuer;
  return aud === issuer;
}

/**
 * Whether this is the first use of (client, jti): a one-hit sliding window on the coordinator's
 * atomic counters, shared by every instance with Redis. The window outlasts any assertion accepted
 * now (exp <= now + lifetime + leeway, accepted until exp + leeway), so a replay is refused until
 * the assertion has expired anyway. Only validly signed assertions get here: no one else fills it.
 */
async function claimedOnce(
  ctx: ClientAssertionDeps,
  clientId: string,
  jti: string,
  leeway: number,
): Promise<boolean> {
  const windowMs = (CLIENT_ASSERTION_MAX_LIFETIME_SECONDS + 2 * leeway + 1) * 1000;
  const key = `client-assertion:${sha256Hex(JSON.stringify([clientId, jti]))}`;
  return (await ctx.coordinator.rateLimit(key, 1, windowMs)).allowed;
}
