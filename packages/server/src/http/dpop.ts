import { DpopReplayCache, verifyDpopProof } from '@keycard/jwt';
import type { FastifyRequest } from 'fastify';
import type { ServerContext } from '../context.js';
import { sha256Hex } from '../crypto/index.js';
import { ServerError } from '../errors.js';

/** Oldest proof accepted, in seconds (RFC 9449 §11.1: a short window bounds replays). */
const PROOF_MAX_AGE_SECONDS = 300;
const PROOF_LEEWAY_SECONDS = 5;

// One replay cache per server instance; with Redis, a proof is also claimed once cluster-wide (see
// `claimedOnce`), or a captured proof and card would be replayed once more on each other instance.
const caches = new WeakMap<ServerContext, DpopReplayCache>();
function replayCacheOf(ctx: ServerContext): DpopReplayCache {
  let cache = caches.get(ctx);
  if (cache === undefined) {
    cache = new DpopReplayCache({
      windowSeconds: PROOF_MAX_AGE_SECONDS + PROOF_LEEWAY_SECONDS,
      clock: ctx.clock,
    });
    caches.set(ctx, cache);
  }
  return cache;
}

/** The request's single `DPoP` header, if any; several are an invalid proof. */
function proofHeader(request: FastifyRequest): string | undefined {
  const header = request.headers.dpop;
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || header === '' || header.includes(','))
    throw new ServerError('ERR_INVALID_DPOP_PROOF', { message: 'Send exactly one DPoP proof' });
  return header;
}

/**
 * Verifies the `DPoP` proof of a request to the token endpoint, `/api/login` or `/api/refresh`
 * (RFC 9449 §4.3): `htm` POST, `htu` = issuer + `path`, a fresh `iat`, an unseen `jti`. Returns
 * the proof key's thumbprint (the `cnf.jkt` of the card to issue), or undefined without a header.
 * Any failure is ERR_INVALID_DPOP_PROOF (OAuth `invalid_dpop_proof`), the reason in `cause`.
 *
 * @example
 * ```ts
 * const dpopJkt = await tokenRequestProof(ctx, request, '/oauth/token');
 * ```
 */
export async function tokenRequestProof(
  ctx: ServerContext,
  request: FastifyRequest,
  path: string,
): Promise<string | undefined> {
  const proof = proofHeader(request);
  if (proof === undefined) return undefined;
  return verify(ctx, proof, { method: 'POST', url: `${ctx.issuer}${path}` });
}

/**
 * Verifies the proof that must come with a DPoP-bound card at `/api/*` (RFC 9449 §7): the
 * request's method and URL, `ath` = hash of the card, and the key the card is bound to.
 * Throws ERR_INVALID_TOKEN (401) — the card is not usable without its holder's proof.
 */
export async function resourceRequestProof(
  ctx: ServerContext,
  request: FastifyRequest,
  card: string,
  jkt: string,
): Promise<void> {
  const refuse = (cause: unknown) =>
    new ServerError('ERR_INVALID_TOKEN', {
      message: 'A valid DPoP proof of the card key is required',
      cause,
    });
  let proof: string | undefined;
  try {
    proof = proofHeader(request);
  } catch (cause) {
    throw refuse(cause);
  }
  if (proof === undefined)
    throw refuse(new ServerError('ERR_INVALID_DPOP_PROOF', { message: 'No DPoP proof was sent' }));
  const path = request.url.split('?')[0] ?? '/';
  try {
    await verify(ctx, proof, {
      method: request.method,
      url: `${ctx.issuer}${path}`,
      accessToken: card,
      expectedJkt: jkt,
    });
  } catch (cause) {
    throw refuse(cause);
  }
}

async function verify(
  ctx: ServerContext,
  proof: string,
  opts: { method: string; url: string; accessToken?: string; expectedJkt?: string },
): Promise<string> {
  let verified: ReturnType<typeof verifyDpopProof>;
  try {
    verified = verifyDpopProof(proof, {
      ...opts,
      clock: ctx.clock,
      maxAgeSeconds: PROOF_MAX_AGE_SECONDS,
      leewaySeconds: PROOF_LEEWAY_SECONDS,
      replayCache: replayCacheOf(ctx),
    });
  } catch (cause) {
    throw new ServerError('ERR_INVALID_DPOP_PROOF', { cause });
  }
  if (!(await claimedOnce(ctx, verified.jkt, verified.claims.jti))) {
    throw new ServerError('ERR_INVALID_DPOP_PROOF', {
      cause: new Error('DPoP proof replayed: another instance has seen its jti'),
    });
  }
  return verified.jkt;
}

/**
 * Whether this proof is the first with its (key, jti) across the cluster: a one-hit window on the
 * shared Redis counters (atomic, so two instances racing on one proof let one through). Only while
 * Redis answers: alone, or with Redis away, the local replay cache above is all there is (the
 * in-process counters are not filled with one key per proof).
 */
async function claimedOnce(ctx: ServerContext, jkt: string, jti: string): Promise<boolean> {
  if (!ctx.coordinator.health().some((backend) => backend.name === 'redis' && backend.up)) return true;
  const windowMs = (PROOF_MAX_AGE_SECONDS + 2 * PROOF_LEEWAY_SECONDS) * 1000;
  const key = `dpop:${sha256Hex(`${jkt}:${jti}`)}`;
  return (await ctx.coordinator.rateLimit(key, 1, windowMs)).allowed;
}
