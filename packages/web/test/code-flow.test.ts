// @vitest-environment happy-dom
// The web app's side of the code flow as functions: the authorization request it sends, the
// answer it reads from its URL, and the checks (state first, then iss) before a code is used.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AppError } from '../src/lib/errors.js';
import {
  beginSignIn,
  checkSignInResponse,
  PENDING_KEY,
  type PendingSignIn,
  redirectUriOf,
  signInResponseFrom,
  takePendingSignIn,
} from '../src/session/code-flow.js';

const ISSUER = 'http://127.0.0.1:4000';
const JKT = 'NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof AppError ? err.code : 'not an AppError';
  }
  return 'no error';
}

describe('starting a sign-in', () => {
  it('asks /oauth/authorize for a code with PKCE S256, state and the DPoP key, back to {issuer}/', async () => {
    sessionStorage.clear();
    const url = new URL(await beginSignIn({ issuer: ISSUER, jkt: JKT, storage: sessionStorage }));
    expect(`${url.origin}${url.pathname}`).toBe(`${ISSUER}/oauth/authorize`);
    const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? '{}') as PendingSignIn;
    expect(pending).toMatchObject({ issuer: ISSUER, redirectUri: `${ISSUER}/` });
    expect(pending.verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pending.state).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'keycard-web',
      redirect_uri: `${ISSUER}/`,
      state: pending.state,
      code_challenge: createHash('sha256').update(pending.verifier).digest('base64url'),
      code_challenge_method: 'S256',
      dpop_jkt: JKT,
    });
    // Each sign-in has its own secrets.
    await beginSignIn({ issuer: ISSUER, jkt: JKT, storage: sessionStorage });
    const next = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? '{}') as PendingSignIn;
    expect(next.state).not.toBe(pending.state);
    expect(next.verifier).not.toBe(pending.verifier);
  });

  it("a step-up adds the door's acr_values and max_age, and remembers what to do once back", async () => {
    sessionStorage.clear();
    const url = new URL(
      await beginSignIn({
        issuer: ISSUER,
        jkt: JKT,
        storage: sessionStorage,
        acrValues: ['urn:keycard:acr:mfa', 'urn:keycard:acr:phr'],
        maxAge: 0,
        resume: { door: 'office', supersedes: 'sid-1' },
      }),
    );
    expect(url.searchParams.get('acr_values')).toBe('urn:keycard:acr:mfa urn:keycard:acr:phr');
    expect(url.searchParams.get('max_age')).toBe('0');
    expect(takePendingSignIn(sessionStorage)?.resume).toEqual({ door: 'office', supersedes: 'sid-1' });
    // A challenge's odd values are not passed on: no spaces or quotes inside a value, no negative age.
    const odd = new URL(
      await beginSignIn({
        issuer: ISSUER,
        jkt: JKT,
        storage: sessionStorage,
        acrValues: ['a b', 'x"y', '', 'ok'],
        maxAge: -1,
      }),
    );
    expect(odd.searchParams.get('acr_values')).toBe('ok');
    expect(odd.searchParams.has('max_age')).toBe(false);
    expect(takePendingSignIn(sessionStorage)?.resume).toBeUndefined();
  });

  it('says so when the tab cannot keep the state', async () => {
    await expect(beginSignIn({ issuer: ISSUER, jkt: JKT, storage: undefined })).rejects.toMatchObject({
      code: 'ERR_SIGNIN_UNAVAILABLE',
    });
  });

  it('the redirect URI is the issuer root', () => {
    expect(redirectUriOf('https://keycard.example.com')).toBe('https://keycard.example.com/');
  });
});

