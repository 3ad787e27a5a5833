import type { KeycardConfig } from '../config/index.js';
import type { Coordinator } from '../coordinator/index.js';
import { ServerError } from '../errors.js';
import { sourceOf } from './source.js';

/** Which endpoint family a per-IP limit applies to. */
export type ThrottleScope = 'login' | 'token' | 'register';

/** What the sign-in throttle decided for one attempt that may go ahead. */
export interface SignInAdmission {
  /** Milliseconds to wait before checking the password (0 unless the account is under attack). */
  delayMs: number;
}

/**
 * Abuse limits over the coordinator's counters. Every attempt counts against the caller's IP.
 * Failed sign-ins count per (account, source), per source and per account; only the first two
 * refuse outright, so failures from an attacker's address never lock the owner out from hers.
 * The account-wide counters (a short and a long window) slow and then close the door only for
 * sources the account has not signed in from lately. See README "Sign-in throttling".
 */
export interface Throttle {
  /** Counts one attempt from `ip`; throws ERR_RATE_LIMITED when over the limit. */
  hitIp(scope: ThrottleScope, ip: string | null): Promise<void>;
  /**
   * Before a password check for `accountKey` from `ip` (does not count): throws ERR_RATE_LIMITED
   * when this source may not try this account now, else says how long to wait first.
   */
  admitSignIn(accountKey: string, ip: string | null): Promise<SignInAdmission>;
  /** Counts a failed sign-in against the pair, the source and the account. */
  recordFailure(accountKey: string, ip: string | null): Promise<void>;
  /** Remembers that `ip` signed in to `accountKey`: it stays familiar for `familiarSeconds`. */
  recordSuccess(accountKey: string, ip: string | null): Promise<void>;
}

/**
 * @example
 * ```ts
 * const throttle = createThrottle(config, coordinator);
 * await throttle.hitIp('login', request.ip);
 * const { delayMs } = await throttle.admitSignIn('alice', request.ip);
 * ```
 */
export function createThrottle(config: KeycardConfig, coordinator: Coordinator): Throttle {
  const t = config.throttle;
  const ipLimits = { login: t.loginPerIp, token: t.tokenPerIp, register: t.registerPerIp };
  const keys = (account: string, ip: string | null) => {
    const source = sourceOf(ip);
    return {
      pair: `login:fail:pair:${account}:${source}`,
      source: `login:fail:src:${source}`,
      short: `login:fail:acct:${account}`,
      long: `login:fail:acct-long:${account}`,
      familiar: `login:known:${account}:${source}`,
    };
  };
  type Limit = { limit: number; windowSeconds: number };
  const count = (key: string, limit: Limit, cost: number) =>
    coordinator.rateLimit(key, limit.limit, limit.windowSeconds * 1000, cost);
  const reject = (retryAfterMs: number): never => {
    throw new ServerError('ERR_RATE_LIMITED', { retryAfter: Math.max(1, Math.ceil(retryAfterMs / 1000)) });
  };

  return {
    async hitIp(scope, ip) {
      if (!t.enabled) return;
      const result = await count(`${scope}:ip:${ip ?? 'unknown'}`, ipLimits[scope], 1);
      if (!result.allowed) reject(result.retryAfterMs);
    },
    async admitSignIn(account, ip) {
      if (!t.enabled) return { delayMs: 0 };
      const k = keys(account, ip);
      // The attacker's own address: refused for this account, and for all once it sprays.
      for (const [key, limit] of [
        [k.source, t.sourceFailures],
        [k.pair, t.accountSourceFailures],
      ] as const) {
        const result = await count(key, limit, 0);
        if (!result.allowed) reject(result.retryAfterMs);
      }
      if (await coordinator.hasFlag(k.familiar)) return { delayMs: 0 };
      const long = await count(k.long, t.accountFailuresLong, 0);
      if (!long.allowed) reject(long.retryAfterMs);
      const short = await count(k.short, t.accountFailures, 0);
      if (short.allowed) return { delayMs: 0 };
      // Under attack: a source that has already failed here gets no more guesses in the window;
      // a clean one gets one, after a delay, and a correct password still signs in.
      const pairLimit = { limit: 1, windowSeconds: t.accountSourceFailures.windowSeconds };
      const tried = await count(k.pair, pairLimit, 0);
      if (!tried.allowed) reject(Math.min(tried.retryAfterMs, short.retryAfterMs));
      return { delayMs: t.accountDelayMs };
    },
    async recordFailure(account, ip) {
      if (!t.enabled) return;
      const k = keys(account, ip);
      await count(k.pair, t.accountSourceFailures, 1);
      await count(k.source, t.sourceFailures, 1);
      await count(k.short, t.accountFailures, 1);
      await count(k.long, t.accountFailuresLong, 1);
    },
    async recordSuccess(account, ip) {
      if (!t.enabled || t.familiarSeconds === 0) return;
      await coordinator.setFlag(keys(account, ip).familiar, t.familiarSeconds * 1000);
    },
  };
}
