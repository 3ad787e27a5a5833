import { describe, expect, it } from 'vitest';
import {
  lifetimeLeft,
  needsRefresh,
  refreshDelayMs,
  refreshLeadSeconds,
  retryAfterSeconds,
  secondsLeft,
} from '../src/lib/countdown.js';

describe('secondsLeft', () => {
  it('counts whole seconds down to zero, never below', () => {
    expect(secondsLeft(1_000, 990_000)).toBe(10);
    expect(secondsLeft(1_000, 990_500)).toBe(9);
    expect(secondsLeft(1_000, 1_000_000)).toBe(0);
    expect(secondsLeft(1_000, 2_000_000)).toBe(0);
  });
});

describe('refresh timing', () => {
  it('refreshes a fifth of the lifetime early, between 5 s and 60 s', () => {
    expect(refreshLeadSeconds(1_600, 1_000)).toBe(60); // 600 s token: a minute early
    expect(refreshLeadSeconds(1_100, 1_000)).toBe(20); // 100 s token: 20 s early
    expect(refreshLeadSeconds(1_010, 1_000)).toBe(5); // 10 s token: at least 5 s
    expect(refreshLeadSeconds(1_600, undefined)).toBe(60); // no iat: assume the default 600 s
  });

  it('computes the delay from now and clamps at zero', () => {
    expect(refreshDelayMs(1_600, 1_000, 1_000_000)).toBe(540_000);
    expect(refreshDelayMs(1_600, 1_000, 1_539_000)).toBe(1_000);
    expect(refreshDelayMs(1_600, 1_000, 1_540_000)).toBe(0);
    expect(refreshDelayMs(1_600, 1_000, 1_700_000)).toBe(0);
  });

  it('needsRefresh turns true exactly when the delay reaches zero', () => {
    expect(needsRefresh(1_600, 1_000, 1_539_999)).toBe(false);
    expect(needsRefresh(1_600, 1_000, 1_540_000)).toBe(true);
  });
});

describe('lifetimeLeft', () => {
  it('goes from 1 to 0 over the lifetime', () => {
    expect(lifetimeLeft(1_600, 1_000, 1_000_000)).toBe(1);
    expect(lifetimeLeft(1_600, 1_000, 1_300_000)).toBe(0.5);
    expect(lifetimeLeft(1_600, 1_000, 1_600_000)).toBe(0);
    expect(lifetimeLeft(1_600, 1_000, 9_000_000)).toBe(0);
    expect(lifetimeLeft(1_600, 1_000, 900_000)).toBe(1);
  });

  it('without iat is all or nothing', () => {
    expect(lifetimeLeft(1_600, undefined, 1_000_000)).toBe(1);
    expect(lifetimeLeft(1_600, undefined, 1_700_000)).toBe(0);
  });
});

describe('retryAfterSeconds', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  it('reads delta-seconds', () => {
    expect(retryAfterSeconds('30', now)).toBe(30);
    expect(retryAfterSeconds(' 7 ', now)).toBe(7);
    expect(retryAfterSeconds('0', now)).toBe(1);
  });

  it('reads an HTTP date', () => {
    expect(retryAfterSeconds('Thu, 01 Jan 2026 12:00:45 GMT', now)).toBe(45);
    expect(retryAfterSeconds('Thu, 01 Jan 2026 11:00:00 GMT', now)).toBe(1);
  });

  it('ignores a missing or unreadable header', () => {
    expect(retryAfterSeconds(null, now)).toBeUndefined();
    expect(retryAfterSeconds(undefined, now)).toBeUndefined();
    expect(retryAfterSeconds('soon', now)).toBeUndefined();
    expect(retryAfterSeconds('-3', now)).toBeUndefined();
  });
});