describe('reading the answer', () => {
  it('finds a code or an error in the query, nothing else', () => {
    expect(signInResponseFrom('')).toBeUndefined();
    expect(signInResponseFrom('?utm=1')).toBeUndefined();
    expect(signInResponseFrom('?code=c&state=s&iss=i')).toEqual({
      code: 'c',
      error: null,
      errorDescription: null,
      state: 's',
      iss: 'i',
    });
    expect(signInResponseFrom('?error=access_denied&error_description=no')).toMatchObject({
      code: null,
      error: 'access_denied',
      errorDescription: 'no',
    });
  });

  it('takes the pending sign-in once; a damaged one is none', () => {
    const pending: PendingSignIn = { state: 's', verifier: 'v', issuer: ISSUER, redirectUri: `${ISSUER}/` };
    sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
    expect(takePendingSignIn(sessionStorage)).toEqual(pending);
    expect(takePendingSignIn(sessionStorage)).toBeUndefined();
    for (const damaged of ['{', '{"state":"s"}', '[]', 'null']) {
      sessionStorage.setItem(PENDING_KEY, damaged);
      expect(takePendingSignIn(sessionStorage), damaged).toBeUndefined();
      expect(sessionStorage.getItem(PENDING_KEY)).toBeNull();
    }
    expect(takePendingSignIn(undefined)).toBeUndefined();
  });

  it('keeps only a well-formed resume', () => {
    const pending: PendingSignIn = { state: 's', verifier: 'v', issuer: ISSUER, redirectUri: `${ISSUER}/` };
    for (const [resume, kept] of [
      [{ door: 'office' }, { door: 'office' }],
      [{ door: 7, supersedes: 'sid' }, { supersedes: 'sid' }],
      [{ door: '' }, undefined],
      ['office', undefined],
    ] as const) {
      sessionStorage.setItem(PENDING_KEY, JSON.stringify({ ...pending, resume }));
      expect(takePendingSignIn(sessionStorage)?.resume, JSON.stringify(resume)).toEqual(kept);
    }
  });
});

describe('checking the answer', () => {
  const pending: PendingSignIn = {
    state: 'st-1',
    verifier: 'v'.repeat(43),
    issuer: ISSUER,
    redirectUri: `${ISSUER}/`,
  };
  const answer = (fields: Partial<Record<string, string>>) =>
    signInResponseFrom(`?${new URLSearchParams(fields as Record<string, string>)}`)!;

  it('a matching answer gives what /api/login/code takes', () => {
    expect(
      checkSignInResponse(answer({ code: 'c0de', state: 'st-1', iss: ISSUER }), pending, ISSUER),
    ).toEqual({
      code: 'c0de',
      code_verifier: pending.verifier,
      redirect_uri: `${ISSUER}/`,
    });
  });

  it('state first: a missing or other state, or no pending sign-in, whatever else the answer says', () => {
    const wrong = { state: 'st-2', iss: 'https://evil.example', error: 'x', error_description: 'call 555' };
    for (const [what, response, p] of [
      ['other state', answer({ ...wrong, code: 'c' }), pending],
      ['no state', answer({ code: 'c', iss: ISSUER }), pending],
      ['nothing pending', answer({ code: 'c', state: 'st-1', iss: ISSUER }), undefined],
      ['an error with another state', answer(wrong), pending],
    ] as const) {
      expect(
        codeOf(() => checkSignInResponse(response, p, ISSUER)),
        what,
      ).toBe('ERR_SIGNIN_STATE');
    }
    try {
      checkSignInResponse(answer(wrong), pending, ISSUER);
    } catch (err) {
      expect((err as Error).message).not.toContain('555');
    }
  });

  it('then iss: missing, another, or a sign-in started with another issuer', () => {
    for (const [what, response, p] of [
      ['missing', answer({ code: 'c', state: 'st-1' }), pending],
      ['another', answer({ code: 'c', state: 'st-1', iss: 'https://evil.example' }), pending],
      ['pending elsewhere', answer({ code: 'c', state: 'st-1', iss: ISSUER }), { ...pending, issuer: 'x' }],
    ] as const) {
      expect(
        codeOf(() => checkSignInResponse(response, p, ISSUER)),
        what,
      ).toBe('ERR_SIGNIN_ISSUER');
    }
  });

  it("then the desk's error, in its words", () => {
    const response = answer({
      error: 'access_denied',
      error_description: 'no thanks',
      state: 'st-1',
      iss: ISSUER,
    });
    expect(codeOf(() => checkSignInResponse(response, pending, ISSUER))).toBe('ERR_SIGNIN_REFUSED');
    expect(() => checkSignInResponse(response, pending, ISSUER)).toThrow(/access_denied: no thanks/);
  });
});
