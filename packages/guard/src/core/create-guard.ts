import type { JWSHeader, JWTClaims, VerificationKey } from '@keycard/jwt';
import { createVerifier, isJoseError, KeySet } from '@keycard/jwt';
import type { CacheEntry } from '../cache/verified-token-cache.js';
import { VerifiedTokenCache } from '../cache/verified-token-cache.js';
import { DpopProofChecker } from '../dpop/check-proof.js';
import { GuardError, optionError } from '../errors.js';
import { RevocationState } from '../feed/revocation-state.js';
import { isResult } from '../http/settle.js';
import { selectKey } from '../jwks/remote-jwks.js';
import type { AuthContext, AuthResult, GuardMetrics, GuardOptions, RequestLike } from '../types.js';
import { buildAuthContext } from './auth-context.js';
import { extractToken, headerOf, isWellFormedToken } from './extract-token.js';
import { collectMetrics } from './metrics.js';
import type { ResolvedOptions } from './options.js';
import { resolveOptions } from './options.js';
import { GuardStartup } from './startup.js';

/** A configured verifier for one resource server. Create it once at start-up; `close()` it on shutdown. */
export interface Guard {
  /** Verifies the bearer token of a request. Never throws for a bad request: read `result.ok`. */
  verifyRequest(request: RequestLike): Promise<AuthResult>;
  /**
   * Same as `verifyRequest`, but answers synchronously when it can (a cached token, or a cold verify
   * with known keys) and returns a Promise only when it must wait for the network. For the adapters;
   * not part of the public API.
   * @internal
   */
  verifyRequestNow(request: RequestLike): AuthResult | Promise<AuthResult>;
  /**
   * Verifies a bare token string (same rules as a request). A DPoP-bound card is refused here
   * (ERR_GUARD_TOKEN_BOUND): it needs a request with its proof.
   */
  verifyToken(token: string): AuthResult | Promise<AuthResult>;
  /** Resolves when the keys are loaded and the revocation feed has synced; rejects on the first failure. */
  ready(): Promise<void>;
  /** Stops the feed and pending fetches and clears the cache; no timer is left behind. */
  close(): Promise<void>;
  metrics(): GuardMetrics;
  /** The frozen, validated options (defaults filled in). */
  readonly options: ResolvedOptions;
}

const TOKEN_BOUND = new GuardError('ERR_GUARD_TOKEN_BOUND');
const TOKEN_NOT_BOUND = new GuardError('ERR_GUARD_TOKEN_NOT_BOUND');

/**
 * Creates a guard. Options are validated now (ERR_GUARD_OPTIONS_INVALID names the bad one); discovery,
 * the key fetch and the revocation feed start in the background.
 *
 * @example
 * const guard = createGuard({ issuer: 'https://auth.example.com', audience: 'rooms' });
 * await guard.ready();
 * const result = await guard.verifyRequest(req);
 * if (result.ok) console.log(result.auth.sub);
 */
export function createGuard(options: GuardOptions): Guard {
  return new KeycardGuard(resolveOptions(options));
}

class KeycardGuard implements Guard {
  readonly options: ResolvedOptions;
  readonly #cache: VerifiedTokenCache;
  readonly #state: RevocationState;
  readonly #staticKeys: KeySet | undefined;
  readonly #verifier: ReturnType<typeof createVerifier>;
  readonly #startup: GuardStartup;
  readonly #dpop: DpopProofChecker | undefined;
  readonly #rejectWhenStale: boolean;
  #hits = 0;
  #misses = 0;
  #verifications = 0;
  #rejections = 0;
  #revokedKeyHit = false;

