import { describe, expect, it } from 'vitest';
import { AppError } from '../src/lib/errors.js';
import type { CardFacts } from '../src/session/rules.js';
import {
  canSkipRefresh,
  logoutEndsSession,
  RETRY_AFTER_NETWORK_ERROR_MS,
  refreshFailureAction,
  sessionRefused,
  shouldAdoptShared,
} from '../src/session/rules.js';

// A 600 s card issued at t = 1000 s: due for refresh from t = 1540 s.
const card: CardFacts = { token: 'a.b.c', exp: 1_600, iat: 1_000, sessionId: 's1' };
const early = 1_100_000;
const due = 1_545_000;

describe('canSkipRefresh', () => {
  it('skips when another tab already refreshed (card fresh, not the failing one)', () => {
    expect(canSkipRefresh(card, undefined, early)).toBe(true);
    expect(canSkipRefresh(card, 'old.token.x', early)).toBe(true);
  });

  it('refreshes when there is no card, the card is due, or the card itself was refused', () => {
    expect(canSkipRefresh(undefined, undefined, early)).toBe(false);
    expect(canSkipRefresh(card, undefined, due)).toBe(false);
    expect(canSkipRefresh(card, card.token, early)).toBe(false);
  });
});

describe('refreshFailureAction', () => {
  const network = AppError.of('ERR_NETWORK');
  const throttled = new AppError('ERR_RATE_LIMITED', 'slow down', { status: 429, retryAfter: 7 });
  const down = new AppError('ERR_INTERNAL', 'oops', { status: 503 });
  const invalidGrant = new AppError('ERR_INVALID_GRANT', 'gone', { status: 400 });
  const noCookie = new AppError('ERR_UNAUTHENTICATED', 'no', { status: 401 });
  const csrf = new AppError('ERR_CSRF', 'csrf', { status: 403 });

  it('keeps the card and retries on transient failures', () => {
    expect(refreshFailureAction(network, true, false)).toEqual({
      action: 'retry',
      delayMs: RETRY_AFTER_NETWORK_ERROR_MS,
    });
    expect(refreshFailureAction(throttled, true, false)).toEqual({ action: 'retry', delayMs: 7_000 });
    expect(refreshFailureAction(down, true, false)).toEqual({
      action: 'retry',
      delayMs: RETRY_AFTER_NETWORK_ERROR_MS,
    });
  });

  it('ends the session when the server says it is over', () => {
    for (const err of [invalidGrant, noCookie, csrf, new Error('unexpected')]) {
      expect(refreshFailureAction(err, true, false)).toEqual({
        action: 'end',
        notice: 'Your session has ended. Please sign in again.',
      });
    }
  });

  it('on first load says nothing when there is no session, and says so when the server is unreachable', () => {
    expect(refreshFailureAction(noCookie, false, true)).toEqual({ action: 'end', notice: undefined });
    expect(refreshFailureAction(network, false, true)).toEqual({
      action: 'end',
      notice: 'Cannot reach the server to restore your session.',
    });
  });
});

describe('shouldAdoptShared', () => {
  const newer: CardFacts = { token: 'd.e.f', exp: 1_700, iat: 1_100, sessionId: 's1' };
  const older: CardFacts = { token: 'g.h.i', exp: 1_500, iat: 900, sessionId: 's1' };

  it('takes a newer card, or any card when none is held', () => {
    expect(shouldAdoptShared(card, newer, new Set())).toBe(true);
    expect(shouldAdoptShared(undefined, older, new Set())).toBe(true);
  });

  it('ignores the same card and older cards', () => {
    expect(shouldAdoptShared(card, { ...card }, new Set())).toBe(false);
    expect(shouldAdoptShared(card, older, new Set())).toBe(false);
  });

  it('never takes a card of a session that was checked out', () => {
    expect(shouldAdoptShared(undefined, newer, new Set(['s1']))).toBe(false);
    expect(shouldAdoptShared(card, { ...newer, sessionId: 's2' }, new Set(['s1']))).toBe(true);
  });
});

describe('logoutEndsSession', () => {
  it('ends the same session, or any when an id is missing', () => {
    expect(logoutEndsSession('s1', 's1')).toBe(true);
    expect(logoutEndsSession('s1', 's2')).toBe(false);
    expect(logoutEndsSession(undefined, 's2')).toBe(true);
    expect(logoutEndsSession('s1', undefined)).toBe(true);
  });
});

describe('sessionRefused', () => {
  it('is true for a 401 and for a refused refresh token, false for what may pass', () => {
    expect(sessionRefused(new AppError('ERR_UNAUTHENTICATED', 'x', { status: 401 }))).toBe(true);
    expect(sessionRefused(new AppError('ERR_INVALID_GRANT', 'x', { status: 400 }))).toBe(true);
    expect(sessionRefused(new AppError('ERR_INVALID_TARGET', 'x', { status: 400 }))).toBe(false);
    expect(sessionRefused(new AppError('ERR_RATE_LIMITED', 'x', { status: 429 }))).toBe(false);
    expect(sessionRefused(AppError.of('ERR_NETWORK'))).toBe(false);
    expect(sessionRefused(new Error('boom'))).toBe(false);
  });
});
