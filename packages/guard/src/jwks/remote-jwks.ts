import type { JWSAlgorithm, JWSHeader, VerificationKey } from '@keycard/jwt';
import { KeySet } from '@keycard/jwt';
import { GuardError } from '../errors.js';
import { fetchJson } from '../http/fetch-json.js';
import { cacheLifetimeMs } from './cache-control.js';

export interface RemoteJwksOptions {
  uri: string;
  algorithms: readonly JWSAlgorithm[];
  timeoutMs: number;
  maxBytes: number;
  minTtlMs: number;
  maxTtlMs: number;
  cooldownMs: number;
  clock: () => number;
  onError: (error: GuardError) => void;
  /** A refresh dropped a key the guard held (retired early, or compromised): cached verifications are suspect. */
  onKeysRemoved?: () => void;
  signal?: AbortSignal;
}

/**
 * The issuer's key set, fetched over the network and cached. Keys only ever come from the configured
 * URL, never from a token. Once the cache lifetime ends, the next lookup triggers a background
 * refresh while the current (stale) keys keep serving. An unknown `kid` triggers a fetch unless the
 * last fetch *triggered by an unknown kid* is younger than the cooldown (the start-up and scheduled
 * fetches do not count), shared by every concurrent caller: a key published just after start-up is
 * found at once, and a flood of made-up kids costs at most one fetch per cooldown.
 *
 * @example
 * const jwks = new RemoteJwks({ uri, algorithms: ['ES256'], timeoutMs: 5000, maxBytes: 262144,
 *   minTtlMs: 30000, maxTtlMs: 3600000, cooldownMs: 30000, clock: Date.now, onError: console.warn });
 * await jwks.refresh();
 */
/** After a failed unknown-`kid` fetch, the next may run this much later (or after the cooldown, if shorter). */
const FAILED_FETCH_RETRY_MS = 2000;

export class RemoteJwks {
  #keySet: KeySet | undefined;
  #expiresAt = 0;
  #lastUnknownKidFetchAt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<boolean> | undefined;
  fetches = 0;
  failures = 0;

  constructor(private readonly options: RemoteJwksOptions) {}

  /** Keys currently known (possibly stale), or undefined before the first successful fetch. */
  get keySet(): KeySet | undefined {
    return this.#keySet;
  }

  /** Synchronous lookup used by the verifier. Starts a background refresh when the cache lifetime is over. */
  getKey(header: JWSHeader): VerificationKey | undefined {
    const keySet = this.#keySet;
    if (keySet === undefined) return undefined;
    if (this.options.clock() >= this.#expiresAt && this.#inflight === undefined) {
      this.refresh().catch(() => {});
    }
    return selectKey(keySet, header);
  }

  /**
   * Called after a token named a `kid` we do not know (or when no keys are loaded). Fetches at most once
   * per cooldown counted between such fetches; concurrent callers share any fetch in flight. Resolves
   * true when the key set is now different.
   */
  refreshForUnknownKid(): Promise<boolean> {
    if (this.#inflight !== undefined) return this.#inflight;
    const now = this.options.clock();
    if (now - this.#lastUnknownKidFetchAt < this.options.cooldownMs) return Promise.resolve(false);
    this.#lastUnknownKidFetchAt = now;
    return this.refresh().catch(() => {
      // A failed fetch waits a short while, not the whole cooldown: an issuer that is down is not
      // hammered, and one that comes back is heard within seconds.
      const { cooldownMs } = this.options;
      this.#lastUnknownKidFetchAt = now - cooldownMs + Math.min(cooldownMs, FAILED_FETCH_RETRY_MS);
      return false;
    });
  }

  /** Fetches now (single-flight). Rejects with ERR_GUARD_JWKS_FETCH_FAILED; the old keys stay in use. */
  refresh(): Promise<boolean> {
    if (this.#inflight !== undefined) return this.#inflight;
    const run = this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    this.#inflight = run;
    return run;
  }

  async #fetch(): Promise<boolean> {
    const { uri, timeoutMs, maxBytes, minTtlMs, maxTtlMs, algorithms } = this.options;
    this.fetches++;
    try {
      const response = await fetchJson(uri, {
        timeoutMs,
        maxBytes,
        headers: { accept: 'application/jwk-set+json, application/json' },
        signal: this.options.signal,
      });
      const keySet = KeySet.from(response.body, { algorithms: [...algorithms] });
      const before = this.#keySet;
      this.#keySet = keySet;
      this.#expiresAt =
        this.options.clock() + cacheLifetimeMs(response.headers.get('cache-control'), minTtlMs, maxTtlMs);
      if (before?.keys.some((key) => keySet.get(key.kid) === undefined)) {
        this.options.onKeysRemoved?.();
      }
      return before === undefined || !sameKids(before, keySet);
    } catch (cause) {
      this.failures++;
      // Keep serving what we have; come back after the floor lifetime rather than on every request.
      if (this.#keySet !== undefined) this.#expiresAt = this.options.clock() + minTtlMs;
      // A fetch failure names the URL already; a bad key set gets it added here.
      const detail = (cause as Error).message;
      const reason = detail.includes(uri) ? detail : `${uri}: ${detail}`;
      const error = new GuardError('ERR_GUARD_JWKS_FETCH_FAILED', {
        cause,
        reason,
        message: `The issuer keys could not be loaded: ${reason}`,
      });
      this.options.onError(error);
      throw error;
    }
  }
}

/** Key selection by `kid`; without a `kid`, only an unambiguous single key of the header's algorithm. */
export function selectKey(keySet: KeySet, header: JWSHeader): VerificationKey | undefined {
  if (typeof header.kid === 'string') return keySet.get(header.kid);
  let found: VerificationKey | undefined;
  for (const key of keySet.keys) {
    if (key.alg !== header.alg) continue;
    if (found !== undefined) return undefined;
    found = key;
  }
  return found;
}

function sameKids(a: KeySet, b: KeySet): boolean {
  if (a.keys.length !== b.keys.length) return false;
  for (const key of b.keys) if (a.get(key.kid) === undefined) return false;
  return true;
}
