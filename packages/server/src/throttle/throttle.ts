import type { KeycardConfig } from '../config/index.js';
import type { Coordinator } from '../coordinator/index.js';
import { ServerError } from '../errors.js';

/** Which endpoint family a per-IP limit applies to. */
export type ThrottleScope = 'login' | 'token' | 'register';

/**
 * Abuse limits over the coordinator's counters: every attempt counts against the caller's IP;
 * failed sign-ins count against the account in a short and a long window, so guessing backs
 * off from minutes to an hour.
 */
export interface Throttle {
  /** Counts one attempt from `ip`; throws ERR_RATE_LIMITED when over the limit. */
  hitIp(scope: ThrottleScope, ip: string | null): Promise<void>;
  /** Throws ERR_RATE_LIMITED when the account is locked out by recent failures (does not count). */
  checkAccount(accountKey: string): Promise<void>;
  /** Counts a failed sign-in against the account. */
  recordFailure(accountKey: string): Promise<void>;
}

/**
 * @example
 * ```ts
 * const throttle = createThrottle(config, coordinator);
 * await throttle.hitIp('login', request.ip);
 * ```
 */
export function createThrottle(config: KeycardConfig, coordinator: Coordinator): Throttle {
  const t = config.throttle;
  const ipLimits = { login: t.loginPerIp, token: t.tokenPerIp, register: t.registerPerIp };
  const accountTiers = [
    { name: 'short', ...t.accountFailures },
    { name: 'long', ...t.accountFailuresLong },
  ];

  const reject = (retryAfterMs: number): never => {
    throw new ServerError('ERR_RATE_LIMITED', { retryAfter: Math.max(1, Math.ceil(retryAfterMs / 1000)) });
  };

  return {
    async hitIp(scope, ip) {
      if (!t.enabled) return;
      const limit = ipLimits[scope];
      const result = await coordinator.rateLimit(
        `${scope}:ip:${ip ?? 'unknown'}`,
        limit.limit,
        limit.windowSeconds * 1000,
      );
      if (!result.allowed) reject(result.retryAfterMs);
    },
    async checkAccount(accountKey) {
      if (!t.enabled) return;
      for (const tier of accountTiers) {
        const result = await coordinator.rateLimit(
          `login:acct:${tier.name}:${accountKey}`,
          tier.limit,
          tier.windowSeconds * 1000,
          0,
        );
        if (!result.allowed) reject(result.retryAfterMs);
      }
    },
    async recordFailure(accountKey) {
      if (!t.enabled) return;
      for (const tier of accountTiers) {
        await coordinator.rateLimit(
          `login:acct:${tier.name}:${accountKey}`,
          tier.limit,
          tier.windowSeconds * 1000,
        );
      }
    },
  };
}
