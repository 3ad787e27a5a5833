import type { KeycardConfig } from '../config/index.js';
import type { Coordinator } from '../coordinator/index.js';
import { ServerError } from '../errors.js';
import { sourceOf } from './source.js';

/** Which endpoint family a per-IP limit applies to. */
export type ThrottleScope = 'login' | 'token' | 'register';

/** An admitted password check: its failure is already counted until it is settled. */
export interface SignInTicket {
  /** Milliseconds to wait before checking the password (0 unless the account is under attack). */
  readonly delayMs: number;
  readonly accountKey: string;
  readonly ip: string | null;
  /** Counter keys and limits this attempt reserved a hit on (given back unless it failed). */
  readonly reserved: ReadonlyArray<readonly [key: string, limit: number, windowMs: number]>;
}

/** How an admitted password check ended. */
export type SignInOutcome = 'success' | 'failure' | 'aborted';

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
   * Before a password check for `accountKey` from `ip`: throws ERR_RATE_LIMITED when this source
   * may not try this account now; else counts the attempt as a failure up front (so concurrent
   * attempts cannot overshoot a budget) and returns a ticket to settle once the check is done.
   */
  admitSignIn(accountKey: string, ip: string | null): Promise<SignInTicket>;
  /**
   * Ends an admitted check: a success gives the reserved hits back and makes the source familiar
   * to the account for `familiarSeconds`; `aborted` (not a wrong password, e.g. storage failed)
   * gives them back; a failure keeps them.
   */
  settleSignIn(ticket: SignInTicket, outcome: SignInOutcome): Promise<void>;
}

/**
 * @example
 * ```ts
 * const throttle = createThrottle(config, coordinator);
 * await throttle.hitIp('login', request.ip);
 * const ticket = await throttle.admitSignIn('alice', request.ip);
 * await throttle.settleSignIn(ticket, ok ? 'success' : 'failure');
 * ```
 */
export function createThrottle(config: KeycardConfig, coordinator: Coordinator): Throttle {
  const t = config.throttle;
  const ipLimits = { login: t.loginPerIp, token: t.tokenPerIp, register: t.registerPerIp };
  type Limit = { limit: number; windowSeconds: number };
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
  const count = (key: string, limit: Limit, cost: number) =>
    coordinator.rateLimit(key, limit.limit, limit.windowSeconds * 1000, cost);
  const reject = (retryAfterMs: number): never => {
    throw new ServerError('ERR_RATE_LIMITED', { retryAfter: Math.max(1, Math.ceil(retryAfterMs / 1000)) });
  };
  const giveBack = async (reserved: SignInTicket['reserved']) => {
    for (const [key, limit, windowMs] of reserved) await coordinator.rateLimit(key, limit, windowMs, -1);
  };

  return {
    async hitIp(scope, ip) {
      if (!t.enabled) return;
      // Per source, as the sign-in counters: an IPv6 /64 is one, and `::ffff:a.b.c.d` is `a.b.c.d`.
      const result = await count(`${scope}:ip:${sourceOf(ip)}`, ipLimits[scope], 1);
      if (!result.allowed) reject(result.retryAfterMs);
    },

    async admitSignIn(accountKey, ip) {
      if (!t.enabled) return { delayMs: 0, accountKey, ip, reserved: [] };
      const k = keys(accountKey, ip);
      const familiar = await coordinator.hasFlag(k.familiar);
      let delayMs = 0;
      // Each step reserves a hit atomically; a refusal gives back what earlier steps took.
      const reserved: Array<readonly [string, number, number]> = [];
      const take = async (key: string, limit: Limit, refuse = true) => {
        const result = await count(key, limit, 1);
        if (result.allowed) {
          reserved.push([key, limit.limit, limit.windowSeconds * 1000]);
        } else if (refuse) {
          await giveBack(reserved);
          reject(result.retryAfterMs);
        }
        return result;
      };
      // The attacker's own address: refused for this account, and for all once it sprays.
      await take(k.source, t.sourceFailures);
      await take(k.pair, t.accountSourceFailures);
      if (familiar) {
        // The owner's usual address: the account-wide limits count its failures, never refuse it.
        await take(k.long, t.accountFailuresLong, false);
        await take(k.short, t.accountFailures, false);
      } else {
        await take(k.long, t.accountFailuresLong);
        const short = await take(k.short, t.accountFailures, false);
        if (!short.allowed) {
          // Under attack: one guess per source in the window (a source that already failed here
          // gets none), after a delay; a correct password from a clean source still signs in.
          const oneGuess = { limit: 2, windowSeconds: t.accountSourceFailures.windowSeconds };
          if (!(await count(k.pair, oneGuess, 0)).allowed) {
            await giveBack(reserved);
            reject(short.retryAfterMs);
          }
          delayMs = t.accountDelayMs;
        }
      }
      return { delayMs, accountKey, ip, reserved };
    },

    async settleSignIn(ticket, outcome) {
      if (!t.enabled || outcome === 'failure') return;
      await giveBack(ticket.reserved);
      if (outcome === 'success' && t.familiarSeconds > 0) {
        await coordinator.setFlag(keys(ticket.accountKey, ticket.ip).familiar, t.familiarSeconds * 1000);
      }
    },
  };
}
