// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/lib/errors.js';
import { stepUpFromError } from '../src/lib/step-up.js';
import { beginSignIn, takePendingSignIn } from '../src/session/code-flow.js';

const ISSUER = 'http://localhost:4000';
const JKT = 'x'.repeat(43);

describe('stepUpFromError (a change refused for want of a recent sign-in)', () => {
  const refused = (code: string, wwwAuthenticate?: string, status = 401) =>
    new AppError(code, 'refused', { status, wwwAuthenticate });

  it('reads max_age and acr_values from the challenge', () => {
    expect(
      stepUpFromError(
        refused(
          'ERR_STEP_UP_REQUIRED',
          'DPoP error="insufficient_user_authentication", error_description="Sign in again", max_age="600", algs="ES256"',
        ),
      ),
    ).toEqual({ acrValues: [], maxAge: 600 });
    expect(
      stepUpFromError(
        refused(
          'ERR_STEP_UP_REQUIRED',
          'Bearer error="insufficient_user_authentication", acr_values="urn:keycard:acr:mfa"',
        ),
      ),
    ).toEqual({ acrValues: ['urn:keycard:acr:mfa'], maxAge: undefined });
  });

  it('takes the code alone as a fresh sign-in, and nothing else as a step-up', () => {
    expect(stepUpFromError(refused('ERR_STEP_UP_REQUIRED'))).toEqual({ acrValues: [], maxAge: undefined });
    expect(stepUpFromError(refused('ERR_INVALID_TOKEN', 'Bearer error="invalid_token"'))).toBeUndefined();
    expect(stepUpFromError(refused('ERR_STEP_UP_REQUIRED', undefined, 403))).toBeUndefined();
    expect(stepUpFromError(new Error('x'))).toBeUndefined();
  });
});

describe('coming back after "Confirm it\'s you"', () => {
  const leave = (page: unknown) =>
    beginSignIn({
      issuer: ISSUER,
      jkt: JKT,
      storage: sessionStorage,
      maxAge: 0,
      resume: { page, supersedes: 'sid-1' } as never,
    });

  it('keeps the page to open again and what to repeat there, with the sign-in it belongs to', async () => {
    sessionStorage.clear();
    const url = new URL(await leave({ route: '/account', action: 'Remove the passkey “Laptop”' }));
    expect(url.searchParams.get('max_age')).toBe('0');
    expect(takePendingSignIn(sessionStorage)?.resume).toEqual({
      page: { route: '/account', action: 'Remove the passkey “Laptop”' },
      supersedes: 'sid-1',
    });
    // Read once: the answer's sign-in is used up.
    expect(takePendingSignIn(sessionStorage)).toBeUndefined();
  });

  it('never comes back to anything but a route of the app', async () => {
    for (const route of ['//evil.example/x', 'https://evil.example/', 'account', 42]) {
      sessionStorage.clear();
      await leave({ route, action: 'x' });
      expect(takePendingSignIn(sessionStorage)?.resume).toEqual({ supersedes: 'sid-1' });
    }
  });
});