  constructor(options: ResolvedOptions) {
    this.options = options;
    this.#cache = new VerifiedTokenCache(options.cacheSize, options.cacheAdmission);
    this.#state = new RevocationState(options.leewaySeconds);
    this.#rejectWhenStale = options.revocation?.stalePolicy === 'reject';
    this.#dpop =
      options.dpop === undefined
        ? undefined
        : new DpopProofChecker(options.dpop, options.publicUrl, options.trustProxy, options.clock);
    if (options.keys !== undefined) {
      try {
        this.#staticKeys = KeySet.from(options.keys, { algorithms: [...options.algorithms] });
      } catch (cause) {
        throw optionError('keys', `is not a usable JWK Set (${isJoseError(cause) ? cause.code : 'invalid'})`);
      }
      if (this.#staticKeys.keys.length === 0)
        throw optionError('keys', 'holds no key usable with the algorithms');
    }
    this.#startup = new GuardStartup(options, this.#cache, this.#state, this.#staticKeys);
    this.#verifier = createVerifier({
      getKey: (header: JWSHeader): VerificationKey | undefined => {
        const key =
          this.#staticKeys !== undefined
            ? selectKey(this.#staticKeys, header)
            : this.#startup.jwks?.getKey(header);
        // A withdrawn key is refused even while a stale JWKS copy (or the static keys) still holds it,
        // whether the header names it or it was picked as the only key of its algorithm.
        const kid = key?.kid ?? header.kid;
        if (this.#state.keys.size !== 0 && typeof kid === 'string' && this.#state.keys.has(kid)) {
          this.#revokedKeyHit = true;
          return undefined;
        }
        return key;
      },
      algorithms: [...options.algorithms],
      issuer: options.tokenIssuer,
      audience: [...options.audience],
      typ: options.typ,
      leewaySeconds: options.leewaySeconds,
      clock: options.clock,
      requireExp: true,
      requiredClaims: ['sub'],
    });
    this.#startup.initialize().catch(() => {});
  }

