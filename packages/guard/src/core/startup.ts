import type { KeySet } from '@keycard/jwt';
import type { VerifiedTokenCache } from '../cache/verified-token-cache.js';
import { GuardError } from '../errors.js';
import { RevocationFeed } from '../feed/revocation-feed.js';
import type { RevocationState } from '../feed/revocation-state.js';
import { eventMatches } from '../feed/revocation-state.js';
import { RemoteJwks } from '../jwks/remote-jwks.js';
import type { ResolvedOptions } from './options.js';
import { resolveEndpoints } from './resolve-endpoints.js';

/**
 * The guard's start-up and lifecycle: discovery, the remote JWKS, the revocation feed, the retry
 * after a failed start, `ready()` and `close()`. The request path only reads its state.
 */
export class GuardStartup {
  readonly #options: ResolvedOptions;
  /** The first start as requests wait for it, bounded by fetchTimeoutMs; set on the first wait. */
  #firstStartWait: Promise<void> | undefined;
  #firstStartSettled = false;
  readonly #cache: VerifiedTokenCache;
  readonly #state: RevocationState;
  readonly #staticKeys: KeySet | undefined;
  readonly #maxStalenessMs: number;
  readonly #close = new AbortController();
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #jwks: RemoteJwks | undefined;
  #feed: RevocationFeed | undefined;
  #init: Promise<void> | undefined;
  #initDone = false;
  #lastInitAttempt = Number.NEGATIVE_INFINITY;
  #initFailures = 0;

  constructor(
    options: ResolvedOptions,
    cache: VerifiedTokenCache,
    state: RevocationState,
    staticKeys: KeySet | undefined,
  ) {
    this.#options = options;
    this.#cache = cache;
    this.#state = state;
    this.#staticKeys = staticKeys;
    this.#maxStalenessMs = options.revocation?.maxStalenessMs ?? 0;
  }

  /** True once discovery, the first key fetch and the feed start have succeeded. */
  get initDone(): boolean {
    return this.#initDone;
  }

  get closed(): boolean {
    return this.#close.signal.aborted;
  }

  get jwks(): RemoteJwks | undefined {
    return this.#jwks;
  }

  get feed(): RevocationFeed | undefined {
    return this.#feed;
  }

  feedIsStale(now: number): boolean {
    const feed = this.#feed;
    return feed === undefined ? !this.#initDone : feed.isStale(now, this.#maxStalenessMs);
  }

  /** Discovery, the first key fetch and the feed start; retried on demand, at most once per cooldown. */
  initialize(): Promise<void> {
    if (this.#initDone) return Promise.resolve();
    if (this.#init !== undefined) return this.#init;
    const now = this.#options.clock();
    if (now - this.#lastInitAttempt < this.#initRetryMs()) {
      return Promise.reject(
        new GuardError('ERR_GUARD_NO_KEYS', { reason: 'initialisation failed recently' }),
      );
    }
    this.#lastInitAttempt = now;
    this.#init = this.#runInit()
      .then(() => {
        this.#initFailures = 0;
      })
      .catch((error: unknown) => {
        this.#initFailures++;
        this.#scheduleRetry();
        throw error;
      })
      .finally(() => {
        this.#init = undefined;
      });
    return this.#init;
  }

  /**
   * How long after a failed start the next attempt may run: 1 s doubling to 5 s, so a guard that
   * started while the issuer was away accepts cards within seconds of its return. This is not the
   * unknown-`kid` cooldown, which guards the issuer against made-up key ids.
   */
  #initRetryMs(): number {
    if (this.#initFailures === 0) return 0;
    return Math.min(1000 * 2 ** (this.#initFailures - 1), 5000);
  }

  /** After a failed start (issuer down), try again in the background so the feed starts without traffic. */
  #scheduleRetry(): void {
    if (this.#retryTimer !== undefined || this.#close.signal.aborted) return;
    const delay = this.#initRetryMs();
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.#lastInitAttempt = Number.NEGATIVE_INFINITY; // a scheduled retry is not subject to the cooldown
      this.initialize().catch(() => {});
    }, delay);
    this.#retryTimer.unref?.();
  }

  async #runInit(): Promise<void> {
    const o = this.#options;
    const signal = this.#close.signal;
    const { jwksUri, streamUri, pollUri } = await resolveEndpoints(o, signal);
    if (this.#staticKeys === undefined && jwksUri !== undefined && this.#jwks === undefined) {
      this.#jwks = new RemoteJwks({
        uri: jwksUri,
        algorithms: o.algorithms,
        ...o.jwks,
        clock: o.clock,
        onError: o.onError,
        onKeysRemoved: () => this.#cache.clear(),
        signal,
      });
    }
    if (o.revocation !== undefined && this.#feed === undefined && !signal.aborted) {
      this.#feed = new RevocationFeed({
        ...o.revocation,
        streamUri,
        pollUri,
        state: this.#state,
        onEvent: (event) => {
          this.#cache.evictWhere((e) => eventMatches(event, e.sub, e.sid, e.jti, e.iat, e.roles));
          if (event.type === 'key') this.#jwks?.refresh().catch(() => {});
        },
        // Across a reset we may have missed events: re-verify every card, reload the keys (a missed
        // key event), and keep the revocations we hold (they were true when published).
        onReset: () => {
          this.#cache.clear();
          this.#jwks?.refresh().catch(() => {});
        },
        onError: o.onError,
        clock: o.clock,
        connectTimeoutMs: o.fetchTimeoutMs,
      });
      this.#feed.start();
    }
    if (this.#jwks !== undefined && this.#jwks.keySet === undefined) await this.#jwks.refresh();
    this.#initDone = true;
  }

  /**
   * While the first start is under way and nothing has failed yet (discovery, the first key fetch,
   * the first feed sync), a promise that settles when it ends, or rejects once `fetchTimeoutMs` has
   * passed (one timer, shared by every waiting request); otherwise undefined. Requests that arrive
   * while a service starts wait for it instead of being refused; after a failed or overlong start
   * they are refused at once.
   */
  firstStart(): Promise<void> | undefined {
    if (this.#close.signal.aborted || this.#initFailures > 0) return undefined;
    if (this.#firstStartSettled) return undefined;
    if (this.#firstStartWait !== undefined) return this.#firstStartWait;
    const pending = !this.#initDone
      ? this.#init?.then(() => this.#feed?.ready())
      : this.#feed?.startingUp
        ? this.#feed.ready()
        : undefined;
    if (pending === undefined) return undefined;
    const limitMs = this.#options.fetchTimeoutMs;
    const wait = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new GuardError('ERR_GUARD_NO_KEYS', { reason: `no start within ${limitMs} ms` })),
        limitMs,
      );
      timer.unref?.();
      pending.then(
        () => {
          clearTimeout(timer);
          resolve();
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
    // Settled either way: later stale requests are answered at once, never made to wait again.
    const settle = () => {
      this.#firstStartSettled = true;
    };
    wait.then(settle, settle);
    this.#firstStartWait = wait;
    return wait;
  }

  async ready(): Promise<void> {
    if (!this.#initDone) {
      // ready() is an explicit request: it does not wait out the cooldown of a failed background attempt.
      if (this.#init === undefined) this.#lastInitAttempt = Number.NEGATIVE_INFINITY;
      await this.initialize();
    }
    await this.#feed?.ready();
  }

  /** Stops the feed, pending fetches and the retry timer, and clears the cache. */
  close(): void {
    this.#close.abort();
    clearTimeout(this.#retryTimer);
    this.#feed?.close();
    this.#cache.clear();
  }
}
