import { describe, expect, it } from 'vitest';
import { formatClock, formatDateTime, formatDuration, formatRelative } from '../src/lib/time.js';

describe('formatDuration', () => {
  it.each([
    [0, '0 s'],
    [42, '42 s'],
    [60, '1 min'],
    [62, '1 min 2 s'],
    [599, '9 min 59 s'],
    [3600, '1 h'],
    [3720, '1 h 2 min'],
    [86_400, '1 d'],
    [90_000, '1 d 1 h'],
    [-5, '0 s'],
    [12.9, '12 s'],
  ])('%s s is %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });
});

describe('formatClock', () => {
  it.each([
    [0, '0:00'],
    [9, '0:09'],
    [599, '9:59'],
    [600, '10:00'],
    [3725, '1:02:05'],
    [-3, '0:00'],
  ])('%s s shows %s', (seconds, text) => {
    expect(formatClock(seconds)).toBe(text);
  });
});

describe('formatRelative', () => {
  const now = 1_700_000_000_000;
  it('says future, past and now', () => {
    expect(formatRelative(now + 90_000, now)).toBe('in 1 min 30 s');
    expect(formatRelative(now - 5_000, now)).toBe('5 s ago');
    expect(formatRelative(now + 400, now)).toBe('now');
    expect(formatRelative(now - 2 * 3600_000, now)).toBe('2 h ago');
  });

  it('a past time (created, signed in) reads "just now", never "in 1 s", within a minute of skew', () => {
    expect(formatRelative(now + 1_000, now, { past: true })).toBe('just now');
    expect(formatRelative(now + 600, now, { past: true })).toBe('just now');
    expect(formatRelative(now + 59_000, now, { past: true })).toBe('just now');
    expect(formatRelative(now, now, { past: true })).toBe('just now');
    expect(formatRelative(now - 4_000, now, { past: true })).toBe('just now');
    expect(formatRelative(now - 5_000, now, { past: true })).toBe('5 s ago');
    // Further ahead than any plausible skew: said as it is.
    expect(formatRelative(now + 120_000, now, { past: true })).toBe('in 2 min');
  });
});

describe('formatDateTime', () => {
  it('formats in the given locale and zone', () => {
    expect(formatDateTime(0, 'en-GB', 'UTC')).toBe('1 Jan 1970, 00:00:00');
  });
});
