import type { VerifyDpopProofOptions } from '@keycard/jwt';
import { DpopReplayCache, isJoseError, verifyDpopProof } from '@keycard/jwt';
import type { ResolvedDpopOptions } from '../core/dpop-options.js';
import { headerOf } from '../core/extract-token.js';
import { GuardError } from '../errors.js';
import type { AuthContext, RequestLike } from '../types.js';
import { DpopNonces } from './nonce.js';
import { requestUrl } from './request-url.js';

/**
 * Checks the DPoP proof of a request carrying a key-bound card (RFC 9449 §4.3 and §7.1): one `DPoP`
 * header; `typ`, asymmetric `alg`, signature, `htm`, `htu`, `iat` window, `ath` of this card, the key's
 * thumbprint equal to the card's `cnf.jkt`, the server nonce when required, and `jti` unseen within
 * its window (the replay cache is per guard, bounded in entries and in time). Runs after the card is
 * verified (possibly from the cache): a proof is single-use, so it is never cached.
 */
export class DpopProofChecker {
  readonly #options: ResolvedDpopOptions;
  readonly #publicUrl: string | undefined;
  readonly #trustProxy: boolean;
  readonly #clock: () => number;
  readonly #replays: DpopReplayCache;
  readonly nonces: DpopNonces | undefined;
  readonly #acceptNonce: ((nonce: string | undefined) => boolean) | undefined;

  constructor(
    options: ResolvedDpopOptions,
    publicUrl: string | undefined,
    trustProxy: boolean,
    clock: () => number,
  ) {
    this.#options = options;
    this.#publicUrl = publicUrl;
    this.#trustProxy = trustProxy;
    this.#clock = clock;
    this.#replays = new DpopReplayCache({
      maxEntries: options.replayCacheSize,
      windowSeconds: options.maxAgeSeconds + options.leewaySeconds,
      clock,
    });
    const nonce = options.nonce;
    this.nonces = nonce === undefined ? undefined : new DpopNonces(nonce.secret, nonce.windowSeconds, clock);
    const nonces = this.nonces;
    this.#acceptNonce = nonces === undefined ? undefined : (n) => nonces.accept(n);
  }

  /** Undefined when the proof is good (and now spent); the GuardError to answer otherwise. */
  check(auth: AuthContext, request: RequestLike): GuardError | undefined {
    const proof = headerOf(request.headers, 'dpop');
    if (typeof proof !== 'string' || proof === '')
      return invalid(
        proof === undefined || proof === null || proof === '' ? 'no DPoP header' : 'several DPoP headers',
      );
    const method = request.method;
    if (typeof method !== 'string' || method === '') return invalid('the request method is unknown');
    const url = requestUrl(request, this.#publicUrl, this.#trustProxy);
    if (url === undefined) return invalid('the request URL is unknown');
    const o = this.#options;
    const verify: VerifyDpopProofOptions = {
      method,
      url,
      accessToken: auth.token,
      expectedJkt: auth.confirmation?.jkt,
      maxAgeSeconds: o.maxAgeSeconds,
      leewaySeconds: o.leewaySeconds,
      clock: this.#clock,
      replayCache: this.#replays,
    };
    if (o.customAlgorithms !== undefined) verify.algorithms = o.customAlgorithms;
    if (this.#acceptNonce !== undefined) verify.nonce = this.#acceptNonce;
    try {
      verifyDpopProof(proof, verify);
      return undefined;
    } catch (error) {
      if (!isJoseError(error)) return invalid('ERR_UNEXPECTED', error);
      if (error.code === 'ERR_DPOP_NONCE_REQUIRED')
        return new GuardError('ERR_GUARD_DPOP_NONCE_REQUIRED', {
          nonce: this.nonces?.current(),
          cause: error,
        });
      if (error.code === 'ERR_DPOP_PROOF_REPLAYED')
        return new GuardError('ERR_GUARD_DPOP_PROOF_REPLAYED', { reason: 'jti already seen', cause: error });
      const detail = error.cause instanceof Error ? error.cause.message : error.code;
      return invalid(detail, error);
    }
  }
}

function invalid(reason: string, cause?: unknown): GuardError {
  return new GuardError('ERR_GUARD_DPOP_PROOF_INVALID', { reason, cause });
}