  verifyRequest(request: RequestLike): Promise<AuthResult> {
    try {
      return Promise.resolve(this.verifyRequestNow(request));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** @internal */
  verifyRequestNow(request: RequestLike): AuthResult | Promise<AuthResult> {
    const authorization = headerOf(request.headers, 'authorization');
    const dpop = this.#dpop !== undefined;
    const presented = extractToken(authorization, request.headers, this.options.cookie, request.cookie, dpop);
    if (presented instanceof GuardError) return this.#fail(presented);
    const scheme = presented.scheme === 'DPoP';
    const result = this.#verifyCard(presented.token);
    if (isResult(result)) return this.#bind(result, request, scheme);
    return result.then((r) => this.#bind(r, request, scheme));
  }

  verifyToken(token: string): AuthResult | Promise<AuthResult> {
    const result = this.#verifyCard(token);
    if (isResult(result)) return this.#bind(result, undefined, false);
    return result.then((r) => this.#bind(r, undefined, false));
  }

  /**
   * RFC 9449 §7.1/§7.2: a key-bound card (`cnf.jkt`) only with the DPoP scheme and a good proof; the
   * DPoP scheme only with a bound card. An unbound card with the Bearer scheme is the warm path: the
   * cached result is returned as is.
   */
  #bind(result: AuthResult, request: RequestLike | undefined, dpopScheme: boolean): AuthResult {
    if (!result.ok) return result;
    const auth = result.auth;
    if (auth.confirmation === undefined) return dpopScheme ? this.#fail(TOKEN_NOT_BOUND) : result;
    if (!dpopScheme || request === undefined || this.#dpop === undefined) return this.#fail(TOKEN_BOUND);
    const denied = this.#dpop.check(auth, request);
    return denied === undefined ? result : this.#fail(denied);
  }

  /** The token's own verification (signature, claims, revocation), cached; no proof is looked at. */
  #verifyCard(token: string, waited = false): AuthResult | Promise<AuthResult> {
    const now = this.options.clock();
    if (this.#rejectWhenStale && this.#startup.feedIsStale(now)) {
      // A card that arrives while the guard is still starting waits for the start (once), so a
      // service's first requests after a deploy are not refused; a failed start refuses at once.
      const starting = waited ? undefined : this.#startup.firstStart();
      if (starting !== undefined) {
        const again = () => this.#verifyCard(token, true);
        return starting.then(again, again);
      }
      // Never started (issuer away since start-up): the keys are what is missing first.
      const noKeys = !this.#startup.initDone && this.#staticKeys === undefined;
      return this.#fail(new GuardError(noKeys ? 'ERR_GUARD_NO_KEYS' : 'ERR_GUARD_FEED_STALE'));
    }
    // Warm path: one Map lookup, the exp check inside get(), and the revocation set lookups.
    const entry = this.#cache.get(token, now);
    if (entry !== undefined) {
      if (!this.#state.isRevoked(entry.sub, entry.sid, entry.jti, entry.iat, entry.roles)) {
        this.#hits++;
        return entry.result;
      }
      this.#cache.delete(token);
      return this.#fail(new GuardError('ERR_GUARD_TOKEN_REVOKED'));
    }
    this.#misses++;
    if (!isWellFormedToken(token)) {
      return this.#fail(new GuardError('ERR_GUARD_REQUEST_INVALID', { reason: 'malformed bearer token' }));
    }
    return this.#verifyCold(token, now, true);
  }

  #verifyCold(token: string, now: number, mayRefetch: boolean): AuthResult | Promise<AuthResult> {
    if (this.#startup.closed) return this.#fail(new GuardError('ERR_GUARD_CLOSED'));
    let payload: JWTClaims;
    try {
      this.#verifications++;
      this.#revokedKeyHit = false;
      payload = this.#verifier.verify(token).payload;
    } catch (error) {
      if (this.#revokedKeyHit) {
        this.#revokedKeyHit = false;
        return this.#fail(new GuardError('ERR_GUARD_TOKEN_REVOKED', { reason: 'signing key revoked' }));
      }
      if (
        mayRefetch &&
        this.#staticKeys === undefined &&
        isJoseError(error) &&
        error.code === 'ERR_JWKS_NO_MATCHING_KEY'
      ) {
        return this.#verifyAfterKeyRefresh(token);
      }
      const reason = isJoseError(error) ? error.code : 'ERR_UNEXPECTED';
      return this.#fail(new GuardError('ERR_GUARD_TOKEN_INVALID', { reason, cause: error }));
    }
    const auth = buildAuthContext(token, payload, this);
    if (auth === undefined)
      return this.#fail(new GuardError('ERR_GUARD_TOKEN_INVALID', { reason: 'ERR_CLAIM_MISSING' }));
    const iat = typeof payload['iat'] === 'number' ? payload['iat'] : undefined;
    if (this.#state.isRevoked(auth.sub, auth.sid, auth.jti, iat, auth.roles)) {
      return this.#fail(new GuardError('ERR_GUARD_TOKEN_REVOKED'));
    }
    const result = this.#checkRequiredScopes(auth);
    // A card seen for the first time gets no entry (cacheAdmission 'repeat'): most never come back.
    if (this.#cache.admits(token)) {
      const entry: CacheEntry = {
        result,
        expiresAtMs: auth.expiresAt * 1000,
        sub: auth.sub,
        sid: auth.sid,
        jti: auth.jti,
        iat,
        roles: auth.roles,
        used: false,
      };
      this.#cache.set(token, entry, now);
    }
    if (!result.ok) this.#rejections++;
    return result;
  }

  async #verifyAfterKeyRefresh(token: string): Promise<AuthResult> {
    if (!this.#startup.initDone) await this.#startup.initialize().catch(() => {});
    const jwks = this.#startup.jwks;
    if (jwks === undefined) return this.#fail(new GuardError('ERR_GUARD_NO_KEYS'));
    await jwks.refreshForUnknownKid();
    if (jwks.keySet === undefined) return this.#fail(new GuardError('ERR_GUARD_NO_KEYS'));
    return this.#verifyCold(token, this.options.clock(), false);
  }

  #checkRequiredScopes(auth: AuthContext): AuthResult {
    const required = this.options.requiredScopes;
    for (const scope of required) {
      if (!auth.scopes.has(scope)) {
        return Object.freeze({
          ok: false,
          error: new GuardError('ERR_GUARD_INSUFFICIENT_SCOPE', { scope: required.join(' ') }),
        });
      }
    }
    return Object.freeze({ ok: true, auth });
  }

  #fail(error: GuardError): AuthResult {
    this.#rejections++;
    return { ok: false, error };
  }

  ready(): Promise<void> {
    return this.#startup.ready();
  }

  async close(): Promise<void> {
    this.#startup.close();
  }

  metrics(): GuardMetrics {
    const counters = {
      hits: this.#hits,
      misses: this.#misses,
      verifications: this.#verifications,
      rejections: this.#rejections,
    };
    const revocationOn = this.options.revocation !== undefined;
    const now = this.options.clock();
    return collectMetrics(
      now,
      counters,
      this.#cache.size,
      this.#state,
      this.#startup,
      this.#staticKeys,
      revocationOn,
    );
  }
}
