// The in-process sliding window (single instance, and every instance while Redis is away) under a
// flood of distinct keys: its memory is bounded, and the bound must not reset anyone's counter.
import { describe, expect, it } from 'vitest';
import { createLocalLimits } from '../src/coordinator/sliding-log.js';

const DAY = 86_400_000;

describe('local sliding-window limits under a flood of distinct keys', () => {
  it("junk keys that push a victim's counter out of the full map do not give it a clean slate", () => {
    let now = 1_000_000;
    const limits = createLocalLimits(() => now);
    // The account-wide long counter of a victim, used up by a guessing attacker.
    for (let i = 0; i < 100; i++)
      expect(limits.rateLimit('login:fail:acct-long:victim', 100, DAY).allowed).toBe(true);
    expect(limits.rateLimit('login:fail:acct-long:victim', 100, DAY).allowed).toBe(false);
    // Then sign-ins as 150,000 made-up users: far more keys than the map holds.
    for (let i = 0; i < 150_000; i++) {
      now += 1;
      limits.rateLimit(`login:fail:acct-long:junk${i}`, 100, DAY);
    }
    const after = limits.rateLimit('login:fail:acct-long:victim', 100, DAY);
    expect(after.allowed).toBe(false);
    expect(after.retryAfterMs).toBeGreaterThan(0);
    // The window still ends: a day after the flood the victim's key counts afresh.
    now += DAY;
    expect(limits.rateLimit('login:fail:acct-long:victim', 100, DAY).allowed).toBe(true);
  });

  it('a fresh key is never refused for keys it never was', () => {
    let now = 5_000;
    const limits = createLocalLimits(() => now);
    for (let i = 0; i < 120_000; i++) {
      now += 1;
      limits.rateLimit(`junk:${i}`, 30, 60_000);
    }
    for (let i = 0; i < 50; i++) {
      const key = `fresh:${i}`;
      for (let j = 0; j < 30; j++) expect(limits.rateLimit(key, 30, 60_000).allowed).toBe(true);
    }
  });

  it('a flood costs nobody else anything: a fresh key still gets its whole limit', () => {
    const now = 5_000;
    const limits = createLocalLimits(() => now);
    // Busy addresses at 100 of 300 token requests, all in one window: far more than the map holds.
    for (let i = 0; i < 150_000; i++) limits.rateLimit(`token:ip:${i}`, 300, 60_000, 100);
    for (let i = 0; i < 20; i++) {
      const key = `login:fail:pair:u${i}:1.2.3.4`;
      for (let j = 0; j < 5; j++) expect(limits.rateLimit(key, 5, 900_000).allowed).toBe(true);
      expect(limits.rateLimit(key, 5, 900_000).allowed).toBe(false);
    }
  });
});
